"""Flagged content in a dataset: by role and identity style, examples, and the demo's planted set."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis import settings
from analysis.confidentiality.check import RISK_LEVELS, check_tweets, evaluate, redact
from analysis.errors import UnknownDatasetError
from analysis.ground_truth import load_ground_truth
from analysis.privacy import (
    MENTION_RE,
    URL_PLACEHOLDER,
    URL_RE,
    anonymise_frame,
    protected_tweet_ids,
    suppress_small_cells,
)


def planted_labels(tweets: pd.DataFrame, planted: Iterable[dict]) -> pd.Series:
    """Labels for every tweet from a planted set (``tweet_id``, ``breach``); others are False.

    A retweet carries the text of its original, so it inherits the original's label.
    Used by the validation cells and tests with the demo's ground truth.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets with tweet_id and retweet_of_tweet_id.
    planted : Iterable of dict
        Planted tweets, each with tweet_id (int or text) and breach (bool).

    Returns
    -------
    pandas.Series
        Boolean label per tweet, aligned with tweets.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2, 3], "retweet_of_tweet_id": [None, 1, None]})
    >>> planted_labels(tw, [{"tweet_id": "1", "breach": True}]).tolist()
    [True, True, False]
    """
    breach = {int(p["tweet_id"]) for p in planted if p["breach"]}
    own = tweets["tweet_id"].isin(breach)
    shared = tweets["retweet_of_tweet_id"].isin(breach).fillna(False).astype(bool)
    return (own | shared).astype(bool)


def flag_tweets(tables) -> pd.DataFrame:
    """Every tweet with text, checked: ``tweet_id``, ``author_id``, ``is_retweet``, ``risk``, ``cues``.

    Retweets are kept but marked: a retweet spreads a breach without writing it.
    The named-entity pass runs on tweets in a care situation only
    (``check_texts(..., ner="care")``): the risk of every tweet is that of the
    full pass, and ``cues`` of a tweet outside a care situation are the rules'.
    The learnt model (:mod:`analysis.confidentiality.learnt`) scores every tweet the
    rules do not flag ``high``; its flags carry ``learnt`` cues.

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``tweets``, ``users``), anonymised or not.

    Returns
    -------
    pandas.DataFrame
        One row per tweet with text and the columns above.
    """
    tw = tables.tweets[["tweet_id", "author_id", "text", "retweet_of_tweet_id"]]
    tw = tw[tw["text"].notna()]
    out = check_tweets(tw, ner="care")
    out["is_retweet"] = out["retweet_of_tweet_id"].notna()
    return out.drop(columns=["text", "retweet_of_tweet_id"]).reset_index(drop=True)


def _with_labels(users: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    base = users[["user_id"]].copy()
    if labels is None or labels.empty:
        base["role"], base["identity"] = "unknown", "unknown"
        return base
    lab = labels[["user_id", "role", "identity"]].drop_duplicates("user_id")
    base = base.merge(lab, on="user_id", how="left")
    return base.fillna({"role": "unknown", "identity": "unknown"})


def flag_rates(
    tables, labels: pd.DataFrame | None = None, by: str = "identity", k: int | None = None
) -> pd.DataFrame:
    """How often accounts of each group post tweets flagged ``high`` (own tweets, not retweets).

    ``labels`` is an optional frame (``user_id``, ``role``, ``identity``), e.g.
    from :mod:`analysis.accounts`; without it every account is ``unknown``.
    Columns: the group, ``accounts`` (accounts with at least one own tweet),
    ``accounts_flagged``, ``tweets``, ``tweets_flagged`` and the shares. With
    ``k``, counts of fewer than ``k`` accounts are suppressed and their shares
    blanked (anonymised outputs).

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``tweets``, ``users``), anonymised or not.
    labels : pandas.DataFrame or None, optional
        Account labels; None puts every account in unknown.
    by : str, default "identity"
        Grouping column of labels: "identity" or "role".
    k : int or None, optional
        Smallest count of accounts shown; None suppresses nothing.

    Returns
    -------
    pandas.DataFrame
        One row per group with the columns above.

    Examples
    --------
    >>> from analysis.tables import Tables
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "author_id": [7, 8], "retweet_of_tweet_id": [None, None],
    ...                    "text": ["Ma patiente de 45 ans, une femme, ce matin à Brest", "Bonne garde"]})
    >>> t = Tables(tw, pd.DataFrame({"user_id": [7, 8]}), *[pd.DataFrame()] * 4)
    >>> flag_rates(t)[["identity", "accounts", "accounts_flagged"]].values.tolist()
    [['unknown', 2, 1]]
    """
    if by not in ("role", "identity"):
        raise ValueError("by must be 'role' or 'identity'")
    flags = flag_tweets(tables)
    own = flags[~flags["is_retweet"]].copy()
    own["high"] = own["risk"] == "high"
    per_account = own.groupby("author_id").agg(tweets=("high", "size"), flagged=("high", "sum"))
    groups = _with_labels(tables.users, labels).set_index("user_id")[by]
    per_account[by] = groups.reindex(per_account.index).fillna("unknown").to_numpy()
    out = per_account.groupby(by).agg(
        accounts=("tweets", "size"),
        accounts_flagged=("flagged", lambda s: int((s > 0).sum())),
        tweets=("tweets", "sum"),
        tweets_flagged=("flagged", "sum"),
    )
    out = out.reset_index().astype(
        {c: "int64" for c in ("accounts", "accounts_flagged", "tweets", "tweets_flagged")}
    )
    out["share_accounts_flagged"] = out["accounts_flagged"] / out["accounts"]
    out["per_1000_tweets"] = 1000 * out["tweets_flagged"] / out["tweets"]
    out = out.sort_values(by, ignore_index=True)
    if k is not None:
        out = suppress_small_cells(out, k=k, columns=["accounts", "accounts_flagged"])
        for col in ("tweets", "tweets_flagged"):
            out[col] = out[col].astype("Int64")
        # a cell about fewer than k accounts goes with everything derived from it
        out.loc[out["accounts"].isna(), "tweets"] = pd.NA
        small = out["accounts"].isna() | out["accounts_flagged"].isna()
        out.loc[small, "tweets_flagged"] = pd.NA
        out.loc[small, ["share_accounts_flagged", "per_1000_tweets"]] = float("nan")
    return out


def flagged_examples(
    tables,
    labels: pd.DataFrame | None = None,
    n: int = 5,
    risk: str = "high",
    seed: int | None = None,
) -> pd.DataFrame:
    """Return a few flagged tweets to read, always pseudonymised and redacted.

    The author is shown as "account 1", "account 2"... (numbered for this table
    only), with role and identity if ``labels`` gives them; the text has its
    identifying details replaced by "[…]", URLs removed and @mentions replaced
    by "@account". Tweets by protected accounts, and retweets, are never shown.

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``tweets``, ``users``), anonymised or not.
    labels : pandas.DataFrame or None, optional
        Account labels giving each author's role and identity; None leaves them out.
    n : int, default 5
        Most tweets shown.
    risk : str, default "high"
        Risk level of the tweets shown: "high" or "low".
    seed : int or None, optional
        Seed of the random pick; None uses settings.SEED.

    Returns
    -------
    pandas.DataFrame
        Columns account, role, identity, risk, cues, redacted_text.
    """
    seed = settings.SEED if seed is None else seed

    flags = flag_tweets(tables)
    hidden = protected_tweet_ids(tables)
    pick = flags[(flags["risk"] == risk) & ~flags["is_retweet"] & ~flags["tweet_id"].isin(hidden)]
    if pick.empty:
        return pd.DataFrame(
            columns=["account", "role", "identity", "risk", "cues", "redacted_text"]
        )
    pick = pick.sample(n=min(n, len(pick)), random_state=seed).sort_values("tweet_id")
    texts = tables.tweets.set_index("tweet_id").loc[pick["tweet_id"], "text"]
    groups = _with_labels(tables.users, labels).set_index("user_id")
    numbers = {a: i + 1 for i, a in enumerate(dict.fromkeys(pick["author_id"]))}
    rows = []
    for (_, row), text in zip(pick.iterrows(), texts, strict=True):
        clean = MENTION_RE.sub("@account", URL_RE.sub(URL_PLACEHOLDER, text))
        g = groups.loc[row["author_id"]] if row["author_id"] in groups.index else None
        rows.append(
            {
                "account": f"account {numbers[row['author_id']]}",
                "role": g["role"] if g is not None else "unknown",
                "identity": g["identity"] if g is not None else "unknown",
                "risk": row["risk"],
                "cues": row["cues"],
                "redacted_text": redact(clean),
            }
        )
    return pd.DataFrame(rows)


def risk_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Tweets per risk level, own tweets and retweets apart (from :func:`flag_tweets`).

    Parameters
    ----------
    flags : pandas.DataFrame
        Result of :func:`flag_tweets` (risk, is_retweet).

    Returns
    -------
    pandas.DataFrame
        One row per level (none, low, high): the level, own tweets, retweets.

    Examples
    --------
    >>> f = pd.DataFrame({"risk": ["none", "high", "high"], "is_retweet": [False, False, True]})
    >>> risk_counts(f).values.tolist()
    [['none', 1, 0], ['low', 0, 0], ['high', 1, 1]]
    """
    own = flags.loc[~flags["is_retweet"], "risk"].value_counts()
    rts = flags.loc[flags["is_retweet"], "risk"].value_counts()
    return pd.DataFrame(
        {
            "risk": list(RISK_LEVELS),
            "own_tweets": [int(own.get(r, 0)) for r in RISK_LEVELS],
            "retweets": [int(rts.get(r, 0)) for r in RISK_LEVELS],
        }
    )


def planted_validation(
    tables, dataset: str, k: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision/recall on a demo dataset's planted set, and flag rates by planted identity.

    Reads the demo's ground truth (validation only); for a dataset without one,
    returns two empty frames. Works on anonymised tables too: the planted ids are
    pseudonymised with the same key.

    Parameters
    ----------
    tables : Tables
        A loaded dataset (``tweets``, ``users``), anonymised or not.
    dataset : str
        The dataset's name, whose ground truth holds the planted tweets.
    k : int or None, optional
        Smallest count of accounts shown in the flag rates; None suppresses nothing.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.DataFrame)
        Scores per threshold (flagged_at, precision, recall...) and :func:`flag_rates` by planted identity.
    """
    try:
        truth = load_ground_truth(dataset)
    except UnknownDatasetError:
        return pd.DataFrame(), pd.DataFrame()
    labels = pd.DataFrame(truth["accounts"], columns=["user_id", "role", "identity"])
    planted = pd.DataFrame(
        truth.get("confidentiality", {}).get("tweets", []), columns=["tweet_id", "breach"]
    )
    labels["user_id"] = labels["user_id"].astype("int64")
    planted["tweet_id"] = planted["tweet_id"].astype("int64")
    if tables.meta.get("anonymised"):
        labels, planted = anonymise_frame(labels), anonymise_frame(planted)
    y = planted_labels(tables.tweets, planted.to_dict("records"))
    text = tables.tweets["text"].fillna("")
    scores = pd.DataFrame(
        [
            {"flagged_at": level, **evaluate(text, y, threshold=level, ner="care")}
            for level in ("high", "low")
        ]
    )
    return scores, flag_rates(tables, labels, by="identity", k=k)
