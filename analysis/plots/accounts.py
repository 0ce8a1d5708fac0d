"""Charts of account labels and group comparisons (roles, identity styles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, SymmetricalLogLocator

from analysis.plots.base import (
    IDENTITY_COLORS,
    OKABE_ITO,
    ROLE_COLORS,
    _empty,
    _figure,
    _finish,
    add_source,
    color_for,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes

    from analysis.plots.base import Chart


def _group_color(group: str, by: str, index: int = 0) -> str:
    return color_for(group, IDENTITY_COLORS if by == "identity" else ROLE_COLORS, index)


def plot_confusion_matrix(
    cm: pd.DataFrame, title: str = "Confusion matrix", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot a confusion matrix as a heatmap, counts written in.

    Parameters
    ----------
    cm : pd.DataFrame
        True classes (rows) by predicted classes (columns), from
        :func:`analysis.accounts.evaluate.confusion_matrix`.
    title : str
        The chart's title.
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
    fig, ax = _figure(
        ax, figsize=(1.0 + 0.65 * max(len(cm.columns), 3), 0.9 + 0.5 * max(len(cm), 3))
    )
    if cm.empty:
        _empty(ax, "Nothing to evaluate")
    else:
        values = cm.to_numpy()
        im = ax.imshow(values, cmap="Blues")
        ax.set_xticks(range(len(cm.columns)), cm.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(cm.index)), cm.index)
        top = values.max() or 1
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                ax.text(
                    j,
                    i,
                    str(values[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if values[i, j] > top / 2 else "black",
                )
        fig.colorbar(im, ax=ax, label="Accounts (count)", shrink=0.8)
    ax.set_title(title)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    if source:
        add_source(fig, source)
    return fig, ax


def count_axis(ax: Axes, values: pd.Series) -> None:
    """Give ``ax`` a log-like y axis for counts that include zeros: symlog, from 0, ticks as plain numbers.

    Linear from 0 to 1, logarithmic above; the axis never goes below 0, so no tick reads
    -10⁰ or -10¹ for a count.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to change, in place.
    values : pandas.Series
        The counts drawn, to set the top of the axis.
    """
    ax.set_yscale("symlog", linthresh=1.0)
    top = float(values.max()) if len(values) else 1.0
    ax.set_ylim(0, max(top * 1.3, 2.0))
    ax.yaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=1.0))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 or v == 0 else "")
    )


def plot_metric_by_group(
    metrics: pd.DataFrame,
    metric: str,
    by: str = "identity",
    groups: Sequence[str] | None = None,
    label: str | None = None,
    log: bool = False,
    source: str = "",
    ax: Axes | None = None,
) -> Chart:
    """Plot one account-level metric per group as box plots.

    Parameters
    ----------
    metrics : pd.DataFrame
        One row per account (:func:`analysis.accounts.compare.account_metrics`).
    metric : str
        The column to plot.
    by : str
        The grouping column (``identity`` or ``role``).
    groups : list of str, optional
        The groups to show, in order; all if ``None``.
    label : str, optional
        The metric's axis label, with its unit; ``metric`` if ``None``.
    log : bool
        A log-like y axis (counts with zeros included).
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
    label = label or metric.replace("_", " ")
    order = [g for g in (groups or metrics[by].dropna().unique()) if g in set(metrics[by])]
    data = [metrics.loc[metrics[by] == g, metric].dropna() for g in order]
    kept = [(g, d) for g, d in zip(order, data, strict=True) if len(d)]
    if not kept:
        _empty(ax, f"No account has data for {label}")
    else:
        box = ax.boxplot(
            [d.to_numpy() for _, d in kept],
            patch_artist=True,
            widths=0.6,
            medianprops={"color": "black"},
        )
        many = len(kept) > 5
        ax.set_xticks(
            range(1, len(kept) + 1),
            [f"{g} (n={len(d)})" if many else f"{g}\n(n={len(d)})" for g, d in kept],
            rotation=35 if many else 0,
            ha="right" if many else "center",
        )
        for i, (patch, (g, _)) in enumerate(zip(box["boxes"], kept, strict=True)):
            patch.set_facecolor(_group_color(g, by, i))
            patch.set_alpha(0.8)
        ax.legend(
            [box["boxes"][i] for i in range(len(kept))],
            [g for g, _ in kept],
            title=by.capitalize(),
            frameon=False,
            fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
        if log:
            values = pd.concat([d for _, d in kept])
            if (values > 0).all():
                ax.set_yscale("log")
            else:
                count_axis(ax, values)
    _finish(
        fig,
        ax,
        f"{label[0].upper() + label[1:]} by {by}",
        by.capitalize(),
        label + (" (log scale)" if log else ""),
        source,
    )
    return fig, ax


def plot_kind_shares(
    shares: pd.DataFrame, by: str = "identity", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot, as stacked bars, the share of originals, replies, retweets and quotes per group.

    Parameters
    ----------
    shares : pd.DataFrame
        Shares of each tweet kind per group.
    by : str
        The grouping (``identity`` or ``role``).
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
    fig, ax = _figure(ax, figsize=(8, 3.5))
    if shares.empty:
        _empty(ax, "No tweets to show")
    else:
        kind_colors = {
            "original": "#0072B2",
            "reply": "#D55E00",
            "retweet": "#009E73",
            "quote": "#CC79A7",
        }
        left = pd.Series(0.0, index=shares.index)
        for kind in shares.columns:
            ax.barh(
                shares.index,
                shares[kind],
                left=left,
                label=kind,
                color=kind_colors.get(kind, "#999999"),
            )
            left += shares[kind]
        ax.invert_yaxis()
        ax.legend(title="Tweet type", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(f"Tweet types by {by}")
    ax.set_xlabel("Share of the group's tweets (%)")
    ax.set_ylabel(by.capitalize())
    if source:
        add_source(fig, source)
    return fig, ax


def plot_activity_profile(
    profile: pd.DataFrame,
    by: str = "identity",
    unit: str = "hour",
    source: str = "",
    ax: Axes | None = None,
) -> Chart:
    """Plot the share of each group's tweets per hour of day (UTC) or weekday.

    Parameters
    ----------
    profile : pd.DataFrame
        Shares of each group's tweets per ``unit``.
    by : str
        The grouping (``identity`` or ``role``).
    unit : {"hour", "weekday"}
        The time unit of the x axis.
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
    fig, ax = _figure(ax, figsize=(8, 3.8))
    if profile.empty:
        _empty(ax, "No tweets to show")
    else:
        x = range(len(profile.index))
        for i, g in enumerate(profile.columns):
            ax.plot(x, profile[g], marker="o", ms=3, label=g, color=_group_color(g, by, i))
        ax.set_xticks(list(x), [str(v) for v in profile.index])
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
        ax.legend(title=by.capitalize(), frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    what = "hour of day" if unit == "hour" else "day of the week"
    _finish(
        fig,
        ax,
        f"When each {by} group tweets: {what}",
        "Hour of day (UTC)" if unit == "hour" else "Day of the week (UTC)",
        "Share of the group's tweets (%)",
        source,
    )
    return fig, ax


def plot_effect_sizes(
    comparison: pd.DataFrame, by: str = "identity", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot every comparison's effect size; filled dots survived the p-value correction.

    Parameters
    ----------
    comparison : pd.DataFrame
        The tests between groups (:func:`analysis.accounts.compare.compare_groups`).
    by : str
        The grouping compared (``identity`` or ``role``).
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
    fig, ax = _figure(
        ax, figsize=(9, 1.2 + 0.3 * max(comparison["label"].nunique(), 3) if len(comparison) else 3)
    )
    if comparison.empty:
        _empty(ax, "Nothing to compare")
    else:
        labels = list(dict.fromkeys(comparison["label"]))
        y = {lab: i for i, lab in enumerate(labels)}
        pairs = list(dict.fromkeys(zip(comparison["group_a"], comparison["group_b"], strict=True)))
        step = min(0.18, 0.7 / len(pairs))  # the dots of one metric stay within its row
        offsets = {p: (k - (len(pairs) - 1) / 2) * step for k, p in enumerate(pairs)}
        for k, pair in enumerate(pairs):
            sub = comparison[
                (comparison["group_a"] == pair[0]) & (comparison["group_b"] == pair[1])
            ]
            color = OKABE_ITO[k % len(OKABE_ITO)]
            ys = [y[lab] + offsets[pair] for lab in sub["label"]]
            sig = sub["significant"].to_numpy()
            ax.scatter(
                sub["effect_size"][sig],
                [v for v, s in zip(ys, sig, strict=True) if s],
                color=color,
                label=f"{pair[0]} vs {pair[1]}",
                zorder=3,
            )
            ax.scatter(
                sub["effect_size"][~sig],
                [v for v, s in zip(ys, sig, strict=True) if not s],
                facecolors="none",
                edgecolors=color,
                zorder=3,
            )
        ax.axvline(0, color="#555555", lw=0.8)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(-1.05, 1.05)
        ax.legend(
            title="Comparison\n(filled: significant after correction;\nCliff's δ for metrics, "
            "Cramér's V\nfor shares and distributions)",
            frameon=False,
            fontsize=8,
            title_fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
    ax.set_title(f"How strongly groups differ, by {by}")
    ax.set_xlabel("Effect size (unitless)")
    ax.grid(axis="x", alpha=0.3)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_hashtag_preferences(
    prefs: pd.DataFrame, by: str = "identity", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the log odds ratio of the hashtags each group prefers, as horizontal bars.

    Parameters
    ----------
    prefs : pd.DataFrame
        Preferred hashtags per group (:func:`analysis.accounts.compare.hashtag_preferences`).
    by : str
        The grouping (``identity`` or ``role``).
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
    fig, ax = _figure(ax, figsize=(8, 0.6 + 0.3 * max(len(prefs), 4)))
    if prefs.empty:
        _empty(ax, "No hashtag is preferred by any group")
    else:
        labels = [f"#{t} ({g})" for g, t in zip(prefs["group"], prefs["tag"], strict=True)]
        colors = [_group_color(g, by, i) for i, g in enumerate(prefs["group"])]
        ax.barh(range(len(prefs)), prefs["log_odds"], color=colors)
        ax.set_yticks(range(len(prefs)), labels)
        ax.invert_yaxis()
        groups = list(dict.fromkeys(prefs["group"]))
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=_group_color(g, by, i)) for i, g in enumerate(groups)
        ]
        ax.legend(
            handles,
            groups,
            title=by.capitalize(),
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
    ax.set_title(f"Hashtags each {by} group prefers")
    ax.set_xlabel("Log odds ratio, group vs all others (natural log)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_group_shares(
    shares: pd.Series | pd.DataFrame,
    title: str,
    ylabel: str,
    by: str = "identity",
    source: str = "",
    ax: Axes | None = None,
) -> Chart:
    """Plot one share per group (e.g. protected accounts) as bars, in the groups' colours.

    ``shares``: a share per group (Series), or a table indexed by group with ``share``,
    ``ci_low`` and ``ci_high`` (``accounts.compare.group_share_table``): bars get their
    95% Wilson intervals.

    Parameters
    ----------
    shares : pd.Series or pd.DataFrame
        A share per group, or a table indexed by group with ``share``, ``ci_low`` and ``ci_high``.
    title : str
        The chart's title.
    ylabel : str
        The y axis label.
    by : str
        The grouping (``identity`` or ``role``), for the colours.
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
    fig, ax = _figure(ax, figsize=(6, 3.5))
    table = shares if isinstance(shares, pd.DataFrame) else shares.rename("share").to_frame()
    table = table.dropna(subset=["share"])
    if table.empty:
        _empty(ax, "No account to show")
    else:
        x = range(len(table))
        ax.bar(
            x,
            table["share"].to_numpy(),
            color=[_group_color(g, by, i) for i, g in enumerate(table.index)],
        )
        if {"ci_low", "ci_high"} <= set(table.columns):
            ax.errorbar(
                list(x),
                table["share"],
                fmt="none",
                ecolor="#333333",
                capsize=3,
                yerr=[
                    (table["share"] - table["ci_low"]).clip(lower=0),
                    (table["ci_high"] - table["share"]).clip(lower=0),
                ],
                label="95% interval (Wilson)",
            )
            ax.legend(frameon=False, fontsize=8)
        ax.set_xticks(list(x), list(table.index))
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    _finish(fig, ax, title, by.capitalize(), ylabel, source)
    return fig, ax
