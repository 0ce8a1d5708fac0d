"""Every chart of the toolkit: each takes data (and an optional ``ax``), returns ``(fig, ax)``.

Charts never compute a metric; they draw what the analysis modules return.
Conventions: a title naming the subject, labelled axes with units, a source
line (``source_label``), and a colour-blind-safe palette (Okabe-Ito) in which a
group keeps its colour in every chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
             "#999999")  # fmt: skip
IDENTITY_COLORS = {"nominative": "#0072B2", "anonymous": "#D55E00", "institutional": "#009E73",
                   "unknown": "#999999"}  # fmt: skip
ROLE_COLORS = {
    "physician": "#0072B2", "intern": "#56B4E9", "nurse": "#CC79A7", "pharmacist": "#009E73",
    "midwife": "#F0E442", "physiotherapist": "#E69F00", "dentist": "#8C564B", "other_hcp": "#7F7F7F",
    "institution": "#000000", "public": "#D55E00", "unknown": "#BBBBBB",
}  # fmt: skip
LANG_COLORS = {"fr": "#0072B2", "en": "#E69F00", "und": "#999999"}


def color_for(group: str, palette: dict[str, str] | None = None, index: int = 0) -> str:
    """The fixed colour of a group, or the ``index``-th Okabe-Ito colour."""
    for pal in (palette or {}, IDENTITY_COLORS, ROLE_COLORS, LANG_COLORS):
        if group in pal:
            return pal[group]
    return OKABE_ITO[index % len(OKABE_ITO)]


def source_label(name: str, synthetic: bool, span: tuple | None = None) -> str:
    """The source line under a chart.

    Examples
    --------
    >>> source_label("demo", True)
    'Source: demo data — synthetic'
    """
    if synthetic:
        return f"Source: {name} data — synthetic"
    if span and span[0] is not None:
        return f"Source: {name}, {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}"
    return f"Source: {name}"


def _figure(ax=None, figsize=(9, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def add_source(fig, text: str) -> None:
    """Write the source line in the bottom-right corner of a figure."""
    fig.text(0.995, 0.005, text, ha="right", va="bottom", fontsize=7, color="#555555")


def plot_tweets_per_month(counts: pd.DataFrame, source: str = "", ax=None):
    """Stacked area of tweets per month by language (from ``overview.tweets_per_month``)."""
    fig, ax = _figure(ax)
    if counts.empty:
        ax.text(
            0.5, 0.5, "No tweets in this dataset", ha="center", va="center", transform=ax.transAxes
        )
    else:
        cols = sorted(counts.columns, key=lambda c: -counts[c].sum())
        ax.stackplot(counts.index, *[counts[c] for c in cols], labels=cols,
                     colors=[color_for(c, LANG_COLORS, i) for i, c in enumerate(cols)])  # fmt: skip
        ax.legend(title="Language", loc="upper left", frameon=False)
    ax.set_title("Tweets per month by language")
    ax.set_xlabel("Month (UTC)")
    ax.set_ylabel("Tweets per month (count)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


# --- issue 9: patient confidentiality --------------------------------------------------------


def plot_flag_rates(rates: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Share of accounts with a tweet flagged high risk, per group (from ``confidentiality.flag_rates``).

    Suppressed groups (fewer than k accounts, anonymised outputs) are labelled, not drawn.
    """
    from matplotlib.patches import Patch

    fig, ax = _figure(ax, figsize=(8, 0.45 * max(len(rates), 3) + 2))
    palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
    if rates.empty:
        ax.text(0.5, 0.5, "No tweets in this dataset", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    else:
        groups = list(rates[by])
        values = 100 * pd.to_numeric(rates["share_accounts_flagged"], errors="coerce")
        colors = [color_for(g, palette, i) for i, g in enumerate(groups)]
        y = range(len(groups))
        ax.barh(list(y), values.fillna(0), color=colors)
        for yi, v in zip(y, values, strict=True):
            if pd.isna(v):
                ax.text(0, yi, "  suppressed (fewer than k accounts)", va="center", fontsize=8,
                        color="#555555")  # fmt: skip
        ax.set_yticks(list(y), groups)
        ax.invert_yaxis()
        ax.legend(handles=[Patch(color=c, label=g) for g, c in zip(groups, colors, strict=True)],
                  title=by.capitalize(), loc="lower right", frameon=False, fontsize=8)  # fmt: skip
    ax.set_title(f"Accounts that posted a tweet flagged high risk for patient confidentiality, "
                 f"by {by}", fontsize=10)  # fmt: skip
    ax.set_xlabel("Accounts with at least one high-risk tweet (% of the group's tweeting accounts)")
    ax.set_ylabel(by.capitalize())
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set"):
            engine.set(rect=(0, 0.06, 1, 0.94))  # room for the source line under the axis label
        add_source(fig, source)
    return fig, ax
