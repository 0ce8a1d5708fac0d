"""The hashtag co-occurrence graph and its Louvain communities, described.

:func:`cooccurrence_graph` keeps a pair of tags only if it co-occurs more than
chance says: positive normalised PMI and a one-sided hypergeometric test under
a Bonferroni correction, so the graph is not just the most frequent tags.
:func:`hashtag_communities` finds its Louvain communities (``seed=``) and
:func:`label_communities` describes each by its tags and the accounts using them.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import hypergeom

from analysis import settings
from analysis.frames import compute, compute_all, map_partitions, partition_by
from analysis.hashtags.frequencies import tag_uses
from analysis.hashtags.partitions import louvain_partition
from analysis.tables import Tables


@dataclass(frozen=True)
class CooccurrenceCounts:
    """How many tagged tweets each hashtag and each pair of hashtags is in.

    Attributes
    ----------
    tagged_tweets : int
        Tweets with at least one tag.
    tag_tweets : pandas.Series
        ``tag_key`` -> tweets (``tweets``, int64), every tag, sorted by tag.
    pairs : pandas.DataFrame
        ``tag_a`` < ``tag_b`` and ``tweets`` they share (int64), for the pairs of tags with
        at least ``min_tag_tweets`` tweets that co-occur at all, sorted by ``tag_a``, ``tag_b``.
    """

    tagged_tweets: int
    tag_tweets: pd.Series
    pairs: pd.DataFrame


def _pairs_in(uses: pd.DataFrame, tags: np.ndarray) -> pd.DataFrame:
    """Count the tweets of each pair of ``tags`` (by position, i < j) among these (tweet, tag) rows."""
    col = pd.Index(tags).get_indexer(uses["tag_key"])
    row_ids, row = np.unique(uses["tweet_id"].to_numpy(), return_inverse=True)
    x = sparse.csr_matrix((np.ones(len(col)), (row, col)), shape=(len(row_ids), len(tags)))
    co = sparse.triu(x.T @ x, k=1).tocoo()
    return pd.DataFrame(
        {
            "i": co.row.astype("int64"),
            "j": co.col.astype("int64"),
            "tweets": co.data.astype("int64"),
        }
    )


def cooccurrence_counts(
    tables: Tables, fold: bool = False, include_retweets: bool = False, min_tag_tweets: int = 5
) -> CooccurrenceCounts:
    """Count the tweets of each hashtag and of each pair of frequent hashtags.

    The counts behind :func:`cooccurrence_graph`. On Dask tables both scans
    run on the cluster: first the tweets per tag, then, for the tags with at
    least ``min_tag_tweets`` tweets, the pairs (the (tweet, tag) rows are
    shuffled by tweet so each partition counts whole tweets, and the
    partitions' counts are summed); only the counts come back.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    fold, include_retweets : bool
        As for :func:`~analysis.hashtags.tag_uses`.
    min_tag_tweets : int
        Fewest tweets for a tag's pairs to be counted.

    Returns
    -------
    CooccurrenceCounts
        Tagged tweets, tweets per tag, tweets per pair.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "author_id": 7, "collected": True,
    ...     "created_at": pd.Timestamp("2020-01-01", tz="UTC"), "retweet_of_tweet_id": None})
    >>> h = pd.DataFrame({"tweet_id": [1, 1, 2], "tag": ["a", "B", "a"], "tag_norm": ["a", "b", "a"]})
    >>> t = Tables(tw, pd.DataFrame(), pd.DataFrame(), h, pd.DataFrame(), pd.DataFrame())
    >>> c = cooccurrence_counts(t, min_tag_tweets=1)
    >>> c.tagged_tweets, c.tag_tweets.to_dict(), c.pairs.values.tolist()
    (2, {'a': 2, 'b': 1}, [['a', 'b', 1]])
    """
    uses = tag_uses(tables, fold, include_retweets)
    tag_tweets, tagged = compute_all(uses.groupby("tag_key").size(), uses["tweet_id"].nunique())
    tag_tweets = tag_tweets.sort_index().astype("int64").rename("tweets")
    tags = np.array(sorted(tag_tweets.index[tag_tweets >= min_tag_tweets]), dtype=object)
    pairs = pd.DataFrame(
        {
            "i": pd.Series(dtype="int64"),
            "j": pd.Series(dtype="int64"),
            "tweets": pd.Series(dtype="int64"),
        }
    )
    if len(tags) >= 2:
        kept = uses.loc[uses["tag_key"].isin(list(tags)), ["tweet_id", "tag_key"]]
        per_part = map_partitions(partition_by(kept, "tweet_id"), _pairs_in, tags, meta=pairs)
        pairs = compute(per_part.groupby(["i", "j"])["tweets"].sum()).sort_index().reset_index()
    out = pd.DataFrame(
        {
            "tag_a": tags[pairs["i"].to_numpy()].astype(str),
            "tag_b": tags[pairs["j"].to_numpy()].astype(str),
            "tweets": pairs["tweets"].astype("int64").to_numpy(),
        }
    )
    return CooccurrenceCounts(int(tagged), tag_tweets, out)


def cooccurrence_graph(
    tables: Tables,
    fold: bool = False,
    include_retweets: bool = False,
    min_tag_tweets: int = 5,
    min_pair_tweets: int = 3,
    min_npmi: float = 0.0,
    alpha: float | None = 0.01,
) -> nx.Graph:
    """Return the weighted co-occurrence graph of hashtags, keeping only significant pairs.

    Nodes are tags used in at least ``min_tag_tweets`` tweets (attribute
    ``tweets``). An edge joins two tags that share at least ``min_pair_tweets``
    tweets, whose normalised PMI exceeds ``min_npmi`` and whose co-occurrence
    count is significant under a one-sided hypergeometric test at ``alpha``
    with a Bonferroni correction for every pair tested (``alpha=None`` and
    ``min_npmi=-1`` keep every co-occurring pair). Edges are added in the order
    of their tags. The counts come from :func:`cooccurrence_counts` (on the
    cluster for Dask tables); the tests and the graph are made locally.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    fold : bool
        Merge accented and plain spellings.
    include_retweets : bool
        Count the hashtags of retweets too.
    min_tag_tweets, min_pair_tweets : int
        Fewest tweets for a tag to be a node, and for a pair to be tested.
    min_npmi : float
        A pair's normalised PMI must exceed this.
    alpha : float or None
        Family-wise significance level of the hypergeometric tests (``None``: no test).

    Returns
    -------
    networkx.Graph
        Edge attributes ``weight`` (tweets in common), ``pmi``, ``npmi``, ``pvalue``.

    Examples
    --------
    >>> from analysis.tables import Tables, normalise_tag
    >>> tw = pd.DataFrame({"tweet_id": range(6), "author_id": 1, "collected": True,
    ...     "created_at": pd.Timestamp("2020-01-01", tz="UTC"), "retweet_of_tweet_id": None})
    >>> h = pd.DataFrame({"tweet_id": [0, 0, 1, 1, 2, 2, 3, 4, 5],
    ...     "tag_norm": list("ababab") + ["c"] * 3})
    >>> g = cooccurrence_graph(Tables(tw, *[pd.DataFrame()] * 2, h.assign(tag=h.tag_norm),
    ...     pd.DataFrame(), pd.DataFrame()), min_tag_tweets=1, min_pair_tweets=1, alpha=None)
    >>> sorted(g.edges())
    [('a', 'b')]
    """
    counts = cooccurrence_counts(tables, fold, include_retweets, min_tag_tweets)
    g = nx.Graph()
    n_tweets = counts.tagged_tweets
    keep = counts.tag_tweets[counts.tag_tweets >= min_tag_tweets]
    g.add_nodes_from((t, {"tweets": int(c)}) for t, c in keep.items())
    tags = keep.index
    tested = len(tags) * (len(tags) - 1) / 2
    for a, b, weight in counts.pairs.itertuples(index=False, name=None):
        if weight < min_pair_tweets:
            continue
        k, ni, nj = float(weight), keep[a], keep[b]
        pij = k / n_tweets
        pmi = np.log(pij / ((ni / n_tweets) * (nj / n_tweets)))
        npmi = pmi / -np.log(pij) if pij < 1 else 1.0
        if npmi <= min_npmi:
            continue
        pvalue = float(hypergeom.sf(k - 1, n_tweets, ni, nj))
        if alpha is not None and pvalue * tested > alpha:
            continue
        g.add_edge(
            str(a),
            str(b),
            weight=int(weight),
            pmi=float(pmi),
            npmi=float(npmi),
            pvalue=pvalue,
        )
    return g


def hashtag_communities(
    graph: nx.Graph, resolution: float = 1.0, seed: int | None = None
) -> pd.Series:
    """Return the Louvain communities of the co-occurrence graph.

    Parameters
    ----------
    graph : networkx.Graph
        A :func:`cooccurrence_graph`.
    resolution : float
        Louvain's resolution (above 1: smaller communities).
    seed : int, optional
        Random seed (default ``settings.SEED``, read when the function runs).

    Returns
    -------
    pandas.Series
        ``tag_key`` -> community number, 0 for the largest.
    """
    seed = settings.SEED if seed is None else seed
    out = louvain_partition(graph, "weight", resolution, seed)
    out.index.name = "tag_key"
    return out


def label_communities(
    tag_communities: pd.Series,
    tables: Tables,
    labels: pd.DataFrame | None = None,
    top: int = 4,
    fold: bool = False,
    include_retweets: bool = False,
) -> pd.DataFrame:
    """Describe each hashtag community by its top tags and the accounts that use them.

    An account counts for a community when it used one of its tags. With
    ``labels`` (``user_id``, ``role``, ``identity``) the main roles and
    identity styles of those accounts are given as shares; without, those
    columns say "no labels".

    Parameters
    ----------
    tag_communities : pandas.Series
        ``tag_key`` -> community, from :func:`hashtag_communities`.
    tables : Tables
        The dataset.
    labels : pandas.DataFrame, optional
        Account labels.
    top : int
        Tags listed per community.
    fold, include_retweets : bool
        As for :func:`cooccurrence_graph`.

    Returns
    -------
    pandas.DataFrame
        ``community``, ``tags``, ``top_tags``, ``tweets``, ``accounts``, ``roles``, ``identities``.
    """
    cols = ["community", "tags", "top_tags", "tweets", "accounts", "roles", "identities"]
    if tag_communities.empty:
        return pd.DataFrame(columns=cols)
    uses = tag_uses(tables, fold, include_retweets)
    uses = uses.assign(community=uses["tag_key"].map(tag_communities)).dropna(subset=["community"])
    lab = None
    if labels is not None:
        lab = labels.assign(user_id=labels["user_id"].astype("int64")).set_index("user_id")

    def mix(ids: pd.Series, column: str) -> str:
        """Return the three most common label values among accounts, with their shares.

        Parameters
        ----------
        ids : pandas.Series
            User ids of a community's authors.
        column : str
            Label column: ``"role"`` or ``"identity"``.

        Returns
        -------
        str
            E.g. ``"nominative 60%, anonymous 30%, unknown 10%"``; ``"no labels"`` without labels.
        """
        if lab is None or column not in lab:
            return "no labels"
        vals = ids.map(lab[column]).fillna("unknown").value_counts(normalize=True)
        return ", ".join(f"{k} {v:.0%}" for k, v in vals.head(3).items())

    rows = []
    for c, g in uses.groupby("community"):
        per_tag = g.groupby("tag_key")["tweet_id"].nunique().sort_values(ascending=False)
        per_tag = per_tag.sort_index().sort_values(ascending=False, kind="stable")
        authors = pd.Series(g["author_id"].dropna().astype("int64").unique())
        rows.append(
            {
                "community": int(c),
                "tags": int((tag_communities == c).sum()),
                "top_tags": " ".join("#" + t for t in per_tag.index[:top]),
                "tweets": int(g["tweet_id"].nunique()),
                "accounts": len(authors),
                "roles": mix(authors, "role"),
                "identities": mix(authors, "identity"),
            }
        )
    return pd.DataFrame(rows, columns=cols).sort_values("community", ignore_index=True)


def describe_graph(graph: nx.Graph, communities: pd.Series | None = None) -> str:
    """Return one sentence on the co-occurrence graph (or on why it is empty).

    Parameters
    ----------
    graph : networkx.Graph
        A :func:`cooccurrence_graph`.
    communities : pandas.Series, optional
        Its communities.

    Returns
    -------
    str
        The sentence.
    """
    if graph.number_of_edges() == 0:
        return (
            f"The co-occurrence graph has {graph.number_of_nodes()} tag(s) used often enough and "
            "no significant pair: too few tagged tweets for communities of hashtags."
        )
    comm = f" in {communities.nunique()} Louvain communities" if communities is not None else ""
    return (
        f"The co-occurrence graph keeps {graph.number_of_nodes()} tags and "
        f"{graph.number_of_edges()} significant pairs{comm}."
    )
