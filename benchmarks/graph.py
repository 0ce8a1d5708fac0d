"""Follower-graph benchmark: `medtwitter graph --metrics` against igraph, and the edge-list import.

Generates a synthetic follower graph once (power-law in-degrees, planted communities,
reciprocity about 0.3; cached as a medtwitter dataset under
``benchmarks/out/cache/graph-USERS-EDGES/``), then prints side by side, in one run:

* the **edge-list import** (``medtwitter ingest follows.csv`` and ``follows.parquet``)
  against the Arrow floor, from ``benchmarks/edges.py``'s :func:`measure_import`;
* **``medtwitter graph bench --metrics --out FILE.parquet``** against **igraph**
  computing the same metric set from the same Parquet (in- and out-degree,
  per-account reciprocity, PageRank, hubs and authorities, k-core, Louvain, written
  as Parquet) the way an igraph user writes it (``ig.Graph(n, edges=array)``), each in
  its own process, whole-process seconds and peak memory: the larger of the process's
  own VmHWM and the peak of the summed PSS of its process tree (``graph --metrics``
  may fork a child for Louvain; PSS splits each page shared copy-on-write between
  the processes mapping it, so the sum counts it once, where a sum of RSS would count
  it once per process; the RSS sum is printed beside it for comparison only);
* results against **converged references**: networkx run to convergence
  (PageRank and HITS with tol 1e-12, core numbers, reciprocity) up to
  :data:`NETWORKX_MAX_EDGES` links, igraph's exact solvers beyond (networkx would
  need tens of GB): PageRank, hubs, authorities and reciprocity to 1e-9, degrees
  and core numbers exactly, Louvain modularity within 0.01.

Targets (PASS/FAIL), issue 21 at 1M accounts / 50M links: at most 1.0x igraph's
time, 6 GB peak and 5 minutes; issue 20 at 50k / 2.5M: at most 1.5x igraph's time
and under 1.5 GB. A graph of 10M links or more gets the first set.

    .venv/bin/python benchmarks/graph.py --users 50000 --edges 2500000
    flock /tmp/medtwitter-bench.lock .venv/bin/python benchmarks/graph.py --users 1000000 --edges 50000000
    .venv/bin/python benchmarks/graph.py --users 5000 --edges 250000 --skip-import   # a quick check

Timings on a shared machine are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "out" / "cache"
DATASET = "bench"
#: Links from which a graph is "national size": issue 21's targets apply.
LARGE_EDGES = 10_000_000
TARGETS = {  # (time ratio to igraph, peak MB, whole-process seconds or None)
    "large": (1.0, 6144, 300.0),
    "small": (1.5, 1536, None),
}
#: Largest graph whose reference is networkx run to convergence (a separate process).
NETWORKX_MAX_EDGES = 5_000_000
TOL = 1e-9
#: Seconds between two samples of a child's process tree's memory.
SAMPLE_SECONDS = 0.2


# -- the generated graph --------------------------------------------------------------


def generate(data_root: Path, accounts: int, edges: int, seed: int = 42) -> dict:
    """Write a synthetic follower graph as the ``bench`` dataset; return its figures."""
    import pyarrow as pa

    sys.path.insert(0, str(ROOT))
    from analysis import store
    from analysis.graph.fast import unique
    from analysis.tables import CONTRACT

    def member(values, sorted_set):  # np.isin, by a search of the sorted set
        pos = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
        return sorted_set[pos] == values

    rng = np.random.default_rng([seed, 5])
    n = accounts
    n_comm = max(2, n // 2500)
    comm = rng.integers(0, n_comm, size=n)
    pop = rng.pareto(1.3, size=n) + 1
    target_first = int(edges * 1.5)  # duplicates drop out; the sample is cut to `edges` below
    out = rng.lognormal(0, 1.0, size=n)
    out = np.maximum(1, np.round(out / out.sum() * target_first)).astype(np.int64)
    src = np.repeat(np.arange(n, dtype=np.int64), out)
    own = rng.random(len(src)) < 0.8
    tgt_comm = np.where(own, comm[src], rng.integers(0, n_comm, size=len(src)))
    dst = np.empty(len(src), dtype=np.int64)
    for c in range(n_comm):
        members = np.flatnonzero(comm == c)
        sel = tgt_comm == c
        w = pop[members] / pop[members].sum()
        dst[sel] = rng.choice(members, size=int(sel.sum()), p=w)
    code = unique(src * n + dst)  # np.unique and np.isin of numpy 2.4 are 20 times slower
    code = code[code // n != code % n]
    rev = (code % n) * n + code // n
    lone = code[~member(rev, code)]
    back = lone[rng.random(len(lone)) < 0.3]
    code = unique(np.concatenate([code, (back % n) * n + back // n]))
    if len(code) > edges:
        code = np.sort(rng.choice(code, size=edges, replace=False))
    ids = 10_000_000 + np.arange(n, dtype=np.int64) * 7919
    follower, followed = ids[code // n], ids[code % n]

    folder = data_root / "processed" / DATASET
    folder.mkdir(parents=True, exist_ok=True)
    when = pa.array(
        np.full(len(code), np.datetime64("2026-07-01T00:00:00", "us")), pa.timestamp("us", tz="UTC")
    )
    follows = pa.table(
        [pa.array(follower), pa.array(followed), when, when], schema=CONTRACT["follows"].schema
    )
    users = store.conform("users", pa.table({"user_id": ids, "username": [f"user{i}" for i in range(n)],
                                             "protected": np.zeros(n, dtype=bool)}))  # fmt: skip
    meta = {"name": DATASET, "synthetic": True, "note": "generated by benchmarks/graph.py"}
    # a dataset as ingest leaves it: Delta tables and a manifest (analysis.store)
    keep = ["user_id", "username", "protected"]
    with store.DatasetWriter(folder, "benchmark") as writer:
        writer.overwrite("follows", follows)
        writer.overwrite("users", users)
        writer.overwrite("user_snapshots", store.conform("user_snapshots", users.select(keep)))
        for name in ("tweets", "hashtags", "mentions", "missing"):
            writer.overwrite(name, CONTRACT[name].schema.empty_table())
        writer.commit(meta=meta)
    mutual = member((code % n) * n + code // n, code).mean()
    return {
        "accounts": n,
        "edges": int(len(code)),
        "communities": n_comm,
        "reciprocity": float(mutual),
    }


def cached_dataset(users: int, edges: int) -> tuple[Path, dict]:
    """The data root holding the generated ``bench`` dataset, generated on first use."""
    root = CACHE / f"graph-{users}-{edges}"
    figures = root / "graph.json"
    if not figures.is_file():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        # in a child: the generator holds the whole graph, which must not count in the
        # children measured later (a child's peak RSS starts from its parent's at fork)
        subprocess.run([sys.executable, __file__, "--generate", str(users), str(edges), str(root)],
                       check=True, cwd=ROOT)  # fmt: skip
    return root, json.loads(figures.read_text())


# -- the children: one process per path ------------------------------------------------------


def _stopwatch(steps: dict[str, float]):
    """A function that records the seconds since its previous call under a step's name."""
    last = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        steps[name] = now - last[0]
        last[0] = now

    return lap


def _read_edges(folder: Path):
    """The follower graph's ids, read from the dataset's Delta tables as any pyarrow user would."""
    sys.path.insert(0, str(ROOT))
    from analysis import store

    f = store.read_table(folder, "follows", ["follower_id", "followed_id"], sort=False)
    users = store.read_table(folder, "users", ["user_id"], sort=False)["user_id"].to_numpy()
    return users, f["follower_id"].to_numpy(), f["followed_id"].to_numpy()


def child_igraph(folder: Path, out: Path) -> dict:
    """The metric set as an igraph user computes it, written as Parquet."""
    import igraph as ig
    import pyarrow as pa
    import pyarrow.parquet as pq

    steps: dict[str, float] = {}
    lap = _stopwatch(steps)
    users, src, dst = _read_edges(folder)
    ids = np.unique(users)
    edges = np.stack([np.searchsorted(ids, src), np.searchsorted(ids, dst)], axis=1)
    del src, dst
    g = ig.Graph(n=len(ids), edges=edges, directed=True)
    lap("build")
    indeg, outdeg = np.array(g.indegree()), np.array(g.outdegree())
    mutual = np.array(g.is_mutual(loops=False))  # per edge, in the order given
    both = np.bincount(edges[:, 0][mutual], minlength=len(ids))
    del edges, mutual
    with np.errstate(invalid="ignore", divide="ignore"):
        recip = np.where(indeg + outdeg > 0, 2 * both / (indeg + outdeg), np.nan)
    lap("degrees, reciprocity")
    pr = np.array(g.pagerank())
    lap("pagerank")
    hub, auth = np.array(g.hub_score()), np.array(g.authority_score())
    lap("hits")
    core = np.array(g.coreness(mode="all"))
    lap("k_core")
    g.to_undirected(mode="collapse")
    comm = np.array(g.community_multilevel().membership)
    lap("louvain")
    table = {"user_id": ids, "in_degree": indeg, "out_degree": outdeg, "reciprocity": recip,
             "pagerank": pr, "hub": hub / hub.sum(), "authority": auth / auth.sum(),
             "core_number": core, "community": comm}  # fmt: skip
    pq.write_table(pa.table(table), out)
    lap("write")
    return steps


def child_networkx(folder: Path, out: Path) -> dict:
    """networkx run to convergence: the reference of the results (not a speed contender)."""
    import networkx as nx
    import pyarrow as pa
    import pyarrow.parquet as pq

    steps: dict[str, float] = {}
    lap = _stopwatch(steps)
    users, src, dst = _read_edges(folder)
    G = nx.DiGraph()
    G.add_nodes_from(np.sort(users).tolist())
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    del src, dst
    lap("build")
    nodes = list(G)
    pr = nx.pagerank(G, tol=1e-12, max_iter=100_000)
    lap("pagerank (tol 1e-12)")
    hub, auth = nx.hits(G, tol=1e-12, max_iter=100_000)
    lap("hits (tol 1e-12)")
    core = nx.core_number(G)
    lap("k_core")
    recip = nx.reciprocity(G, nodes)
    lap("reciprocity")
    table = {"user_id": nodes, "in_degree": [d for _, d in G.in_degree(nodes)],
             "out_degree": [d for _, d in G.out_degree(nodes)],
             "reciprocity": [np.nan if recip[v] is None else recip[v] for v in nodes],
             "pagerank": [pr[v] for v in nodes], "hub": [hub[v] for v in nodes],
             "authority": [auth[v] for v in nodes], "core_number": [core[v] for v in nodes]}  # fmt: skip
    pq.write_table(pa.table(table), out)
    return steps


def child_medtwitter(data_root: Path, out: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from analysis.cli import main

    t = time.perf_counter()
    argv = [
        "--data-dir",
        str(data_root),
        "graph",
        DATASET,
        "--metrics",
        "--quiet",
        "--out",
        str(out),
    ]
    code = main(argv)
    if code:
        raise SystemExit(code)
    return {"metrics (all steps)": time.perf_counter() - t}


def _child(argv: list[str]) -> None:
    kind, data_root, out = argv[0], Path(argv[1]), Path(argv[2])
    folder = data_root / "processed" / DATASET
    if kind == "igraph":
        steps = child_igraph(folder, out)
    elif kind == "medtwitter":
        steps = child_medtwitter(data_root, out)
    else:
        steps = child_networkx(folder, out)
    print("RESULT " + json.dumps({"steps": steps, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's VmHWM starts afresh at exec; ``ru_maxrss`` would also count the parent's
    memory at fork time, so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the parent --------------------------------------------------------------------------------


def run_child(kind: str, data_root: Path, out: Path) -> dict:
    """Run one path in its own process: wall seconds, steps, and the peak memory of its tree.

    ``peak_mb`` counts every process the child starts (``graph --metrics`` forks
    one for Louvain): the largest of the child's own VmHWM and the sum of the
    proportional set sizes (shared pages split between the processes sharing
    them) of the child and its descendants, sampled every :data:`SAMPLE_SECONDS`.
    ``tree_rss_peak_mb``, the peak of the summed RSS, counts a page the fork shares
    with its parent twice: shown for comparison, not judged.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen([sys.executable, __file__, "--child", kind, str(data_root), str(out)],
                                stdout=stdout, stderr=stderr, text=True, cwd=ROOT)  # fmt: skip
        tree_peak = rss_peak = 0.0
        while proc.poll() is None:
            pss, rss = _tree_memory_mb(proc.pid)
            tree_peak, rss_peak = max(tree_peak, pss), max(rss_peak, rss)
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    if proc.returncode:
        return {"kind": kind, "error": (errors.strip().splitlines() or ["?"])[-1], "wall": wall}
    line = [x for x in output.splitlines() if x.startswith("RESULT ")][-1]
    got = json.loads(line[len("RESULT ") :])
    got["own_peak_mb"] = got["peak_mb"]
    got["tree_peak_mb"] = tree_peak
    got["tree_rss_peak_mb"] = rss_peak
    got["peak_mb"] = max(got["peak_mb"], tree_peak)
    return {"kind": kind, "wall": wall, "out": out, **got}


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """The summed PSS and the summed RSS (MB) of process ``pid`` and its descendants, now.

    PSS splits each page among the processes that map it, so its sum over a tree is
    the tree's own memory; the RSS sum counts a page shared copy-on-write by a parent
    and its fork once per process (shown beside it, for comparison only).
    """
    pss = rss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):  # the process ended meanwhile
            continue
    return pss / 1024, rss / 1024


def _modularities(ids, memberships, folder: Path) -> list[float]:
    """Louvain's modularity on the undirected projection, scored the same way for everyone."""
    sys.path.insert(0, str(ROOT))
    from analysis.graph import fast

    _, src, dst = _read_edges(folder)
    g = fast.SparseDigraph.from_edges(src, dst, nodes=ids, within_nodes=True)
    del src, dst
    und = fast.SparseDigraph(g.ids, *fast.undirected_edges(g).T.astype(g.src.dtype))
    graph = fast.to_igraph(und, directed=False)
    scores = []
    for membership in memberships:
        membership = np.asarray(membership).copy()
        membership[membership < 0] = membership.max() + 1 + np.arange((membership < 0).sum())
        scores.append(float(graph.modularity(membership.tolist())))
    return scores


def compare(ours, ref, reference: str) -> list[tuple[str, float, float]]:
    """(check, value, limit) of our table against a reference table (same ``user_id`` order)."""
    assert np.array_equal(ours["user_id"].to_numpy(), ref["user_id"].to_numpy())
    checks = []
    for col in ("pagerank", "hub", "authority", "reciprocity"):
        a, b = ours[col].to_numpy(dtype=float), ref[col].to_numpy(dtype=float)
        nan_mismatch = int((np.isnan(a) != np.isnan(b)).sum())
        diff = float(np.nanmax(np.abs(a - b))) if len(a) else 0.0
        checks.append((f"{col} max |diff| vs {reference} <= {TOL:g}", diff + nan_mismatch, TOL))
    for col in ("in_degree", "out_degree", "core_number"):
        wrong = int((ours[col].to_numpy() != ref[col].to_numpy()).sum())
        checks.append((f"{col} differences vs {reference} == 0", wrong, 0))
    return checks


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def import_lines(users: int, edges: int) -> tuple[list[str], bool]:
    """``benchmarks/edges.py``'s import benchmark at this size, as printed lines and a verdict."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from edges import measure_import, report

    result = measure_import(users, edges)
    ok = all(result[f]["pass"] for f in ("csv", "parquet") if f in result)
    return report(result), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", "--accounts", type=int, default=50_000, dest="users",
                        help="accounts (--accounts: the same, its former name)")  # fmt: skip
    parser.add_argument("--edges", type=int, default=2_500_000, help="follow links")
    parser.add_argument("--skip-import", action="store_true", help="graph --metrics only")
    parser.add_argument("--skip-networkx", action="store_true",
                        help="check against igraph's exact solvers, not converged networkx")  # fmt: skip
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        users, edges, root = int(args.generate[0]), int(args.generate[1]), Path(args.generate[2])
        figures = generate(root, users, edges)
        (root / "graph.json").write_text(json.dumps(figures))
        return 0

    ok = True
    t = time.perf_counter()
    data_root, info = cached_dataset(args.users, args.edges)
    print(f"synthetic follower graph: {info['accounts']:,} accounts, {info['edges']:,} follow "
          f"links, {info['communities']} planted communities, reciprocity "
          f"{info['reciprocity']:.3f} (ready in {time.perf_counter() - t:.1f} s, cached in "
          f"{data_root.relative_to(ROOT)}); machine: {os.cpu_count()} cores, load average "
          f"{_load_average()}")  # fmt: skip

    verdicts = {}
    if not args.skip_import:
        print("\n== edge-list import: medtwitter ingest vs the Arrow floor (benchmarks/edges.py)")
        lines, verdicts["edge-list import"] = import_lines(args.users, args.edges)
        print("\n".join(lines))

    size = "large" if info["edges"] >= LARGE_EDGES else "small"
    ratio_target, memory_target, seconds_target = TARGETS[size]
    kinds = ["igraph", "medtwitter"]
    use_networkx = not args.skip_networkx and info["edges"] <= NETWORKX_MAX_EDGES
    if use_networkx:
        kinds.append("networkx")
    print(f"\n== graph --metrics vs igraph, same metric set from the same Parquet "
          f"(load average {_load_average()})")  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory(prefix="medtwitter-bench-") as tmp:
        for kind in kinds:
            print(f"running {kind}...", flush=True)
            results[kind] = run_child(kind, data_root, Path(tmp) / f"{kind}.parquet")
        print(f"{'path':<12}{'whole process s':>16}{'peak MB':>10}  steps (s)")
        for kind, r in results.items():
            if "error" in r:
                print(f"{kind:<12}{r['wall']:>16.1f}{'':>10}  FAILED: {r['error']}")
                continue
            steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
            role = "  (reference, not timed against)" if kind == "networkx" else ""
            tree = (f"; memory of the process tree (own VmHWM {r['own_peak_mb']:.0f} MB, tree PSS "
                    f"sum {r['tree_peak_mb']:.0f} MB, tree RSS sum {r['tree_rss_peak_mb']:.0f} MB)")  # fmt: skip
            print(f"{kind:<12}{r['wall']:>16.1f}{r['peak_mb']:>10.0f}  {steps}{role}{tree}")
        med, ref = results["medtwitter"], results["igraph"]
        if "error" in med or "error" in ref:
            print("FAIL: a path did not finish")
            return 1
        print(f"(load average after the runs: {_load_average()})")
        checks = [
            (f"medtwitter / igraph whole-process time = {med['wall'] / ref['wall']:.2f}x "
             f"(target <= {ratio_target:g}x)", med["wall"] / ref["wall"] <= ratio_target),
            (f"medtwitter peak memory {med['peak_mb']:,.0f} MB (target <= {memory_target:,} MB; "
             f"igraph {ref['peak_mb']:,.0f} MB)", med["peak_mb"] <= memory_target),
        ]  # fmt: skip
        if seconds_target:
            checks.append((f"medtwitter whole process {med['wall']:.0f} s (target <= "
                           f"{seconds_target:.0f} s)", med["wall"] <= seconds_target))  # fmt: skip

        import pandas as pd

        ours = pd.read_parquet(med["out"])
        reference = "networkx" if use_networkx and "error" not in results["networkx"] else "igraph"
        ref_table = pd.read_parquet(results[reference]["out"])
        label = (
            "networkx run to convergence" if reference == "networkx" else "igraph's exact solvers"
        )
        for name, value, limit in compare(ours, ref_table, label):
            checks.append((f"{name}: {value:.3g}", value <= limit))
        ig_table = pd.read_parquet(ref["out"])
        folder = data_root / "processed" / DATASET
        ids = ours["user_id"].to_numpy()
        q_ours, q_ig = _modularities(
            ids, [ours["community"].to_numpy(), ig_table["community"].to_numpy()], folder
        )
        checks.append((f"Louvain modularity {q_ours:.4f} vs igraph's {q_ig:.4f} (within 0.01)",
                       abs(q_ours - q_ig) <= 0.01))  # fmt: skip
        for text, passed in checks:
            ok &= bool(passed)
            print(f"{'PASS' if passed else 'FAIL'}: {text}")
    verdicts["graph --metrics"] = ok
    print()
    for part, passed in verdicts.items():
        print(f"{part}: {'PASS' if passed else 'FAIL'}")
    print("ALL PASS" if all(verdicts.values()) else "SOME FAIL")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
    else:
        raise SystemExit(main())
