"""Charts of the platforms notebook (07): posts over time, reciprocity and identity style per platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.plots.base import IDENTITY_COLORS, _empty, _figure, _finish

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.plots.base import Chart

#: One fixed colour per platform (Okabe-Ito): the same in every chart.
PLATFORM_COLORS = {"x": "#000000", "bluesky": "#0072B2", "mastodon": "#CC79A7"}


def plot_posts_per_platform(
    counts: pd.DataFrame, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot posts per month, one line per platform (from ``platforms_compare.posts_per_month``).

    Parameters
    ----------
    counts : pd.DataFrame
        Posts per month and platform.
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
    if counts.empty:
        _empty(ax, "No posts in this dataset")
    else:
        for platform in counts.columns:
            ax.plot(
                counts.index,
                counts[platform],
                label=platform,
                linewidth=1.6,
                color=PLATFORM_COLORS.get(platform, "#999999"),
            )
        ax.legend(title="Platform", loc="upper left", frameon=False)
        ax.set_ylim(bottom=0)
    _finish(
        fig, ax, "Posts per month by platform", "Month (UTC)", "Posts per month (count)", source
    )
    return fig, ax


def plot_reciprocity_by_platform(
    summary: pd.DataFrame, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the share of follow links followed back, per platform (``platform_summary``).

    Parameters
    ----------
    summary : pd.DataFrame
        One row per platform (``platforms_compare.platform_summary``).
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
    fig, ax = _figure(ax, figsize=(7, 3))
    shown = summary.dropna(subset=["reciprocity"])
    if shown.empty:
        _empty(ax, "No follow links between accounts of the dataset")
    else:
        values = shown["reciprocity"] * 100
        ax.barh(
            shown["platform"],
            values,
            color=[PLATFORM_COLORS.get(p, "#999999") for p in shown["platform"]],
        )
        for y, (v, n) in enumerate(zip(values, shown["follow_links"], strict=True)):
            ax.text(v + 1, y, f"{v:.1f}% of {n:,} links", va="center", fontsize=8)
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
    _finish(
        fig,
        ax,
        "Reciprocity of follow links by platform",
        "Links followed back (%)",
        "Platform",
        source,
    )
    return fig, ax


def plot_identity_by_platform(
    summary: pd.DataFrame, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot, as stacked bars, the share of each identity style among each platform's accounts.

    Parameters
    ----------
    summary : pd.DataFrame
        One row per platform (``platforms_compare.platform_summary``).
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
    fig, ax = _figure(ax, figsize=(7, 3))
    columns = [c for c in summary.columns if c.startswith("share_")]
    shown = summary.dropna(subset=columns) if columns else summary.iloc[0:0]
    if shown.empty:
        _empty(ax, "No labelled accounts")
    else:
        left = pd.Series(0.0, index=shown.index)
        for column in columns:
            name = column.removeprefix("share_")
            values = shown[column] * 100
            ax.barh(
                shown["platform"],
                values,
                left=left,
                label=name,
                color=IDENTITY_COLORS.get(name, "#999999"),
            )
            left += values
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
        ax.legend(
            title="Identity style", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False
        )
    _finish(fig, ax, "Identity style of accounts by platform", "Accounts (%)", "Platform", source)
    return fig, ax
