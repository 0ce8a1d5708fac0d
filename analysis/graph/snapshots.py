"""Change over time: follows gained and lost between snapshots, the graph as of a date.

The ``follows`` table keeps, per link, ``first_seen_at`` (the earliest snapshot
that saw it) and ``observed_at`` (the latest). The snapshot dates are the
distinct values of those two columns; a link is taken to be present in every
snapshot from its first to its last sighting. This assumes each snapshot
re-collected the same accounts' followers: a link missing from a later
snapshot is then a follow lost (an unfollow, or an account gone protected or
deleted). A link that disappears and comes back in between is not seen as lost.
For exact histories, pass a **snapshot log** — one row per link per snapshot
(``follower_id``, ``followed_id``, ``observed_at``) — through
:func:`follow_history`, which gives the same shape as ``follows``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.errors import UsageError

KEY = ["follower_id", "followed_id"]


def _ts(value: str | date) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def snapshot_dates(follows: pd.DataFrame) -> list[pd.Timestamp]:
    """Return the distinct snapshot dates of a follows table, oldest first.

    Parameters
    ----------
    follows : pandas.DataFrame
        Follows table with ``first_seen_at`` and ``observed_at`` columns (missing dates ignored).

    Returns
    -------
    list of pandas.Timestamp
        Each snapshot date once, oldest first.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> [f"{d:%Y-%m-%d}" for d in snapshot_dates(tiny_tables().follows)]
    ['2026-01-01', '2026-07-01']
    """
    dates = pd.concat([follows["first_seen_at"], follows["observed_at"]]).dropna().unique()
    return sorted(_ts(d) for d in dates)


def follow_history(log: pd.DataFrame) -> pd.DataFrame:
    """Collapse a snapshot log (a row per link per snapshot) to ``follows``' shape.

    Each link gets ``first_seen_at`` (its first snapshot) and ``observed_at`` (its last).

    Parameters
    ----------
    log : pandas.DataFrame
        Snapshot log: ``follower_id``, ``followed_id``, ``observed_at``.

    Returns
    -------
    pandas.DataFrame
        One row per link with ``first_seen_at`` and ``observed_at``.

    Examples
    --------
    >>> log = pd.DataFrame({"follower_id": [1, 1, 2], "followed_id": [2, 2, 1],
    ...                     "observed_at": pd.to_datetime(["2026-01-01", "2026-07-01", "2026-07-01"], utc=True)})
    >>> follow_history(log)["first_seen_at"].dt.month.tolist()
    [1, 7]
    """
    missing = [c for c in [*KEY, "observed_at"] if c not in log.columns]
    if missing:
        raise UsageError(
            f"the snapshot log lacks column(s) {missing}; it needs {KEY + ['observed_at']}."
        )
    g = log.groupby(KEY, sort=True)["observed_at"]
    return pd.DataFrame({"first_seen_at": g.min(), "observed_at": g.max()}).reset_index()


def follows_as_of(follows: pd.DataFrame, date: str | date) -> pd.DataFrame:
    """Return the follow links present at ``date``: as of the last snapshot on or before it.

    Parameters
    ----------
    follows : pd.DataFrame
        The ``follows`` table.
    date : str or datetime.date
        A date or time (a ``pd.Timestamp``, a ``datetime``; UTC if it names no time zone).

    Returns
    -------
    pd.DataFrame
        The rows of ``follows`` present then.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> f = follows_as_of(tiny_tables().follows, "2026-03-01")
    >>> sorted(zip(f.follower_id, f.followed_id))
    [(1, 2), (3, 1)]
    """
    when = _ts(date)
    dates = [d for d in snapshot_dates(follows) if d <= when]
    if not dates:
        return follows.iloc[0:0].copy()
    snap = dates[-1]
    present = (follows["first_seen_at"] <= snap) & (follows["observed_at"] >= snap)
    return follows.loc[present].reset_index(drop=True)


def follow_changes(follows: pd.DataFrame, before: str | date, after: str | date) -> pd.DataFrame:
    """Return the follows gained and lost between the snapshots as of ``before`` and ``after``.

    Parameters
    ----------
    follows : pd.DataFrame
        The ``follows`` table.
    before, after : str or datetime.date
        Two dates (:func:`follows_as_of`).

    Returns
    -------
    pd.DataFrame
        One row per changed link: ``follower_id``, ``followed_id``, ``change`` (``gained`` or
        ``lost``), ``first_seen_at``, ``last_seen_at``; sorted.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> follow_changes(tiny_tables().follows, "2026-01-01", "2026-07-01")[["follower_id", "followed_id", "change"]].values.tolist()
    [[2, 1, 'gained'], [3, 1, 'lost']]
    """
    if _ts(after) < _ts(before):
        raise UsageError("`after` is earlier than `before`; swap the two dates.")
    a = follows_as_of(follows, before).set_index(KEY)
    b = follows_as_of(follows, after).set_index(KEY)
    gained = b.loc[b.index.difference(a.index)].assign(change="gained")
    lost = a.loc[a.index.difference(b.index)].assign(change="lost")
    out = pd.concat([gained, lost]).reset_index()
    out = out.rename(columns={"observed_at": "last_seen_at"})
    cols = [*KEY, "change", "first_seen_at", "last_seen_at"]
    return out.loc[:, cols].sort_values([*KEY, "change"], ignore_index=True)


def change_summary(follows: pd.DataFrame) -> pd.DataFrame:
    """Count, per pair of consecutive snapshots, the links before, gained, lost and after.

    Parameters
    ----------
    follows : pd.DataFrame
        The ``follows`` table (``first_seen_at`` and ``observed_at`` date each link).

    Returns
    -------
    pd.DataFrame
        Columns ``before``, ``after``, ``links_before``, ``gained``, ``lost``, ``links_after``.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> change_summary(tiny_tables().follows)[["links_before", "gained", "lost", "links_after"]].values.tolist()
    [[2, 1, 1, 2]]
    """
    dates = snapshot_dates(follows)
    rows = []
    for before, after in zip(dates, dates[1:], strict=False):
        ch = follow_changes(follows, before, after)
        rows.append(
            {
                "before": before,
                "after": after,
                "links_before": len(follows_as_of(follows, before)),
                "gained": int((ch["change"] == "gained").sum()),
                "lost": int((ch["change"] == "lost").sum()),
                "links_after": len(follows_as_of(follows, after)),
            }
        )
    cols = ["before", "after", "links_before", "gained", "lost", "links_after"]
    return pd.DataFrame(rows, columns=cols)


def describe_snapshots(follows: pd.DataFrame) -> str:
    """Return the follower snapshots a dataset holds, in one sentence.

    Parameters
    ----------
    follows : pd.DataFrame
        The ``follows`` table.

    Returns
    -------
    str
        How many snapshots, their span and the follows gained and lost.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> describe_snapshots(tiny_tables().follows)
    '2 follower snapshots, 2026-01-01 to 2026-07-01: 1 follows gained and 1 lost in all.'
    """
    dates = snapshot_dates(follows)
    if not dates:
        return "Nothing to show: this dataset has no follow links, so no snapshot to compare."
    if len(dates) == 1:
        return (
            f"One follower snapshot ({dates[0]:%Y-%m-%d}): nothing to compare yet; collect the "
            "followers again later to see follows gained and lost."
        )
    s = change_summary(follows)
    return (
        f"{len(dates)} follower snapshots, {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}: "
        f"{int(s['gained'].sum()):,} follows gained and {int(s['lost'].sum()):,} lost in all."
    )
