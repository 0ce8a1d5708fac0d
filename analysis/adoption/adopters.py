"""Who adopted when: the professional rule, the per-account adoption dates and monthly curves.

:class:`ProfessionalRule` says which tweets are professional (a medical hashtag
or a cue in the text); :func:`adoption_table` gives each account its creation
date, first tweet and first professional tweet; :func:`adoption_curves` counts
new and cumulative adopters per month; :func:`with_groups` attaches the group
(role, identity) every per-group analysis of the package splits by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.errors import UsageError
from analysis.frames import compute_all
from analysis.tables import Tables

#: Hashtags (``tag_norm``: case-folded, accents kept) that mark a tweet as professional by default.
MEDICAL_HASHTAGS: frozenset[str] = frozenset(
    """
    docstoctoc medecinegenerale mg garde desertemedical médecine medecine santé sante esante
    santénumérique télémédecine telemedecine foamed foamcc medtwitter meded emergencymedicine
    medstudent medicine nursing nurse nurses infirmière infirmier ide idel sagefemme kiné
    kine soignants soignant pharmacie pharmacien vaccination vaccin dépistage depistage
    moissanstabac octobrerose sida vih cardiologie oncologie dermatologie psychiatrie
    pédiatrie pediatrie urgences hôpital hopital hcsm hcsmeufr covid19 publichealth
    """.split()
)

#: Words in a tweet's text that mark it as professional by default (French and English).
PROFESSIONAL_CUES = (
    r"\b(?:patient(?:e|s|es)?|confr[èe]res?|consultation|t[ée]l[ée]consultation|ordonnance|"
    r"garde|urgences|internat|recos?|HAS|diagnostic|traitement|clinic(?:al)?|ward|shift|"
    r"on call|colleagues|guidelines?|diagnosis|treatment)\b"
)


@dataclass(frozen=True)
class ProfessionalRule:
    """What makes a tweet professional: a medical hashtag, or a cue in its text.

    Parameters
    ----------
    tags : frozenset of str
        ``tag_norm`` values that count (default :data:`MEDICAL_HASHTAGS`).
    cues : str or None
        A regular expression searched in the text (case-insensitive); ``None`` disables cues.
    include_retweets : bool
        Whether a retweet of a professional tweet counts as a professional tweet.

    Examples
    --------
    >>> rule = ProfessionalRule(tags=frozenset({"foamed"}), cues=None)
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "text": ["hi", "#FOAMed"],
    ...                    "retweet_of_tweet_id": [None, None]})
    >>> tags = pd.DataFrame({"tweet_id": [2], "tag_norm": ["foamed"]})
    >>> rule.mask(tw, tags).tolist()
    [False, True]
    """

    tags: frozenset[str] = MEDICAL_HASHTAGS
    cues: str | None = PROFESSIONAL_CUES
    include_retweets: bool = True

    def flag(self, tweets: Any, hashtags: Any) -> Any:
        """Return ``tweets`` with a boolean column ``professional`` (pandas or Dask frames).

        The tweets carrying one of the rule's tags are found by a join on
        ``tweet_id`` (a shuffle on the cluster for Dask tables), not by a set
        of ids held in this process.

        Parameters
        ----------
        tweets : pandas or Dask DataFrame
            Tweets with ``tweet_id``, ``text`` and ``retweet_of_tweet_id``.
        hashtags : pandas or Dask DataFrame
            The ``hashtags`` table (``tweet_id``, ``tag_norm``).

        Returns
        -------
        pandas or Dask DataFrame
            ``tweets`` and ``professional``, with a fresh index (rows in their order for pandas).
        """
        tagged = hashtags.loc[hashtags["tag_norm"].isin(sorted(self.tags)), ["tweet_id"]]
        tagged = tagged.drop_duplicates().assign(_tagged=1)
        out = tweets.merge(tagged, on="tweet_id", how="left")
        professional = ~out["_tagged"].isna()
        if self.cues:
            text = out["text"].fillna("").astype(str)
            professional = professional | text.str.contains(
                self.cues, flags=re.IGNORECASE, regex=True
            )
        if not self.include_retweets:
            professional = professional & out["retweet_of_tweet_id"].isna()
        return out.drop(columns="_tagged").assign(professional=professional.astype(bool))

    def mask(self, tweets: pd.DataFrame, hashtags: pd.DataFrame) -> pd.Series:
        """Return a boolean Series, aligned on ``tweets``: which tweets are professional.

        Parameters
        ----------
        tweets : pandas.DataFrame
            Tweets with ``tweet_id``, ``text`` and ``retweet_of_tweet_id``.
        hashtags : pandas.DataFrame
            The ``hashtags`` table (``tweet_id``, ``tag_norm``).

        Returns
        -------
        pandas.Series
            True for the professional tweets, on ``tweets``' index.
        """
        flagged = self.flag(tweets[["tweet_id", "text", "retweet_of_tweet_id"]], hashtags)
        return flagged["professional"].set_axis(tweets.index)


def _utc(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, utc=True)


def adoption_table(tables: Tables, rule: ProfessionalRule | None = None) -> pd.DataFrame:
    """Return per account: creation date, first tweet in the dataset, first professional tweet.

    Every account of ``users`` and every tweet author appears once; dates are
    UTC and missing (``NaT``) when the dataset does not show them (an account
    with no tweet, a protected account, an author absent from ``users``). On
    Dask tables the per-account first dates and counts are reduced on the
    cluster; only one row per account comes back.

    Parameters
    ----------
    tables : Tables
        The dataset (pandas or Dask frames).
    rule : ProfessionalRule, optional
        What makes a tweet professional (default :class:`ProfessionalRule()`).

    Returns
    -------
    pandas.DataFrame
        ``user_id``, ``username``, ``created_at``, ``first_tweet_at``,
        ``first_professional_at``, ``tweets`` (in the dataset) and ``professional_tweets``.
    """
    rule = rule or ProfessionalRule()
    tw = tables.tweets[["tweet_id", "author_id", "created_at", "text", "retweet_of_tweet_id"]]
    # a filter rather than dropna(subset=...): Dask's optimiser breaks the latter once a column is picked
    tw = rule.flag(tw[~tw["author_id"].isna() & ~tw["created_at"].isna()], tables.hashtags)
    first, first_prof, users = compute_all(
        tw.groupby("author_id")["created_at"].agg(["min", "size"]),
        tw[tw["professional"]].groupby("author_id")["created_at"].agg(["min", "size"]),
        tables.users[["user_id", "username", "created_at"]],
    )
    ids = pd.Index(users["user_id"]).union(pd.Index(first.index.astype("int64")))
    out = pd.DataFrame({"user_id": ids.astype("int64")})
    out = out.merge(users, on="user_id", how="left")
    ids_index = pd.Index(out["user_id"])
    out["first_tweet_at"] = _utc(first["min"]).reindex(ids_index).to_numpy()
    out["first_professional_at"] = _utc(first_prof["min"]).reindex(ids_index).to_numpy()
    out["tweets"] = out["user_id"].map(first["size"]).fillna(0).astype("int64")
    out["professional_tweets"] = out["user_id"].map(first_prof["size"]).fillna(0).astype("int64")
    for col in ("created_at", "first_tweet_at", "first_professional_at"):
        out[col] = _utc(out[col])
    return out.sort_values("user_id", ignore_index=True)


def with_groups(frame: pd.DataFrame, labels: pd.DataFrame | None, by: str | None) -> pd.DataFrame:
    """Add a ``group`` column from ``labels[by]`` (``"unknown"`` if unlabelled, ``"all"`` if no ``by``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a ``user_id``.
    labels : pandas.DataFrame or None
        Account labels with ``user_id`` and the column ``by``.
    by : str or None
        The label column to group by (``role``, ``identity``); ``None``: one group ``"all"``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``group``.

    Examples
    --------
    >>> f = pd.DataFrame({"user_id": [1, 2]})
    >>> lab = pd.DataFrame({"user_id": [1], "role": ["nurse"]})
    >>> with_groups(f, lab, "role")["group"].tolist()
    ['nurse', 'unknown']
    >>> with_groups(f, None, None)["group"].tolist()
    ['all', 'all']
    """
    out = frame.copy()
    if by is None or labels is None:
        out["group"] = "all"
        return out
    if by not in labels.columns or "user_id" not in labels.columns:
        raise UsageError(
            f"labels need the columns 'user_id' and {by!r}; pass a frame like label_users() returns."
        )
    mapping = labels.assign(user_id=labels["user_id"].astype("int64")).set_index("user_id")[by]
    out["group"] = out["user_id"].map(mapping).fillna("unknown").astype(str)
    return out


def _months(dates: pd.Series) -> pd.Series:
    return dates.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")


def adoption_curves(
    adoption: pd.DataFrame,
    column: str = "first_professional_at",
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Count new and cumulative adopters per calendar month (UTC), overall or by group.

    Months run without a gap from the first adoption to the last (a month with
    no adopter counts 0). Accounts without the date are left out and counted
    in the frame's ``attrs["undated"]``.

    Parameters
    ----------
    adoption : pandas.DataFrame
        An :func:`adoption_table`.
    column : str
        The adoption date to count (``first_professional_at``, ``first_tweet_at``, ``created_at``).
    labels, by
        Optional account labels and the column to group by (see :func:`with_groups`).

    Returns
    -------
    pandas.DataFrame
        Long frame: ``month`` (month start), ``group``, ``new``, ``cumulative``.

    Examples
    --------
    >>> a = pd.DataFrame({"user_id": [1, 2, 3], "first_professional_at": pd.to_datetime(
    ...     ["2020-01-05", "2020-03-01", None], utc=True)})
    >>> adoption_curves(a)[["new", "cumulative"]].values.tolist()
    [[1, 1], [0, 1], [1, 2]]
    """
    frame = with_groups(adoption, labels, by)
    dated = frame.dropna(subset=[column])
    cols = ["month", "group", "new", "cumulative"]
    if dated.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["undated"] = len(frame)
        return out
    month = _months(dated[column])
    full = pd.period_range(month.min(), month.max(), freq="M")
    counts = pd.crosstab(month, dated["group"]).reindex(full, fill_value=0)
    counts.index = counts.index.to_timestamp()
    long = counts.stack().rename("new").reset_index()
    long.columns = ["month", "group", "new"]
    long = long.sort_values(["group", "month"], ignore_index=True)
    long["cumulative"] = long.groupby("group")["new"].cumsum()
    out = long[cols].astype({"new": "int64", "cumulative": "int64"})
    out.attrs["undated"] = int(len(frame) - len(dated))
    return out


def adoption_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """Return, for each adoption date, the accounts that have it and its earliest, median and latest value.

    Parameters
    ----------
    adoption : pandas.DataFrame
        An :func:`adoption_table`.

    Returns
    -------
    pandas.DataFrame
        One row per date: ``date``, ``accounts``, ``of accounts``, ``earliest``, ``median``, ``latest``.

    Examples
    --------
    >>> a = pd.DataFrame({"created_at": pd.to_datetime(["2010-01-01", "2012-01-01"], utc=True),
    ...     "first_tweet_at": pd.to_datetime(["2011-01-01", None], utc=True),
    ...     "first_professional_at": pd.to_datetime([None, None], utc=True)})
    >>> adoption_summary(a)["accounts"].tolist()
    [2, 1, 0]
    """
    names = {
        "created_at": "account created",
        "first_tweet_at": "first tweet in the dataset",
        "first_professional_at": "first professional tweet",
    }
    rows = []
    for col, label in names.items():
        d = adoption[col].dropna()
        rows.append(
            {
                "date": label,
                "accounts": len(d),
                "of accounts": len(adoption),
                "earliest": d.min().strftime("%Y-%m-%d") if len(d) else "",
                "median": d.quantile(0.5).strftime("%Y-%m-%d") if len(d) else "",
                "latest": d.max().strftime("%Y-%m-%d") if len(d) else "",
            }
        )
    return pd.DataFrame(rows)
