"""Accounts by the hashtags they use: the user-hashtag graph, its projection and communities.

The projection joins two accounts whose tag use is similar (cosine of
IDF-weighted tag counts, a k-nearest-neighbour backbone), so its Louvain
communities can be compared with the follower graph's.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from analysis import settings
from analysis.hashtags.frequencies import tag_uses
from analysis.hashtags.partitions import louvain_partition
from analysis.tables import Tables


def user_hashtag_graph(
    tables: Tables, fold: bool = False, include_retweets: bool = True, min_uses: int = 1
) -> nx.Graph:
    """Return the bipartite graph of accounts and the tags they used (edge ``weight``: tweets).

    Account nodes are ``("user", user_id)`` with ``bipartite=0``; tag nodes are
    ``("tag", tag_key)`` with ``bipartite=1``. Retweets count here by default:
    retweeting a tag says something about an account's interests.

    Parameters
    ----------
    tables : Tables
        The dataset.
    fold, include_retweets : bool
        As for :func:`~analysis.hashtags.tag_uses`.
    min_uses : int
        Fewest tweets for an account-tag edge.

    Returns
    -------
    networkx.Graph
        The bipartite graph.
    """
    uses = tag_uses(tables, fold, include_retweets).dropna(subset=["author_id"])
    pairs = uses.groupby(["author_id", "tag_key"]).size().reset_index(name="w")
    pairs = pairs[pairs["w"] >= min_uses]
    g = nx.Graph()
    g.add_nodes_from((("user", int(u)) for u in sorted(pairs["author_id"].unique())), bipartite=0)
    g.add_nodes_from((("tag", t) for t in sorted(pairs["tag_key"].unique())), bipartite=1)
    g.add_weighted_edges_from(
        (("user", int(u)), ("tag", t), int(w))
        for u, t, w in pairs.itertuples(index=False, name=None)
    )
    return g


def project_users(bipartite: nx.Graph, k: int = 10, min_similarity: float = 0.1) -> nx.Graph:
    """Project the user–hashtag graph onto accounts by the similarity of their tag use.

    Each account is a vector of tag counts weighted by inverse document
    frequency (a tag everyone uses says little); two accounts are joined when
    the cosine similarity of their vectors is at least ``min_similarity`` and
    one is among the other's ``k`` most similar (a k-nearest-neighbour
    backbone, so popular tags do not join everyone to everyone).

    Parameters
    ----------
    bipartite : networkx.Graph
        A :func:`user_hashtag_graph`.
    k : int
        Neighbours kept per account.
    min_similarity : float
        Lowest cosine similarity for an edge.

    Returns
    -------
    networkx.Graph
        Accounts (``user_id``) joined with ``weight`` = similarity.
    """
    users = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 0)
    tags = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 1)
    proj = nx.Graph()
    proj.add_nodes_from(u[1] for u in users)
    if len(users) < 2 or not tags:
        return proj
    ui = {u: i for i, u in enumerate(users)}
    ti = {t: j for j, t in enumerate(tags)}
    rows, cols, vals = [], [], []
    for u, t, w in bipartite.edges(data="weight"):
        if u[0] == "tag":
            u, t = t, u
        rows.append(ui[u])
        cols.append(ti[t])
        vals.append(float(w))
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(users), len(tags)))
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    x = x @ sparse.diags(np.log(len(users) / df) + 1.0)
    norm = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(1 / np.where(norm > 0, norm, 1)) @ x
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    kk = min(k, len(users) - 1)
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :kk]
    for i in range(len(users)):
        for j in nearest[i]:
            if sim[i, j] >= min_similarity:
                proj.add_edge(users[i][1], users[j][1], weight=float(sim[i, j]))
    return proj


def user_communities(projection: nx.Graph, seed: int | None = None) -> pd.Series:
    """Return the Louvain communities of accounts in the user projection.

    Parameters
    ----------
    projection : networkx.Graph
        A :func:`project_users` graph.
    seed : int, optional
        Random seed (default ``settings.SEED``, read when the function runs).

    Returns
    -------
    pandas.Series
        ``user_id`` -> community.
    """
    seed = settings.SEED if seed is None else seed
    out = louvain_partition(projection, "weight", 1.0, seed)
    out.index.name = "user_id"
    return out
