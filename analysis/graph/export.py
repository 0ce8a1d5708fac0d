"""One row of metrics per account, and the graph for Gephi and Cytoscape (GEXF, GraphML).

:func:`node_metrics` computes the table from a ``DiGraph`` (on the backend of
:data:`analysis.settings.GRAPH_BACKEND` unless ``backend=`` names another).
:func:`metrics_from_dataset` is what ``medtwitter graph DATASET --metrics`` runs: it
reads the two id columns of ``follows`` and the accounts of ``users`` straight from
Parquet into numpy arrays and computes everything with igraph, without building a
networkx graph — the same numbers, at a fraction of the time and
memory (see ``benchmarks/graph.py``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis import settings, store
from analysis.errors import UsageError
from analysis.graph import fast
from analysis.graph.backends import FAST, GraphNote, resolve_backend
from analysis.graph.build import graph_from_tables, require_directed
from analysis.graph.communities import detect_communities
from analysis.graph.metrics import (
    BETWEENNESS_EXACT_MAX,
    betweenness,
    core_number,
    degree_table,
    hits,
    node_reciprocity,
    pagerank,
)
from analysis.outputs import check_out_file, write_atomic, write_csv, xml_text
from analysis.tables import dataset_dir, load_arrow, load_dataset, resolve_version

#: Columns of the metrics table, in order (``medtwitter graph --metrics``).
METRIC_COLUMNS = (
    "user_id",
    "username",
    "in_degree",
    "out_degree",
    "reciprocity",
    "pagerank",
    "hub",
    "authority",
    "core_number",
    "community",
    "betweenness",
)
EXPORT_FORMATS = ("gexf", "graphml")


def node_metrics(
    G: nx.DiGraph,
    seed: int | None = None,
    backend: str | None = None,
    betweenness_samples: int | None = None,
) -> pd.DataFrame:
    """Compute one row per account of ``G`` with :data:`METRIC_COLUMNS`, sorted by user id.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph (:func:`analysis.graph.graph_from_tables`).
    seed : int, optional
        Seed of Louvain and of sampled betweenness; :data:`analysis.settings.SEED` if ``None``.
    backend : str, optional
        Where the measures run (:mod:`analysis.graph.backends`): ``"igraph"`` (the fast
        path), ``"networkx"`` or an installed networkx backend; ``None`` reads
        :data:`analysis.settings.GRAPH_BACKEND` (``"igraph"``).
    betweenness_samples : int, optional
        Estimate betweenness from this many source accounts (see below).

    Returns
    -------
    pd.DataFrame
        The metrics table, columns :data:`METRIC_COLUMNS`.

    Notes
    -----
    ``community`` is Louvain on the undirected projection (-1 for accounts without
    a link); ``reciprocity`` is NaN for accounts without a link; ``betweenness``
    is exact up to :data:`~analysis.graph.metrics.BETWEENNESS_EXACT_MAX`
    accounts, estimated from ``betweenness_samples`` sources if given, else
    empty (NaN) beyond, with a :class:`~analysis.graph.backends.GraphNote`.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (3, 1)])
    >>> node_metrics(G)[["user_id", "in_degree", "core_number", "community"]].values.tolist()
    [[1, 2, 2, 0], [2, 1, 2, 0], [3, 0, 1, 0]]
    """
    seed = settings.SEED if seed is None else seed

    require_directed(G, "the metrics table")
    be = resolve_backend(backend)
    if be == FAST:
        g = fast.SparseDigraph.from_networkx(G)
        names = pd.Series({v: G.nodes[v].get("username") for v in G}, dtype=object)
        return _metrics_from_sparse(
            g, names.reindex(g.ids).to_numpy(), seed, betweenness_samples=betweenness_samples
        )
    out = pd.DataFrame({"user_id": np.fromiter(G.nodes, dtype=np.int64, count=len(G))})
    out["username"] = [G.nodes[v].get("username") for v in G]
    deg = degree_table(G, backend=be)
    out["in_degree"] = deg["in_degree"].to_numpy()
    out["out_degree"] = deg["out_degree"].to_numpy()
    out["reciprocity"] = node_reciprocity(G, backend=be).to_numpy()
    out["pagerank"] = pagerank(G, backend=be).to_numpy()
    h = hits(G, backend=be)
    out["hub"], out["authority"] = h["hub"].to_numpy(), h["authority"].to_numpy()
    out["core_number"] = core_number(G, backend=be).to_numpy()
    out["community"] = detect_communities(G, seed=seed, backend=be).to_numpy()
    out["betweenness"] = np.nan
    if _betweenness_wanted(len(G), betweenness_samples):
        out["betweenness"] = betweenness(G, betweenness_samples, seed, backend=be).to_numpy()
    return out.sort_values("user_id", ignore_index=True).loc[:, list(METRIC_COLUMNS)]


def _betweenness_wanted(n: int, samples: int | None) -> bool:
    """Whether the metrics table gets betweenness (a note says why not)."""
    if samples is not None or n <= BETWEENNESS_EXACT_MAX:
        return True
    warnings.warn(
        f"betweenness left empty: exact betweenness of {n:,} accounts (more than "
        f"{BETWEENNESS_EXACT_MAX:,}) would take too long; --betweenness-samples K estimates it.",
        GraphNote,
        stacklevel=3,
    )
    return False


def _metrics_from_sparse(
    g: fast.SparseDigraph,
    usernames: np.ndarray,
    seed: int,
    progress: bool = False,
    betweenness_samples: int | None = None,
) -> pd.DataFrame:
    wanted = _betweenness_wanted(g.n, betweenness_samples)
    bar: Any = None  # a tqdm bar (tqdm has no types)
    if progress:
        from tqdm.auto import tqdm  # imported only when shown: in Jupyter it warns about widgets

        bar = tqdm(total=7 + wanted, desc="graph metrics", unit="step")
    try:

        def advance(name: str) -> None:
            """Move the progress bar one step on, naming the measure just done.

            Parameters
            ----------
            name : str
                The measure, shown beside the bar.
            """
            bar.set_postfix_str(name)
            bar.update()

        step = None if bar is None else advance
        values = fast.node_measures(g, seed, betweenness_samples, wanted, step, release=True)
    finally:
        if bar is not None:
            bar.close()
    values.setdefault("betweenness", np.full(g.n, np.nan))
    out = {"user_id": g.ids, "username": pd.array(usernames, dtype=object), **values}
    return pd.DataFrame(out).loc[:, list(METRIC_COLUMNS)]


def sparse_graph_from_dataset(
    dataset: str, only_known: bool = True, drop_protected: bool = False
) -> tuple[fast.SparseDigraph, np.ndarray]:
    """Return the follower graph of a dataset as a :class:`~analysis.graph.fast.SparseDigraph`, from Parquet.

    Same accounts and links as :func:`graph_from_tables` with the same options;
    returns the graph and the usernames in its node order.

    Parameters
    ----------
    dataset : str
        The dataset's name (under ``data/processed/``).
    only_known : bool, default True
        Keep only links between accounts the ``users`` table holds.
    drop_protected : bool, default False
        Leave out protected accounts and their links.

    Returns
    -------
    tuple of (SparseDigraph, numpy.ndarray)
        The graph, and the username of each node in node order.
    """
    version = resolve_version(dataset)
    users = load_arrow(dataset, "users", ["user_id", "username", "protected"], version)
    gone = None
    if drop_protected:
        protected = pc.fill_null(users["protected"], False)
        gone = users.filter(protected)["user_id"].to_numpy()
        users = users.filter(pc.invert(protected))
    uid = users["user_id"].to_numpy()
    follows = store.arrow_dataset(dataset_dir(dataset), "follows", version)
    with store.c_allocator():  # one batch of ids in memory at a time
        batches = (
            []
            if follows is None
            else follows.to_batches(columns=["follower_id", "followed_id"], batch_size=1 << 20)
        )
        g = fast.SparseDigraph.from_batches(
            batches, uid, only_known, exclude=None if only_known else gone
        )
    names = pd.Series(users["username"].to_numpy(zero_copy_only=False), index=uid, dtype=object)
    return g, names.reindex(g.ids).to_numpy()


def metrics_from_dataset(
    dataset: str,
    only_known: bool = True,
    drop_protected: bool = False,
    seed: int | None = None,
    backend: str | None = None,
    progress: bool = False,
    betweenness_samples: int | None = None,
) -> pd.DataFrame:
    """Return the metrics table of a dataset's follower graph (``medtwitter graph --metrics``).

    On the fast path (``backend="igraph"``, the default) the links go from Parquet,
    a batch at a time, to numpy index arrays and one igraph graph, without networkx;
    any other backend builds the ``DiGraph`` and runs :func:`node_metrics` on it.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    only_known : bool
        Keep only links between accounts the ``users`` table holds.
    drop_protected : bool
        Leave out protected accounts and their links.
    seed : int, optional
        See :func:`node_metrics`; :data:`analysis.settings.SEED` if ``None``.
    backend : str, optional
        Any backend :func:`node_metrics` takes; ``None`` reads
        :data:`analysis.settings.GRAPH_BACKEND` (``"igraph"``).
    progress : bool
        Show a progress bar of the steps.
    betweenness_samples : int, optional
        See :func:`node_metrics`.

    Returns
    -------
    pd.DataFrame
        The metrics table, columns :data:`METRIC_COLUMNS`.
    """
    seed = settings.SEED if seed is None else seed
    if resolve_backend(backend) == FAST:
        g, usernames = sparse_graph_from_dataset(dataset, only_known, drop_protected)
        return _metrics_from_sparse(g, usernames, seed, progress, betweenness_samples)
    G = graph_from_tables(
        load_dataset(dataset), only_known=only_known, drop_protected=drop_protected
    )
    return node_metrics(G, seed=seed, backend=backend, betweenness_samples=betweenness_samples)


def _check_metrics_suffix(path: Path) -> None:
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise UsageError(f"cannot write metrics to {path.name!r}; name the file .parquet or .csv.")


def check_metrics_out(path: str | os.PathLike[str]) -> Path:
    """Check a metrics table's ``--out`` before the work.

    It must be a ``.parquet`` or ``.csv`` file that can be written
    (:func:`analysis.outputs.check_out_file`).

    Parameters
    ----------
    path : str or os.PathLike
        Output file asked for with ``--out``.

    Returns
    -------
    pathlib.Path
        The path, checked.

    Raises
    ------
    UsageError
        If the suffix is not ``.parquet``/``.csv`` or the file cannot be written.
    """
    _check_metrics_suffix(Path(path))
    return check_out_file(path)


def save_metrics(
    metrics: pd.DataFrame, path: str | os.PathLike[str], raw_csv: bool = False
) -> Path:
    """Write the metrics table as ``.parquet`` or ``.csv`` (by the file's suffix), atomically.

    The file's folder must exist (see :func:`analysis.outputs.write_atomic`). A
    CSV goes through :func:`analysis.outputs.write_csv`: a username a spreadsheet
    would run as a formula (``=...``, ``@...``) gets a leading ``'``, unless
    ``raw_csv``.

    Parameters
    ----------
    metrics : pd.DataFrame
        The metrics table (:func:`node_metrics`); only :data:`METRIC_COLUMNS` are written.
    path : str or os.PathLike
        The file, ending ``.parquet`` or ``.csv``.
    raw_csv : bool
        Write CSV cells as they are (``--raw-csv``).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    _check_metrics_suffix(path)
    frame = metrics.loc[:, list(METRIC_COLUMNS)]
    if path.suffix.lower() == ".parquet":
        return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return write_csv(frame, path, raw=raw_csv)


def _plain(value: object) -> object:
    """Return a value GEXF/GraphML can hold.

    Timestamps become ISO text, numpy scalars Python ones, and text loses the characters XML 1.0
    forbids (:func:`analysis.outputs.xml_text`).
    """
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return xml_text(value)
    return value


def _plain_attrs(data: dict, keep: Callable[[object], bool] = lambda x: x is not None) -> dict:
    """Return the attributes of ``data`` that ``keep`` accepts, names and values through :func:`_plain`."""
    return {_plain(k): _plain(x) for k, x in data.items() if keep(x)}


def graph_for_export(G: nx.Graph, metrics: pd.DataFrame | None = None) -> nx.Graph:
    r"""Return a copy of ``G`` whose attributes GEXF/GraphML can hold: timestamps as ISO text, no nulls.

    Every text (graph, node and edge attributes and their names, text node ids,
    hence labels) loses the characters XML 1.0 forbids (``\x00``, ``\x0b``,
    U+FFFE...), so the file written is XML that any reader opens. ``metrics``
    (from :func:`node_metrics`) adds its columns as node attributes.

    Parameters
    ----------
    G : networkx.Graph
        Any graph of this package (follower or interaction graph).
    metrics : pandas.DataFrame or None, optional
        Metrics table with a ``user_id`` column; None adds no metrics.

    Returns
    -------
    networkx.Graph
        A cleaned copy; ``G`` is left unchanged.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2)])
    >>> G.nodes[1]["name"] = "Dr\x00 Tortue\x0b\ufffe"
    >>> graph_for_export(G).nodes[1]
    {'name': 'Dr Tortue'}
    """
    H = G.__class__()
    H.graph.update(_plain_attrs(G.graph))
    extra = {}
    if metrics is not None:
        cols = [c for c in metrics.columns if c not in ("user_id", "username")]
        extra = metrics.set_index("user_id")[cols].to_dict("index")
    ids = {v: xml_text(v) if isinstance(v, str) else v for v in G}
    if len(set(ids.values())) < len(ids):
        raise UsageError(
            "two node ids of the graph differ only by characters XML cannot hold "
            "(control characters, U+FFFE, U+FFFF); rename one before exporting."
        )
    for v, data in G.nodes(data=True):
        attrs = _plain_attrs(data, lambda x: x is not None and not pd.isna(x))
        attrs.update(_plain_attrs(extra.get(v, {}), lambda x: not pd.isna(x)))
        H.add_node(ids[v], **attrs)
    H.add_edges_from((ids[u], ids[v], _plain_attrs(d)) for u, v, d in G.edges(data=True))
    return H


def export_graph(
    G: nx.Graph,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    metrics: pd.DataFrame | None = None,
) -> Path:
    """Write ``G`` with all node and edge attributes as GEXF or GraphML (``fmt`` or the suffix).

    Parameters
    ----------
    G : nx.Graph
        The graph to write.
    path : str or os.PathLike
        The file; its folder must exist.
    fmt : {"gexf", "graphml"}, optional
        The format; the file's suffix if ``None``.
    metrics : pd.DataFrame, optional
        A metrics table (:func:`node_metrics`) whose columns become node attributes.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> _ = export_graph(nx.DiGraph([(1, 2)]), path)
    >>> sorted(read_graph(path).edges())
    [(1, 2)]
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"cannot export the graph as {fmt!r}; use one of {EXPORT_FORMATS}.")
    return save_graph(graph_for_export(G, metrics), path, fmt)


def save_graph(H: nx.Graph, path: str | os.PathLike[str], fmt: str) -> Path:
    """Write a graph ready for export (:func:`graph_for_export`) as ``gexf`` or ``graphml``.

    The file is written atomically (:func:`analysis.outputs.write_atomic`).

    Node and edge attributes ``start`` and ``end`` become GEXF's spells: networkx
    writes them on the elements and makes the graph ``mode="dynamic"``.

    Parameters
    ----------
    H : networkx.Graph
        Graph from :func:`graph_for_export` (or :func:`~analysis.graph.networks.network_for_export`).
    path : str or os.PathLike
        File to write.
    fmt : str
        ``"gexf"``; any other value writes GraphML.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    writer = nx.write_gexf if fmt == "gexf" else nx.write_graphml
    return write_atomic(path, lambda tmp: writer(H, tmp))


def read_graph(path: str | os.PathLike[str]) -> nx.Graph:
    """Read back a GEXF or GraphML file written by :func:`export_graph` (integer node ids).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.gexf`` file; any other suffix is read as GraphML.

    Returns
    -------
    networkx.Graph
        The graph, nodes as integers.
    """
    path = Path(path)
    if path.suffix.lower() == ".gexf":
        return nx.read_gexf(path, node_type=int)
    return nx.read_graphml(path, node_type=int)


def write_metrics(
    dataset: str,
    out: str | os.PathLike[str],
    only_known: bool = True,
    drop_protected: bool = False,
    seed: int | None = None,
    backend: str | None = None,
    progress: bool = False,
    raw_csv: bool = False,
    anonymise: bool = False,
    betweenness_samples: int | None = None,
) -> tuple[Path, int]:
    """Compute a dataset's metrics table and save it (``medtwitter graph DATASET --metrics``).

    Returns the path written and the number of accounts. ``raw_csv``: see
    :func:`save_metrics`. ``anonymise``: computed on ``load_dataset(dataset,
    anonymise=True)``, so ids and usernames are pseudonyms (the same as in an
    anonymised report and ``export_follower_graph(..., anonymise=True)``).
    ``betweenness_samples``: see :func:`node_metrics`.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    out : str or os.PathLike
        Output ``.parquet`` or ``.csv`` file.
    only_known : bool, default True
        Keep only links between accounts the ``users`` table holds.
    drop_protected : bool, default False
        Leave out protected accounts and their links.
    seed : int or None, optional
        Seed of Louvain and sampled betweenness; None uses ``settings.SEED``.
    backend : str or None, optional
        Backend of the measures (see :func:`node_metrics`); None uses ``settings.GRAPH_BACKEND``.
    progress : bool, default False
        Show a progress bar of the steps.
    raw_csv : bool, default False
        Write CSV cells as they are, without guarding against spreadsheet formulas.
    anonymise : bool, default False
        Replace ids and usernames by pseudonyms.
    betweenness_samples : int or None, optional
        Estimate betweenness from this many sources; None decides by graph size.

    Returns
    -------
    tuple of (pathlib.Path, int)
        The file written and the number of accounts.
    """
    seed = settings.SEED if seed is None else seed
    check_metrics_out(out)  # before the work, not after it
    if anonymise:
        G = graph_from_tables(
            load_dataset(dataset, anonymise=True),
            only_known=only_known,
            drop_protected=drop_protected,
            edge_dates=False,
        )
        metrics = node_metrics(
            G, seed=seed, backend=backend, betweenness_samples=betweenness_samples
        )
    else:
        metrics = metrics_from_dataset(
            dataset, only_known, drop_protected, seed, backend, progress, betweenness_samples
        )
    return save_metrics(metrics, out, raw_csv=raw_csv), len(metrics)


def export_follower_graph(
    dataset: str,
    out: str | os.PathLike[str],
    fmt: str,
    only_known: bool = True,
    drop_protected: bool = False,
    seed: int | None = None,
    backend: str | None = None,
    anonymise: bool = False,
) -> tuple[Path, int, int]:
    """Write a dataset's follower graph, with its metrics as node attributes, as GEXF/GraphML.

    :func:`analysis.graph.networks.export_network` with ``network="follow"``: nodes
    carry labels, roles and metrics, edges their first and last sighting as Gephi's
    ``start``/``end``. Returns the path written and the numbers of accounts and
    follows. With ``anonymise`` the graph is built from ``load_dataset(dataset,
    anonymise=True)``: node ids, usernames and names are pseudonyms, as in an
    anonymised report (``medtwitter graph DATASET --export gexf --anonymise``).

    Parameters
    ----------
    dataset : str
        The dataset's name.
    out : str or os.PathLike
        Output file.
    fmt : str
        ``"gexf"`` or ``"graphml"``.
    only_known : bool, default True
        Keep only links between accounts the ``users`` table holds.
    drop_protected : bool, default False
        Leave out protected accounts and their links.
    seed : int or None, optional
        Seed of Louvain and sampled betweenness; None uses ``settings.SEED``.
    backend : str or None, optional
        Backend of the measures; None uses ``settings.GRAPH_BACKEND``.
    anonymise : bool, default False
        Build the graph from the anonymised dataset (pseudonymous ids and names).

    Returns
    -------
    tuple of (pathlib.Path, int, int)
        The file written, the number of accounts and the number of follow links.
    """
    seed = settings.SEED if seed is None else seed
    # Imported here: analysis.graph.networks imports this module (a cycle at module level).
    from analysis.graph.networks import export_network

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"cannot export the graph as {fmt!r}; use one of {EXPORT_FORMATS}.")
    done = export_network(
        dataset,
        out,
        fmt,
        "follow",
        only_known=only_known,
        drop_protected=drop_protected,
        seed=seed,
        backend=backend,
        anonymise=anonymise,
    )
    return done.paths[0], done.accounts, done.links
