"""Partitions of a graph's nodes: Louvain communities, and how far two partitions agree (NMI)."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import UsageError


def louvain_partition(
    graph: nx.Graph, weight: str = "weight", resolution: float = 1.0, seed: int | None = None
) -> pd.Series:
    """Return the Louvain communities of a graph as a Series node -> community number.

    Communities are numbered 0, 1, ... from the largest (ties broken by the
    smallest node); isolated nodes get a community of their own.

    Parameters
    ----------
    graph : networkx.Graph
        The graph.
    weight : str
        Edge attribute holding the weights.
    resolution : float
        Louvain's resolution.
    seed : int, optional
        Random seed (default ``settings.SEED``, read when the function runs).

    Returns
    -------
    pandas.Series
        ``community`` per node.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> louvain_partition(g).to_dict()
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1}
    """
    seed = settings.SEED if seed is None else seed
    if graph.number_of_nodes() == 0:
        return pd.Series(dtype="int64", name="community")
    parts = nx.community.louvain_communities(graph, weight=weight, resolution=resolution, seed=seed)
    parts = sorted((sorted(p, key=str) for p in parts), key=lambda p: (-len(p), str(p[0])))
    mapping = {node: c for c, part in enumerate(parts) for node in part}
    out = pd.Series(mapping, name="community", dtype="int64")
    out.index.name = "node"
    return out.sort_index(key=lambda i: i.map(str))


def nmi(a: Mapping | pd.Series, b: Mapping | pd.Series) -> float:
    """Return the normalised mutual information of two partitions over the items they share.

    Arithmetic-mean normalisation (``2 I / (H(a) + H(b))``); 1.0 when both
    put every shared item in one group.

    Parameters
    ----------
    a, b : mapping or pandas.Series
        Item -> group.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> nmi({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    1.0
    >>> nmi({1: 0, 2: 1, 3: 0, 4: 1}, {1: 0, 2: 0, 3: 1, 4: 1})
    0.0
    """
    a, b = pd.Series(a), pd.Series(b)
    common = a.index.intersection(b.index)
    if len(common) == 0:
        raise UsageError("the two partitions share no item; check that they use the same ids.")
    table = pd.crosstab(a.loc[common].to_numpy(), b.loc[common].to_numpy()).to_numpy(float)
    pxy = table / table.sum()
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    nz = pxy > 0
    mi = float((pxy[nz] * np.log(pxy[nz] / np.outer(px, py)[nz])).sum())
    hx = float(-(px[px > 0] * np.log(px[px > 0])).sum())
    hy = float(-(py[py > 0] * np.log(py[py > 0])).sum())
    if hx + hy == 0:
        return 1.0
    return round(max(0.0, 2 * mi / (hx + hy)), 12)


def compare_partitions(
    a: Mapping | pd.Series, b: Mapping | pd.Series, a_name: str = "a", b_name: str = "b"
) -> tuple[float, pd.DataFrame]:
    """Return the NMI of two partitions and their cross-tab (rows ``a_name``, columns ``b_name``).

    Parameters
    ----------
    a, b : mapping or pandas.Series
        Item -> group.
    a_name, b_name : str
        Names of the cross-tab's axes.

    Returns
    -------
    tuple of (float, pandas.DataFrame)
        :func:`nmi` and the cross-tab of the shared items.
    """
    a, b = pd.Series(a), pd.Series(b)
    common = a.index.intersection(b.index)
    tab = pd.crosstab(a.loc[common].rename(a_name), b.loc[common].rename(b_name))
    return nmi(a, b), tab
