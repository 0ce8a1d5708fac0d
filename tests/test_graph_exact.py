"""The fast path's measures equal networkx's run to convergence, to 1e-9, on awkward graphs.

References are networkx with ``tol=1e-12`` and a large ``max_iter`` (not its
default stop, tol 1e-6, which leaves PageRank about 1% off): PageRank, HITS
(hubs and authorities, each summing to 1), k-core, per-account and overall
reciprocity, and betweenness (exact, and sampled with the same sources), on
graphs with dangling accounts (following no one), isolated accounts, mutual
pairs, parts not connected to each other, and self-follows in the input (the
graph builders drop them, as ``follow_edges`` does).
"""

from __future__ import annotations

import os

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis import graph as ag
from analysis.graph import fast

TOL = 1e-9
CONVERGED = {"tol": 1e-12, "max_iter": 100_000}


def _graphs() -> dict[str, nx.DiGraph]:
    """Small directed graphs (no self-loops: the graph builders drop them), nodes in id order."""
    out = {}
    G = nx.gnp_random_graph(120, 0.05, directed=True, seed=3)
    G.add_nodes_from(range(120, 126))  # isolated accounts
    G.add_edges_from((5, v) for v in range(126, 140))  # dangling accounts: follow no one
    out["random, dangling and isolated"] = G

    star = nx.DiGraph([(i, 0) for i in range(1, 30)] + [(0, i) for i in range(1, 10)])
    out["star with mutual pairs"] = star

    # two parts with different leading singular values (HITS is unique) and a chain
    a = nx.gnp_random_graph(40, 0.2, directed=True, seed=1)
    b = nx.relabel_nodes(nx.gnp_random_graph(25, 0.1, directed=True, seed=2), lambda v: v + 100)
    chain = nx.DiGraph([(200, 201), (201, 202), (202, 203)])
    out["disconnected parts"] = nx.compose_all([a, b, chain])

    fans = nx.DiGraph()
    fans.add_edges_from((i, i + 1) for i in range(0, 50, 2))  # pairs, half of them mutual
    fans.add_edges_from((i + 1, i) for i in range(0, 50, 4))
    fans.add_edges_from((i, 60) for i in range(50))
    out["reciprocal pairs"] = fans

    for name, H in out.items():
        ordered = nx.DiGraph()
        ordered.add_nodes_from(sorted(H))
        ordered.add_edges_from(H.edges())
        out[name] = ordered
    return out


GRAPHS = _graphs()


@pytest.fixture(params=list(GRAPHS), ids=list(GRAPHS))
def graph(request) -> nx.DiGraph:
    return GRAPHS[request.param]


def _values(d: dict, nodes: list) -> np.ndarray:
    return np.array([np.nan if d[v] is None else d[v] for v in nodes], dtype=float)


def test_pagerank_equals_converged_networkx(graph):
    nodes = list(graph)
    ref = _values(nx.pagerank(graph, **CONVERGED), nodes)
    assert np.abs(ag.pagerank(graph, backend="igraph").to_numpy() - ref).max() < TOL
    assert np.abs(ag.pagerank(graph).to_numpy() - ref).max() < TOL


def test_pagerank_with_another_damping_equals_converged_networkx(graph):
    ref = _values(nx.pagerank(graph, alpha=0.6, **CONVERGED), list(graph))
    assert np.abs(ag.pagerank(graph, alpha=0.6, backend="igraph").to_numpy() - ref).max() < TOL


def test_hits_equals_converged_networkx_and_sums_to_one(graph):
    nodes = list(graph)
    hubs, auths = nx.hits(graph, **CONVERGED)
    ours = ag.hits(graph, backend="igraph")
    assert np.abs(ours["hub"].to_numpy() - _values(hubs, nodes)).max() < TOL
    assert np.abs(ours["authority"].to_numpy() - _values(auths, nodes)).max() < TOL
    assert ours.sum().to_numpy() == pytest.approx([1.0, 1.0], abs=1e-12)
    assert (ours.to_numpy() >= 0).all()


def test_core_numbers_and_reciprocity_equal_networkx(graph):
    nodes = list(graph)
    assert ag.core_number(graph, backend="igraph").tolist() == [
        nx.core_number(graph)[v] for v in nodes
    ]
    ref = _values(nx.reciprocity(graph, nodes), nodes)
    ours = ag.node_reciprocity(graph, backend="igraph").to_numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    assert np.nanmax(np.abs(ours - ref)) < TOL
    assert ag.reciprocity(graph, backend="igraph") == pytest.approx(
        nx.overall_reciprocity(graph), abs=1e-15
    )


def test_exact_betweenness_equals_networkx(graph):
    ref = _values(nx.betweenness_centrality(graph), list(graph))
    assert np.abs(ag.betweenness(graph, backend="igraph").to_numpy() - ref).max() < TOL


def test_sampled_betweenness_equals_networkx_with_the_same_sources(graph):
    k = len(graph) // 3
    ref = _values(nx.betweenness_centrality(graph, k=k, seed=11), list(graph))
    ours = ag.betweenness(graph, k=k, seed=11, backend="igraph").to_numpy()
    assert np.abs(ours - ref).max() < TOL


def test_sampled_betweenness_is_within_its_stated_error_bound():
    G = nx.gnp_random_graph(400, 0.015, directed=True, seed=5)
    g = fast.SparseDigraph.from_networkx(G)
    exact = fast.betweenness(g)
    bound = fast.betweenness_error_bound(g.n, 60, delta=0.01, accounts=g.n)
    for seed in range(5):
        estimate = fast.betweenness(g, samples=60, seed=seed)
        assert np.abs(estimate - exact).max() <= bound
        assert not np.allclose(estimate, exact)  # a real estimate, not the exact value
    assert fast.betweenness_error_bound(400, 400) == 0.0
    # more samples, a tighter bound
    assert fast.betweenness_error_bound(400, 200) < fast.betweenness_error_bound(400, 50)


def test_self_follows_in_the_tables_are_dropped_as_networkx_builds_the_graph():
    src = np.array([1, 1, 2, 3, 3, 2, 4])
    dst = np.array([1, 2, 1, 1, 3, 1, 4])  # 1->1, 3->3 and 4->4 are self-follows; 2->1 twice
    g = fast.SparseDigraph.from_edges(src, dst)
    assert g.ids.tolist() == [1, 2, 3, 4]
    assert list(zip(g.src.tolist(), g.dst.tolist(), strict=True)) == [(0, 1), (1, 0), (2, 0)]
    G = nx.DiGraph([(1, 2), (2, 1), (3, 1)])
    G.add_node(4)
    ref = nx.pagerank(G, **CONVERGED)
    assert np.abs(fast.pagerank(g) - _values(ref, [1, 2, 3, 4])).max() < TOL
    assert fast.core_number(g).tolist() == [2, 2, 1, 0]


def test_metrics_table_equals_converged_networkx_on_the_demo(data_root, demo_tables):
    demo_graph = ag.graph_from_tables(demo_tables)
    table = ag.metrics_from_dataset("demo").set_index("user_id")
    nodes = sorted(demo_graph)
    pr = _values(nx.pagerank(demo_graph, **CONVERGED), nodes)
    hubs, auths = nx.hits(demo_graph, **CONVERGED)
    assert np.abs(table.loc[nodes, "pagerank"].to_numpy() - pr).max() < TOL
    assert np.abs(table.loc[nodes, "hub"].to_numpy() - _values(hubs, nodes)).max() < TOL
    assert np.abs(table.loc[nodes, "authority"].to_numpy() - _values(auths, nodes)).max() < TOL
    bc = _values(nx.betweenness_centrality(demo_graph), nodes)
    assert np.abs(table.loc[nodes, "betweenness"].to_numpy() - bc).max() < TOL


def test_empty_and_linkless_graphs():
    g = fast.SparseDigraph.from_edges(np.zeros(0), np.zeros(0), nodes=np.array([5, 6, 7]))
    assert fast.pagerank(g).tolist() == pytest.approx([1 / 3] * 3)
    assert [x.tolist() for x in fast.hits(g)] == [[pytest.approx(1 / 3)] * 3] * 2
    assert fast.core_number(g).tolist() == [0, 0, 0]
    assert np.isnan(fast.node_reciprocity(g)).all()
    assert fast.betweenness(g).tolist() == [0.0, 0.0, 0.0]
    m = fast.node_measures(g)
    assert m["community"].tolist() == [-1, -1, -1]
    none = fast.SparseDigraph.from_edges(np.zeros(0), np.zeros(0))
    assert fast.node_measures(none)["pagerank"].size == 0


def test_node_measures_match_the_single_measures():
    G = GRAPHS["random, dangling and isolated"]
    g = fast.SparseDigraph.from_networkx(G)
    m = fast.node_measures(g, seed=3)
    assert np.array_equal(m["pagerank"], fast.pagerank(g))
    assert np.array_equal(m["core_number"], fast.core_number(g))
    assert np.array_equal(m["community"], fast.louvain(g, seed=3)[0])
    frame = pd.DataFrame(m)
    assert len(frame) == g.n and frame["community"].max() >= 1


def _planted(seed: int = 7) -> fast.SparseDigraph:
    """A synthetic graph of 3,000 accounts in 30 planted groups, with isolated accounts."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, 3_000, 40_000)
    dst = (src // 100) * 100 + rng.integers(0, 100, 40_000)
    dst[::10] = rng.integers(0, 3_000, 4_000)  # a tenth across groups
    return fast.SparseDigraph.from_edges(src, dst, nodes=np.arange(3_010))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_louvain_in_a_forked_child_gives_the_same_table(monkeypatch):
    g = _planted()
    monkeypatch.setattr(fast, "CONCURRENT_MIN_LINKS", 10**12)
    alone = fast.node_measures(g, seed=4, betweenness_samples=20)
    monkeypatch.setattr(fast, "CONCURRENT_MIN_LINKS", 0)
    forked = fast.SparseDigraph(g.ids, g.src.copy(), g.dst.copy())
    beside = fast.node_measures(forked, seed=4, betweenness_samples=20, release=True)
    assert alone.keys() == beside.keys()
    for name in alone:
        assert np.array_equal(alone[name], beside[name], equal_nan=True), name
    assert np.array_equal(beside["community"], fast.louvain(g, seed=4)[0])
    assert beside["community"][-10:].tolist() == [-1] * 10
    assert forked.m == 0 and forked.n == g.n  # released


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_failed_louvain_child_is_run_again_in_the_parent(monkeypatch, tmp_path):
    g = _planted()
    expected = fast.louvain(g, seed=4)[0]
    monkeypatch.setattr(fast, "CONCURRENT_MIN_LINKS", 0)

    def broken(graph, resolution, seed):  # the child's Louvain fails; the parent's succeeds
        if os.getpid() != parent:
            raise MemoryError("synthetic failure in the child")
        return real(graph, resolution, seed)

    parent, real = os.getpid(), fast._multilevel
    monkeypatch.setattr(fast, "_multilevel", broken)
    monkeypatch.setattr(fast.tempfile, "tempdir", str(tmp_path))
    got = fast.node_measures(g, seed=4, with_betweenness=False)
    assert np.array_equal(got["community"], expected)
    assert list(tmp_path.iterdir()) == []  # the child's files are gone


def test_louvain_stays_in_the_process_without_memory_for_a_child(monkeypatch):
    monkeypatch.setattr(fast, "CONCURRENT_MIN_LINKS", 0)
    monkeypatch.setattr(fast, "_available_bytes", lambda: fast.forked_peak_bytes(1000) - 1)
    assert not fast._fork_louvain(1000)
    assert fast._fork_louvain(999) == hasattr(os, "fork")
    monkeypatch.setattr(fast, "_available_bytes", lambda: None)  # unknown: assumed enough
    assert fast._fork_louvain(10**7) == hasattr(os, "fork")
    monkeypatch.setattr(fast, "CONCURRENT_MIN_LINKS", 1_000_000)
    assert not fast._fork_louvain(50_000_000)  # 1M accounts / 50M links: over the 6 GB budget

    def no_fork():
        raise AssertionError("forked without the memory for it")

    monkeypatch.setattr(fast, "_available_bytes", lambda: 0)
    monkeypatch.setattr(fast.os, "fork", no_fork)
    g = _planted()
    got = fast.node_measures(g, seed=4, with_betweenness=False)
    assert np.array_equal(got["community"], fast.louvain(g, seed=4)[0])
