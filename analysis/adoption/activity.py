"""Activity over time: tweets per week, kinds of tweets, active accounts, retention.

These functions count the tweets a collection asked for (``collected``),
because tweets seen only in ``includes`` are a biased sample (originals of
retweets and replies). Groups (role, identity) come from an optional
``labels`` frame with ``user_id`` and the group column; without it, every
account is in the group ``"all"``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.adoption.adopters import adoption_table, with_groups
from analysis.frames import count_by, map_partitions, period_start
from analysis.tables import Tables


def tweet_kinds(tweets: pd.DataFrame) -> pd.Series:
    """Return each tweet's kind: ``retweet``, ``reply``, ``quote`` or ``original``.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets with ``retweet_of_tweet_id``, ``reply_to_tweet_id`` and ``quote_of_tweet_id``.

    Returns
    -------
    pandas.Series
        ``kind``, on ``tweets``' index (a retweet that replies counts as a retweet).

    Examples
    --------
    >>> tw = pd.DataFrame({"retweet_of_tweet_id": [None, 5, None],
    ...                    "reply_to_tweet_id": [None, None, 4], "quote_of_tweet_id": [None] * 3})
    >>> tweet_kinds(tw).tolist()
    ['original', 'retweet', 'reply']
    """
    kind = np.select(
        [
            tweets["retweet_of_tweet_id"].notna(),
            tweets["reply_to_tweet_id"].notna(),
            tweets["quote_of_tweet_id"].notna(),
        ],
        ["retweet", "reply", "quote"],
        default="original",
    )
    return pd.Series(kind, index=tweets.index, name="kind")


def _collected(tables: Tables) -> pd.DataFrame:
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw.columns else tw
    # a filter rather than dropna(subset=...): Dask's optimiser breaks the latter once a column is picked
    tw = tw[~tw["author_id"].isna() & ~tw["created_at"].isna()]
    return tw.assign(author_id=tw["author_id"].astype("int64"))


def _grouped_tweets(tables: Tables, labels: pd.DataFrame | None, by: str | None) -> pd.DataFrame:
    return with_groups(_collected(tables).rename(columns={"author_id": "user_id"}), labels, by)


def _tweets_per_period(
    tables: Tables, freq: str, labels: pd.DataFrame | None, by: str | None
) -> pd.DataFrame:
    """Count collected tweets per account and period (``user_id``, ``_period``, ``n``), with ``group``.

    The one scan over every tweet (on the cluster for Dask tables); a row per
    account and period it tweeted in comes back.
    """
    tw = _collected(tables)
    tw = tw.assign(_period=map_partitions(tw["created_at"], period_start, freq))
    per = count_by(tw, ["author_id", "_period"]).rename(columns={"author_id": "user_id"})
    per["_period"] = per["_period"].dt.to_period(freq)
    return with_groups(per, labels, by)


def _per_period(per: pd.DataFrame, freq: str, distinct_accounts: bool) -> pd.DataFrame:
    """Per period (no gap) and group: tweets or distinct accounts, and accounts started by then."""
    period = per["_period"]
    full = pd.period_range(period.min(), period.max(), freq=freq)
    grouped = per.groupby(["_period", "group"])
    # one row per account and period: its accounts are its rows, its tweets the sum of n
    counts = grouped.size() if distinct_accounts else grouped["n"].sum()
    counts = counts.unstack(fill_value=0).reindex(full, fill_value=0)
    first = per.groupby(["user_id", "group"])["_period"].min().reset_index()
    started = pd.crosstab(first["_period"], first["group"]).reindex(full, fill_value=0).cumsum()
    counts = counts.reindex(columns=started.columns, fill_value=0)
    counts.index = started.index = full.to_timestamp()
    out = counts.stack().rename("n").to_frame()
    out["started"] = started.stack()
    return out.reset_index()


def _activity(
    tables: Tables,
    freq: str,
    labels: pd.DataFrame | None,
    by: str | None,
    distinct_accounts: bool,
    columns: list[str],
) -> pd.DataFrame:
    """Per period and group: a count, the accounts started by then, and their ratio (``columns``)."""
    per = _tweets_per_period(tables, freq, labels, by)
    if per.empty:
        return pd.DataFrame(columns=columns)
    period, group, count, started, ratio = columns
    out = _per_period(per, freq, distinct_accounts)
    out.columns = [period, group, count, started]
    out[ratio] = out[count] / out[started].where(out[started] > 0)
    return out.sort_values([group, period], ignore_index=True)[columns]


def weekly_activity(
    tables: Tables,
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Count tweets per week (weeks start Monday, UTC) by group, with the accounts behind them.

    The denominator ``accounts`` is the number of the group's accounts that had
    already posted their first tweet in the dataset by the end of the week (the
    accounts that *could* tweet then); ``tweets_per_account`` divides by it.
    Weeks run without a gap. On Dask tables the tweets per account and week
    are counted on the cluster, the rest locally.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    labels, by
        Optional account labels and the column to group by (see :func:`with_groups`).

    Returns
    -------
    pandas.DataFrame
        Long frame: ``week``, ``group``, ``tweets``, ``accounts``, ``tweets_per_account``.
    """
    cols = ["week", "group", "tweets", "accounts", "tweets_per_account"]
    return _activity(tables, "W-SUN", labels, by, distinct_accounts=False, columns=cols)


def tweet_type_shares(
    tables: Tables, freq: str = "Y", labels: pd.DataFrame | None = None, by: str | None = None
) -> pd.DataFrame:
    """Return the share of originals, replies, retweets and quotes per period (and group).

    The denominator is every collected tweet of the period and group (column
    ``tweets``); periods run without a gap, and a period with no tweet has
    ``tweets`` 0 and NaN shares rather than disappearing.

    Parameters
    ----------
    tables : Tables
        The dataset.
    freq : str
        A pandas period frequency (``"Y"``, ``"Q"``, ``"M"``).
    labels, by
        Optional account labels and the column to group by (see :func:`with_groups`).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``group``, ``tweets`` and one share column per kind.
    """
    tw = _grouped_tweets(tables, labels, by)
    kinds = ["original", "reply", "retweet", "quote"]
    if tw.empty:
        return pd.DataFrame(columns=["period", "group", "tweets", *kinds])
    period = tw["created_at"].dt.tz_localize(None).dt.to_period(freq)
    tw = tw.assign(period=period, kind=tweet_kinds(tw))
    full = pd.period_range(period.min(), period.max(), freq=freq)
    groups = sorted(tw["group"].unique())
    idx = pd.MultiIndex.from_product([full, groups], names=["period", "group"])
    counts = pd.crosstab([tw["period"], tw["group"]], tw["kind"]).reindex(idx, fill_value=0)
    counts = counts.reindex(columns=kinds, fill_value=0)
    total = counts.sum(axis=1)
    shares = counts.div(total.where(total > 0), axis=0)
    out = shares.assign(tweets=total).reset_index()
    out["period"] = out["period"].dt.start_time
    return out[["period", "group", "tweets", *kinds]]


def active_accounts(
    tables: Tables,
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Count accounts active (at least one collected tweet) per calendar month, and their share.

    The denominator ``adopted`` counts the group's accounts whose first tweet
    in the dataset falls in or before the month; ``share_active`` is
    ``active / adopted``. Months run without a gap.

    Parameters
    ----------
    tables : Tables
        The dataset.
    labels, by
        Optional account labels and the column to group by (see :func:`with_groups`).

    Returns
    -------
    pandas.DataFrame
        ``month``, ``group``, ``active``, ``adopted``, ``share_active``.
    """
    cols = ["month", "group", "active", "adopted", "share_active"]
    return _activity(tables, "M", labels, by, distinct_accounts=True, columns=cols)


def retention(
    tables: Tables,
    months: Iterable[int] = (1, 3, 6, 12, 24, 60),
    adoption: pd.DataFrame | None = None,
    column: str = "first_tweet_at",
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Return the share of accounts still active N months after adopting.

    An account is *retained at N months* if it posts a collected tweet at least
    N months after its adoption date (``column`` of :func:`adoption_table`).
    The denominator ``eligible`` counts only accounts that adopted at least N
    months before the last tweet of the dataset: the others could not yet have
    been seen N months on, and counting them would bias the share downward.

    Parameters
    ----------
    tables : Tables
        The dataset.
    months : iterable of int
        The delays N, in months.
    adoption : pandas.DataFrame, optional
        An :func:`adoption_table` (computed when not given).
    column : str
        The adoption date retention counts from.
    labels, by
        Optional account labels and the column to group by (see :func:`with_groups`).

    Returns
    -------
    pandas.DataFrame
        ``months_after``, ``group``, ``eligible``, ``retained``, ``share_retained``.
    """
    adoption = adoption if adoption is not None else adoption_table(tables)
    tw = _collected(tables)
    cols = ["months_after", "group", "eligible", "retained", "share_retained"]
    if tw.empty:
        return pd.DataFrame(columns=cols)
    end = tw["created_at"].max()
    last = tw.groupby("author_id")["created_at"].max()
    acc = with_groups(adoption.dropna(subset=[column]), labels, by)
    acc = acc.assign(last=acc["user_id"].map(last))
    rows = []
    for n in sorted(set(months)):
        due = acc[column] + pd.DateOffset(months=n)
        eligible = acc[due <= end]
        kept = eligible["last"] >= due[due <= end]
        for group in sorted(acc["group"].unique()):
            sel = eligible["group"] == group
            e, r = int(sel.sum()), int(kept[sel].sum())
            rows.append((n, group, e, r, r / e if e else np.nan))
    return pd.DataFrame(rows, columns=cols)
