"""Shares compared between groups, honestly: Wilson intervals, a test, p-values as readers expect.

A share of accounts (flagged, protected…) differs between groups by chance
alone when groups are small; :func:`shares_with_intervals` adds a 95% Wilson
score interval to each group's share, :func:`compare_shares` tests whether the
shares differ (chi-square test of independence, or Fisher's exact test for two
groups with small expected counts) and :func:`describe_share_test` says so in a
sentence that also warns against a causal reading. :func:`format_pvalues` writes
p-values as journals do (``< 0.001``, never ``0.000``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

#: Below this many, a p-value is written "< 0.001".
P_FLOOR = 0.001


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share ``successes / n`` (arrays or numbers); NaN where n is 0.

    Parameters
    ----------
    successes : ArrayLike
        Number of accounts (or items) with the property.
    n : ArrayLike
        Number of accounts in all, same shape.
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        The lower and upper bounds, as shares between 0 and 1.

    Examples
    --------
    >>> low, high = wilson_interval(10, 301)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0181, 0.0601)
    >>> [round(float(x), 3) for x in wilson_interval(0, 60)]
    [0.0, 0.06]
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, np.nan)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def shares_with_intervals(
    table: pd.DataFrame, successes: str, n: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Return ``table`` with ``share``, ``ci_low`` and ``ci_high`` (Wilson) of ``successes / n``.

    Rows with a missing count (suppressed: fewer than k accounts) get no share.

    Parameters
    ----------
    table : pd.DataFrame
        One row per group.
    successes : str
        The column counting the accounts with the trait (flagged, protected...).
    n : str
        The column counting the group's accounts.
    confidence : float
        The intervals' confidence level.

    Returns
    -------
    pd.DataFrame
        A copy of ``table`` with the three columns added.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "flagged": [10, 0], "accounts": [301, 60]})
    >>> shares_with_intervals(t, "flagged", "accounts").round(3).iloc[:, 3:].values.tolist()
    [[0.033, 0.018, 0.06], [0.0, 0.0, 0.06]]
    """
    out = table.copy()
    if out.empty:  # a dataset without the groups (no planted set, no tweet)
        return out.assign(**{c: pd.Series(dtype=float) for c in ("share", "ci_low", "ci_high")})
    k = pd.to_numeric(out[successes], errors="coerce")
    total = pd.to_numeric(out[n], errors="coerce")
    low, high = wilson_interval(k.fillna(0), total.fillna(0), confidence)
    known = k.notna() & total.notna() & (total > 0)
    out["share"] = (k / total).where(known)
    out["ci_low"] = pd.Series(low, index=out.index).where(known)
    out["ci_high"] = pd.Series(high, index=out.index).where(known)
    return out


@dataclass(frozen=True)
class ShareTest:
    """A test of whether shares differ between groups."""

    test: str
    statistic: float
    dof: int
    p: float
    groups: int

    def describe(self, what: str, by: str) -> str:
        """Return one sentence: the test, its result, and what it does not show.

        Parameters
        ----------
        what : str
            What the shares measure, e.g. ``"share of protected accounts"``.
        by : str
            The grouping, e.g. ``"identity"``.

        Returns
        -------
        str
            The sentence.
        """
        if self.groups < 2:
            return f"Fewer than two groups with accounts: no test of {what} between {by} groups."
        stat = f"χ²({self.dof}) = {self.statistic:.2f}, " if self.test == "chi-square" else ""
        verdict = (
            f"the {what} differs between {by} groups more than chance alone would make it"
            if self.p < 0.05
            else f"the {what} does not differ between {by} groups more than chance could make it"
        )
        return (
            f"{self.test.capitalize()} test across {self.groups} groups: {stat}p {format_p(self.p)}: "
            f"{verdict}. A difference would describe these accounts, not show that being in a "
            "group causes it."
        )


def compare_shares(table: pd.DataFrame, successes: str, n: str) -> ShareTest:
    """Test whether ``successes / n`` differs between the rows (groups) of ``table``.

    Chi-square test of independence on the groups × (yes, no) table; with two groups
    and an expected count under 5, Fisher's exact test. Suppressed rows (missing
    counts) and empty groups are left out.

    Parameters
    ----------
    table : pd.DataFrame
        One row per group.
    successes : str
        The column counting the accounts with the trait.
    n : str
        The column counting the group's accounts.

    Returns
    -------
    ShareTest
        The test, its statistic, degrees of freedom, p-value and number of groups.

    Examples
    --------
    >>> t = pd.DataFrame({"flagged": [10, 0, 10], "accounts": [301, 60, 370]})
    >>> r = compare_shares(t, "flagged", "accounts"); r.test, r.dof, round(r.p, 3)
    ('chi-square', 2, 0.354)
    >>> compare_shares(t.iloc[:2], "flagged", "accounts").test
    'Fisher exact'
    """
    if table.empty:
        return ShareTest("chi-square", float("nan"), 0, 1.0, 0)
    k = pd.to_numeric(table[successes], errors="coerce")
    total = pd.to_numeric(table[n], errors="coerce")
    keep = k.notna() & total.notna() & (total > 0)
    yes = k[keep].to_numpy(dtype=float)
    no = total[keep].to_numpy(dtype=float) - yes
    counts = np.column_stack([yes, no])
    groups = len(counts)
    if groups < 2 or counts[:, 0].sum() == 0 or counts[:, 1].sum() == 0:
        return ShareTest("chi-square", float("nan"), max(groups - 1, 0), 1.0, groups)
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0) / counts.sum()
    if groups == 2 and expected.min() < 5:
        _, p = stats.fisher_exact(counts.astype(int))
        return ShareTest("Fisher exact", float("nan"), 1, float(p), groups)
    stat, p, dof, _ = stats.chi2_contingency(counts, correction=False)
    return ShareTest("chi-square", float(stat), int(dof), float(p), groups)


def format_p(p: float) -> str:
    """Return a p-value as written in a paper: '< 0.001' below 0.001, else three decimals with '='.

    Parameters
    ----------
    p : float
        A p-value, or NaN when no test was run.

    Returns
    -------
    str
        E.g. ``'< 0.001'``, ``'= 0.046'`` or ``'not computed'``.

    Examples
    --------
    >>> format_p(0.00002), format_p(0.0456), format_p(float("nan"))
    ('< 0.001', '= 0.046', 'not computed')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "not computed"
    return f"< {P_FLOOR:g}" if p < P_FLOOR else f"= {p:.3f}"


def format_pvalues(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Return a copy with p-value columns as text: ``< 0.001`` or three decimals (never ``0.000``).

    Parameters
    ----------
    table : pd.DataFrame
        A table of test results.
    columns : list of str, optional
        The p-value columns; by default every column named ``p`` or starting with ``p_``
        (``p_adj``...).

    Returns
    -------
    pd.DataFrame
        A copy of ``table``, those columns as text.

    Examples
    --------
    >>> format_pvalues(pd.DataFrame({"p": [0.00001, 0.2], "p_adj": [0.0004, 1.0]})).values.tolist()
    [['< 0.001', '< 0.001'], ['0.200', '1.000']]
    """
    out = table.copy()
    columns = columns or [c for c in out.columns if str(c) == "p" or str(c).startswith("p_")]
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").map(
            lambda p: "" if pd.isna(p) else format_p(p).removeprefix("= ")
        )
    return out
