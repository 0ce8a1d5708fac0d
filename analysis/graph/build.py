"""Tables -> networkx graphs: the follower graph and the interaction graphs.

The follower graph is a ``DiGraph`` with an edge ``follower -> followed`` per
row of ``follows``; its nodes carry the ``users`` fields (username, name,
protected, verified, counts) and, when a ``labels`` frame is given, ``role`` and
``identity``. Interaction graphs (mention, retweet, reply, quote) are weighted
``DiGraph``s from the tweets: an edge ``author -> target`` whose ``weight`` counts
the tweets, with ``first_at`` and ``last_at`` the first and last of them;
:func:`network_graph` builds any of them by name with the accounts' fields. Edges are
prepared with pandas (no Python loop per edge); networkx then stores them.

The tables may be Dask DataFrames (``load_dataset(name, engine="dask")``): the
edge lists (:func:`follow_edges`, :func:`interaction_edges`) are then filtered,
joined and aggregated on the cluster, and only the aggregated edge list and the
accounts reach this process and networkx (see :mod:`analysis.frames`).
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pandas as pd

from analysis.errors import UsageError
from analysis.frames import aggregate, compute, is_dask, sorted_rows
from analysis.graph.snapshots import follows_as_of
from analysis.tables import Tables

#: Fields of ``users`` copied onto the follower graph's nodes.
NODE_FIELDS = (
    "username",
    "name",
    "protected",
    "verified",
    "followers_count",
    "following_count",
    "tweet_count",
    "listed_count",
)
#: Columns a ``labels`` frame must have (as returned by ``accounts.label_users``).
LABEL_COLUMNS = ("user_id", "role", "identity")


def require_directed(G: nx.Graph, what: str = "this measure") -> None:
    """Raise :class:`UsageError` unless ``G`` is directed.

    Parameters
    ----------
    G : networkx.Graph
        Graph to check.
    what : str, default "this measure"
        Name of the measure, said in the error message.

    Raises
    ------
    UsageError
        If ``G`` is undirected.

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
    """Validate a labels frame and return it with ``user_id`` as int64, one row per user.

    Parameters
    ----------
    labels : pandas.DataFrame
        Account labels with columns ``user_id``, ``role`` and ``identity`` (others are dropped).

    Returns
    -------
    pandas.DataFrame
        Those three columns, ``user_id`` as int64; for a repeated user the last row is kept.

    Raises
    ------
    UsageError
        If a column is missing.
    """
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
    """Return the follow links the graph will hold: ``follower_id``, ``followed_id`` and their dates.

    ``only_known`` keeps links whose two ends are accounts of ``users``; otherwise
    followers seen only as ids are kept too. ``drop_protected`` removes links
    touching a protected account. Self-follows and duplicates are dropped.

    On Dask tables the links are filtered on the cluster and come back as a pandas
    frame sorted by ``follower_id``, ``followed_id`` (the table's key order).

    Parameters
    ----------
    tables : pandas or Dask tables (:func:`analysis.tables.load_dataset`)
    only_known : keep only links between accounts of ``users``
    drop_protected : remove links touching a protected account

    Returns
    -------
    pandas.DataFrame
        The rows of ``follows`` kept.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> follow_edges(tiny_tables())[["follower_id", "followed_id"]].values.tolist()
    [[1, 2], [2, 1], [3, 1]]
    """
    f = tables.follows
    f = f.loc[f["follower_id"] != f["followed_id"]]
    users = compute(tables.users)
    if only_known:
        known = users["user_id"].to_numpy()
        f = f.loc[f["follower_id"].isin(known) & f["followed_id"].isin(known)]
    if drop_protected and len(users):
        prot = users.loc[users["protected"].fillna(False).astype(bool), "user_id"].to_numpy()
        f = f.loc[~f["follower_id"].isin(prot) & ~f["followed_id"].isin(prot)]
    f = f.drop_duplicates(["follower_id", "followed_id"])
    if is_dask(f):
        return sorted_rows(f, ["follower_id", "followed_id"])
    return f.reset_index(drop=True)


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
    """Return the follower graph: a ``DiGraph`` with an edge follower -> followed per follow link.

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
        tables = replace(tables, follows=follows_as_of(compute(tables.follows), as_of))
    edges = follow_edges(tables, only_known=only_known, drop_protected=drop_protected)
    users = compute(tables.users)
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


def _edge_counts(pairs) -> pd.DataFrame:
    """Aggregate one row per interaction (``source``, ``target``, ``at``) into weighted edges.

    ``weight`` counts the rows of a pair; ``first_at``/``last_at`` are the earliest and
    latest ``at`` (null when no row of the pair is dated). Rows without both ends, and
    self-loops, are left out. On Dask the aggregation runs on the cluster.
    """
    pairs = pairs.loc[pairs["source"].notnull() & pairs["target"].notnull()]
    pairs = pairs.astype({"source": "int64", "target": "int64"})
    pairs = pairs.loc[pairs["source"] != pairs["target"]]
    return aggregate(
        pairs,
        ["source", "target"],
        weight=("at", "size"),
        first_at=("at", "min"),
        last_at=("at", "max"),
    )


def _first_handles(handles) -> pd.Series:
    """Each user id's handle in its first mention (key order: ``tweet_id``, ``username``)."""
    h = handles.dropna(subset=["user_id", "username"])
    first = aggregate(h, ["user_id", "username"], first=("tweet_id", "min"))
    first = first.sort_values(["first", "username"], kind="stable")
    first = first.drop_duplicates("user_id").astype({"user_id": "int64"})
    return first.set_index("user_id")["username"]


def _weighted(counts: pd.DataFrame, users, kind: str, handles=None) -> nx.DiGraph:
    """Build a weighted ``DiGraph`` from an aggregated edge list (:func:`interaction_edges`).

    Nodes get the ``username`` of ``users``, else of ``handles`` (``tweet_id``,
    ``user_id``, ``username``: the mentions; a user's first mention names it).
    """
    users = compute(users)
    G = nx.DiGraph(kind=kind)
    ids = pd.unique(np.concatenate([counts["source"].to_numpy(), counts["target"].to_numpy()]))
    names = pd.concat(
        [
            users.dropna(subset=["user_id", "username"])
            .astype({"user_id": "int64"})
            .set_index("user_id")["username"]
            if len(users)
            else pd.Series(dtype=object),
            _first_handles(handles) if handles is not None else pd.Series(dtype=object),
        ]
    )
    names = names[~names.index.duplicated(keep="first")]  # the users table wins
    G.add_nodes_from(
        (int(i), {"username": names[i]} if i in names.index else {}) for i in ids.tolist()
    )
    G.add_edges_from(
        (u, v, {"weight": w} | ({} if pd.isna(a) else {"first_at": a, "last_at": b}))
        for u, v, w, a, b in zip(
            counts["source"].tolist(),
            counts["target"].tolist(),
            counts["weight"].tolist(),
            counts["first_at"].tolist(),
            counts["last_at"].tolist(),
            strict=True,
        )
    )
    return G


def _mention_pairs(tables: Tables):
    m = tables.mentions.merge(tables.tweets[["tweet_id", "author_id", "created_at"]], on="tweet_id")
    pairs = m.rename(columns={"author_id": "source", "user_id": "target", "created_at": "at"})
    return pairs[["source", "target", "at"]]


def _reference_pairs(tables: Tables, column: str):
    """Rows author -> author of the tweet named by ``column`` (a retweet's or a quote's original)."""
    tw = tables.tweets
    refs = tw.loc[tw[column].notnull(), ["author_id", column, "created_at"]]
    orig = tw[["tweet_id", "author_id"]].rename(columns={"tweet_id": column, "author_id": "target"})
    refs = refs.astype({column: "int64"}).merge(orig, on=column)
    pairs = refs.rename(columns={"author_id": "source", "created_at": "at"})
    return pairs[["source", "target", "at"]]


def _reply_pairs(tables: Tables):
    return tables.tweets[["author_id", "reply_to_user_id", "created_at"]].rename(
        columns={"author_id": "source", "reply_to_user_id": "target", "created_at": "at"}
    )


#: One row per interaction of each kind: ``source``, ``target``, ``at`` (lazy on Dask tables).
_PAIRS = {
    "mention": _mention_pairs,
    "retweet": lambda t: _reference_pairs(t, "retweet_of_tweet_id"),
    "reply": _reply_pairs,
    "quote": lambda t: _reference_pairs(t, "quote_of_tweet_id"),
}


def interaction_edges(tables: Tables, kind: str) -> pd.DataFrame:
    """Return the aggregated edge list of an interaction graph: one row per pair of accounts.

    The edges :func:`interaction_graph` holds: ``source``, ``target`` (user ids),
    ``weight`` (tweets), ``first_at`` and ``last_at`` (first and last of them), sorted by
    ``source``, ``target``. On Dask tables the joins and the aggregation run on
    the cluster; only this edge list comes back.

    Parameters
    ----------
    tables : pandas or Dask tables (:func:`analysis.tables.load_dataset`)
    kind : ``mention``, ``retweet``, ``reply`` or ``quote``

    Returns
    -------
    pandas.DataFrame
        The weighted edge list.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> interaction_edges(tiny_tables(), "reply")[["source", "target", "weight"]].values.tolist()
    [[2, 1, 2]]
    """
    if kind not in _PAIRS:
        raise UsageError(f"unknown interaction {kind!r}; use one of {list(_PAIRS)}.")
    return _edge_counts(_PAIRS[kind](tables))


def mention_graph(tables: Tables) -> nx.DiGraph:
    """Who mentions whom: edge author -> mentioned user, ``weight`` = tweets with the mention.

    Mentions the API did not resolve to an id, and self-mentions, are left out.
    Retweets are counted (their text carries the original's mentions). Edges carry
    ``first_at`` and ``last_at``: when the first and the last of these tweets were posted.
    A mentioned account outside ``users`` is named by the handle of the mention.

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``users``, ``tweets`` and ``mentions``).

    Returns
    -------
    networkx.DiGraph
        Weighted, dated mention graph; nodes are user ids.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(mention_graph(tiny_tables()).edges(data="weight"))
    [(2, 1, 1)]
    """
    return _weighted(
        interaction_edges(tables, "mention"),
        tables.users,
        "mention",
        handles=tables.mentions[["tweet_id", "user_id", "username"]],
    )


def retweet_graph(tables: Tables) -> nx.DiGraph:
    """Who retweets whom: edge retweeter -> original author, ``weight`` = retweets.

    Retweets whose original is not in the ``tweets`` table (deleted, not collected)
    are left out. Edges carry ``first_at`` and ``last_at`` (first and last retweet).

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``users`` and ``tweets``).

    Returns
    -------
    networkx.DiGraph
        Weighted, dated retweet graph; nodes are user ids.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(retweet_graph(tiny_tables()).edges(data="weight"))
    [(3, 1, 1)]
    """
    return _weighted(interaction_edges(tables, "retweet"), tables.users, "retweet")


def quote_graph(tables: Tables) -> nx.DiGraph:
    """Who quotes whom: edge quoting author -> quoted author, ``weight`` = quote tweets.

    A quote is a tweet whose referenced tweets include one of type ``quoted``
    (``tweets.quote_of_tweet_id``). As for retweets, quotes whose original is not in
    the ``tweets`` table are left out, and so are self-quotes. Edges carry ``first_at``
    and ``last_at`` (first and last quote).

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``users`` and ``tweets``).

    Returns
    -------
    networkx.DiGraph
        Weighted, dated quote graph; nodes are user ids.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> t = tiny_tables()
    >>> t.tweets.loc[t.tweets["tweet_id"] == 13, "quote_of_tweet_id"] = 12
    >>> list(quote_graph(t).edges(data="weight"))
    [(2, 3, 1)]
    """
    return _weighted(interaction_edges(tables, "quote"), tables.users, "quote")


def reply_graph(tables: Tables) -> nx.DiGraph:
    """Who replies to whom: edge replier -> replied-to user, ``weight`` = replies (self-replies dropped).

    Edges carry ``first_at`` and ``last_at`` (first and last reply).

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``users`` and ``tweets``).

    Returns
    -------
    networkx.DiGraph
        Weighted, dated reply graph; nodes are user ids.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(reply_graph(tiny_tables()).edges(data="weight"))
    [(2, 1, 2)]
    """
    return _weighted(interaction_edges(tables, "reply"), tables.users, "reply")


#: The interaction graphs by name (:func:`interaction_graph`).
INTERACTIONS = {
    "mention": mention_graph,
    "retweet": retweet_graph,
    "reply": reply_graph,
    "quote": quote_graph,
}


def interaction_graph(tables: Tables, kind: str) -> nx.DiGraph:
    """``mention``, ``retweet``, ``reply`` or ``quote`` graph by name.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.
    kind : str
        ``"mention"``, ``"retweet"``, ``"reply"`` or ``"quote"``.

    Returns
    -------
    networkx.DiGraph
        The interaction graph of that kind, as built by :func:`mention_graph` and the like.

    Raises
    ------
    UsageError
        If ``kind`` is not one of those names.
    """
    if kind not in INTERACTIONS:
        raise UsageError(f"unknown interaction {kind!r}; use one of {list(INTERACTIONS)}.")
    return INTERACTIONS[kind](tables)


#: Every network :func:`network_graph` builds: the follower graph and the interaction graphs.
NETWORKS = ("follow", *INTERACTIONS)


def network_graph(
    tables: Tables,
    network: str = "follow",
    labels: pd.DataFrame | None = None,
    only_known: bool = True,
    drop_protected: bool = False,
) -> nx.DiGraph:
    """One of :data:`NETWORKS` by name, its nodes carrying the ``users`` fields and labels.

    ``follow`` is :func:`graph_from_tables`; the others are the interaction graphs
    (:func:`interaction_graph`), whose accounts of ``users`` get the same fields as
    the follower graph's (and ``role``, ``identity`` from ``labels``). ``only_known``
    applies to the follower graph only: an interaction graph keeps every account
    its tweets name. ``drop_protected`` removes protected accounts from any network.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.
    network : str, default "follow"
        One of :data:`NETWORKS`: ``"follow"``, ``"mention"``, ``"retweet"``, ``"reply"``, ``"quote"``.
    labels : pandas.DataFrame or None, optional
        Account labels (``user_id``, ``role``, ``identity``) set as node attributes; None sets none.
    only_known : bool, default True
        Follower graph only: keep just links between accounts of ``users``.
    drop_protected : bool, default False
        Remove protected accounts and their links.

    Returns
    -------
    networkx.DiGraph
        The network, nodes being user ids with the ``users`` fields as attributes.

    Examples
    --------
    >>> from analysis.graph import tiny_labels, tiny_tables
    >>> G = network_graph(tiny_tables(), "reply", labels=tiny_labels())
    >>> G.nodes[2]["role"], G.edges[2, 1]["weight"]
    ('physician', 2)
    >>> list(network_graph(tiny_tables(), "retweet", drop_protected=True).edges())
    []
    """
    if network not in NETWORKS:
        raise UsageError(f"unknown network {network!r}; use one of {', '.join(NETWORKS)}.")
    if network == "follow":
        G = graph_from_tables(
            tables, labels=labels, only_known=only_known, drop_protected=drop_protected
        )
        G.graph["kind"] = "follow"
        return G
    G = interaction_graph(tables, network)
    G.graph.update(dataset=tables.name, synthetic=tables.synthetic)
    users = compute(tables.users)
    for v, attrs in _node_attributes(users.loc[users["user_id"].isin(list(G))], labels).items():
        G.nodes[v].update(attrs)
    if drop_protected and len(users):
        G.remove_nodes_from(
            users.loc[users["protected"].fillna(False).astype(bool), "user_id"].tolist()
        )
        G.remove_nodes_from([v for v in list(G) if G.degree(v) == 0])
    return G


def interaction_summary(tables: Tables) -> pd.DataFrame:
    """Size of the mention, retweet and reply graphs: accounts, links, interactions, reciprocity.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.

    Returns
    -------
    pandas.DataFrame
        One row per graph: ``graph``, ``accounts``, ``links``, ``interactions``, ``reciprocity``.

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
        rows.append(
            {
                "graph": kind,
                "accounts": G.number_of_nodes(),
                "links": m,
                "interactions": int(sum(w for *_, w in G.edges(data="weight"))),
                "reciprocity": nx.overall_reciprocity(G) if m else float("nan"),
            }
        )
    return pd.DataFrame(rows)
