"""Charts of the overview notebook: volume over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.plots.base import (
    LANG_COLORS,
    _figure,
    _finish,
    color_for,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.plots.base import Chart


def plot_tweets_per_month(counts: pd.DataFrame, source: str = "", ax: Axes | None = None) -> Chart:
    """Plot tweets per month by language, stacked (``overview.tweets_per_month``).

    Parameters
    ----------
    counts : pd.DataFrame
        Tweets per month and language.
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
        ax.text(
            0.5, 0.5, "No tweets in this dataset", ha="center", va="center", transform=ax.transAxes
        )
    else:
        cols = sorted(counts.columns, key=lambda c: -counts[c].sum())
        ax.stackplot(
            counts.index,
            *[counts[c] for c in cols],
            labels=cols,
            colors=[color_for(c, LANG_COLORS, i) for i, c in enumerate(cols)],
        )
        ax.legend(title="Language", loc="upper left", frameon=False)
    _finish(
        fig, ax, "Tweets per month by language", "Month (UTC)", "Tweets per month (count)", source
    )
    return fig, ax
