"""Charts of adoption over time: adoption curves, Bass fit, activity, retention, survey figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd

from analysis.plots.base import (
    OKABE_ITO,
    _empty,
    _figure,
    _finish,
    add_source,
    color_for,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.adoption.bass import BassFit
    from analysis.plots.base import Chart


def plot_adoption_curves(
    curves: pd.DataFrame, source: str = "", date_label: str = "", ax: Axes | None = None
) -> Chart:
    """Plot adopters per month (from ``adoption.adoption_curves``).

    One group: bars of new adopters per month and the cumulative count on a
    second axis. Several groups: one cumulative line per group, in its colour.

    Parameters
    ----------
    curves : pd.DataFrame
        New and cumulative adopters per month, per group if several.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    date_label : str
        What the adoption date is, for the x axis label.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax)
    what = f" ({date_label})" if date_label else ""
    if curves.empty:
        _empty(ax, "No dated adopters in this dataset")
        _finish(fig, ax, f"Adoption over time{what}", "Month (UTC)", "Adopters (accounts)", source)
        return fig, ax
    groups = sorted(curves["group"].unique())
    if len(groups) == 1:
        c = curves
        ax.bar(
            c["month"], c["new"], width=25, color=OKABE_ITO[4], label="new adopters in the month"
        )
        ax2 = ax.twinx()
        ax2.plot(c["month"], c["cumulative"], color=OKABE_ITO[5], lw=2, label="cumulative adopters")
        ax2.set_ylabel("Cumulative adopters (accounts)")
        ax2.spines[["top"]].set_visible(False)
        ax2.set_ylim(bottom=0)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False)
        ylabel = "New adopters per month (accounts)"
    else:
        for i, g in enumerate(groups):
            c = curves[curves["group"] == g]
            ax.plot(c["month"], c["cumulative"], color=color_for(g, index=i), lw=2, label=g)
        ax.legend(title="Group", loc="upper left", frameon=False, fontsize=8, ncols=2)
        ylabel = "Cumulative adopters (accounts)"
    _finish(fig, ax, f"Adoption over time{what}", "Month (UTC)", ylabel, source)
    return fig, ax


def plot_bass_fit(
    observed: pd.DataFrame, fit: BassFit | None = None, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot observed cumulative adopters against the fitted Bass curve (from ``adoption.bass_curve``).

    Parameters
    ----------
    observed : pd.DataFrame
        Cumulative adopters per month.
    fit : BassFit, optional
        The fitted Bass model; the observed curve alone if ``None``.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax)
    title = "Cumulative adopters: data vs Bass diffusion fit"
    if observed.empty:
        _empty(ax, "No dated adopters in this dataset")
        _finish(fig, ax, title, "Month (UTC)", "Cumulative adopters (accounts)", source)
        return fig, ax
    ax.plot(
        observed["month"],
        observed["observed"],
        color=OKABE_ITO[4],
        lw=0,
        marker=".",
        ms=3,
        label="observed (end of month)",
    )
    if fit is not None and "fitted" in observed:
        ax.plot(
            observed["month"],
            observed["fitted"],
            color=OKABE_ITO[5],
            lw=2,
            label=f"Bass fit: p = {fit.p:.4f}/yr, q = {fit.q:.3f}/yr, m = {fit.m:,.0f}",
        )
        ax.axhline(fit.m, color="#999999", ls=":", lw=1)
        ax.annotate(
            f"market size m ≈ {fit.m:,.0f}",
            (observed["month"].iloc[0], fit.m),
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=8,
            color="#555555",
        )
        peak = fit.peak.tz_localize(None)
        ax.axvline(peak, color="#999999", ls="--", lw=1)
        ax.annotate(
            f"peak of new adoptions: {peak:%Y-%m}",
            (peak, fit.m * 0.9),
            xytext=(-6, 0),
            textcoords="offset points",
            fontsize=8,
            ha="right",
        )
    else:
        _empty(ax, "Too few adopters for a Bass fit")
    ax.legend(loc="lower right", frameon=False)
    ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Month (UTC)", "Cumulative adopters (accounts)", source)
    return fig, ax


#: A share or a per-account rate is drawn only where at least this many accounts are behind it.
MIN_ACCOUNTS = 10
#: Weeks averaged in the per-account activity lines (a rolling mean, centred).
ROLLING_WEEKS = 4


def plot_weekly_activity(
    weekly: pd.DataFrame, per_account: bool = False, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot tweets per week by group (from ``adoption.weekly_activity``), raw or per account.

    Per account, each group gets its own panel (small multiples on one y scale), the line
    is a 4-week rolling mean, and weeks with fewer than :data:`MIN_ACCOUNTS` accounts
    started are left out: one account's tweet among two would read as a spike to 0.5.

    Parameters
    ----------
    weekly : pd.DataFrame
        Tweets and accounts started per week and group.
    per_account : bool
        Tweets per account started instead of tweets.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on (the first panel's, with panels).
    """
    col = "tweets_per_account" if per_account else "tweets"
    ylabel = "Tweets per week per account (count)" if per_account else "Tweets per week (count)"
    title = "Tweets per week" + (" per account that had started" if per_account else "")
    groups = sorted(weekly["group"].unique()) if not weekly.empty else []
    if per_account and ax is None and len(groups) > 1:
        return _weekly_per_account_panels(weekly, groups, title, ylabel, source)
    fig, ax = _figure(ax)
    if weekly.empty:
        _empty(ax, "No collected tweets in this dataset")
    else:
        for i, g in enumerate(groups):
            w = weekly[weekly["group"] == g]
            y = _per_account_line(w) if per_account else w[col]
            ax.plot(w["week"], y, color=color_for(g, index=i), lw=0.8, label=g)
        ax.legend(title="Group", loc="upper right", frameon=False, fontsize=8)
        ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Week (starting Monday, UTC)", ylabel, source)
    return fig, ax


def _per_account_line(w: pd.DataFrame) -> pd.Series:
    """Tweets per account, 4-week rolling mean, blank where fewer than MIN_ACCOUNTS had started."""
    tweets = w["tweets"].astype(float).rolling(ROLLING_WEEKS, center=True, min_periods=1).sum()
    accounts = w["accounts"].astype(float).rolling(ROLLING_WEEKS, center=True, min_periods=1).sum()
    rate = tweets / accounts.where(accounts > 0)
    return rate.where(w["accounts"] >= MIN_ACCOUNTS)


def _weekly_per_account_panels(weekly, groups, title, ylabel, source):
    ncols = min(3, len(groups))
    nrows = -(-len(groups) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(10, 1.9 * nrows + 1.2),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    top = 0.0
    for i, (g, ax) in enumerate(zip(groups, axes.flat, strict=False)):
        w = weekly[weekly["group"] == g]
        line = _per_account_line(w)
        ax.plot(w["week"], line, color=color_for(g, index=i), lw=1)
        if line.notna().any():
            top = max(top, float(line.max()))
        else:
            ax.text(
                0.5,
                0.5,
                f"never {MIN_ACCOUNTS} accounts started",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=8,
                color="#555555",
            )
        ax.set_title(g, fontsize=9, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7)
    axes.flat[0].set_ylim(0, top * 1.05 if top > 0 else 1.0)  # shared by every panel
    for ax in list(axes.flat)[len(groups) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{title} ({ROLLING_WEEKS}-week mean; weeks with under {MIN_ACCOUNTS} "
        "accounts started left out)",
        fontsize=10,
    )
    fig.supxlabel("Week (starting Monday, UTC)", fontsize=9)
    fig.supylabel(ylabel, fontsize=9)
    if source:
        add_source(fig, source)
    return fig, axes.flat[0]


def plot_tweet_type_shares(
    shares: pd.DataFrame, group: str | None = None, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the shares of originals, replies, retweets and quotes per period (one group).

    Parameters
    ----------
    shares : pd.DataFrame
        Shares of each tweet kind per period.
    group : str, optional
        The group shown, for the title.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax)
    kinds = ["original", "reply", "retweet", "quote"]
    colors = [OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[6]]
    title = "Share of tweet types per year" + (f" ({group})" if group else "")
    s = shares if group is None else shares[shares["group"] == group]
    if s.empty:
        _empty(ax, "No collected tweets in this dataset")
    else:
        s = s.groupby("period", as_index=False)[[*kinds, "tweets"]].sum(min_count=1)
        x = s["period"].dt.year.astype(str)
        bottom = pd.Series(0.0, index=s.index)
        for k, c in zip(kinds, colors, strict=True):
            vals = s[k].fillna(0) * 100
            ax.bar(x, vals, bottom=bottom, color=c, label=k)
            bottom += vals
        for xi, n in zip(x, s["tweets"], strict=True):
            ax.annotate(
                f"n={int(n)}",
                (xi, 100),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=6,
                rotation=90,
            )
        ax.set_ylim(0, 115)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.tick_params(axis="x", labelrotation=90)
    _finish(fig, ax, title, "Year (UTC)", "Share of the year's tweets (%)", source)
    return fig, ax


def plot_active_accounts(active: pd.DataFrame, source: str = "", ax: Axes | None = None) -> Chart:
    """Plot active accounts per month and their share of the accounts that had started.

    Parameters
    ----------
    active : pd.DataFrame
        Active and started accounts per month.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax)
    title = "Active accounts per month (at least one tweet)"
    if active.empty:
        _empty(ax, "No collected tweets in this dataset")
        _finish(fig, ax, title, "Month (UTC)", "Active accounts (count)", source)
        return fig, ax
    a = active.groupby("month", as_index=False)[["active", "adopted"]].sum()
    ax.plot(a["month"], a["active"], color=OKABE_ITO[4], lw=1.5, label="active accounts")
    ax.plot(
        a["month"],
        a["adopted"],
        color="#999999",
        lw=1,
        ls="--",
        label="accounts that had started (denominator)",
    )
    ax2 = ax.twinx()
    # a share of two or three accounts starts at 100% and means nothing: drawn from MIN_ACCOUNTS on
    share = a["active"] / a["adopted"].where(a["adopted"] >= MIN_ACCOUNTS) * 100
    ax2.plot(
        a["month"],
        share,
        color=OKABE_ITO[5],
        lw=1,
        alpha=0.8,
        label=f"share active (%; from {MIN_ACCOUNTS} accounts started)",
    )
    ax2.set_ylabel("Share of started accounts active (%)")
    ax2.set_ylim(0, 100)
    ax2.spines[["top"]].set_visible(False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False, fontsize=8)
    _finish(fig, ax, title, "Month (UTC)", "Accounts (count)", source)
    return fig, ax


def retention_axis(shares: pd.Series) -> tuple[float, float]:
    """Return the y range (%) of the retention chart: from a round number below the lowest share.

    Shares between 94% and 100% drawn on 0-100 look all alike; the axis starts at the
    multiple of 10 at least 5 points below the lowest share (0 when that is below 20).

    Parameters
    ----------
    shares : pandas.Series
        Retention shares, between 0 and 1.

    Returns
    -------
    tuple of (float, float)
        The bottom and top of the y axis, in percent.

    Examples
    --------
    >>> retention_axis(pd.Series([0.94, 0.97, 1.0]))
    (80.0, 101.0)
    >>> retention_axis(pd.Series([0.15, 0.6]))
    (0.0, 101.0)
    """
    lowest = float(pd.to_numeric(shares, errors="coerce").min()) * 100
    low = 10 * ((lowest - 5) // 10)
    return (0.0 if low < 20 or pd.isna(low) else float(low)), 101.0


def plot_retention(ret: pd.DataFrame, source: str = "", ax: Axes | None = None) -> Chart:
    """Plot the share of accounts still tweeting N months after adopting (from ``adoption.retention``).

    Parameters
    ----------
    ret : pd.DataFrame
        Share still active per month since adoption.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax, figsize=(7, 4))
    title = "Retention: accounts still tweeting N months after their first tweet"
    r = ret.dropna(subset=["share_retained"]) if len(ret) else ret
    ylabel = "Accounts retained (%)"
    if r.empty:
        _empty(ax, "Too little time covered to measure retention")
    else:
        for i, g in enumerate(sorted(r["group"].unique())):
            d = r[r["group"] == g]
            ax.plot(
                d["months_after"],
                d["share_retained"] * 100,
                marker="o",
                color=color_for(g, index=i),
                label=g,
            )
            if len(r["group"].unique()) == 1:
                for m, s, e in zip(
                    d["months_after"], d["share_retained"], d["eligible"], strict=True
                ):
                    ax.annotate(
                        f"n={e}",
                        (m, s * 100),
                        xytext=(0, -12),
                        textcoords="offset points",
                        ha="center",
                        fontsize=7,
                    )
        ax.set_xscale("log")
        ticks = sorted(r["months_after"].unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        low, high = retention_axis(r["share_retained"])
        ax.set_ylim(low, high)
        ax.legend(title="Group (n = eligible accounts)", frameon=False, fontsize=8)
        ylabel += f"; axis from {low:g}%" if low > 0 else ""
    _finish(fig, ax, title, "Months after first tweet (log scale)", ylabel, source)
    return fig, ax


def plot_survey_comparison(table: pd.DataFrame, source: str = "", ax: Axes | None = None) -> Chart:
    """Plot the survey's reference figures beside the measured ones (``adoption.survey_comparison``).

    Parameters
    ----------
    table : pd.DataFrame
        Reference and measured figures, one row per measure.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax, figsize=(9, 4.3))
    y = range(len(table))
    ax.barh(
        [i + 0.2 for i in y],
        table["survey (reference, not ours)"] * 100,
        height=0.38,
        color="#BBBBBB",
        label="survey's figure (reference, not measured here)",
    )
    measured = table["measured here"].astype(float) * 100
    ax.barh(
        [i - 0.2 for i in y],
        measured.fillna(0),
        height=0.38,
        color=OKABE_ITO[4],
        label="measured in this dataset (different denominator)",
    )
    for i, (m, note) in enumerate(zip(measured, table["note"], strict=True)):
        missing = (
            "not measured (needs account labels)"
            if "labels" in note
            else "not measurable from tweets"
        )
        text = f"{m:.0f}%" if pd.notna(m) else missing
        ax.annotate(
            text,
            (0 if pd.isna(m) else m, i - 0.2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    for i, v in enumerate(table["survey (reference, not ours)"]):
        ax.annotate(
            f"{v:.0%}",
            (v * 100, i + 0.2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#555555",
        )
    ax.set_yticks(list(y), [f.replace(" general", "\ngeneral") for f in table["figure"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), frameon=False, fontsize=8)
    _finish(
        fig, ax, "Survey reference figures beside what this dataset shows", "Share (%)", "", source
    )
    return fig, ax
