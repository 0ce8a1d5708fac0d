"""A three-account dataset for the docstring examples (synthetic)."""

from __future__ import annotations

import pandas as pd

from analysis.tables import CONTRACT, Tables


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = CONTRACT[name].names
    df = pd.DataFrame(rows, columns=cols)
    for c in CONTRACT[name].columns:
        if str(c.type).startswith("timestamp"):
            df[c.name] = pd.to_datetime(df[c.name], utc=True)
    return df


def tiny_tables() -> Tables:
    """Three synthetic accounts: ``ordre`` (1), ``drmg`` (2) and ``anon`` (3).

    Follow links, seen in two snapshots (2026-01-01 and 2026-07-01): 1 -> 2 in both,
    2 -> 1 gained in the second, 3 -> 1 lost in the second. ``drmg`` replies twice to
    ``ordre`` (once mentioning it) and ``anon`` retweets ``ordre``.

    Examples
    --------
    >>> len(tiny_tables().follows)
    3
    """
    jan, jul = "2026-01-01", "2026-07-01"
    users = _frame(
        "users",
        [
            {
                "user_id": 1,
                "username": "ordre",
                "name": "Ordre",
                "protected": False,
                "followers_count": 9000,
            },
            {
                "user_id": 2,
                "username": "drmg",
                "name": "Dr MG",
                "protected": False,
                "followers_count": 300,
            },
            {
                "user_id": 3,
                "username": "anon",
                "name": "Dr Tortue",
                "protected": True,
                "followers_count": 50,
            },
        ],
    )
    follows = _frame(
        "follows",
        [
            {"follower_id": 1, "followed_id": 2, "first_seen_at": jan, "observed_at": jul},
            {"follower_id": 2, "followed_id": 1, "first_seen_at": jul, "observed_at": jul},
            {"follower_id": 3, "followed_id": 1, "first_seen_at": jan, "observed_at": jan},
        ],
    )
    tweets = _frame(
        "tweets",
        [
            {
                "tweet_id": 10,
                "author_id": 1,
                "created_at": jan,
                "text": "Vaccination #sante",
                "collected": True,
            },
            {
                "tweet_id": 11,
                "author_id": 2,
                "created_at": jan,
                "text": "@ordre merci #docstoctoc",
                "reply_to_tweet_id": 10,
                "reply_to_user_id": 1,
                "collected": True,
            },
            {
                "tweet_id": 12,
                "author_id": 3,
                "created_at": jan,
                "text": "RT @ordre: Vaccination #sante",
                "retweet_of_tweet_id": 10,
                "collected": True,
            },
            {
                "tweet_id": 13,
                "author_id": 2,
                "created_at": jul,
                "text": "Encore une question #docstoctoc",
                "reply_to_tweet_id": 10,
                "reply_to_user_id": 1,
                "collected": True,
            },
        ],
    )
    for col in ("author_id", "reply_to_tweet_id", "reply_to_user_id", "retweet_of_tweet_id"):
        tweets[col] = tweets[col].astype("Int64")
    hashtags = _frame(
        "hashtags",
        [
            {"tweet_id": 10, "tag": "sante", "tag_norm": "sante", "position": 0},
            {"tweet_id": 11, "tag": "docstoctoc", "tag_norm": "docstoctoc", "position": 0},
            {"tweet_id": 12, "tag": "sante", "tag_norm": "sante", "position": 0},
            {"tweet_id": 13, "tag": "docstoctoc", "tag_norm": "docstoctoc", "position": 0},
        ],
    )
    mentions = _frame("mentions", [{"tweet_id": 11, "username": "ordre", "user_id": 1}])
    mentions["user_id"] = mentions["user_id"].astype("Int64")
    return Tables(
        tweets,
        users,
        follows,
        hashtags,
        mentions,
        _frame("missing", []),
        meta={"name": "tiny", "synthetic": True},
    )


def tiny_labels() -> pd.DataFrame:
    """Role and identity of the three accounts of :func:`tiny_tables`."""
    return pd.DataFrame(
        {
            "user_id": [1, 2, 3],
            "role": ["institution", "physician", "physician"],
            "identity": ["institutional", "nominative", "anonymous"],
        }
    )
