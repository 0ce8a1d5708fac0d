"""Charts of patient-confidentiality flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.patches import Patch

from analysis.plots.base import (
    IDENTITY_COLORS,
    ROLE_COLORS,
    _figure,
    add_source,
    color_for,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.plots.base import Chart


def plot_flag_rates(
    rates: pd.DataFrame, by: str = "identity", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the share of accounts with a tweet flagged high risk, per group (``confidentiality.flag_rates``).

    Suppressed groups (fewer than k accounts, anonymised outputs) are labelled, not drawn.
    With ``ci_low`` and ``ci_high`` columns (``stats.shares_with_intervals``), each bar gets
    its 95% interval.

    Parameters
    ----------
    rates : pd.DataFrame
        Flagged accounts and accounts per group, with ``ci_low`` and ``ci_high`` if computed.
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
    fig, ax = _figure(ax, figsize=(8, 0.45 * max(len(rates), 3) + 2))
    palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
    if rates.empty:
        ax.text(
            0.5, 0.5, "No tweets in this dataset", ha="center", va="center", transform=ax.transAxes
        )
    else:
        groups = list(rates[by])
        values = 100 * pd.to_numeric(rates["share_accounts_flagged"], errors="coerce")
        colors = [color_for(g, palette, i) for i, g in enumerate(groups)]
        y = range(len(groups))
        ax.barh(list(y), values.fillna(0), color=colors)
        if {"ci_low", "ci_high"} <= set(rates.columns):  # 95% Wilson intervals (analysis.stats)
            low = 100 * pd.to_numeric(rates["ci_low"], errors="coerce")
            high = 100 * pd.to_numeric(rates["ci_high"], errors="coerce")
            known = values.notna() & low.notna()
            ax.errorbar(
                values[known],
                [yi for yi, k in zip(y, known, strict=True) if k],
                xerr=[(values - low)[known].clip(lower=0), (high - values)[known].clip(lower=0)],
                fmt="none",
                ecolor="#333333",
                elinewidth=1,
                capsize=3,
                label="95% interval (Wilson)",
            )
        for yi, v in zip(y, values, strict=True):
            if pd.isna(v):
                ax.text(
                    0,
                    yi,
                    "  suppressed (fewer than k accounts)",
                    va="center",
                    fontsize=8,
                    color="#555555",
                )
        ax.set_yticks(list(y), groups)
        ax.invert_yaxis()
        ax.legend(
            handles=[Patch(color=c, label=g) for g, c in zip(groups, colors, strict=True)],
            title=by.capitalize(),
            loc="lower right",
            frameon=False,
            fontsize=8,
        )
    ax.set_title(
        f"Accounts that posted a tweet flagged high risk for patient confidentiality, by {by}",
        fontsize=10,
    )
    ax.set_xlabel("Accounts with at least one high-risk tweet (% of the group's tweeting accounts)")
    ax.set_ylabel(by.capitalize())
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set"):
            # room for the source line under the axis label; the stub types the base
            # LayoutEngine, whose set has no rect (the constrained layout's has)
            engine.set(rect=(0, 0.06, 1, 0.94))  # type: ignore[call-arg]
        add_source(fig, source)
    return fig, ax
