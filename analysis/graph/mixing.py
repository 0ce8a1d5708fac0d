"""Who follows whom across groups: the mixing matrix against random mixing, and assortativity."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from analysis.graph.build import require_directed
from analysis.graph.metrics import _edge_frame, node_groups


def mixing_table(
    G: nx.DiGraph, by: str = "role", labels: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Count follow links between groups, observed and expected under random mixing.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph.
    by : str
        The grouping: ``role``, ``identity``, or any node attribute.
    labels : pd.DataFrame, optional
        Account labels (:func:`analysis.accounts.label_users`) holding the ``by`` column.

    Returns
    -------
    pd.DataFrame
        Columns ``follower_group``, ``followed_group``, ``links``, ``expected``, ``ratio``.

    Notes
    -----
    One row per (follower group, followed group): ``links`` observed, ``expected``
    = (links sent by the follower group) × (links received by the followed group)
    / (all links) — what random mixing with the same out- and in-degrees would
    give — and ``ratio`` = links / expected (> 1: the groups follow each other more
    than chance). Pairs with no link are listed with ``links`` 0.

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> t = mixing_table(graph_from_tables(tiny_tables()), "role", tiny_labels())
    >>> t[["follower_group", "followed_group", "links", "expected"]].values.tolist()
    [['institution', 'institution', 0, 0.6666666666666666], ['institution', 'physician', 1, 0.3333333333333333], ['physician', 'institution', 2, 1.3333333333333333], ['physician', 'physician', 0, 0.6666666666666666]]
    """
    require_directed(G, "the mixing matrix")
    groups = node_groups(G, by, labels)
    cols = ["follower_group", "followed_group", "links", "expected", "ratio"]
    e = _edge_frame(G)
    if e.empty:
        return pd.DataFrame(columns=cols)
    src = groups.reindex(e["u"]).to_numpy()
    dst = groups.reindex(e["v"]).to_numpy()
    observed = pd.crosstab(
        pd.Series(src, name="follower_group"), pd.Series(dst, name="followed_group")
    )
    names = sorted(set(observed.index) | set(observed.columns))
    observed = observed.reindex(index=names, columns=names, fill_value=0)
    m = observed.to_numpy().sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / m
    out = observed.stack().rename("links").reset_index()
    out["expected"] = expected.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["links"] / out["expected"]
    out["links"] = out["links"].astype("int64")
    return out.loc[:, cols]


def assortativity(G: nx.DiGraph, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measure the assortativity of follow links by role and identity, and by degree.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph.
    labels : pd.DataFrame, optional
        Account labels holding ``role`` and ``identity`` (else the nodes' attributes).

    Returns
    -------
    pd.DataFrame
        Columns ``measure`` and ``value``.

    Notes
    -----
    Columns ``measure`` and ``value`` (from -1: groups follow other groups, to
    +1: groups follow their own). Attributes unknown on every account give NaN.

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> assortativity(graph_from_tables(tiny_tables()), tiny_labels())["measure"].tolist()
    ['role', 'identity', 'degree (out -> in)']
    """
    require_directed(G, "assortativity")
    rows = []
    for by in ("role", "identity"):
        groups = node_groups(G, by, labels)
        H = nx.DiGraph(G.edges())
        H.add_nodes_from(G)
        nx.set_node_attributes(H, groups.to_dict(), "group")
        value = float("nan")
        if G.number_of_edges() and groups.nunique() > 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = float(nx.attribute_assortativity_coefficient(H, "group"))
        rows.append({"measure": by, "value": value})
    value = float("nan")
    if G.number_of_edges() > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(nx.degree_assortativity_coefficient(G, x="out", y="in"))
    rows.append({"measure": "degree (out -> in)", "value": value})
    return pd.DataFrame(rows)
