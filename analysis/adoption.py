"""Adoption over time: when accounts started, adoption curves, a Bass fit, activity.

Per account, three dates (:func:`adoption_table`): account creation, first tweet
in the dataset, and first *professional* tweet (a medical hashtag or a
professional cue in the text; the rule is a :class:`ProfessionalRule`
parameter). Adoption curves count new adopters per calendar month with no gap
in the months (:func:`adoption_curves`), and :func:`fit_bass` fits a Bass
diffusion model to a set of adoption dates.

**Time unit.** Bass parameters ``p`` (innovation) and ``q`` (imitation) are
rates **per year** (a year is 365.25 days), counted from the fit's ``start``;
``m`` is a number of accounts.

Activity (:func:`weekly_activity`, :func:`tweet_type_shares`,
:func:`active_accounts`, :func:`retention`) counts the tweets a collection
asked for (``collected``), because tweets seen only in ``includes`` are a
biased sample (originals of retweets and replies). Groups (role, identity) come
from an optional ``labels`` frame with ``user_id`` and the group column; without
it, every account is in the group ``"all"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from analysis import settings
from analysis.errors import InsufficientDataError, UsageError
from analysis.tables import Tables

YEAR_SECONDS = 365.25 * 86400

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

#: Reference figures from a survey of health professionals, shown beside measured ones.
SURVEY_REFERENCE = (
    ("know_twitter", "Professionals who know Twitter", 0.71),
    ("use_professionally", "Professionals who use Twitter professionally", 0.11),
    ("avoid_for_confidentiality", "Professionals who avoid general social networks for "
     "confidentiality", 0.61),
)  # fmt: skip


@dataclass(frozen=True)
class ProfessionalRule:
    """What makes a tweet professional: a medical hashtag, or a cue in its text.

    Parameters
    ----------
    tags
        ``tag_norm`` values that count (default :data:`MEDICAL_HASHTAGS`).
    cues
        A regular expression searched in the text (case-insensitive); ``None`` disables cues.
    include_retweets
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

    def mask(self, tweets: pd.DataFrame, hashtags: pd.DataFrame) -> pd.Series:
        """Boolean Series, aligned on ``tweets``: which tweets are professional."""
        tagged = set(hashtags.loc[hashtags["tag_norm"].isin(self.tags), "tweet_id"])
        out = tweets["tweet_id"].isin(tagged)
        if self.cues:
            text = tweets["text"].fillna("")
            out = out | text.str.contains(self.cues, flags=re.IGNORECASE, regex=True)
        if not self.include_retweets:
            out = out & tweets["retweet_of_tweet_id"].isna()
        return out.astype(bool)


def _utc(s: pd.Series) -> pd.Series:
    s = pd.to_datetime(s, utc=True)
    return s


def adoption_table(tables: Tables, rule: ProfessionalRule | None = None) -> pd.DataFrame:
    """Per account: creation date, first tweet in the dataset, first professional tweet.

    Every account of ``users`` and every tweet author appears once; dates are
    UTC and missing (``NaT``) when the dataset does not show them (an account
    with no tweet, a protected account, an author absent from ``users``).

    Returns
    -------
    DataFrame with ``user_id``, ``username``, ``created_at``, ``first_tweet_at``,
    ``first_professional_at``, ``tweets`` (in the dataset) and ``professional_tweets``.
    """
    rule = rule or ProfessionalRule()
    tw = tables.tweets.dropna(subset=["author_id", "created_at"])
    prof = rule.mask(tw, tables.hashtags) if len(tw) else pd.Series(dtype=bool)
    first = tw.groupby("author_id")["created_at"].agg(["min", "size"])
    first_prof = tw[prof].groupby("author_id")["created_at"].agg(["min", "size"])
    users = tables.users[["user_id", "username", "created_at"]].copy()
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
    """New and cumulative adopters per calendar month (UTC), overall or by group.

    Months run without a gap from the first adoption to the last (a month with
    no adopter counts 0). Accounts without the date are left out and counted
    in the frame's ``attrs["undated"]``.

    Returns
    -------
    Long DataFrame: ``month`` (month start), ``group``, ``new``, ``cumulative``.

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


# -- Bass diffusion --------------------------------------------------------------------------


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Share of the market adopted by time ``t`` (years) under Bass(p, q) per year.

    Examples
    --------
    >>> float(bass_cdf(0.0, 0.02, 0.4))
    0.0
    >>> round(float(bass_cdf(50.0, 0.02, 0.4)), 4)
    1.0
    """
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def _neg_loglik(theta: np.ndarray, t: np.ndarray, horizon: float) -> float:
    p, q = np.exp(theta)
    s = p + q
    e = np.exp(-s * t)
    # log density of the Bass adoption time: f(t) = s^2/p * e / (1 + q/p e)^2
    logf = 2 * np.log(s) - np.log(p) - s * t - 2 * np.log1p((q / p) * e)
    return -(logf.sum() - len(t) * np.log(bass_cdf(horizon, p, q)))


def _fit_pq(t: np.ndarray, horizon: float, x0: np.ndarray) -> np.ndarray:
    res = minimize(_neg_loglik, x0, args=(t, horizon), method="Nelder-Mead",
                   options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000})  # fmt: skip
    return np.exp(res.x)


@dataclass
class BassFit:
    """A Bass diffusion fitted to adoption dates.

    ``p`` and ``q`` are per **year** (365.25 days) from ``start``; ``m`` is the
    market size in accounts; ``*_ci`` are bootstrap percentile intervals at
    level ``ci``.
    """

    p: float
    q: float
    m: float
    p_ci: tuple[float, float]
    q_ci: tuple[float, float]
    m_ci: tuple[float, float]
    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    ci: float = 0.95
    n_boot: int = 0
    unit: str = "year"
    boot: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def peak(self) -> pd.Timestamp:
        """When new adoptions peak: ``start + ln(q/p) / (p + q)`` years (``start`` if q <= p)."""
        years = max(np.log(self.q / self.p) / (self.p + self.q), 0.0)
        return self.start + pd.Timedelta(seconds=years * YEAR_SECONDS)

    def cumulative(self, when: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Expected cumulative adopters ``m * F(t)`` at the given timestamps."""
        delta = pd.DatetimeIndex(pd.to_datetime(when, utc=True)) - self.start
        t = delta.total_seconds() / YEAR_SECONDS
        return self.m * bass_cdf(np.clip(np.asarray(t, dtype=float), 0, None), self.p, self.q)

    def to_frame(self) -> pd.DataFrame:
        """The estimates and intervals as a small table (one row per parameter)."""
        pct = f"{self.ci:.0%}"
        rows = [
            ("p (innovation, per year)", self.p, *self.p_ci),
            ("q (imitation, per year)", self.q, *self.q_ci),
            ("m (market size, accounts)", self.m, *self.m_ci),
        ]
        return pd.DataFrame(rows, columns=["parameter", "estimate", f"{pct} low", f"{pct} high"])


def fit_bass(
    adoption_dates: Iterable,
    start=None,
    end=None,
    n_boot: int = 200,
    ci: float = 0.95,
    seed: int | None = None,
    min_adopters: int = 10,
) -> BassFit:
    """Fit a Bass diffusion model (p, q, m) to adoption dates, with bootstrap intervals.

    Maximum likelihood on the individual adoption times, observed from ``start``
    to ``end``: adopters form a Poisson process of intensity ``m f(t)``, so
    (p, q) maximise the likelihood of the dates under the Bass density
    truncated at ``end`` and ``m = n / F(end)``. Intervals are percentiles of
    ``n_boot`` fits to adopters resampled with replacement, their number drawn
    from a Poisson law of mean ``n`` (``seed``).

    Parameters
    ----------
    adoption_dates
        Any series of timestamps, one per adopter (naive ones are read as UTC; NaT dropped).
    start
        The diffusion's origin (t = 0); default the first adoption date.
    end
        End of observation; default the last adoption date.
    n_boot, ci, seed
        Bootstrap resamples, interval level and random seed (``n_boot=0``: no intervals).
    min_adopters
        Fewer dated adopters than this raise :class:`InsufficientDataError`.

    Returns
    -------
    BassFit, with ``p`` and ``q`` **per year** and ``m`` in accounts.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.demo import bass_sample
    >>> years = bass_sample(np.random.default_rng(0), 2000, 0.02, 0.5, 15.0)
    >>> dates = pd.Timestamp("2010-01-01", tz="UTC") + pd.to_timedelta(years * 365.25, "D")
    >>> fit = fit_bass(dates, start="2010-01-01", end="2025-01-01", n_boot=0)
    >>> round(fit.p, 2), round(fit.q, 1)
    (0.02, 0.5)
    """
    seed = settings.SEED if seed is None else seed
    dates = pd.to_datetime(pd.Series(list(adoption_dates), dtype=object), utc=True).dropna()
    if len(dates) < min_adopters:
        raise InsufficientDataError(
            f"a Bass fit needs at least {min_adopters} dated adopters and got {len(dates)}; "
            "use a larger dataset or a broader adoption rule."
        )
    start = dates.min() if start is None else pd.Timestamp(start)
    end = dates.max() if end is None else pd.Timestamp(end)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    if end <= start:
        raise UsageError(
            f"the fit's end ({end:%Y-%m-%d}) must come after its start ({start:%Y-%m-%d})."
        )
    dates = dates[(dates >= start) & (dates <= end)]
    t = ((dates - start).dt.total_seconds() / YEAR_SECONDS).to_numpy()
    horizon = (end - start).total_seconds() / YEAR_SECONDS
    if len(t) < min_adopters:
        raise InsufficientDataError(
            f"only {len(t)} adoption dates fall between {start:%Y-%m-%d} and {end:%Y-%m-%d}; "
            f"a Bass fit needs {min_adopters}."
        )
    x0 = np.log([0.01, 0.3])
    best = min(
        (_fit_pq(t, horizon, np.log(g)) for g in ([0.01, 0.3], [0.05, 0.1], [0.002, 1.0])),
        key=lambda pq: _neg_loglik(np.log(pq), t, horizon),
    )
    p, q = (float(x) for x in best)
    m = len(t) / float(bass_cdf(horizon, p, q))
    rng = np.random.default_rng(seed)
    rows = []
    x0 = np.log([p, q])
    for _ in range(n_boot):
        # the number of adopters is itself random (Poisson), so m's interval reflects it
        size = max(int(rng.poisson(len(t))), 2)
        sample = rng.choice(t, size=size, replace=True)
        bp, bq = _fit_pq(sample, horizon, x0)
        rows.append((bp, bq, size / float(bass_cdf(horizon, bp, bq))))
    boot = pd.DataFrame(rows, columns=["p", "q", "m"])
    lo, hi = (1 - ci) / 2, 1 - (1 - ci) / 2

    def interval(col: str, value: float) -> tuple[float, float]:
        if boot.empty:
            return (np.nan, np.nan)
        return (float(boot[col].quantile(lo)), float(boot[col].quantile(hi)))

    return BassFit(p=p, q=q, m=m, p_ci=interval("p", p), q_ci=interval("q", q),
                   m_ci=interval("m", m), n=len(t), start=start, end=end, ci=ci,
                   n_boot=n_boot, boot=boot)  # fmt: skip


def try_fit_bass(adoption_dates: Iterable, **kwargs) -> BassFit | None:
    """:func:`fit_bass`, or ``None`` when there are too few adopters (for notebooks)."""
    try:
        return fit_bass(adoption_dates, **kwargs)
    except InsufficientDataError:
        return None


def describe_bass(fit: BassFit | None, min_adopters: int = 10) -> str:
    """One or two sentences on a Bass fit, or on why there is none."""
    if fit is None:
        return (
            f"No Bass fit: this dataset has fewer than {min_adopters} dated adopters, too few "
            "to estimate a diffusion curve."
        )
    pct = f"{fit.ci:.0%}"
    return (
        f"Bass fit on {fit.n:,} adopters from {fit.start:%Y-%m-%d} to {fit.end:%Y-%m-%d} "
        f"(rates per year): innovation p = {fit.p:.4f} ({pct} CI {fit.p_ci[0]:.4f}–{fit.p_ci[1]:.4f}), "
        f"imitation q = {fit.q:.3f} ({fit.q_ci[0]:.3f}–{fit.q_ci[1]:.3f}), market size "
        f"m = {fit.m:,.0f} accounts ({fit.m_ci[0]:,.0f}–{fit.m_ci[1]:,.0f}); new adoptions "
        f"peak around {fit.peak:%Y-%m}."
    )


def bass_curve(curve: pd.DataFrame, fit: BassFit | None) -> pd.DataFrame:
    """Observed and fitted cumulative adopters per month, side by side (for the data-vs-fit plot).

    ``curve`` is the overall :func:`adoption_curves` output (one group). The
    fitted value is evaluated at each month's end.
    """
    total = curve.groupby("month", as_index=False)[["new"]].sum().sort_values("month")
    total["observed"] = total["new"].cumsum()
    if fit is not None and len(total):
        ends = total["month"] + pd.offsets.MonthBegin(1)
        total["fitted"] = fit.cumulative(ends.dt.tz_localize("UTC"))
        total["fitted_new"] = np.diff(np.concatenate([[0.0], total["fitted"].to_numpy()]))
    return total.drop(columns="new").reset_index(drop=True)


# -- activity ----------------------------------------------------------------------------------


def tweet_kinds(tweets: pd.DataFrame) -> pd.Series:
    """Each tweet's kind: ``retweet``, ``reply``, ``quote`` or ``original``.

    Examples
    --------
    >>> tw = pd.DataFrame({"retweet_of_tweet_id": [None, 5, None],
    ...                    "reply_to_tweet_id": [None, None, 4], "quote_of_tweet_id": [None] * 3})
    >>> tweet_kinds(tw).tolist()
    ['original', 'retweet', 'reply']
    """
    kind = np.select(
        [tweets["retweet_of_tweet_id"].notna(), tweets["reply_to_tweet_id"].notna(),
         tweets["quote_of_tweet_id"].notna()],
        ["retweet", "reply", "quote"], default="original",
    )  # fmt: skip
    return pd.Series(kind, index=tweets.index, name="kind")


def _collected(tables: Tables) -> pd.DataFrame:
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw else tw
    return tw.dropna(subset=["author_id", "created_at"]).assign(
        author_id=lambda d: d["author_id"].astype("int64")
    )


def _grouped_tweets(tables: Tables, labels: pd.DataFrame | None, by: str | None) -> pd.DataFrame:
    return with_groups(_collected(tables).rename(columns={"author_id": "user_id"}), labels, by)


def _per_period(tw: pd.DataFrame, freq: str, distinct_accounts: bool) -> pd.DataFrame:
    """Per period (no gap) and group: tweets or distinct accounts, and accounts started by then."""
    period = tw["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq)
    tw = tw.assign(_period=period)
    full = pd.period_range(period.min(), period.max(), freq=freq)
    grouped = tw.groupby(["_period", "group"])
    counts = grouped["user_id"].nunique() if distinct_accounts else grouped.size()
    counts = counts.unstack(fill_value=0).reindex(full, fill_value=0)
    first = tw.groupby(["user_id", "group"])["_period"].min().reset_index()
    started = pd.crosstab(first["_period"], first["group"]).reindex(full, fill_value=0).cumsum()
    counts = counts.reindex(columns=started.columns, fill_value=0)
    counts.index = started.index = full.to_timestamp()
    out = counts.stack().rename("n").to_frame()
    out["started"] = started.stack()
    return out.reset_index()


def weekly_activity(
    tables: Tables,
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Tweets per week (weeks start Monday, UTC) by group, with the accounts behind them.

    The denominator ``accounts`` is the number of the group's accounts that had
    already posted their first tweet in the dataset by the end of the week (the
    accounts that *could* tweet then); ``tweets_per_account`` divides by it.
    Weeks run without a gap.

    Returns
    -------
    Long DataFrame: ``week``, ``group``, ``tweets``, ``accounts``, ``tweets_per_account``.
    """
    tw = _grouped_tweets(tables, labels, by)
    cols = ["week", "group", "tweets", "accounts", "tweets_per_account"]
    if tw.empty:
        return pd.DataFrame(columns=cols)
    long = _per_period(tw, "W-SUN", distinct_accounts=False)
    long.columns = ["week", "group", "tweets", "accounts"]
    long["tweets_per_account"] = long["tweets"] / long["accounts"].where(long["accounts"] > 0)
    return long.sort_values(["group", "week"], ignore_index=True)[cols]


def tweet_type_shares(
    tables: Tables, freq: str = "Y", labels: pd.DataFrame | None = None, by: str | None = None
) -> pd.DataFrame:
    """Share of originals, replies, retweets and quotes per period (and group).

    The denominator is every collected tweet of the period and group (column
    ``tweets``); periods run without a gap, and a period with no tweet has
    ``tweets`` 0 and NaN shares rather than disappearing.

    Returns
    -------
    DataFrame: ``period``, ``group``, ``tweets`` and one share column per kind.
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
    """Accounts active (at least one collected tweet) per calendar month, and their share.

    The denominator ``adopted`` counts the group's accounts whose first tweet
    in the dataset falls in or before the month; ``share_active`` is
    ``active / adopted``. Months run without a gap.
    """
    tw = _grouped_tweets(tables, labels, by)
    cols = ["month", "group", "active", "adopted", "share_active"]
    if tw.empty:
        return pd.DataFrame(columns=cols)
    out = _per_period(tw, "M", distinct_accounts=True)
    out.columns = ["month", "group", "active", "adopted"]
    out["share_active"] = out["active"] / out["adopted"].where(out["adopted"] > 0)
    return out.sort_values(["group", "month"], ignore_index=True)[cols]


def retention(
    tables: Tables,
    months: Iterable[int] = (1, 3, 6, 12, 24, 60),
    adoption: pd.DataFrame | None = None,
    column: str = "first_tweet_at",
    labels: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Share of accounts still active N months after adopting.

    An account is *retained at N months* if it posts a collected tweet at least
    N months after its adoption date (``column`` of :func:`adoption_table`).
    The denominator ``eligible`` counts only accounts that adopted at least N
    months before the last tweet of the dataset: the others could not yet have
    been seen N months on, and counting them would bias the share downward.
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


def survey_comparison(
    tables: Tables,
    adoption: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The survey's reference figures beside what this dataset measures, where it can.

    The survey's figures are about *all* professionals, including those who
    never use Twitter; a Twitter dataset only holds accounts that do, so the
    measured figures have a different denominator, stated in each row. "Know
    Twitter" cannot be measured from tweets at all. The confidentiality row's
    measured proxy is the share of professional accounts that are anonymous
    (needs ``labels`` with ``role`` and ``identity``) or protected.
    """
    adoption = adoption if adoption is not None else adoption_table(tables)
    users = tables.users
    rows = []
    accounts = len(adoption)
    with_prof = int(adoption["first_professional_at"].notna().sum())
    for key, label, value in SURVEY_REFERENCE:
        measured, denominator, note = np.nan, "", ""
        if key == "know_twitter":
            note = "not measurable from Twitter data: every account in it knows Twitter"
        elif key == "use_professionally":
            if accounts:
                measured = with_prof / accounts
            denominator = f"{accounts:,} accounts in the dataset"
            note = "share of accounts with at least one professional tweet (rule: ProfessionalRule)"
        else:
            prof_ids = None
            if labels is not None and {"role", "identity", "user_id"} <= set(labels.columns):
                lab = labels.assign(user_id=labels["user_id"].astype("int64"))
                pros = lab[~lab["role"].isin(["institution", "public", "unknown"])]
                prof_ids = set(pros["user_id"])
                anon = set(pros.loc[pros["identity"] == "anonymous", "user_id"])
                prot = set(users.loc[users["protected"].fillna(False).astype(bool), "user_id"])
                hidden = (anon | prot) & prof_ids
                if prof_ids:
                    measured = len(hidden) / len(prof_ids)
                denominator = f"{len(prof_ids):,} professional accounts (from labels)"
                note = "proxy: professional accounts that are anonymous or protected"
            else:
                note = "needs account labels (role, identity); none given"
        rows.append({"figure": label, "survey (reference, not ours)": value,
                     "measured here": measured, "measured over": denominator, "note": note})  # fmt: skip
    return pd.DataFrame(rows)


def adoption_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """For each adoption date: accounts that have it, and its earliest, median and latest value.

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
        rows.append({
            "date": label, "accounts": len(d), "of accounts": len(adoption),
            "earliest": d.min().strftime("%Y-%m-%d") if len(d) else "",
            "median": d.quantile(0.5).strftime("%Y-%m-%d") if len(d) else "",
            "latest": d.max().strftime("%Y-%m-%d") if len(d) else "",
        })  # fmt: skip
    return pd.DataFrame(rows)
