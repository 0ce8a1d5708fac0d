"""The metrics of a large follower graph: links read from Parquet a batch at a time, bounded memory.

A stand-in for the national-size graph of ``benchmarks/graph.py`` (which measures
1M accounts / 50M links): a synthetic dataset of a few thousand accounts written
as Delta tables, read back in small batches, gives the same graph and the same
metrics as networkx; the numpy memory of the reading grows with the links kept
(int32 positions), not with Python objects; betweenness is exact below
``BETWEENNESS_EXACT_MAX`` accounts, sampled with ``--betweenness-samples``, empty
with a note beyond; ``--backend cugraph`` runs where a GPU is, and says in one
line why it cannot where none is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis import graph as ag
from analysis import settings, store
from analysis.cli import main
from analysis.graph import fast
from analysis.graph.backends import gpu_available, installed_backends
from analysis.tables import CONTRACT, load_dataset

GPU = gpu_available() and "cugraph" in installed_backends()


def _write_dataset(name: str, follower, followed, user_ids, protected=None) -> None:
    """A synthetic dataset holding only accounts and follow links, as ingest leaves it."""
    n = len(user_ids)
    when = pa.array(
        np.full(len(follower), np.datetime64("2026-07-01", "us")), pa.timestamp("us", tz="UTC")
    )
    follows = pa.table(
        [pa.array(follower, pa.int64()), pa.array(followed, pa.int64()), when, when],
        schema=CONTRACT["follows"].schema,
    )
    names = [f"synthetic{i}" for i in range(n)]
    flags = np.zeros(n, bool) if protected is None else protected
    users = store.conform(
        "users",
        pa.table(
            {"user_id": pa.array(user_ids, pa.int64()), "username": names, "protected": flags}
        ),
    )
    folder = settings.processed_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    keep = ["user_id", "username", "protected"]
    with store.DatasetWriter(folder, "test") as writer:
        writer.overwrite("follows", follows)
        writer.overwrite("users", users)
        writer.overwrite("user_snapshots", store.conform("user_snapshots", users.select(keep)))
        for table in ("tweets", "hashtags", "mentions", "missing"):
            writer.overwrite(table, CONTRACT[table].schema.empty_table())
        writer.commit(meta={"name": name, "synthetic": True})


@pytest.fixture
def big(tmp_data):
    """3,000 synthetic accounts, ~60,000 links: power-law popularity, mutual pairs, self-follows,
    links to accounts outside the dataset, protected accounts, in shuffled order."""
    rng = np.random.default_rng(7)
    n = 3000
    ids = 10_000 + rng.permutation(n).astype(np.int64) * 13
    pop = rng.pareto(1.5, n) + 1
    src = rng.integers(0, n, 60_000)
    dst = rng.choice(n, 60_000, p=pop / pop.sum())
    back = rng.random(60_000) < 0.25
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    code = np.unique(src * n + dst)
    follower, followed = ids[code // n], ids[code % n]
    strangers = np.arange(5, 305, dtype=np.int64)  # followers seen only as ids
    follower = np.concatenate([follower, strangers])
    followed = np.concatenate([followed, ids[:300]])
    order = rng.permutation(len(follower))
    protected = np.zeros(n, dtype=bool)
    protected[:40] = True
    _write_dataset("big", follower[order], followed[order], ids, protected)
    return tmp_data


@pytest.mark.parametrize(
    ("only_known", "drop"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_batches_give_the_graph_networkx_builds(big, only_known, drop):
    tables = load_dataset("big")
    G = ag.graph_from_tables(tables, only_known=only_known, drop_protected=drop)
    g, names = ag.export.sparse_graph_from_dataset("big", only_known, drop)
    assert g.ids.tolist() == sorted(G)
    assert g.m == G.number_of_edges()
    edges = set(zip(g.ids[g.src].tolist(), g.ids[g.dst].tolist(), strict=True))
    assert edges == set(G.edges())
    assert g.src.dtype == np.int32
    assert np.all(np.diff(g.src.astype(np.int64) * g.n + g.dst) > 0)  # sorted, no duplicates


def test_mutual_links_are_the_returned_ones(big):
    g, _ = ag.export.sparse_graph_from_dataset("big")
    pairs = set(zip(g.src.tolist(), g.dst.tolist(), strict=True))
    expected = [(d, s) in pairs for s, d in zip(g.src.tolist(), g.dst.tolist(), strict=True)]
    assert g.mutual().tolist() == expected
    assert 0.15 < g.mutual().mean() < 0.6


def test_the_igraph_graph_holds_the_same_links(big):
    g, _ = ag.export.sparse_graph_from_dataset("big")
    graph = fast.to_igraph(g)
    assert graph.vcount() == g.n and graph.is_directed()
    assert np.array_equal(np.array(graph.get_edgelist()), np.stack([g.src, g.dst], axis=1))


def test_metrics_table_of_the_large_graph_equals_converged_networkx(big):
    with pytest.warns(ag.backends.GraphNote, match="betweenness left empty"):
        table = ag.metrics_from_dataset("big")
    G = ag.graph_from_tables(load_dataset("big"))
    nodes = table["user_id"].tolist()
    assert nodes == sorted(G)
    pr = nx.pagerank(G, tol=1e-12, max_iter=100_000)
    assert np.abs(table["pagerank"].to_numpy() - [pr[v] for v in nodes]).max() < 1e-9
    core = nx.core_number(G)
    assert table["core_number"].tolist() == [core[v] for v in nodes]
    assert table["in_degree"].tolist() == [d for _, d in G.in_degree(nodes)]
    assert table["betweenness"].isna().all()  # 3,000 accounts: above the exact limit


def test_reading_holds_int32_positions_not_python_objects(big):
    """numpy's and Arrow's allocations while the links are read, per link kept (tracemalloc
    sees numpy's buffers): a few int64 temporaries of a batch and the kept int32 arrays."""
    g, _ = ag.export.sparse_graph_from_dataset("big")
    tracemalloc.start()
    try:
        ag.export.sparse_graph_from_dataset("big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak / g.m < 120  # bytes a link: a Python tuple per link alone would be > 120


def test_betweenness_samples_option_estimates_within_the_stated_bound(big, capsys, tmp_path):
    out = tmp_path / "m.parquet"
    assert main(["graph", "big", "--metrics", "--quiet", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "betweenness left empty" in err and "--betweenness-samples K" in err
    assert pd.read_parquet(out)["betweenness"].isna().all()

    argv = [
        "graph",
        "big",
        "--metrics",
        "--quiet",
        "--betweenness-samples",
        "300",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    estimate = pd.read_parquet(out).set_index("user_id")["betweenness"]
    g, _ = ag.export.sparse_graph_from_dataset("big")
    exact = pd.Series(fast.betweenness(g), index=g.ids)
    bound = fast.betweenness_error_bound(g.n, 300, delta=0.01, accounts=g.n)
    assert (estimate - exact).abs().max() <= bound
    assert estimate.notna().all() and not np.allclose(estimate, exact)


def test_betweenness_is_exact_on_a_small_dataset(data_root, tmp_path):
    table = ag.metrics_from_dataset("demo")
    G = ag.graph_from_tables(load_dataset("demo"))
    bc = nx.betweenness_centrality(G)
    assert np.abs(table["betweenness"].to_numpy() - [bc[v] for v in table["user_id"]]).max() < 1e-9


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_betweenness_samples_must_be_a_positive_count(data_root, capsys, tmp_path, value):
    out = tmp_path / "m.csv"
    code = main(["graph", "demo", "--metrics", "--betweenness-samples", value, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists() and len(err.splitlines()) == 1
    assert "--betweenness-samples" in err and f"not '{value}'" in err


@pytest.mark.skipif(GPU, reason="a GPU is present: the GPU test runs instead")
@pytest.mark.parametrize("backend", ["cugraph", "no_such_backend"])
def test_a_gpu_backend_asked_for_without_one_is_one_line_error(
    data_root, capsys, tmp_path, backend
):
    out = tmp_path / "m.csv"
    code = main(["graph", "demo", "--metrics", "--backend", backend, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert backend in err and "--backend igraph" in err
    if backend == "cugraph":
        assert "GPU" in err or "graph-gpu" in err


@pytest.mark.skipif(not GPU, reason="no NVIDIA GPU with nx-cugraph here")
def test_cugraph_backend_gives_the_same_metrics(data_root, tmp_path):  # pragma: no cover
    gpu = ag.metrics_from_dataset("demo", backend="cugraph")
    cpu = ag.metrics_from_dataset("demo")
    for col in ("user_id", "in_degree", "out_degree", "core_number"):
        assert gpu[col].tolist() == cpu[col].tolist(), col
    for col in ("pagerank", "hub", "authority", "reciprocity", "betweenness"):
        assert np.nanmax(np.abs(gpu[col] - cpu[col])) < 1e-6, col
    out = tmp_path / "m.parquet"
    assert (
        main(["graph", "demo", "--metrics", "--quiet", "--backend", "cugraph", "--out", str(out)])
        == 0
    )
    assert len(pd.read_parquet(out)) == len(cpu)


TRIM_CHILD = """
import numpy as np
from analysis.graph import fast

def resident_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

np.ones(1 << 20)  # an 8 MB block, freed: glibc's mmap threshold rises to it
parts = [np.ones(1 << 17) for _ in range(300)]  # 300 arrays of 1 MB, now from the heap
pin = np.ones(1 << 17)  # a live block above them: the heap's top is not free
del parts
before = resident_mb()
fast.trim_memory()
print(before - resident_mb())
"""


@pytest.mark.skipif(fast._malloc_trim() is None, reason="needs glibc's malloc_trim (Linux)")
def test_freed_heap_pages_go_back_to_the_system_after_a_trim():
    """300 MB of batch-sized arrays freed below a live one stay resident until ``trim_memory``."""
    # A LocalCluster started earlier in this process sets Dask's MALLOC_TRIM_THRESHOLD_ in
    # os.environ (distributed's Nanny does, before spawning a worker): glibc would then give
    # the pages back at each free, before the trim. The child runs with glibc's defaults.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", TRIM_CHILD], capture_output=True, text=True, check=True, env=env
    )
    assert float(out.stdout) > 250  # MB given back, of the 300 freed
