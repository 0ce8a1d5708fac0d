"""How often each hashtag is used, and how its share changes over time.

Tags are compared by their ``tag_norm`` (case-folded, Unicode NFC, accents
kept), so ``#Santé``, ``#santé`` and ``#SANTÉ`` are one tag while ``#sante``
stays its own; ``fold=True`` merges them too (off by default). By default a
retweet's hashtags are left out (``include_retweets=False``): they repeat the
original's and would count one use many times. :func:`tag_uses` is the one
place that joins hashtags to their tweets; every analysis of the package
starts from it.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from analysis.frames import compute_all, map_partitions, period_start
from analysis.tables import Tables, normalise_tag


def fold_accents(tag: str) -> str:
    """Strip accents from a tag (``'santé'`` -> ``'sante'``).

    Parameters
    ----------
    tag : str
        A tag.

    Returns
    -------
    str
        The tag without combining marks, NFC-normalised.

    Examples
    --------
    >>> fold_accents("télémédecine")
    'telemedecine'
    """
    decomposed = unicodedata.normalize("NFKD", tag)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _folded(tags: pd.Series) -> pd.Series:
    return tags.map(fold_accents)


def tag_uses(
    tables: Tables, fold: bool = False, include_retweets: bool = False, dedup: bool = True
) -> pd.DataFrame:
    """Return one row per (tweet, tag) with the tweet's author and time, under the normalisation chosen.

    ``tag_key`` is ``tag_norm`` (or its accent-folded form with ``fold=True``);
    a tag repeated in one tweet counts once (unless ``dedup=False``). Only
    collected tweets count. On Dask tables the result is a lazy Dask frame
    (the join runs on the cluster when a result is computed).

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    fold : bool
        Merge accented and plain spellings (``#santé`` and ``#sante``).
    include_retweets : bool
        Count the hashtags of retweets too.
    dedup : bool
        Count a tag repeated in one tweet once.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        ``tweet_id``, ``tag``, ``tag_key``, ``author_id``, ``created_at``.
    """
    tw = tables.tweets
    if "collected" in tw.columns:
        tw = tw[tw["collected"].astype(bool)]
    if not include_retweets:
        tw = tw[tw["retweet_of_tweet_id"].isna()]
    tw = tw[["tweet_id", "author_id", "created_at"]]
    h = tables.hashtags[["tweet_id", "tag", "tag_norm"]].merge(tw, on="tweet_id", how="inner")
    if fold:
        # meta: Dask would otherwise guess the result's type by folding made-up values
        h = h.assign(
            tag_key=map_partitions(h["tag_norm"], _folded, meta=("tag_key", h["tag_norm"].dtype))
        )
    else:
        h = h.assign(tag_key=h["tag_norm"])
    if dedup:
        h = h.drop_duplicates(["tweet_id", "tag_key"])
    return h[["tweet_id", "tag", "tag_key", "author_id", "created_at"]].reset_index(drop=True)


def tag_frequencies(
    tables: Tables, fold: bool = False, include_retweets: bool = False
) -> pd.DataFrame:
    """Count tweets and accounts per tag, with the ways each tag was written.

    On Dask tables the counts per tag (and per spelling) are made on the
    cluster; only one row per tag and spelling comes back.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    fold : bool
        Merge accented and plain spellings.
    include_retweets : bool
        Count the hashtags of retweets too.

    Returns
    -------
    pandas.DataFrame
        Sorted by use: ``tag_key``, ``tweets``, ``accounts``, ``share_of_tagged_tweets``,
        ``written_as`` (the spellings seen, most frequent first).
    """
    uses = tag_uses(tables, fold, include_retweets)
    spelled = tag_uses(tables, fold, include_retweets, dedup=False)
    cols = ["tag_key", "tweets", "accounts", "share_of_tagged_tweets", "written_as"]
    # a tag counts once per tweet in ``uses``: its tweets are its rows
    tweets, accounts, spellings, tagged = compute_all(
        uses.groupby("tag_key").size(),
        uses.loc[~uses["author_id"].isna(), ["tag_key", "author_id"]]
        .drop_duplicates()
        .groupby("tag_key")
        .size(),
        spelled.groupby(["tag_key", "tag"]).size(),
        uses["tweet_id"].nunique(),
    )
    if tweets.empty:
        return pd.DataFrame(columns=cols)
    written_as = (
        spellings.rename("n")
        .reset_index()
        .sort_values(["tag_key", "n", "tag"], ascending=[True, False, True])
        .groupby("tag_key")["tag"]
        .agg(lambda s: ", ".join("#" + s))
    )
    out = pd.DataFrame({"tweets": tweets.sort_index().astype("int64")})
    out["accounts"] = accounts.reindex(out.index, fill_value=0).astype("int64")
    out["share_of_tagged_tweets"] = out["tweets"] / tagged
    out["written_as"] = written_as
    out = out.reset_index().sort_values(["tweets", "tag_key"], ascending=[False, True])
    return out[cols].reset_index(drop=True)


def focus_tags(tables: Tables, interest: list[str], n: int = 6, fold: bool = False) -> list[str]:
    """Return the hashtags of interest (as tag keys), then the most frequent others, ``n`` in all.

    Parameters
    ----------
    tables : Tables
        The dataset.
    interest : list of str
        Tags to put first, with or without ``#``, in any case.
    n : int
        How many tags in all.
    fold : bool
        Merge accented and plain spellings.

    Returns
    -------
    list of str
        Tag keys.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2, 3], "author_id": [7, 8, 9],
    ...     "created_at": pd.to_datetime(["2020-01-01"] * 3, utc=True),
    ...     "collected": True, "retweet_of_tweet_id": pd.array([None] * 3, "Int64")})
    >>> h = pd.DataFrame({"tweet_id": [1, 2, 3], "tag": ["FOAMed", "sante", "FOAMed"],
    ...     "tag_norm": ["foamed", "sante", "foamed"]})
    >>> t = Tables(tw, pd.DataFrame(), pd.DataFrame(), h, pd.DataFrame(), pd.DataFrame())
    >>> focus_tags(t, ["#Docstoctoc"], n=2)
    ['docstoctoc', 'foamed']
    """
    keys = [normalise_tag(t.lstrip("#")) for t in interest]
    if fold:
        keys = [fold_accents(k) for k in keys]
    keys = list(dict.fromkeys(keys))
    others = [t for t in tag_frequencies(tables, fold=fold)["tag_key"] if t not in keys]
    return keys + others[: max(0, n - len(keys))]


def tag_trends(
    tables: Tables,
    freq: str = "Y",
    fold: bool = False,
    include_retweets: bool = False,
    min_tweets: int = 5,
) -> pd.DataFrame:
    """Return each tag's share of the period's tagged tweets, and its change from the previous period.

    The denominator is the number of tagged tweets in the period (so a tag does
    not "rise" merely because the whole dataset grows); periods run without a
    gap. ``change_pp`` is the difference in share, in percentage points, from the
    previous period; tags with fewer than ``min_tweets`` in both periods get
    NaN change (too few to call a trend). On Dask tables the tweets per tag
    and period are counted on the cluster, the rest locally.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    freq : str
        A pandas period frequency (``"Y"``, ``"Q"``, ``"M"``).
    fold : bool
        Merge accented and plain spellings.
    include_retweets : bool
        Count the hashtags of retweets too.
    min_tweets : int
        Fewest tweets, in one of the two periods, for a change to be given.

    Returns
    -------
    pandas.DataFrame
        Long frame: ``period``, ``tag_key``, ``tweets``, ``tagged_tweets``, ``share``, ``change_pp``.
    """
    uses = tag_uses(tables, fold, include_retweets)
    uses = uses.assign(period=map_partitions(uses["created_at"], period_start, freq))
    cols = ["period", "tag_key", "tweets", "tagged_tweets", "share", "change_pp"]
    counts, tagged = compute_all(
        uses.groupby(["period", "tag_key"]).size(),
        uses[["period", "tweet_id"]].drop_duplicates().groupby("period").size(),
    )
    if counts.empty:
        return pd.DataFrame(columns=cols)
    counts = counts.sort_index().unstack(fill_value=0)
    counts.index = counts.index.to_period(freq)
    full = pd.period_range(counts.index.min(), counts.index.max(), freq=freq)
    counts = counts.reindex(full, fill_value=0)
    tagged.index = tagged.index.to_period(freq)
    tagged = tagged.reindex(full).fillna(0)
    share = counts.div(tagged.where(tagged > 0), axis=0)
    change = share.diff() * 100
    enough = (counts >= min_tweets) | (counts.shift(1) >= min_tweets)
    change = change.where(enough)
    out = counts.stack().rename("tweets").to_frame()
    out["share"] = share.stack(future_stack=True)
    out["change_pp"] = change.stack(future_stack=True)
    out = out.reset_index()
    out.columns = ["period", "tag_key", "tweets", "share", "change_pp"]
    out["tagged_tweets"] = out["period"].map(tagged).astype("int64")
    out["period"] = out["period"].dt.start_time
    return out.sort_values(["period", "tag_key"], ignore_index=True)[cols]


def rising_and_declining(trends: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Return, per period, the ``n`` tags whose share rose most and the ``n`` that fell most.

    Parameters
    ----------
    trends : pandas.DataFrame
        A :func:`tag_trends` frame.
    n : int
        Tags per period and direction.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``direction`` (rising/declining), ``tag_key``, ``change_pp``, ``share``.
    """
    cols = ["period", "direction", "tag_key", "change_pp", "share"]
    t = trends.dropna(subset=["change_pp"])
    rows = []
    for _, g in t.groupby("period", sort=True):
        up = g[g["change_pp"] > 0].nlargest(n, "change_pp")
        down = g[g["change_pp"] < 0].nsmallest(n, "change_pp")
        rows.append(up.assign(direction="rising"))
        rows.append(down.assign(direction="declining"))
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]
