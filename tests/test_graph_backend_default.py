"""One graph backend default, analysis.settings.GRAPH_BACKEND, read when a function runs.

Every graph function given no ``backend`` and ``medtwitter graph`` without ``--backend``
run on it; its value ("igraph", the fast path) gives the numbers networkx gives run to
convergence (within 1e-9), except Louvain's partition, which each library finds its own way.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import analysis.graph.export as graph_export
from analysis import graph as ag
from analysis import settings
from analysis.cli import main
from analysis.errors import UsageError
from analysis.graph.backends import FAST, require_backend, resolve_backend


def _graph() -> nx.DiGraph:
    """A random follower graph with dangling and isolated accounts, nodes in id order."""
    G = nx.gnp_random_graph(150, 0.04, directed=True, seed=5)
    G.add_nodes_from(range(150, 155))
    G.add_edges_from((3, v) for v in range(155, 165))
    ordered = nx.DiGraph()
    ordered.add_nodes_from(sorted(G))
    ordered.add_edges_from(G.edges())
    return ordered


def test_the_default_is_the_fast_path():
    assert settings.GRAPH_BACKEND == FAST
    assert resolve_backend(None) == FAST
    assert require_backend(None) == FAST


def test_the_default_is_read_when_a_function_runs(monkeypatch):
    monkeypatch.setattr(settings, "GRAPH_BACKEND", "networkx")
    assert resolve_backend(None) is None  # networkx
    assert require_backend(None) == "networkx"
    G = _graph()
    assert ag.detect_communities(G, seed=1).equals(
        ag.detect_communities(G, seed=1, backend="networkx")
    )
    monkeypatch.setattr(settings, "GRAPH_BACKEND", "igraph")
    assert ag.detect_communities(G, seed=1).equals(
        ag.detect_communities(G, seed=1, backend="igraph")
    )


def test_metrics_on_the_default_backend_equal_networkx_to_1e_9():
    G = _graph()
    default = ag.node_metrics(G, seed=1)
    reference = ag.node_metrics(G, seed=1, backend="networkx")
    for col in ("user_id", "in_degree", "out_degree", "core_number"):
        assert default[col].tolist() == reference[col].tolist(), col
    for col in ("reciprocity", "pagerank", "hub", "authority", "betweenness"):
        diff = np.abs(default[col].to_numpy(float) - reference[col].to_numpy(float))
        assert np.nanmax(diff) < 1e-9, col


def _no_fast_path(*args, **kwargs):
    pytest.fail("the fast path ran although analysis.settings.GRAPH_BACKEND is networkx")


def test_graph_command_without_backend_follows_the_setting(data_root, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "GRAPH_BACKEND", "networkx")
    monkeypatch.setattr(graph_export, "sparse_graph_from_dataset", _no_fast_path)
    out = tmp_path / "metrics.csv"
    assert main(["graph", "demo", "--metrics", "--quiet", "--out", str(out)]) == 0
    assert out.stat().st_size > 0


def test_graph_help_names_the_default(capsys):
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # as the terminal's width wraps it
    assert "(default: igraph, from analysis.settings.GRAPH_BACKEND)" in text


@pytest.mark.parametrize("setting", ["no_such_backend", ""])
def test_a_setting_naming_no_installed_backend_is_one_line_on_the_command_line(
    data_root, tmp_path, capsys, monkeypatch, setting
):
    monkeypatch.setattr(settings, "GRAPH_BACKEND", setting)
    out = tmp_path / "metrics.csv"
    assert main(["graph", "demo", "--metrics", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"medtwitter: error: graph backend {setting!r} is not installed; install the "
        f"networkx backend {setting!r}, or use --backend igraph."
    )
    assert not out.exists()


def test_a_graph_with_text_node_ids_on_the_default_is_one_clear_error():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    with pytest.raises(UsageError, match="needs integer node ids.*backend='networkx'"):
        ag.pagerank(G)
    assert ag.pagerank(G, backend="networkx").round(3).tolist() == [0.184, 0.341, 0.474]
