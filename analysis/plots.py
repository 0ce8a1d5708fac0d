"""Every chart of the toolkit: each takes data (and an optional ``ax``), returns ``(fig, ax)``.

Charts never compute a metric; they draw what the analysis modules return.
Conventions: a title naming the subject, labelled axes with units, a source
line (``source_label``), and a colour-blind-safe palette (Okabe-Ito) in which a
group keeps its colour in every chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
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


# ---------------------------------------------------------------------------------------
# Follower graph (issue 5): degree distributions, group matrices, top accounts, community map
# ---------------------------------------------------------------------------------------


def _room_for_source(fig) -> None:
    """Keep the bottom strip free for the source line under a constrained layout."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, 0.035, 1, 0.965))


def _nothing(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_degree_distribution(
    in_dist: pd.DataFrame, out_dist: pd.DataFrame | None = None, fit=None, source: str = "", ax=None
):
    """Log-log share of accounts with at least k followers (and following), with a power-law fit.

    ``in_dist``/``out_dist`` come from ``graph.degree_distribution``; ``fit`` from
    ``graph.fit_power_law`` on in-degrees (drawn over its fitted range).
    """
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title("Followers and following within the community (degree distribution)")
    if in_dist.empty or (in_dist["degree"] > 0).sum() == 0:
        _nothing(ax, "No follow links in this dataset")
    else:
        for dist, label, color in ((in_dist, "followers (in-degree)", "#0072B2"),
                                   (out_dist, "following (out-degree)", "#E69F00")):  # fmt: skip
            if dist is None:
                continue
            d = dist.loc[dist["degree"] > 0]
            ax.loglog(d["degree"], d["ccdf"], "o", ms=3, color=color, label=label, alpha=0.8)
        if fit is not None and fit.alpha == fit.alpha:  # not NaN
            d = in_dist.loc[in_dist["degree"] >= fit.xmin]
            k = np.geomspace(fit.xmin, fit.xmax, 50)
            start = float(d["ccdf"].iloc[0]) if len(d) else 1.0
            ax.loglog(k, start * (k / fit.xmin) ** (1 - fit.alpha), "-", color="#D55E00",
                      label=f"power law, alpha = {fit.alpha:.2f} (k = {fit.xmin}–{fit.xmax})")  # fmt: skip
        ax.set_xlabel("Degree k (accounts, log scale)")
        ax.set_ylabel("Share of accounts with degree ≥ k (log scale)")
        ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_group_matrix(
    matrix: pd.DataFrame, title: str, value_label: str, source: str = "", ax=None,
    center: float | None = None, fmt: str = "{:.2f}",
):  # fmt: skip
    """Heatmap of a group × group matrix (follower group rows, followed group columns).

    ``center`` (e.g. 1 for observed / expected ratios) switches to a diverging
    colour scale centred there; otherwise a sequential, colour-blind-safe one.
    """
    from matplotlib.colors import TwoSlopeNorm

    fig, ax = _figure(ax, figsize=(6.5, 5))
    ax.set_title(title)
    values = matrix.to_numpy(dtype=float) if not matrix.empty else np.zeros((0, 0))
    if values.size == 0 or np.isnan(values).all():
        _nothing(ax, "Nothing to show")
    else:
        if center is not None:
            finite = values[np.isfinite(values)]
            lo, hi = min(finite.min(), center * 0.99), max(finite.max(), center * 1.01)
            im = ax.imshow(values, cmap="PuOr_r", norm=TwoSlopeNorm(center, lo, hi))
        else:
            top = 1.0 if np.nanmax(values) <= 1 else float(np.nanmax(values))  # shares: 0 to 1
            im = ax.imshow(values, cmap="cividis", vmin=0, vmax=top)
        ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(matrix.index)), matrix.index)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=8,
                            color="white" if center is None and values[i, j] < im.norm.vmax / 2 else "black")  # fmt: skip
        ax.set_xlabel("Followed account's group")
        ax.set_ylabel("Follower's group")
        fig.colorbar(im, ax=ax, label=value_label, shrink=0.8)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_top_accounts(top: pd.DataFrame, value: str = "pagerank", source: str = "", ax=None):
    """Horizontal bars of the top accounts by ``value``, coloured by role (``graph.top_accounts``)."""
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title(f"Most central accounts by {value}")
    if top.empty:
        _nothing(ax, "No accounts to rank")
    else:
        d = top.iloc[::-1]
        roles = d["role"].fillna("unknown")
        ax.barh(d["username"].fillna(d["user_id"].astype(str)), d[value],
                color=[color_for(r, ROLE_COLORS, i) for i, r in enumerate(roles)])  # fmt: skip
        from matplotlib.patches import Patch

        seen = list(dict.fromkeys(top["role"].fillna("unknown")))
        ax.legend(handles=[Patch(color=color_for(r, ROLE_COLORS), label=r) for r in seen],
                  title="Role", frameon=False, loc="lower right")  # fmt: skip
        unit = "share of random-surfer visits" if value == "pagerank" else "accounts"
        ax.set_xlabel(f"{value} ({unit})")
        ax.set_ylabel("Account (handle)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_community_map(graph, pos: dict, names: dict | None = None, source: str = "", ax=None):
    """Draw a sample of the graph laid out (``graph.community_sample``), coloured by community."""
    import networkx as nx
    from matplotlib.lines import Line2D

    fig, ax = _figure(ax, figsize=(8, 7))
    ax.set_title("Communities of the follower graph (sample of accounts, spring layout)")
    if graph.number_of_nodes() == 0:
        _nothing(ax, "No communities: no follow links in this dataset")
    else:
        comms = sorted({d for _, d in graph.nodes(data="community")})
        colors = [
            OKABE_ITO[comms.index(graph.nodes[v]["community"]) % len(OKABE_ITO)] for v in graph
        ]
        nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.08, width=0.5)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=18, node_color=colors, linewidths=0)
        names = names or {}
        handles = [Line2D([], [], marker="o", ls="", color=OKABE_ITO[i % len(OKABE_ITO)],
                          label=f"{c}: {names.get(c, '')}".rstrip(": ")) for i, c in enumerate(comms)]  # fmt: skip
        ax.legend(handles=handles, title="Community", frameon=False, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))  # fmt: skip
        ax.set_xlabel("Layout position (no unit)")
        ax.set_axis_off()
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax
