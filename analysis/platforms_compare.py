"""The platforms of one dataset side by side: who moved, reciprocity, identity style, posts over time.

A dataset may hold X, Bluesky and Mastodon rows (:mod:`analysis.platforms`).
These functions compare them for notebook 07; on a dataset of one platform they
describe that platform alone (one row, one column), never fail.

- :func:`dataset_platforms` and :func:`describe_platforms`: which platforms, in a sentence.
- :func:`platform_summary`: per platform, accounts, posts, first and last post, follow
  links among its accounts, their reciprocity, and the share of each identity style.
- :func:`moved_accounts`: likely same-person accounts across platforms
  (:func:`analysis.platforms.platform_pairs_from_tables`) with each account's first post,
  and which platform it posted on first.
- :func:`posts_per_month`: posts per calendar month (UTC) and platform.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.platforms import PLATFORMS, X, platform_pairs_from_tables

if TYPE_CHECKING:
    from analysis.tables import Tables

#: Identity styles (``analysis.accounts``) shown per platform, in this order.
IDENTITIES: tuple[str, ...] = ("nominative", "anonymous", "institutional", "unknown")


def _platform_of(frame: pd.DataFrame) -> pd.Series:
    """Return the ``platform`` column (``x`` where it is missing or null: datasets before the column)."""
    if "platform" not in frame.columns:
        return pd.Series(X, index=frame.index, dtype=object)
    return frame["platform"].astype(object).where(frame["platform"].notna(), X)


def dataset_platforms(tables: Tables) -> list[str]:
    """Return the platforms a dataset's accounts and posts are on, in ``x, bluesky, mastodon`` order.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.

    Returns
    -------
    list of str
        The platforms' names.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> dataset_platforms(tiny_tables())
    ['x']
    """
    held = set(_platform_of(tables.users)) | set(_platform_of(tables.tweets))
    return [p for p in PLATFORMS if p in held] or [X]


def describe_platforms(tables: Tables) -> str:
    """Describe the platforms the dataset holds, and whether there is anything to compare.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.

    Returns
    -------
    str
        One sentence.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> describe_platforms(tiny_tables())  # doctest: +ELLIPSIS
    'This dataset holds one platform (x): ... nothing to compare across platforms...'
    """
    held = dataset_platforms(tables)
    users = _platform_of(tables.users).value_counts()
    counts = ", ".join(f"{p} ({int(users.get(p, 0)):,} accounts)" for p in held)
    if len(held) == 1:
        return (
            f"This dataset holds one platform ({held[0]}): there is nothing to compare across "
            "platforms, so the tables below describe it alone and no account can have moved."
        )
    return f"This dataset holds {len(held)} platforms: {counts}."


def _reciprocity(follows: pd.DataFrame) -> float:
    """Share of follow links followed back (NaN without links)."""
    if follows.empty:
        return float("nan")
    pairs = set(zip(follows["follower_id"], follows["followed_id"], strict=True))
    return sum((b, a) in pairs for a, b in pairs) / len(pairs)


def platform_summary(tables: Tables, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Summarise each platform: its accounts, posts, follow links, reciprocity and identity styles.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.
    labels : pd.DataFrame, optional
        Account labels (:func:`analysis.accounts.labels_from_tables`), for the identity shares.

    Returns
    -------
    pd.DataFrame
        One row per platform.

    Notes
    -----
    Columns: ``platform``, ``accounts``, ``posts``, ``first_post``, ``last_post`` (UTC),
    ``follow_links`` (between accounts of the dataset on that platform), ``reciprocity``
    (share of those links followed back), and ``share_<identity>`` for each identity style of
    ``labels`` (:func:`analysis.accounts.labels_from_tables`; left out when ``labels`` is None).

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> platform_summary(tiny_tables())[["platform", "accounts"]].values.tolist()
    [['x', 3]]
    """
    users = tables.users.assign(platform=_platform_of(tables.users))
    tweets = tables.tweets.assign(platform=_platform_of(tables.tweets))
    of_user = dict(zip(users["user_id"], users["platform"], strict=True))
    follows = tables.follows
    link_platform = follows["follower_id"].map(of_user)
    same = link_platform.notna() & (link_platform == follows["followed_id"].map(of_user))
    rows = []
    for p in dataset_platforms(tables):
        posted = tweets.loc[tweets["platform"] == p, "created_at"].dropna()
        links = follows[same & (link_platform == p)]
        row = {
            "platform": p,
            "accounts": int((users["platform"] == p).sum()),
            "posts": int((tweets["platform"] == p).sum()),
            "first_post": posted.min() if len(posted) else pd.NaT,
            "last_post": posted.max() if len(posted) else pd.NaT,
            "follow_links": len(links),
            "reciprocity": _reciprocity(links),
        }
        if labels is not None:
            ident = labels.loc[labels["user_id"].map(of_user) == p, "identity"]
            for name in IDENTITIES:
                row[f"share_{name}"] = float((ident == name).mean()) if len(ident) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def first_posts(tables: Tables) -> pd.Series:
    """Return each account's first post (UTC), indexed by ``user_id`` (accounts that posted only).

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.

    Returns
    -------
    pd.Series
        The time of each account's first post.
    """
    tw = tables.tweets.dropna(subset=["created_at"])
    return tw.groupby("author_id")["created_at"].min().rename("first_post")


def moved_accounts(tables: Tables, min_score: int = 1) -> pd.DataFrame:
    """Find likely same-person accounts on two platforms, with each one's first post.

    The pairs of :func:`analysis.platforms.platform_pairs_from_tables` scoring at least
    ``min_score`` (pseudonyms on anonymised tables), with ``first_post_a`` and
    ``first_post_b`` (UTC; empty for an account without posts in the dataset) and
    ``posted_first_on``: the platform of the account that posted first (empty unless
    both posted).

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.
    min_score : int
        The lowest evidence score kept.

    Returns
    -------
    pd.DataFrame
        One row per pair.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> moved_accounts(tiny_tables()).empty
    True
    """
    pairs = platform_pairs_from_tables(tables)
    pairs = pairs[pairs["score"] >= min_score].reset_index(drop=True)
    first = first_posts(tables)
    pairs["first_post_a"] = pairs["user_id_a"].map(first)
    pairs["first_post_b"] = pairs["user_id_b"].map(first)
    a_first = pairs["first_post_a"] <= pairs["first_post_b"]
    both = pairs["first_post_a"].notna() & pairs["first_post_b"].notna()
    pairs["posted_first_on"] = pairs["platform_a"].where(a_first, pairs["platform_b"]).where(both)
    order = [
        "platform_a",
        "username_a",
        "first_post_a",
        "platform_b",
        "username_b",
        "first_post_b",
        "posted_first_on",
        "score",
        "evidence",
        "user_id_a",
        "user_id_b",
    ]
    return pairs[order]


def posts_per_month(tables: Tables) -> pd.DataFrame:
    """Count posts per calendar month (UTC) and platform, with no gap in the months.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.

    Returns
    -------
    pd.DataFrame
        Indexed by month start (``month``), one column per platform; empty without posts.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> list(posts_per_month(tiny_tables()).columns)
    ['x']
    """
    tw = tables.tweets.dropna(subset=["created_at"])
    if tw.empty:
        return pd.DataFrame()
    month = tw["created_at"].dt.tz_localize(None).dt.to_period("M")
    counts = pd.crosstab(month, _platform_of(tw))
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    counts = counts.reindex(full, fill_value=0)
    counts = counts[[p for p in PLATFORMS if p in counts.columns]]
    counts.index = counts.index.to_timestamp()
    counts.index.name = "month"
    counts.columns.name = "platform"
    return counts


def describe_moved(moved: pd.DataFrame, tables: Tables) -> str:
    """Describe :func:`moved_accounts`' pairs: how many, how strong, who posted first where.

    Parameters
    ----------
    moved : pd.DataFrame
        :func:`moved_accounts`' result.
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`), anonymised or not.

    Returns
    -------
    str
        One sentence.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> t = tiny_tables()
    >>> describe_moved(moved_accounts(t), t)  # doctest: +ELLIPSIS
    'One platform only (x): no account can be on two platforms here.'
    """
    held = dataset_platforms(tables)
    if len(held) == 1:
        return f"One platform only ({held[0]}): no account can be on two platforms here."
    if moved.empty:
        return (
            f"No likely same-person accounts across {', '.join(held)}: no bio names an "
            "account on another platform and no handle is shared."
        )
    strong = int((moved["score"] >= 2).sum())
    first = moved["posted_first_on"].value_counts()
    order = ", ".join(f"{int(n):,} on {p}" for p, n in first.items()) or "none has posts on both"
    return (
        f"{len(moved):,} likely same-person pair(s) of accounts across platforms, {strong:,} "
        f"with a bio naming the other account (score 2 or more), the rest by the same handle "
        f"only; where both posted, the first post was {order}. Nothing is merged."
    )


def describe_summary(summary: pd.DataFrame) -> str:
    """Describe :func:`platform_summary`'s reciprocity and nominative share, one sentence each.

    Parameters
    ----------
    summary : pd.DataFrame
        :func:`platform_summary`'s result.

    Returns
    -------
    str
        The sentences.

    Examples
    --------
    >>> s = pd.DataFrame({"platform": ["x"], "follow_links": [10], "reciprocity": [0.3],
    ...                   "share_nominative": [0.5]})
    >>> describe_summary(s)
    'Follow links followed back: 30.0% of 10 on x. Accounts under a personal name: 50.0% on x.'
    """
    links = [
        f"{r.reciprocity:.1%} of {int(r.follow_links):,} on {r.platform}"
        for r in summary.itertuples()
        if pd.notna(r.reciprocity)
    ]
    text = (
        "Follow links followed back: " + ", ".join(links) + "."
        if links
        else "No follow links between accounts of one platform: no reciprocity to compare."
    )
    if "share_nominative" in summary.columns:
        named = [
            f"{s:.1%} on {p}"
            for p, s in zip(summary["platform"], summary["share_nominative"], strict=True)
            if pd.notna(s)
        ]
        if named:
            text += " Accounts under a personal name: " + ", ".join(named) + "."
    return text
