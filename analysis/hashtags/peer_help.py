"""Peer help in a hashtag such as #docstoctoc: questions, their answers, and who answers.

A question is a collected tweet in the tag that starts a conversation; its
answers are the replies in that conversation by other accounts. Who answers
is counted by group when account ``labels`` (``user_id``, ``role``,
``identity``) are given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import UsageError
from analysis.tables import Tables


def peer_help_questions(tables: Tables, tag: str = "docstoctoc") -> pd.DataFrame:
    """Return the questions in a peer-help tag and what became of them.

    A *question* is a collected tweet carrying ``#tag`` (compared on
    ``tag_norm``) that starts a conversation (its ``conversation_id`` is its
    own id, and it is neither a reply nor a retweet). Its *answers* are the
    replies in the same conversation by accounts other than the asker.

    Parameters
    ----------
    tables : Tables
        The dataset.
    tag : str
        The peer-help tag, without ``#``.

    Returns
    -------
    pandas.DataFrame
        One row per question: ``tweet_id``, ``author_id``, ``created_at``, ``answers``,
        ``answerers``, ``answered``, ``first_answer_at``, ``hours_to_first_answer``.
    """
    cols = [
        "tweet_id",
        "author_id",
        "created_at",
        "answers",
        "answerers",
        "answered",
        "first_answer_at",
        "hours_to_first_answer",
    ]
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw else tw
    tagged = set(tables.hashtags.loc[tables.hashtags["tag_norm"] == tag.casefold(), "tweet_id"])
    q = tw[
        tw["tweet_id"].isin(tagged)
        & (tw["conversation_id"] == tw["tweet_id"])
        & tw["reply_to_tweet_id"].isna()
        & tw["retweet_of_tweet_id"].isna()
    ][["tweet_id", "author_id", "created_at"]]
    if q.empty:
        return pd.DataFrame(columns=cols)
    ans = answers_to(tables, q)
    agg = ans.groupby("conversation_id").agg(
        answers=("tweet_id", "size"),
        answerers=("author_id", "nunique"),
        first_answer_at=("created_at", "min"),
    )
    out = q.merge(agg, left_on="tweet_id", right_index=True, how="left")
    out["answers"] = out["answers"].fillna(0).astype("int64")
    out["answerers"] = out["answerers"].fillna(0).astype("int64")
    out["answered"] = out["answers"] > 0
    out["hours_to_first_answer"] = (
        out["first_answer_at"] - out["created_at"]
    ).dt.total_seconds() / 3600
    return out.sort_values("created_at", ignore_index=True)[cols]


def answers_to(tables: Tables, questions: pd.DataFrame) -> pd.DataFrame:
    """Return the replies in the questions' conversations by someone other than the asker.

    Parameters
    ----------
    tables : Tables
        The dataset.
    questions : pandas.DataFrame
        Questions with ``tweet_id`` and ``author_id`` (as :func:`peer_help_questions` gives).

    Returns
    -------
    pandas.DataFrame
        ``tweet_id``, ``conversation_id``, ``author_id``, ``created_at``.
    """
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw else tw
    asker = questions.set_index("tweet_id")["author_id"]
    rep = tw[tw["reply_to_tweet_id"].notna() & tw["conversation_id"].isin(asker.index)]
    rep = rep[rep["author_id"] != rep["conversation_id"].map(asker)]
    return rep[["tweet_id", "conversation_id", "author_id", "created_at"]].reset_index(drop=True)


def peer_help_summary(questions: pd.DataFrame) -> pd.DataFrame:
    """Return the questions, share answered and time to first answer (median and quartiles, hours).

    Parameters
    ----------
    questions : pandas.DataFrame
        A :func:`peer_help_questions` frame.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``value``.
    """
    answered = questions[questions["answered"].astype(bool)] if len(questions) else questions
    hours = answered["hours_to_first_answer"] if len(answered) else pd.Series(dtype=float)
    rows = [
        ("questions", len(questions)),
        ("answered", len(answered)),
        ("share answered", len(answered) / len(questions) if len(questions) else np.nan),
        ("median hours to first answer", hours.median()),
        ("25th percentile (hours)", hours.quantile(0.25) if len(hours) else np.nan),
        ("75th percentile (hours)", hours.quantile(0.75) if len(hours) else np.nan),
        (
            "answers per answered question (mean)",
            answered["answers"].mean() if len(answered) else np.nan,
        ),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def who_answers(
    tables: Tables, questions: pd.DataFrame, labels: pd.DataFrame | None = None, by: str = "role"
) -> pd.DataFrame:
    """Count answers and distinct answerers by group (``labels[by]``; ``"all"`` without labels).

    Parameters
    ----------
    tables : Tables
        The dataset.
    questions : pandas.DataFrame
        A :func:`peer_help_questions` frame.
    labels : pandas.DataFrame, optional
        Account labels.
    by : str
        The label column to group by (``role`` or ``identity``).

    Returns
    -------
    pandas.DataFrame
        ``group``, ``answers``, ``answerers``, ``share_of_answers``.
    """
    cols = ["group", "answers", "answerers", "share_of_answers"]
    if questions.empty:
        return pd.DataFrame(columns=cols)
    ans = answers_to(tables, questions)
    if ans.empty:
        return pd.DataFrame(columns=cols)
    if labels is None:
        group = pd.Series("all", index=ans.index)
    else:
        if by not in labels:
            raise UsageError(f"labels have no column {by!r}; use 'role' or 'identity'.")
        lab = labels.assign(user_id=labels["user_id"].astype("int64")).set_index("user_id")[by]
        group = ans["author_id"].astype("int64").map(lab).fillna("unknown")
    out = (
        ans.assign(group=group)
        .groupby("group")
        .agg(answers=("tweet_id", "size"), answerers=("author_id", "nunique"))
    )
    out["share_of_answers"] = out["answers"] / out["answers"].sum()
    return out.reset_index().sort_values(
        ["answers", "group"], ascending=[False, True], ignore_index=True
    )[cols]


def describe_peer_help(questions: pd.DataFrame, tag: str = "docstoctoc") -> str:
    """Return one sentence on the peer-help questions of a tag (or on their absence).

    Parameters
    ----------
    questions : pandas.DataFrame
        A :func:`peer_help_questions` frame.
    tag : str
        The tag, without ``#``.

    Returns
    -------
    str
        The sentence.
    """
    if questions.empty:
        return f"No #{tag} question (a collected tweet in the tag starting a conversation) here."
    answered = questions["answered"].astype(bool)
    text = (
        f"{len(questions):,} #{tag} questions, {answered.sum():,} answered ({answered.mean():.0%})"
    )
    if answered.any():
        med = questions.loc[answered, "hours_to_first_answer"].median()
        text += f"; median time to first answer {med:,.1f} hours"
    return text + "."
