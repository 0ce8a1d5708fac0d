"""Communities of the follower graph: Louvain and label propagation, labelled and compared.

Both methods run on an undirected projection of the follower graph:
``"undirected"`` (an edge wherever one account follows the other) or
``"mutual"`` (only reciprocated follows, a stricter tie). They take ``seed=``;
Louvain also takes ``backend=`` (``"igraph"`` runs igraph's multilevel
algorithm, the same method). Communities are numbered by decreasing size.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import UsageError
from analysis.graph import fast
from analysis.graph.backends import FAST, resolve_backend, run_nx
from analysis.graph.build import require_directed
from analysis.graph.metrics import betweenness, node_groups
from analysis.tables import Tables

PROJECTIONS = ("undirected", "mutual")


def projection(G: nx.DiGraph, kind: str = "undirected") -> nx.Graph:
    """Return the undirected projection (``undirected`` or ``mutual``) with every node kept.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    kind : str, default "undirected"
        ``"undirected"`` (any link in either direction) or ``"mutual"`` (only links returned both ways).

    Returns
    -------
    networkx.Graph
        Undirected graph with all nodes of ``G`` and their attributes.

    Raises
    ------
    UsageError
        If ``G`` is undirected or ``kind`` is unknown.

    Examples
    --------
    >>> sorted(projection(nx.DiGraph([(1, 2), (2, 1), (3, 1)]), "mutual").edges())
    [(1, 2)]
    """
    require_directed(G, "the projection")
    if kind not in PROJECTIONS:
        raise UsageError(f"projection must be one of {PROJECTIONS}, not {kind!r}.")
    if kind == "mutual":
        H = nx.Graph()
        H.add_nodes_from(G.nodes(data=True))
        H.add_edges_from((u, v) for u, v in G.edges() if G.has_edge(v, u))
        return H
    return G.to_undirected(as_view=False)


def detect_communities(
    G: nx.DiGraph,
    method: str = "louvain",
    projection_kind: str = "undirected",
    seed: int | None = None,
    resolution: float = 1.0,
    backend: str | None = None,
) -> pd.Series:
    """Find the community of each account (0 = largest; -1 without a tie in the projection).

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph (:func:`analysis.graph.graph_from_tables`).
    method : {"louvain", "label_propagation"}
        Louvain, or asynchronous label propagation (seeded).
    projection_kind : {"undirected", "mutual"}
        The undirected projection the communities are found on (:func:`projection`).
    seed : int, optional
        Random seed; :data:`analysis.settings.SEED` if ``None``.
    resolution : float
        Louvain's resolution (above 1: smaller communities).
    backend : str, optional
        Where Louvain runs (:mod:`analysis.graph.backends`): ``"igraph"`` (its multilevel),
        ``"networkx"`` or an installed networkx backend; ``None`` reads
        :data:`analysis.settings.GRAPH_BACKEND` (``"igraph"``).

    Returns
    -------
    pd.Series
        ``community`` (int64) indexed by ``user_id``, in the graph's node order.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (3, 4), (4, 3), (2, 3)])
    >>> detect_communities(G, seed=1).tolist()
    [0, 0, 1, 1]
    """
    seed = settings.SEED if seed is None else seed
    require_directed(G, "community detection")
    nodes = list(G)
    if method not in ("louvain", "label_propagation"):
        raise UsageError(f"method must be 'louvain' or 'label_propagation', not {method!r}.")
    be = resolve_backend(backend)
    if method == "louvain" and be == FAST:
        g = fast.SparseDigraph.from_networkx(G)
        if projection_kind not in PROJECTIONS:
            raise UsageError(f"projection must be one of {PROJECTIONS}, not {projection_kind!r}.")
        labels, _ = fast.louvain(g, projection_kind, resolution=resolution, seed=seed)
        order = np.searchsorted(g.ids, np.fromiter(G.nodes, dtype=np.int64, count=len(G)))
        return pd.Series(labels[order], index=pd.Index(nodes, name="user_id"), name="community")
    H = projection(G, projection_kind)
    linked = [v for v in H if H.degree(v) > 0]
    H = H.subgraph(linked)
    if method == "louvain":
        parts = run_nx(
            nx.community.louvain_communities, H, seed=seed, resolution=resolution, backend=be
        )
    else:
        parts = nx.community.asyn_lpa_communities(H, seed=seed)
    raw = {v: i for i, part in enumerate(parts) for v in part}
    arr = np.array([raw.get(v, -1) for v in nodes], dtype=np.int64)
    keep = arr >= 0
    # canonical numbering needs a stable notion of "first": order by node position
    return pd.Series(
        fast.canonical_labels(arr, keep), index=pd.Index(nodes, name="user_id"), name="community"
    )


def modularity(G: nx.DiGraph, communities: pd.Series, projection_kind: str = "undirected") -> float:
    """Return the modularity of a partition on the projection the communities were found on.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph.
    communities : pd.Series
        Community by ``user_id`` (:func:`detect_communities`); accounts at -1 are left out.
    projection_kind : {"undirected", "mutual"}
        The projection the communities were found on.

    Returns
    -------
    float
        The modularity, or NaN when the members have no tie.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (3, 4), (4, 3), (2, 3)])
    >>> round(modularity(G, pd.Series([0, 0, 1, 1], index=[1, 2, 3, 4])), 3)
    0.167
    """
    H = projection(G, projection_kind)
    members = communities[communities >= 0]
    H = H.subgraph(members.index.tolist())
    if H.number_of_edges() == 0:
        return float("nan")
    parts = [set(idx) for _, idx in members.groupby(members).groups.items()]
    return float(nx.community.modularity(H, parts))


def normalized_mutual_info(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Return the normalised mutual information of two labelings (1 = identical).

    The arithmetic normalisation: 2 I(a; b) / (H(a) + H(b)).

    Parameters
    ----------
    a, b : iterable
        Two labels per item, in the same order.

    Returns
    -------
    float
        From 0 (independent) to 1; NaN for no item.

    Examples
    --------
    >>> normalized_mutual_info([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    """
    codes_a = pd.factorize(pd.Series(list(a)))[0]
    codes_b = pd.factorize(pd.Series(list(b)))[0]
    if len(codes_a) == 0:
        return float("nan")
    joint = pd.crosstab(codes_a, codes_b).to_numpy() / len(codes_a)
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    mi = float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())
    ha = float(-(pa * np.log(pa)).sum())
    hb = float(-(pb * np.log(pb)).sum())
    if ha + hb == 0:
        return 1.0
    return round(2 * mi / (ha + hb), 12)


def describe_communities(
    G: nx.DiGraph,
    communities: pd.Series,
    tables: Tables | None = None,
    labels: pd.DataFrame | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """Describe each community: size, dominant roles and hashtags, and a short label.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph (its nodes' ``role`` attribute is used without ``labels``).
    communities : pd.Series
        Community by ``user_id`` (:func:`detect_communities`).
    tables : Tables, optional
        The dataset's tables, for the hashtags its members use (none without them).
    labels : pd.DataFrame, optional
        Account labels (:func:`analysis.accounts.label_users`), for the roles.
    top : int
        How many roles and hashtags to list per community.

    Returns
    -------
    pd.DataFrame
        One row per community: ``community``, ``accounts``, ``roles``, ``hashtags``, ``label``.

    Notes
    -----
    ``roles`` lists the ``top`` roles with their shares (from ``labels`` or node
    attributes; empty when unknown); ``hashtags`` the ``top`` hashtags (``tag_norm``)
    its members use most, with their share of the community's hashtag uses;
    ``label`` joins the two leading hashtags (or the leading role).

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> G = graph_from_tables(tiny_tables())
    >>> describe_communities(G, pd.Series([0, 0, 0], index=[1, 2, 3]), tiny_tables(), tiny_labels())["label"].tolist()
    ['#docstoctoc / #sante']
    """
    members = communities[communities >= 0]
    cols = ["community", "accounts", "roles", "hashtags", "label"]
    if members.empty:
        return pd.DataFrame(columns=cols)
    roles = node_groups(G, "role", labels).reindex(members.index)
    tag_uses = pd.DataFrame(columns=["author_id", "tag_norm"])
    if tables is not None and len(tables.hashtags):
        tag_uses = tables.hashtags.merge(tables.tweets[["tweet_id", "author_id"]], on="tweet_id")
        tag_uses = tag_uses.loc[tag_uses["author_id"].isin(members.index)]
    rows = []
    for c, idx in sorted(members.groupby(members).groups.items()):
        r = roles.loc[idx]
        r = r[r != "unknown"].value_counts(normalize=True)
        r = r.sort_index().sort_values(ascending=False, kind="stable").head(top)
        t = tag_uses.loc[tag_uses["author_id"].isin(idx), "tag_norm"].value_counts(normalize=True)
        t = t.sort_index().sort_values(ascending=False, kind="stable").head(top)
        label = " / ".join(f"#{x}" for x in t.index[:2]) or (
            r.index[0] if len(r) else f"community {c}"
        )
        rows.append(
            {
                "community": int(c),
                "accounts": len(idx),
                "roles": ", ".join(f"{k} {v:.0%}" for k, v in r.items()),
                "hashtags": ", ".join(f"#{k} {v:.0%}" for k, v in t.items()),
                "label": label,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def community_bridges(
    G: nx.DiGraph,
    communities: pd.Series,
    n: int = 10,
    k: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Find the accounts that bridge communities, by betweenness on the undirected projection.

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph.
    communities : pd.Series
        Community by ``user_id`` (:func:`detect_communities`).
    n : int
        How many accounts to return.
    k : int, optional
        Betweenness sampled from ``k`` source accounts (exact if ``None``).
    seed : int, optional
        Seed of the sample; :data:`analysis.settings.SEED` if ``None``.

    Returns
    -------
    pd.DataFrame
        The ``n`` accounts with a neighbour in another community and the highest betweenness.

    Notes
    -----
    Columns: ``user_id``, ``username``, ``community``, ``communities_reached``
    (other communities among its neighbours), ``outside_share`` (share of its
    neighbours in other communities), ``participation`` (1 − Σ_c (k_c / k)²: 0 when
    all ties stay in one community) and ``betweenness``. Sorted by betweenness.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (3, 4), (4, 3), (2, 3)])
    >>> community_bridges(G, pd.Series([0, 0, 1, 1], index=[1, 2, 3, 4]), n=2)["user_id"].tolist()
    [2, 3]
    """
    seed = settings.SEED if seed is None else seed
    require_directed(G, "bridges")
    H = projection(G, "undirected")
    comm = communities.reindex(list(G)).fillna(-1).astype("int64")
    edges = np.array(list(H.edges()), dtype=np.int64).reshape(-1, 2)
    both = pd.DataFrame(
        {"v": np.r_[edges[:, 0], edges[:, 1]], "w": np.r_[edges[:, 1], edges[:, 0]]}
    )
    both["c"] = comm.reindex(both["w"]).to_numpy()
    per = both.groupby(["v", "c"]).size().rename("k").reset_index()
    per["own"] = comm.reindex(per["v"]).to_numpy() == per["c"]
    deg = per.groupby("v")["k"].sum()
    share = per.assign(s=per["k"] / deg.reindex(per["v"]).to_numpy())
    participation = 1 - share.groupby("v")["s"].apply(lambda s: float((s**2).sum()))
    outside = per.loc[~per["own"]].groupby("v").agg(reached=("c", "nunique"), out=("k", "sum"))
    bet = betweenness(H.to_directed(), k=k, seed=seed)
    out = pd.DataFrame({"user_id": list(G)})
    out["username"] = [G.nodes[v].get("username") for v in out["user_id"]]
    out["community"] = comm.to_numpy()
    out["communities_reached"] = (
        outside["reached"].reindex(out["user_id"]).fillna(0).astype("int64").to_numpy()
    )
    out["outside_share"] = (
        outside["out"].reindex(out["user_id"]).fillna(0) / deg.reindex(out["user_id"])
    ).to_numpy()
    out["participation"] = participation.reindex(out["user_id"]).to_numpy()
    out["betweenness"] = bet.reindex(out["user_id"]).to_numpy()
    out = out.loc[out["communities_reached"] > 0]
    return out.sort_values(
        ["betweenness", "user_id"], ascending=[False, True], ignore_index=True
    ).head(n)


def community_sample(
    G: nx.DiGraph, communities: pd.Series, size: int = 300, seed: int | None = None
) -> tuple[nx.Graph, dict]:
    """Return a sample of the undirected projection for drawing, and a spring layout of it.

    Samples up to ``size`` accounts with a tie (uniformly, so communities show in
    proportion to their size), keeps the ties among them, drops the sampled accounts
    left without one, and lays them out (seeded).

    Parameters
    ----------
    G : nx.DiGraph
        The follower graph.
    communities : pd.Series
        Community by ``user_id``; becomes each sampled node's ``community`` attribute.
    size : int
        The most accounts to sample.
    seed : int, optional
        Seed of the sample and the layout; :data:`analysis.settings.SEED` if ``None``.

    Returns
    -------
    tuple[nx.Graph, dict]
        ``(graph, pos)``: the sampled graph and each node's position.
    """
    seed = settings.SEED if seed is None else seed
    require_directed(G, "the community map")
    members = communities[communities >= 0]
    if members.empty:
        return nx.Graph(), {}
    rng = np.random.default_rng(seed)
    take = min(size, len(members))
    chosen = rng.choice(np.sort(members.index.to_numpy()), size=take, replace=False)
    H = projection(G, "undirected").subgraph(chosen.tolist()).copy()
    H.remove_nodes_from(list(nx.isolates(H)))  # accounts without a tie in the sample float away
    nx.set_node_attributes(H, members.reindex(list(H)).to_dict(), "community")
    pos = nx.spring_layout(H, seed=seed, iterations=100) if len(H) else {}
    return H, pos
