"""Charts of hashtags: trends, co-occurrence communities, cross-tabs, peer help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

from analysis import settings
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
    from matplotlib.axes import Axes

    from analysis.plots.base import Chart


def plot_tag_trends(
    trends: pd.DataFrame, tags: list[str], source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the share of the period's tagged tweets for a few tags (``hashtags.tag_trends``).

    Parameters
    ----------
    trends : pd.DataFrame
        Share of tagged tweets per tag and period.
    tags : list of str
        The tags to draw (``tag_norm``).
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
    title = "Hashtag trends: share of each year's tagged tweets"
    t = trends[trends["tag_key"].isin(tags)] if len(trends) else trends
    if t.empty:
        _empty(ax, "No hashtags in this dataset")
    else:
        for i, tag in enumerate(tags):
            d = t[t["tag_key"] == tag]
            ax.plot(
                d["period"],
                d["share"] * 100,
                marker="o",
                ms=3,
                color=OKABE_ITO[i % 9],
                label=f"#{tag}",
            )
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Year (UTC)", "Share of tagged tweets (%)", source)
    return fig, ax


def plot_cooccurrence_graph(
    graph: nx.Graph,
    communities: pd.Series,
    source: str = "",
    seed: int | None = None,
    ax: Axes | None = None,
) -> Chart:
    """Draw the hashtag co-occurrence graph, nodes coloured by community and sized by use.

    Parameters
    ----------
    graph : nx.Graph
        The hashtag co-occurrence graph (``hashtags.cooccurrence_graph``).
    communities : pd.Series
        Community by hashtag.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    seed : int, optional
        Seed of the layout; :data:`analysis.settings.SEED` if ``None``.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    seed = settings.SEED if seed is None else seed
    fig, ax = _figure(ax, figsize=(9, 7))
    title = "Hashtag co-occurrence graph (significant pairs) and its communities"
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        _empty(ax, "No pair of hashtags co-occurs significantly in this dataset")
        ax.set_axis_off()
        ax.set_title(title)
        if source:
            add_source(fig, source)
        return fig, ax

    comms = sorted(communities.unique())
    # each community on its own small circle, the circles spread on a large one: readable labels
    pos, placed = {}, set()
    for ci, c in enumerate(comms):
        members = sorted(n for n in graph.nodes if communities.get(n) == c)
        angle = 2 * np.pi * ci / max(len(comms), 1)
        center = np.array([np.cos(angle), np.sin(angle)]) * (1.0 if len(comms) > 1 else 0.0)
        for k, n in enumerate(members):
            a = 2 * np.pi * k / max(len(members), 1) + angle
            pos[n] = center + 0.3 * np.array([np.cos(a), np.sin(a)])
            placed.add(n)
    rest = [n for n in graph.nodes if n not in placed]
    if rest:
        pos.update(nx.spring_layout(graph.subgraph(rest), seed=seed, center=(0, 0), scale=0.3))
    colors = [OKABE_ITO[int(communities.get(n, 0)) % 9] for n in graph.nodes]
    sizes = [30 + 3 * graph.nodes[n].get("tweets", 1) ** 0.8 for n in graph.nodes]
    widths = [0.3 + 2.5 * d.get("npmi", 0) for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.6)
    nx.draw_networkx_nodes(
        graph, pos, ax=ax, node_color=colors, node_size=sizes, linewidths=0.5, edgecolors="white"
    )
    nx.draw_networkx_labels(
        graph, pos, ax=ax, labels={n: f"#{n}" for n in graph.nodes}, font_size=7
    )
    for c in comms:
        ax.scatter([], [], color=OKABE_ITO[int(c) % 9], label=f"community {c}")
    ax.legend(
        title="Louvain community",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=8,
    )
    ax.set_axis_off()
    ax.set_title(title + "\nnode size: tweets using the tag; edge width: normalised PMI")
    if source:
        add_source(fig, source)
    return fig, ax


def plot_crosstab(
    table: pd.DataFrame, title: str, source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot a cross-tab of two partitions as a heatmap with the counts written in.

    Parameters
    ----------
    table : pd.DataFrame
        Counts of one partition (rows) by another (columns).
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
    fig, ax = _figure(ax, figsize=(7, 5))
    if table.empty:
        _empty(ax, "Nothing to compare")
        ax.set_axis_off()
        ax.set_title(title)
        return fig, ax
    im = ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
    vmax = table.to_numpy().max()
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = table.iat[i, j]
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > vmax / 2 else "black",
            )
    fig.colorbar(im, ax=ax, label="Accounts (count)")
    _finish(fig, ax, title, str(table.columns.name), str(table.index.name), source)
    return fig, ax


def plot_time_to_answer(
    questions: pd.DataFrame, tag: str = "docstoctoc", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the distribution of the time to first answer of peer-help questions (log scale).

    Parameters
    ----------
    questions : pd.DataFrame
        Peer-help questions with their time to first answer.
    tag : str
        The peer-help hashtag, for the title.
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
    fig, ax = _figure(ax, figsize=(8, 4))
    title = f"#{tag}: time from question to first answer"
    hours = questions["hours_to_first_answer"].dropna() if len(questions) else pd.Series()
    hours = hours[hours > 0]
    if hours.empty:
        _empty(ax, "No answered question in this dataset")
    else:
        bins = np.logspace(np.log10(hours.min()), np.log10(hours.max()), 30)
        # matplotlib takes an array of bin edges; its stub asks for a Sequence
        ax.hist(hours, bins=bins, color=OKABE_ITO[4], label="answered questions")  # type: ignore[arg-type]
        med = hours.median()
        ax.axvline(med, color=OKABE_ITO[5], ls="--", label=f"median: {med:,.1f} h")
        ax.set_xscale("log")
        for h, name in (
            (1, "1 hour"),
            (24, "1 day"),
            (168, "1 week"),
            (730, "1 month"),
            (8766, "1 year"),
        ):
            if bins[0] <= h <= bins[-1]:
                ax.axvline(h, color="#BBBBBB", lw=0.8, zorder=0)
                ax.annotate(
                    name,
                    (h, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(2, -10),
                    textcoords="offset points",
                    fontsize=7,
                    color="#555555",
                )
        ax.legend(frameon=False)
    _finish(fig, ax, title, "Hours to first answer (log scale)", "Questions (count)", source)
    return fig, ax


def plot_who_answers(
    table: pd.DataFrame, by: str = "role", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot answers to peer-help questions by group (``hashtags.who_answers``).

    Parameters
    ----------
    table : pd.DataFrame
        Answers per group.
    by : str
        The grouping (``role`` or ``identity``).
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
    fig, ax = _figure(ax, figsize=(7, 3.5))
    title = f"Who answers peer-help questions (by {by})"
    if table.empty:
        _empty(ax, "No answers in this dataset")
    else:
        palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
        colors = [color_for(g, palette, i) for i, g in enumerate(table["group"])]
        ax.barh(table["group"], table["answers"], color=colors)
        for g, a, n in zip(table["group"], table["answers"], table["answerers"], strict=True):
            ax.annotate(
                f"{n} accounts",
                (a, g),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.invert_yaxis()
    _finish(fig, ax, title, "Answers (replies, count)", by.capitalize(), source)
    return fig, ax
