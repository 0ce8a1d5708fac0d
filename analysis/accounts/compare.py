"""Compare how anonymous, nominative and institutional accounts (and roles) behave.

:func:`account_metrics` computes one row of behaviour per account;
:func:`compare_groups` tests every metric between groups with an effect size
(Cliff's delta for Mann-Whitney tests, Cramér's V for chi-square tests) and
p-values corrected for the number of tests (Holm by default);
:func:`hashtag_preferences` finds the hashtags each group uses more than the
others; :func:`describe_differences` turns the table into sentences computed
from the figures.

Account-level metrics are compared with Mann-Whitney U tests (accounts are the
units). Tweet-level distributions (tweet types, hour of day, weekday) are
compared with chi-square tests on the counts; tweets of one account are not
independent, so those p-values are optimistic and the effect size matters more.

The module is long because the metrics, the tests, their effect sizes and corrections, and
the sentences describing them share one table of group comparisons.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]

from analysis.accounts.classify import IDENTITIES, ROLES
from analysis.stats import format_p, shares_with_intervals
from analysis.tables import Tables

#: Account-level metrics compared with Mann-Whitney tests, with their readable names and units.
METRICS: dict[str, str] = {
    "tweets_per_week": "tweets per week",
    "original_share": "share of original tweets",
    "reply_share": "share of replies",
    "retweet_share": "share of retweets",
    "median_hour": "median hour of tweeting (UTC)",
    "weekend_share": "share of tweets at the weekend",
    "followers_count": "followers",
    "following_count": "accounts followed",
    "reciprocity_received": "share of followed accounts that follow back",
    "mentions_received": "mentions received",
    "account_age_years": "account age (years)",
}
#: Tweet-level distributions compared with chi-square tests.
DISTRIBUTIONS: dict[str, str] = {
    "kind": "tweet types (original, reply, retweet, quote)",
    "hour": "hour of day (UTC)",
    "weekday": "day of the week",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
GROUP_ORDER = {"identity": IDENTITIES, "role": ROLES}


def tweet_kinds(tweets: pd.DataFrame) -> pd.Series:
    """Each tweet's type: ``retweet``, ``reply``, ``quote`` or ``original``.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets with retweet_of_tweet_id, reply_to_tweet_id and quote_of_tweet_id.

    Returns
    -------
    pandas.Series
        The type of each tweet, same index; a retweet wins over a reply, a reply over a quote.

    Examples
    --------
    >>> tw = pd.DataFrame({"retweet_of_tweet_id": [1, None, None], "reply_to_tweet_id": [None, 2, None],
    ...                    "quote_of_tweet_id": [None, None, None]})
    >>> tweet_kinds(tw).tolist()
    ['retweet', 'reply', 'original']
    """
    kind = pd.Series("original", index=tweets.index, dtype=object)
    kind[tweets["quote_of_tweet_id"].notna()] = "quote"
    kind[tweets["reply_to_tweet_id"].notna()] = "reply"
    kind[tweets["retweet_of_tweet_id"].notna()] = "retweet"
    return kind


def authored_tweets(tables: Tables, labels: pd.DataFrame) -> pd.DataFrame:
    """Return collected tweets with their type, hour, weekday and the author's role and identity.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.
    labels : pandas.DataFrame
        Account labels with user_id, role and identity.

    Returns
    -------
    pandas.DataFrame
        Collected, dated tweets of labelled authors, with kind, hour (UTC), weekday, role, identity.
    """
    tw = tables.tweets
    tw = tw[tw["collected"] & tw["author_id"].notna() & tw["created_at"].notna()].copy()
    tw["kind"] = tweet_kinds(tw)
    tw["hour"] = tw["created_at"].dt.hour
    tw["weekday"] = pd.Categorical(
        tw["created_at"].dt.day_of_week.map(dict(enumerate(WEEKDAYS))), categories=WEEKDAYS
    )
    lab = labels[["user_id", "role", "identity"]].rename(columns={"user_id": "author_id"})
    tw["author_id"] = tw["author_id"].astype("int64")
    return tw.merge(lab, on="author_id", how="inner")


def account_metrics(tables: Tables, labels: pd.DataFrame) -> pd.DataFrame:
    """One row per labelled account: its behaviour in the dataset.

    Columns: ``user_id``, ``username``, ``role``, ``identity``, ``protected``,
    ``tweets`` (collected tweets authored), ``tweets_per_week`` (from the
    account's first tweet to the dataset's last, at least one week), the
    ``original``/``reply``/``retweet``/``quote`` shares, ``median_hour``,
    ``weekend_share``, ``followers_count`` and ``following_count`` (from the
    profile), ``reciprocity_received`` (share of the sample accounts it follows
    that follow it back), ``mentions_received`` (by others, retweets excluded,
    unresolved mentions matched on the username) and ``account_age_years`` (at
    the dataset's last snapshot). Metrics that an account gives no data for (no
    tweet, follows nobody) are missing, not zero.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.
    labels : pandas.DataFrame
        Account labels with user_id, role and identity.

    Returns
    -------
    pandas.DataFrame
        One row per labelled account with the columns above.
    """
    users = tables.users[["user_id", "followers_count", "following_count", "created_at"]]
    out = labels[["user_id", "username", "role", "identity", "protected"]].merge(
        users, on="user_id", how="left"
    )
    out["protected"] = out["protected"].astype("boolean")
    tw = authored_tweets(tables, labels)
    end = tw["created_at"].max() if len(tw) else pd.NaT
    if len(tw):
        g = tw.groupby("author_id")
        per = pd.DataFrame({"tweets": g.size(), "first": g["created_at"].min()})
        weeks = ((end - per["first"]).dt.total_seconds() / (7 * 86400)).clip(lower=1.0)
        per["tweets_per_week"] = per["tweets"] / weeks
        shares = pd.crosstab(tw["author_id"], tw["kind"], normalize="index")
        for k in ("original", "reply", "retweet", "quote"):
            per[f"{k}_share"] = shares.get(k, 0.0)
        per["median_hour"] = g["hour"].median()
        per["weekend_share"] = g["weekday"].apply(lambda s: s.isin(["Sat", "Sun"]).mean())
        out = out.merge(per.drop(columns="first"), left_on="user_id", right_index=True, how="left")
    else:
        for col in (
            "tweets",
            "tweets_per_week",
            "original_share",
            "reply_share",
            "retweet_share",
            "quote_share",
            "median_hour",
            "weekend_share",
        ):
            out[col] = np.nan
    out["tweets"] = out["tweets"].fillna(0).astype(int)
    out["reciprocity_received"] = _reciprocity_received(tables.follows, out["user_id"])
    out["mentions_received"] = _mentions_received(tables, tw, out["user_id"])
    ref = tables.users["observed_at"].max() if "observed_at" in tables.users else pd.NaT
    if pd.isna(ref):
        ref = end
    out["account_age_years"] = (ref - out.pop("created_at")).dt.total_seconds() / (365.25 * 86400)
    return out


def _reciprocity_received(follows: pd.DataFrame, user_ids: pd.Series) -> pd.Series:
    if follows is None or follows.empty:
        return pd.Series(np.nan, index=user_ids.index)
    f = follows[["follower_id", "followed_id"]].astype("int64")
    keys = set(zip(f["follower_id"], f["followed_id"], strict=True))
    back = [(b, a) in keys for a, b in zip(f["follower_id"], f["followed_id"], strict=True)]
    rate = pd.Series(back, index=f["follower_id"]).groupby(level=0).mean()
    return user_ids.map(rate).astype(float)


def _mentions_received(tables: Tables, tw: pd.DataFrame, user_ids: pd.Series) -> pd.Series:
    m = tables.mentions
    if m.empty or tw.empty:
        return pd.Series(0, index=user_ids.index, dtype=float)
    own = tw.loc[tw["kind"] != "retweet", ["tweet_id", "author_id"]]
    # a mention the API did not resolve is matched on the username (case-insensitive)
    by_name = dict(
        zip(tables.users["username"].str.casefold(), tables.users["user_id"], strict=False)
    )
    ids = (
        m["user_id"]
        .astype("Int64")
        .fillna(m["username"].str.casefold().map(by_name).astype("Int64"))
    )
    m = m.assign(user_id=ids).dropna(subset=["user_id"]).merge(own, on="tweet_id")
    m = m[m["user_id"].astype("int64") != m["author_id"]]
    counts = m.groupby(m["user_id"].astype("int64")).size()
    return user_ids.map(counts).fillna(0).astype(float)


def cliffs_delta(a: np.ndarray, b: np.ndarray) -> float:
    """Cliff's delta: P(a > b) - P(a < b), from -1 to 1 (0: no difference).

    Parameters
    ----------
    a : numpy.ndarray
        Values of the first group.
    b : numpy.ndarray
        Values of the second group.

    Returns
    -------
    float
        The delta; positive when a tends to be larger.

    Examples
    --------
    >>> cliffs_delta(np.array([3, 4]), np.array([1, 2]))
    1.0
    """
    u = stats.mannwhitneyu(a, b, alternative="two-sided").statistic
    return float(2 * u / (len(a) * len(b)) - 1)


def magnitude(effect: float, kind: str) -> str:
    """Words for an effect size: negligible, small, medium or large.

    Cliff's delta thresholds 0.147/0.33/0.474 (Romano et al. 2006); Cramér's V
    0.1/0.3/0.5 (Cohen's conventions).

    Parameters
    ----------
    effect : float
        The effect size (its absolute value is used).
    kind : str
        "cliffs_delta"; any other value uses Cramér's V thresholds.

    Returns
    -------
    str
        negligible, small, medium or large.

    Examples
    --------
    >>> magnitude(0.2, "cliffs_delta"), magnitude(0.35, "cramers_v")
    ('small', 'medium')
    """
    cuts = (0.147, 0.33, 0.474) if kind == "cliffs_delta" else (0.1, 0.3, 0.5)
    x = abs(effect)
    return ("negligible", "small", "medium", "large")[sum(x >= c for c in cuts)]


def adjust_pvalues(p: pd.Series, method: str = "holm") -> pd.Series:
    """Correct p-values for multiple tests: ``holm`` (family-wise) or ``bh`` (false discovery).

    Holm's step-down correction is statsmodels' ``multipletests(method="holm")``,
    Benjamini–Hochberg scipy's ``false_discovery_control``; missing p-values are left
    out of the number of tests and stay missing.

    Parameters
    ----------
    p : pandas.Series
        P-values, one per test; NaN for a test not run.
    method : str
        ``"holm"`` or ``"bh"``.

    Returns
    -------
    pandas.Series
        Adjusted p-values, on ``p``'s index.

    Examples
    --------
    >>> adjust_pvalues(pd.Series([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    valid = p.dropna()
    out = pd.Series(np.nan, index=p.index)
    if valid.empty:
        return out
    if method == "bh":
        out[valid.index] = stats.false_discovery_control(valid.to_numpy(), method="bh")
        return out
    if method != "holm":
        raise ValueError(f"unknown correction {method!r}; use 'holm' or 'bh'.")
    out[valid.index] = multipletests(valid.to_numpy(), method="holm")[1]
    return out


def _groups(values: pd.Series, by: str, groups, min_n: int) -> list[str]:
    order = list(groups or GROUP_ORDER.get(by, sorted(values.dropna().unique())))
    counts = values.value_counts()
    return [g for g in order if counts.get(g, 0) >= min_n]


def _pairs(groups: list[str], mode: str) -> list[tuple[str, str]]:
    if mode == "vs_rest":
        return [(g, "rest") for g in groups]
    return list(itertools.combinations(groups, 2))


def compare_groups(
    metrics: pd.DataFrame,
    tweets: pd.DataFrame | None = None,
    by: str = "identity",
    groups=None,
    mode: str = "pairs",
    min_n: int = 5,
    correction: str = "holm",
) -> pd.DataFrame:
    """Every metric compared between groups: test, effect size, corrected p-value.

    Parameters
    ----------
    metrics
        :func:`account_metrics`' result.
    tweets
        :func:`authored_tweets`' result, for the tweet-level distributions (optional).
    by
        ``identity`` or ``role``.
    groups
        Groups to compare, in order (default: the vocabulary's order).
    mode
        ``pairs`` (every pair of groups) or ``vs_rest`` (each group against all others).
    min_n
        Groups (and comparisons) with fewer accounts with data are left out.
    correction
        ``holm`` or ``bh``, over all the tests of the table.

    Returns
    -------
    One row per metric and pair of groups: ``metric``, ``label``, ``level``
    (account or tweet), ``group_a``, ``group_b``, ``n_a``, ``n_b``,
    ``value_a``, ``value_b`` (medians, or shares for ``protected``), ``test``,
    ``statistic``, ``p_value``, ``effect`` (``cliffs_delta`` or ``cramers_v``),
    ``effect_size``, ``magnitude``, ``p_adjusted``, ``significant`` (at 0.05).
    """
    rows = []
    present = _groups(metrics[by], by, groups, min_n)
    for a, b in _pairs(present, mode):
        in_a = metrics[by] == a
        in_b = metrics[by] != a if b == "rest" else metrics[by] == b
        for col, label in METRICS.items():
            x, y = metrics.loc[in_a, col].dropna(), metrics.loc[in_b, col].dropna()
            if len(x) < min_n or len(y) < min_n:
                continue
            if x.nunique() == 1 and y.nunique() == 1 and x.iloc[0] == y.iloc[0]:
                p, stat, delta = 1.0, float("nan"), 0.0
            else:
                res = stats.mannwhitneyu(x, y, alternative="two-sided")
                stat, p = float(res.statistic), float(res.pvalue)
                delta = 2 * stat / (len(x) * len(y)) - 1
            rows.append(
                _row(
                    col,
                    label,
                    "account",
                    a,
                    b,
                    len(x),
                    len(y),
                    x.median(),
                    y.median(),
                    "Mann-Whitney U",
                    stat,
                    p,
                    "cliffs_delta",
                    delta,
                )
            )
        # protected share: 2x2 chi-square
        pa, pb = metrics.loc[in_a, "protected"].dropna(), metrics.loc[in_b, "protected"].dropna()
        if len(pa) >= min_n and len(pb) >= min_n:
            table = np.array(
                [[pa.sum(), len(pa) - pa.sum()], [pb.sum(), len(pb) - pb.sum()]], float
            )
            stat, p, v = _chi2(table)
            rows.append(
                _row(
                    "protected",
                    "share of protected accounts",
                    "account",
                    a,
                    b,
                    len(pa),
                    len(pb),
                    pa.mean(),
                    pb.mean(),
                    "chi-square",
                    stat,
                    p,
                    "cramers_v",
                    v,
                )
            )
        if tweets is not None and len(tweets):
            ta = tweets[tweets[by] == a]
            tb = tweets[tweets[by] != a] if b == "rest" else tweets[tweets[by] == b]
            na, nb = ta["author_id"].nunique(), tb["author_id"].nunique()
            if na < min_n or nb < min_n:
                continue
            for col, label in DISTRIBUTIONS.items():
                table = pd.concat([ta[col].value_counts(), tb[col].value_counts()], axis=1).fillna(
                    0
                )
                table = table[table.sum(axis=1) > 0].to_numpy(float).T
                if table.shape[1] < 2:
                    continue
                stat, p, v = _chi2(table)
                rows.append(
                    _row(
                        col,
                        label,
                        "tweet",
                        a,
                        b,
                        len(ta),
                        len(tb),
                        np.nan,
                        np.nan,
                        "chi-square",
                        stat,
                        p,
                        "cramers_v",
                        v,
                    )
                )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    out["significant"] = out["p_adjusted"] < 0.05
    return out


_COLUMNS = [
    "metric",
    "label",
    "level",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "value_a",
    "value_b",
    "test",
    "statistic",
    "p_value",
    "effect",
    "effect_size",
    "magnitude",
]


def _row(metric, label, level, a, b, na, nb, va, vb, test, stat, p, effect, size) -> dict:
    return dict(
        zip(
            _COLUMNS,
            [
                metric,
                label,
                level,
                a,
                b,
                int(na),
                int(nb),
                float(va),
                float(vb),
                test,
                stat,
                p,
                effect,
                float(size),
                magnitude(size, effect),
            ],
            strict=True,
        )
    )


def _chi2(table: np.ndarray) -> tuple[float, float, float]:
    """Chi-square statistic, p-value and Cramér's V of a contingency table."""
    table = table[:, table.sum(axis=0) > 0]
    table = table[table.sum(axis=1) > 0]
    if min(table.shape) < 2:
        return float("nan"), 1.0, 0.0
    stat, p, _, _ = stats.chi2_contingency(table, correction=False)
    v = math.sqrt(stat / (table.sum() * (min(table.shape) - 1)))
    return float(stat), float(p), v


def activity_profile(
    tweets: pd.DataFrame, by: str = "identity", unit: str = "hour", groups=None, min_n: int = 1
) -> pd.DataFrame:
    """Share of each group's tweets per hour of day (0-23, UTC) or weekday (rows) by group (columns).

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets from :func:`authored_tweets`.
    by : str, default "identity"
        Grouping column: "identity" or "role".
    unit : str, default "hour"
        "hour" (hour of day) or "weekday".
    groups : list of str or None, optional
        Groups to show, in this order; None takes the vocabulary order of ``by`` (groups with data only).
    min_n : int, default 1
        Leave out groups with fewer authors than this.

    Returns
    -------
    pandas.DataFrame
        Shares summing to 1 in each column; empty without tweets.
    """
    if tweets is None or tweets.empty:
        return pd.DataFrame()
    index = list(range(24)) if unit == "hour" else list(WEEKDAYS)
    present = _groups(tweets.drop_duplicates("author_id")[by], by, groups, min_n)
    counts = pd.crosstab(tweets[unit], tweets[by]).reindex(index=index, fill_value=0)
    counts = counts.reindex(columns=present, fill_value=0)
    out = counts / counts.sum().replace(0, np.nan)
    out.index.name, out.columns.name = unit, by
    return out


def kind_shares(tweets: pd.DataFrame, by: str = "identity", groups=None) -> pd.DataFrame:
    """Share of original tweets, replies, retweets and quotes in each group's tweets.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets from :func:`authored_tweets`.
    by : str, default "identity"
        Grouping column: "identity" or "role".
    groups : list of str or None, optional
        Groups to show, in this order; None takes the vocabulary order of ``by`` (groups with data only).

    Returns
    -------
    pandas.DataFrame
        One row per group, columns original, reply, retweet, quote; empty without tweets.
    """
    if tweets is None or tweets.empty:
        return pd.DataFrame()
    present = _groups(tweets.drop_duplicates("author_id")[by], by, groups, 1)
    out = pd.crosstab(tweets[by], tweets["kind"], normalize="index")
    out = out.reindex(
        index=present, columns=["original", "reply", "retweet", "quote"], fill_value=0
    )
    out.index.name, out.columns.name = by, "kind"
    return out


def hashtag_preferences(
    tweets: pd.DataFrame,
    hashtags: pd.DataFrame,
    by: str = "identity",
    groups=None,
    top: int = 5,
    min_count: int = 5,
    correction: str = "bh",
) -> pd.DataFrame:
    """Return the hashtags each group uses more than the others, with a test for each.

    Hashtags are counted once per tweet in the group's own tweets (retweets left
    out: a retweet carries someone else's hashtags). For each group and
    hashtag used at least ``min_count`` times in all: uses in the group, its
    share of the group's tagged tweets and of the others', the log odds ratio
    (with 0.5 added to each cell) and a 2x2 chi-square test, p-values corrected
    over all tests (Benjamini-Hochberg by default). Returns the ``top`` hashtags
    per group with a positive, significant log odds ratio, strongest first.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets from :func:`authored_tweets`.
    hashtags : pandas.DataFrame
        The dataset's hashtags table (tweet_id, tag_norm).
    by : str, default "identity"
        Grouping column: "identity" or "role".
    groups : list of str or None, optional
        Groups to show, in this order; None takes the vocabulary order of ``by`` (groups with data only).
    top : int, default 5
        Most hashtags kept per group.
    min_count : int, default 5
        Leave out hashtags used in fewer tweets than this, all groups together.
    correction : str, default "bh"
        Multiple-test correction: "bh" (Benjamini-Hochberg) or "holm".

    Returns
    -------
    pandas.DataFrame
        Columns group, tag, uses, share_in_group, share_elsewhere, log_odds, p_value, p_adjusted.
    """
    cols = [
        "group",
        "tag",
        "uses",
        "share_in_group",
        "share_elsewhere",
        "log_odds",
        "p_value",
        "p_adjusted",
    ]
    if tweets is None or tweets.empty or hashtags.empty:
        return pd.DataFrame(columns=cols)
    own = tweets.loc[tweets["kind"] != "retweet", ["tweet_id", by]]
    tags = hashtags[["tweet_id", "tag_norm"]].drop_duplicates().merge(own, on="tweet_id")
    if tags.empty:
        return pd.DataFrame(columns=cols)
    totals = tags.groupby(by)["tweet_id"].nunique()
    counts = pd.crosstab(tags["tag_norm"], tags[by])
    counts = counts[counts.sum(axis=1) >= min_count]
    present = [
        g
        for g in _groups(tags.drop_duplicates("tweet_id")[by], by, groups, 1)
        if g in counts.columns
    ]
    rows = []
    for g in present:
        n_in, n_out = totals[g], totals.drop(g).sum()
        for tag, k in counts[g].items():
            k_out = counts.loc[tag].drop(g).sum()
            a, b, c, d = k + 0.5, n_in - k + 0.5, k_out + 0.5, n_out - k_out + 0.5
            table = np.array([[k, n_in - k], [k_out, n_out - k_out]], float)
            _, p, _ = _chi2(table)
            rows.append(
                {
                    "group": g,
                    "tag": tag,
                    "uses": int(k),
                    "share_in_group": k / n_in,
                    "share_elsewhere": k_out / n_out if n_out else np.nan,
                    "log_odds": math.log((a * d) / (b * c)),
                    "p_value": p,
                }
            )
    out = pd.DataFrame(rows, columns=cols[:-1])
    out["p_adjusted"] = adjust_pvalues(out["p_value"], correction)
    keep = out[(out["log_odds"] > 0) & (out["p_adjusted"] < 0.05)]
    keep = keep.sort_values(["group", "log_odds", "tag"], ascending=[True, False, True])
    order = {g: i for i, g in enumerate(present)}
    keep = keep.groupby("group", group_keys=False).head(top)
    return keep.sort_values(
        ["group", "log_odds"],
        key=lambda s: s.map(order) if s.name == "group" else -s,
        ignore_index=True,
    )


_GROUP_WORDS = {
    "nominative": "nominative accounts",
    "anonymous": "anonymous accounts",
    "institutional": "institutional accounts",
    "rest": "all other accounts",
    "other_hcp": "other health professionals",
    "public": "the public",
    "unknown": "accounts of unknown role",
}


def group_words(group: str) -> str:
    """Return a group's name in a sentence ('anonymous accounts', 'nurses'...).

    Parameters
    ----------
    group : str
        A role or identity value, e.g. "anonymous", "nurse".

    Returns
    -------
    str
        Its plural wording.
    """
    if group in _GROUP_WORDS:
        return _GROUP_WORDS[group]
    return {"physiotherapist": "physiotherapists", "institution": "institutions"}.get(
        group, f"{group}s"
    )


def _fmt(value: float, metric: str) -> str:
    if metric.endswith("_share") or metric in ("protected", "reciprocity_received"):
        return f"{value:.0%}"
    if metric in ("followers_count", "following_count", "mentions_received"):
        return f"{value:,.0f}"
    if metric == "median_hour":
        return f"{value:.0f}:00"
    return f"{value:.2f}"


def describe_differences(comparison: pd.DataFrame, max_sentences: int = 12) -> list[str]:
    """Sentences stating what differs between groups and how strongly, computed from the table.

    Significant differences (after correction) with at least a small effect
    come first, strongest first; a last sentence lists what did not differ.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Result of :func:`compare_groups`.
    max_sentences : int, default 12
        Most sentences about significant differences.

    Returns
    -------
    list of str
        The sentences, in the order above.
    """
    if comparison.empty:
        return ["Nothing to compare: no group has enough accounts with data."]
    sig = comparison[comparison["significant"] & (comparison["magnitude"] != "negligible")]
    sig = sig.reindex(sig["effect_size"].abs().sort_values(ascending=False).index)
    out = []
    for r in sig.head(max_sentences).itertuples():
        a, b = group_words(r.group_a), group_words(r.group_b)
        name = "Cliff's δ" if r.effect == "cliffs_delta" else "Cramér's V"
        stats_txt = (
            f"{name} = {r.effect_size:+.2f}"
            if r.effect == "cliffs_delta"
            else f"{name} = {r.effect_size:.2f}"
        )
        tail = f"({stats_txt}, {r.magnitude}; {r.test}, corrected p {format_p(r.p_adjusted)})"
        if r.level == "tweet":
            out.append(f"{a[0].upper() + a[1:]} and {b} differ in their {r.label} {tail}.")
        elif r.metric == "protected":
            out.append(
                f"{_fmt(r.value_a, r.metric)} of {a} are protected against "
                f"{_fmt(r.value_b, r.metric)} of {b} {tail}."
            )
        else:
            word = "higher" if r.effect_size > 0 else "lower"
            out.append(
                f"{r.label[0].upper() + r.label[1:]}: {word} for {a} than for {b}, median "
                f"{_fmt(r.value_a, r.metric)} against {_fmt(r.value_b, r.metric)} {tail}."
            )
    flat = comparison[~comparison.index.isin(sig.index)]
    if len(flat):
        labels = sorted(set(flat["label"]) - set(sig["label"]))
        if labels:
            out.append(
                "No difference of at least a small size survived the correction for: "
                + ", ".join(labels)
                + "."
            )
    if not len(sig):
        out.insert(
            0, "No difference between the groups survived the correction for multiple tests."
        )
    return out


def group_shares(
    metrics: pd.DataFrame, column: str = "protected", by: str = "identity", groups=None
) -> pd.Series:
    """Share of accounts with a true ``column`` (e.g. protected) per group, in vocabulary order.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Per-account table from :func:`account_metrics`.
    column : str, default "protected"
        Boolean column whose true share is computed.
    by : str, default "identity"
        Grouping column: "identity" or "role".
    groups : list of str or None, optional
        Groups to show, in this order; None takes the vocabulary order of ``by`` (groups with data only).

    Returns
    -------
    pandas.Series
        Share (0-1) per group; empty if metrics is.
    """
    if metrics.empty:
        return pd.Series(dtype=float)
    present = _groups(metrics[by], by, groups, 1)
    return metrics.groupby(by)[column].mean().astype(float).reindex(present)


def group_share_table(
    metrics: pd.DataFrame, column: str = "protected", by: str = "identity", groups=None
) -> pd.DataFrame:
    """Per group: accounts, how many have a true ``column``, the share and its 95% Wilson interval.

    Indexed by group, in vocabulary order; ``stats.compare_shares(table, "yes", "accounts")``
    tests whether the shares differ between groups.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Per-account table from :func:`account_metrics`.
    column : str, default "protected"
        Boolean column counted (missing counts as false).
    by : str, default "identity"
        Grouping column: "identity" or "role".
    groups : list of str or None, optional
        Groups to show, in this order; None takes the vocabulary order of ``by`` (groups with data only).

    Returns
    -------
    pandas.DataFrame
        Columns accounts, yes, share, ci_low, ci_high.
    """
    cols = ["accounts", "yes", "share", "ci_low", "ci_high"]
    if metrics.empty:
        return pd.DataFrame(columns=cols)
    present = _groups(metrics[by], by, groups, 1)
    flags = metrics[column].fillna(False).astype(bool)
    counts = flags.groupby(metrics[by]).agg(accounts="size", yes="sum").reindex(present)
    return shares_with_intervals(counts, "yes", "accounts")[cols]
