"""Any network of a dataset for Gephi: GEXF and GraphML with a timeline, or CSV edge and node tables.

``medtwitter graph DATASET --network follow|mention|retweet|reply|quote --export
gexf|graphml|csv --out FILE`` runs :func:`export_network`. Each node carries what
Gephi colours and sizes by without a join: a ``label`` (the handle, or its
pseudonym with ``anonymise``), ``role`` and ``identity`` (``accounts``), and the
metrics of :func:`~analysis.graph.export.node_metrics` on that network
(``community``, ``in_degree``, ``out_degree``, ``pagerank``...). Each edge carries a
``weight`` (interactions of the pair; 1 for a follow) and, where dated, ``start``
and ``end`` in ISO 8601 UTC: the first and last interaction, or for a follow the
first and last snapshot that saw it. A node's ``start`` is its first appearance
(its earliest link), so Gephi's timeline plays the network's growth; in GEXF the
graph is ``mode="dynamic"`` with these as the spells of nodes and edges.

The CSV export writes ``FILE`` as the edge list (``source``, ``target``,
``weight``, ``start``, ``end``) and ``FILE`` with ``_nodes`` before its suffix as
the node table (``id``, ``label``, attributes), both through the formula-safe
writer (:func:`analysis.outputs.write_csv`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import pandas as pd
import pyarrow as pa

from analysis import settings
from analysis.accounts import labels_from_tables
from analysis.errors import InsufficientDataError, UsageError
from analysis.export import iso_utc
from analysis.graph.build import NETWORKS, network_graph
from analysis.graph.export import (
    check_metrics_out,
    graph_for_export,
    node_metrics,
    save_graph,
    save_metrics,
)
from analysis.outputs import check_out_file, write_csv, xml_text
from analysis.tables import load_dataset

#: Formats of :func:`export_network`.
NETWORK_FORMATS = ("gexf", "graphml", "csv")
#: First columns of the CSV edge list (attributes of the network follow).
EDGE_COLUMNS = ("source", "target", "weight", "start", "end")
#: First columns of the CSV node table: Gephi's ``id`` and ``label``, then what to colour
#: and size by (the other metrics and the accounts' fields follow).
NODE_COLUMNS = (
    "id",
    "label",
    "role",
    "identity",
    "community",
    "in_degree",
    "out_degree",
    "pagerank",
    "start",
)
#: Edge attributes holding a link's first and last date, by network (interactions: the rest).
_DATES = {"follow": ("first_seen_at", "observed_at")}
_INTERACTION_DATES = ("first_at", "last_at")
#: What a link of each network is, for the message of an empty one.
_LINKS = {
    "follow": "follow links between its accounts",
    "mention": "mentions of one account by another",
    "retweet": "retweets of a tweet it holds by another account",
    "reply": "replies to another account",
    "quote": "quotes of a tweet it holds by another account",
}


class NetworkExport(NamedTuple):
    """What :func:`export_network` wrote: the files, and the network's size."""

    paths: tuple[Path, ...]
    accounts: int
    links: int
    interactions: int


def iso_texts(times: list) -> list[str | None]:
    """Timestamps (or None/NaT) as ISO 8601 UTC text, as every export writes them.

    :func:`analysis.export.iso_utc`: ``2026-01-01T08:30:15Z``, a fraction of a
    second only where a time has one; a missing time stays None.

    Parameters
    ----------
    times : list
        Timestamps (pandas, datetime) or missing values.

    Returns
    -------
    list of str or None
        One ISO 8601 UTC text per input, None where missing.

    Examples
    --------
    >>> iso_texts([pd.Timestamp("2026-01-01 09:30:15", tz="Europe/Paris"), pd.NaT])
    ['2026-01-01T08:30:15Z', None]
    """
    values = [None if t is None or pd.isna(t) else pd.Timestamp(t) for t in times]
    values = [t if t is None or t.tzinfo else t.tz_localize("UTC") for t in values]
    return iso_utc(pa.array(values, pa.timestamp("us", tz="UTC"))).to_pylist()


def nodes_path(path: str | os.PathLike[str]) -> Path:
    """Return the node table beside a CSV edge list: ``_nodes`` before the suffix.

    Parameters
    ----------
    path : str or os.PathLike
        The edge list's file.

    Returns
    -------
    pathlib.Path
        The node table's file, in the same folder.

    Examples
    --------
    >>> nodes_path("out/mentions.csv").as_posix(), nodes_path("edges").as_posix()
    ('out/mentions_nodes.csv', 'edges_nodes')
    """
    path = Path(path)
    return path.with_name(f"{path.stem}_nodes{path.suffix}")


def network_for_export(
    G: nx.DiGraph, network: str = "follow", metrics: pd.DataFrame | None = None
) -> nx.DiGraph:
    """Return a copy of ``G`` ready for Gephi: labels, weights, ``start``/``end`` on edges and nodes.

    Every attribute goes through :func:`~analysis.graph.export.graph_for_export`
    (text XML can hold, ``metrics`` as node attributes). Each edge gets ``weight``
    (1 for a follow) and, where dated, ``start`` and ``end`` (:func:`iso_texts`) from
    ``first_seen_at``/``observed_at`` (follow, which keep those too) or
    ``first_at``/``last_at`` (interactions, replaced by them). Each node gets
    ``label`` (its ``username``, else its id) and ``start``, its earliest link's.

    Parameters
    ----------
    G : networkx.DiGraph
        A network from :func:`~analysis.graph.build.network_graph`.
    network : str, default "follow"
        Which network ``G`` is (``"follow"`` or an interaction); decides where the edge dates come from.
    metrics : pandas.DataFrame or None, optional
        Metrics table (``user_id`` and measures) added as node attributes; None adds none.

    Returns
    -------
    networkx.DiGraph
        A copy ready to write; ``G`` is left unchanged.

    Examples
    --------
    >>> from analysis.graph import network_graph, tiny_tables
    >>> H = network_for_export(network_graph(tiny_tables(), "reply"), "reply")
    >>> H.edges[2, 1]
    {'weight': 2, 'start': '2026-01-01T00:00:00Z', 'end': '2026-07-01T00:00:00Z'}
    >>> H.nodes[1]["label"], H.nodes[1]["start"]
    ('ordre', '2026-01-01T00:00:00Z')
    """
    first, last = _DATES.get(network, _INTERACTION_DATES)
    H = graph_for_export(G, metrics)
    key = {v: xml_text(v) if isinstance(v, str) else v for v in G}  # H's ids (graph_for_export)
    edges = [(key[u], key[v], d.get(first), d.get(last)) for u, v, d in G.edges(data=True)]
    starts, ends = iso_texts([e[2] for e in edges]), iso_texts([e[3] for e in edges])
    appear: dict = {}  # each node's first appearance: its earliest link's start
    for (u, v, t, _), start, end in zip(edges, starts, ends, strict=True):
        attrs = H.edges[u, v]
        attrs.setdefault("weight", 1)
        if network != "follow":
            attrs.pop(first, None)
            attrs.pop(last, None)
        if start is not None:
            attrs["start"] = start
            for node in (u, v):
                if node not in appear or t < appear[node][0]:
                    appear[node] = (t, start)
        if end is not None:
            attrs["end"] = end
    for v, attrs in H.nodes(data=True):
        attrs["label"] = attrs.get("username") or str(v)
        if v in appear:
            attrs["start"] = appear[v][1]
    return H


def network_tables(H: nx.DiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the edge list and the node table of an export graph (:func:`network_for_export`).

    Columns start with :data:`EDGE_COLUMNS` and :data:`NODE_COLUMNS` (those the
    graph has), then its other attributes; integer and boolean columns with gaps
    stay integers and booleans (pandas' nullable types), never floats.

    Parameters
    ----------
    H : networkx.DiGraph
        A graph from :func:`network_for_export`.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.DataFrame)
        The edge list (one row per link) and the node table (one row per account).

    Examples
    --------
    >>> from analysis.graph import network_graph, tiny_tables
    >>> edges, nodes = network_tables(network_for_export(network_graph(tiny_tables(), "reply"), "reply"))
    >>> edges.values.tolist()
    [[2, 1, 2, '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z']]
    >>> nodes[["id", "label", "start"]].values.tolist()
    [[1, 'ordre', '2026-01-01T00:00:00Z'], [2, 'drmg', '2026-01-01T00:00:00Z']]
    """
    edges = _frame(
        [{"source": u, "target": v, **d} for u, v, d in H.edges(data=True)], EDGE_COLUMNS
    )
    nodes = _frame([{"id": v, **d} for v, d in H.nodes(data=True)], NODE_COLUMNS)
    return edges, nodes.sort_values("id", ignore_index=True)


def _frame(records: list[dict], first: tuple[str, ...]) -> pd.DataFrame:
    """Return records as a frame, columns ``first`` then the others, each typed by its values."""
    seen = dict.fromkeys(k for r in records for k in r)
    lead = [c for c in first if c in seen or c in ("start", "end")]
    columns = [*lead, *(c for c in seen if c not in lead)]
    return pd.DataFrame(
        {c: pd.array([r.get(c) for r in records]) for c in columns}, columns=columns
    )


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        raise UsageError(f"unknown {what} {value!r}; use one of {', '.join(choices)}.")


def _load(
    dataset: str, network: str, anonymise: bool, only_known: bool, drop_protected: bool
) -> nx.DiGraph:
    """Return the network of a dataset, with labels, built from ``load_dataset(dataset, anonymise)``."""
    tables = load_dataset(dataset, anonymise=anonymise)  # the one pseudonymisation point
    labels = labels_from_tables(tables)
    G = network_graph(
        tables, network, labels=labels, only_known=only_known, drop_protected=drop_protected
    )
    if G.number_of_edges() == 0:
        others = ", ".join(n for n in NETWORKS if n != network)
        protected = " once protected accounts are left out" if drop_protected else ""
        raise InsufficientDataError(
            f"dataset {dataset!r} has no {network} network{protected}: it holds no "
            f"{_LINKS[network]}; export another one (--network {others})."
        )
    return G


def export_network(
    dataset: str,
    out: str | os.PathLike[str],
    fmt: str,
    network: str = "follow",
    only_known: bool = True,
    drop_protected: bool = False,
    seed: int | None = None,
    backend: str | None = None,
    anonymise: bool = False,
    raw_csv: bool = False,
    betweenness_samples: int | None = None,
) -> NetworkExport:
    """Write one network of a dataset for Gephi as GEXF, GraphML or CSV (``medtwitter graph --export``).

    Parameters
    ----------
    dataset : a processed dataset's name
    out : the file; with ``fmt="csv"`` the edge list, the node table going beside it
        (:func:`nodes_path`)
    fmt : ``gexf``, ``graphml`` or ``csv``
    network : one of :data:`~analysis.graph.build.NETWORKS`
    only_known, drop_protected : see :func:`~analysis.graph.build.network_graph`
    seed, backend, betweenness_samples : for the metrics
        (:func:`~analysis.graph.export.node_metrics`); ``seed`` defaults to ``settings.SEED``
    anonymise : build from ``load_dataset(dataset, anonymise=True)``: ids, labels,
        handles and names are pseudonyms, roles come from the real profiles
    raw_csv : CSV cells as they are (``--raw-csv``); by default a cell a spreadsheet
        would run as a formula gets a leading ``'``

    The output files are checked before any work; a network without a link is
    refused (:class:`~analysis.errors.InsufficientDataError`) before any file is
    written.
    """
    _check_choice(network, NETWORKS, "network")
    _check_choice(fmt, NETWORK_FORMATS, "export format")
    targets = [Path(out), nodes_path(out)] if fmt == "csv" else [Path(out)]
    for target in targets:
        check_out_file(target)  # before the work, not after it
    G = _load(dataset, network, anonymise, only_known, drop_protected)
    seed = settings.SEED if seed is None else seed
    metrics = node_metrics(G, seed=seed, backend=backend, betweenness_samples=betweenness_samples)
    H = network_for_export(G, network, metrics)
    H.graph["name"] = f"{dataset} {network} network"
    if fmt == "csv":
        edges, nodes = network_tables(H)
        edges = edges.drop(columns=list(_DATES.get(network, ())), errors="ignore")  # = start/end
        write_csv(edges, targets[0], raw=raw_csv)
        write_csv(nodes, targets[1], raw=raw_csv)
    else:
        save_graph(H, targets[0], fmt)
    weights = (w for *_, w in G.edges(data="weight", default=1))
    return NetworkExport(tuple(targets), len(G), G.number_of_edges(), int(sum(weights)))


def write_network_metrics(
    dataset: str,
    out: str | os.PathLike[str],
    network: str,
    only_known: bool = True,
    drop_protected: bool = False,
    seed: int | None = None,
    backend: str | None = None,
    anonymise: bool = False,
    raw_csv: bool = False,
    betweenness_samples: int | None = None,
) -> tuple[Path, int]:
    """Write the metrics table of one network of a dataset (``medtwitter graph --metrics --network``).

    For ``follow`` prefer :func:`~analysis.graph.export.write_metrics` (straight from
    Parquet); this builds the network like :func:`export_network` and saves
    :func:`~analysis.graph.export.node_metrics` of it with
    :func:`~analysis.graph.export.save_metrics`. Returns the path and the number of accounts.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    out : str or os.PathLike
        Output ``.parquet`` or ``.csv`` file.
    network : str
        One of :data:`~analysis.graph.build.NETWORKS`.
    only_known : bool, default True
        Follower graph only: keep just links between accounts of ``users``.
    drop_protected : bool, default False
        Leave out protected accounts and their links.
    seed : int or None, optional
        Seed of Louvain and sampled betweenness; None uses ``settings.SEED``.
    backend : str or None, optional
        Backend of the measures; None uses ``settings.GRAPH_BACKEND``.
    anonymise : bool, default False
        Build the network from the anonymised dataset (pseudonymous ids and names).
    raw_csv : bool, default False
        Write CSV cells as they are, without guarding against spreadsheet formulas.
    betweenness_samples : int or None, optional
        Estimate betweenness from this many sources; None decides by graph size.

    Returns
    -------
    tuple of (pathlib.Path, int)
        The file written and the number of accounts.
    """
    _check_choice(network, NETWORKS, "network")
    check_metrics_out(out)  # before the work, not after it
    G = _load(dataset, network, anonymise, only_known, drop_protected)
    seed = settings.SEED if seed is None else seed
    metrics = node_metrics(G, seed=seed, backend=backend, betweenness_samples=betweenness_samples)
    return save_metrics(metrics, out, raw_csv=raw_csv), len(metrics)
