"""Tables -> networkx graphs: the follower graph and the interaction graphs.

The follower graph is a ``DiGraph`` with an edge ``follower -> followed`` per
row of ``follows``; its nodes carry the ``users`` fields (username, name,
protected, verified, counts) and, when a ``labels`` frame is given, ``role`` and
``identity``. Interaction graphs (mention, retweet, reply) are weighted
``DiGraph``s from the tweets: an edge ``author -> target`` whose ``weight`` counts
the tweets. Edges are prepared with pandas (no Python loop per edge); networkx
then stores them.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from analysis.errors import UsageError
from analysis.tables import Tables

#: Fields of ``users`` copied onto the follower graph's nodes.
NODE_FIELDS = (
    "username", "name", "protected", "verified", "followers_count", "following_count",
    "tweet_count", "listed_count",
)  # fmt: skip
#: Columns a ``labels`` frame must have (as returned by ``accounts.label_users``).
LABEL_COLUMNS = ("user_id", "role", "identity")


def require_directed(G: nx.Graph, what: str = "this measure") -> None:
    """Raise :class:`UsageError` unless ``G`` is directed.

    Examples
    --------
    >>> require_directed(nx.DiGraph([(1, 2)]))
    >>> require_directed(nx.Graph([(1, 2)]))
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: this measure needs a directed graph (follower -> followed) but got an undirected one; build it with graph_from_tables(tables).
    """
    if not G.is_directed():
        raise UsageError(
            f"{what} needs a directed graph (follower -> followed) but got an undirected one; "
            "build it with graph_from_tables(tables)."
        )


def check_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """Validate a labels frame and return it with ``user_id`` as int64, one row per user."""
    missing = [c for c in LABEL_COLUMNS if c not in labels.columns]
    if missing:
        raise UsageError(
            f"the labels frame lacks column(s) {missing}; pass one with columns "
            f"{list(LABEL_COLUMNS)} (e.g. from accounts.label_users(tables.users))."
        )
    out = labels.loc[:, list(LABEL_COLUMNS)].copy()
    out["user_id"] = pd.to_numeric(out["user_id"]).astype("int64")
    return out.drop_duplicates("user_id", keep="last")


def follow_edges(
    tables: Tables, only_known: bool = True, drop_protected: bool = False
) -> pd.DataFrame:
    """The follow links the graph will hold: ``follower_id``, ``followed_id`` and their dates.

    ``only_known`` keeps links whose two ends are accounts of ``users``; otherwise
    followers seen only as ids are kept too. ``drop_protected`` removes links
    touching a protected account. Self-follows and duplicates are dropped.
    """
    f = tables.follows
    f = f.loc[f["follower_id"] != f["followed_id"]]
    users = tables.users
    if only_known:
        known = users["user_id"].to_numpy()
        f = f.loc[f["follower_id"].isin(known) & f["followed_id"].isin(known)]
    if drop_protected and len(users):
        prot = users.loc[users["protected"].fillna(False).astype(bool), "user_id"].to_numpy()
        f = f.loc[~f["follower_id"].isin(prot) & ~f["followed_id"].isin(prot)]
    return f.drop_duplicates(["follower_id", "followed_id"]).reset_index(drop=True)


def _clean(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _node_attributes(users: pd.DataFrame, labels: pd.DataFrame | None) -> dict[int, dict]:
    cols = [c for c in NODE_FIELDS if c in users.columns]
    frame = users.loc[:, ["user_id", *cols]]
    if labels is not None:
        frame = frame.merge(check_labels(labels), on="user_id", how="left")
    records = frame.astype(object).to_dict("records")
    return {
        int(r.pop("user_id")): {
            k: v for k, v in ((k, _clean(v)) for k, v in r.items()) if v is not None
        }
        for r in records
    }


def graph_from_tables(
    tables: Tables,
    labels: pd.DataFrame | None = None,
    only_known: bool = True,
    drop_protected: bool = False,
    as_of=None,
    edge_dates: bool = True,
) -> nx.DiGraph:
    """The follower graph: a ``DiGraph`` with an edge follower -> followed per follow link.

    Parameters
    ----------
    tables : Tables
        A dataset (:func:`analysis.tables.load_dataset`).
    labels : DataFrame, optional
        ``user_id``, ``role``, ``identity`` per account (``accounts.label_users``); copied
        onto the nodes when given.
    only_known : bool
        Keep only accounts of the ``users`` table (default); ``False`` also keeps
        followers seen only as ids (nodes without attributes).
    drop_protected : bool
        Remove protected accounts and their links.
    as_of : date-like, optional
        Keep only the links present in the last follower snapshot on or before this
        date (see :func:`analysis.graph.snapshots.follows_as_of`); default: every link seen.
    edge_dates : bool
        Put ``first_seen_at`` and ``observed_at`` on the edges (default). ``False`` builds a
        bare graph, faster and lighter on millions of links.

    Returns
    -------
    networkx.DiGraph
        Nodes are user ids (int) with the ``users`` fields as attributes; edges carry
        ``first_seen_at`` and ``observed_at``. ``G.graph`` holds the dataset name.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> G = graph_from_tables(tiny_tables())
    >>> sorted(G.edges())
    [(1, 2), (2, 1), (3, 1)]
    >>> G.nodes[1]["username"]
    'ordre'
    >>> sorted(graph_from_tables(tiny_tables(), as_of="2026-03-01").edges())
    [(1, 2), (3, 1)]
    """
    if as_of is not None:
        from dataclasses import replace

        from analysis.graph.snapshots import follows_as_of

        tables = replace(tables, follows=follows_as_of(tables.follows, as_of))
    edges = follow_edges(tables, only_known=only_known, drop_protected=drop_protected)
    users = tables.users
    if drop_protected and len(users):
        users = users.loc[~users["protected"].fillna(False).astype(bool)]
    G = nx.DiGraph(dataset=tables.name, synthetic=tables.synthetic)
    attrs = _node_attributes(users, labels)
    G.add_nodes_from(attrs.items())
    src = edges["follower_id"].astype("int64").tolist()
    dst = edges["followed_id"].astype("int64").tolist()
    cols = [c for c in ("first_seen_at", "observed_at") if c in edges.columns] if edge_dates else []
    if cols:
        # a few snapshot dates are shared by many links: one attribute dict per combination
        codes, combos = pd.MultiIndex.from_frame(edges[cols]).factorize()
        shared = [
            {k: v for k, v in zip(cols, combo, strict=True) if not pd.isna(v)} for combo in combos
        ]
        G.add_edges_from(
            (u, v, shared[c]) for u, v, c in zip(src, dst, codes.tolist(), strict=True)
        )
    else:
        G.add_edges_from(zip(src, dst, strict=True))
    return G


def _weighted(pairs: pd.DataFrame, users: pd.DataFrame, kind: str) -> nx.DiGraph:
    pairs = pairs.dropna().astype("int64")
    pairs = pairs.loc[pairs["source"] != pairs["target"]]
    counts = pairs.groupby(["source", "target"]).size().reset_index(name="weight")
    G = nx.DiGraph(kind=kind)
    ids = pd.unique(np.concatenate([counts["source"].to_numpy(), counts["target"].to_numpy()]))
    names = users.set_index("user_id")["username"] if len(users) else pd.Series(dtype=object)
    G.add_nodes_from(
        (int(i), {"username": names[i]} if i in names.index and pd.notna(names[i]) else {})
        for i in ids
    )
    G.add_weighted_edges_from(
        zip(
            counts["source"].tolist(),
            counts["target"].tolist(),
            counts["weight"].tolist(),
            strict=True,
        )
    )
    return G


def mention_graph(tables: Tables) -> nx.DiGraph:
    """Who mentions whom: edge author -> mentioned user, ``weight`` = tweets with the mention.

    Mentions the API did not resolve to an id, and self-mentions, are left out.
    Retweets are counted (their text carries the original's mentions).

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(mention_graph(tiny_tables()).edges(data="weight"))
    [(2, 1, 1)]
    """
    m = tables.mentions.merge(tables.tweets[["tweet_id", "author_id"]], on="tweet_id")
    pairs = m.rename(columns={"author_id": "source", "user_id": "target"})[["source", "target"]]
    return _weighted(pairs, tables.users, "mention")


def retweet_graph(tables: Tables) -> nx.DiGraph:
    """Who retweets whom: edge retweeter -> original author, ``weight`` = retweets.

    Retweets whose original is not in the ``tweets`` table (deleted, not collected)
    are left out.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(retweet_graph(tiny_tables()).edges(data="weight"))
    [(3, 1, 1)]
    """
    tw = tables.tweets
    rt = tw.loc[tw["retweet_of_tweet_id"].notna(), ["author_id", "retweet_of_tweet_id"]]
    orig = tw[["tweet_id", "author_id"]].rename(
        columns={"tweet_id": "retweet_of_tweet_id", "author_id": "target"}
    )
    rt = rt.astype({"retweet_of_tweet_id": "int64"}).merge(orig, on="retweet_of_tweet_id")
    return _weighted(
        rt.rename(columns={"author_id": "source"})[["source", "target"]], tables.users, "retweet"
    )


def reply_graph(tables: Tables) -> nx.DiGraph:
    """Who replies to whom: edge replier -> replied-to user, ``weight`` = replies (self-replies dropped).

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(reply_graph(tiny_tables()).edges(data="weight"))
    [(2, 1, 2)]
    """
    tw = tables.tweets
    pairs = tw[["author_id", "reply_to_user_id"]].rename(
        columns={"author_id": "source", "reply_to_user_id": "target"}
    )
    return _weighted(pairs, tables.users, "reply")


def interaction_graph(tables: Tables, kind: str) -> nx.DiGraph:
    """``mention``, ``retweet`` or ``reply`` graph by name."""
    builders = {"mention": mention_graph, "retweet": retweet_graph, "reply": reply_graph}
    if kind not in builders:
        raise UsageError(f"unknown interaction {kind!r}; use one of {sorted(builders)}.")
    return builders[kind](tables)


def interaction_summary(tables: Tables) -> pd.DataFrame:
    """Size of the mention, retweet and reply graphs: accounts, links, interactions, reciprocity.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> interaction_summary(tiny_tables())[["graph", "links", "interactions"]].values.tolist()
    [['mention', 1, 1], ['retweet', 1, 1], ['reply', 1, 2]]
    """
    rows = []
    for kind in ("mention", "retweet", "reply"):
        G = interaction_graph(tables, kind)
        m = G.number_of_edges()
        rows.append({
            "graph": kind, "accounts": G.number_of_nodes(), "links": m,
            "interactions": int(sum(w for *_, w in G.edges(data="weight"))),
            "reciprocity": nx.overall_reciprocity(G) if m else float("nan"),
        })  # fmt: skip
    return pd.DataFrame(rows)
