"""Charts of the follower graph: degree distributions, group matrices, top accounts, community map."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.plots.base import (
    IDENTITY_COLORS,
    OKABE_ITO,
    ROLE_COLORS,
    _empty,
    _figure,
    add_source,
    color_for,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from analysis.graph.metrics import PowerLawFit
    from analysis.plots.base import Chart


def _room_for_source(fig: Figure | SubFigure) -> None:
    """Keep the bottom strip free for the source line under a constrained layout."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        # the stub types the base LayoutEngine; the constrained layout's set takes rect
        engine.set(rect=(0, 0.035, 1, 0.965))  # type: ignore[call-arg]


def plot_degree_distribution(
    in_dist: pd.DataFrame,
    out_dist: pd.DataFrame | None = None,
    fit: PowerLawFit | None = None,
    source: str = "",
    ax: Axes | None = None,
) -> Chart:
    """Plot, log-log, the share of accounts with at least k followers (and following), with a power-law fit.

    ``in_dist``/``out_dist`` come from ``graph.degree_distribution``; ``fit`` from
    ``graph.fit_power_law`` on in-degrees (drawn over its fitted range).

    Parameters
    ----------
    in_dist : pd.DataFrame
        In-degree distribution (``graph.degree_distribution``).
    out_dist : pd.DataFrame, optional
        Out-degree distribution, drawn too if given.
    fit : PowerLawFit, optional
        A power-law fit on in-degrees (``graph.fit_power_law``).
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
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title("Followers and following within the community (degree distribution)")
    if in_dist.empty or (in_dist["degree"] > 0).sum() == 0:
        _empty(ax, "No follow links in this dataset")
    else:
        for dist, label, color in (
            (in_dist, "followers (in-degree)", "#0072B2"),
            (out_dist, "following (out-degree)", "#E69F00"),
        ):
            if dist is None:
                continue
            d = dist.loc[dist["degree"] > 0]
            ax.loglog(d["degree"], d["ccdf"], "o", ms=3, color=color, label=label, alpha=0.8)
        if fit is not None and fit.alpha == fit.alpha:  # not NaN
            d = in_dist.loc[in_dist["degree"] >= fit.xmin]
            k = np.geomspace(fit.xmin, fit.xmax, 50)
            start = float(d["ccdf"].iloc[0]) if len(d) else 1.0
            ax.loglog(
                k,
                start * (k / fit.xmin) ** (1 - fit.alpha),
                "-",
                color="#D55E00",
                label=f"power law, alpha = {fit.alpha:.2f} (k = {fit.xmin}–{fit.xmax})",
            )
        ax.set_xlabel("Degree k (accounts, log scale)")
        ax.set_ylabel("Share of accounts with degree ≥ k (log scale)")
        ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_group_matrix(
    matrix: pd.DataFrame,
    title: str,
    value_label: str,
    source: str = "",
    ax: Axes | None = None,
    center: float | None = None,
    fmt: str = "{:.2f}",
) -> Chart:
    """Plot a group × group matrix as a heatmap (follower group rows, followed group columns).

    ``center`` (e.g. 1 for observed / expected ratios) switches to a diverging
    colour scale centred there; otherwise a sequential, colour-blind-safe one.

    Parameters
    ----------
    matrix : pd.DataFrame
        Values by follower group (rows) and followed group (columns).
    title : str
        The chart's title.
    value_label : str
        What the values are, for the colour bar.
    source : str
        The source line under the chart (dataset and span, or "demo data — synthetic").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; a new figure if ``None``.
    center : float, optional
        Centre of a diverging colour scale (e.g. 1 for ratios); sequential if ``None``.
    fmt : str
        Format of the values written in the cells.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes drawn on.
    """
    fig, ax = _figure(ax, figsize=(6.5, 5))
    ax.set_title(title)
    values = matrix.to_numpy(dtype=float) if not matrix.empty else np.zeros((0, 0))
    if values.size == 0 or np.isnan(values).all():
        _empty(ax, "Nothing to show")
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
        # vmax is a float once set (the stub also allows None and a tuple)
        half = im.norm.vmax / 2  # type: ignore[operator]
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(
                        j,
                        i,
                        fmt.format(values[i, j]),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if center is None and values[i, j] < half else "black",
                    )
        ax.set_xlabel("Followed account's group")
        ax.set_ylabel("Follower's group")
        fig.colorbar(im, ax=ax, label=value_label, shrink=0.8)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_top_accounts(
    top: pd.DataFrame, value: str = "pagerank", source: str = "", ax: Axes | None = None
) -> Chart:
    """Plot the top accounts by ``value`` as horizontal bars, coloured by role.

    Parameters
    ----------
    top : pd.DataFrame
        The top accounts (``graph.top_accounts``).
    value : str
        The metric column the bars show.
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
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title(f"Most central accounts by {value}")
    if top.empty:
        _empty(ax, "No accounts to rank")
    else:
        d = top.iloc[::-1]
        roles = d["role"].fillna("unknown")
        ax.barh(
            d["username"].fillna(d["user_id"].astype(str)),
            d[value],
            color=[color_for(r, ROLE_COLORS, i) for i, r in enumerate(roles)],
        )
        seen = list(dict.fromkeys(top["role"].fillna("unknown")))
        ax.legend(
            handles=[Patch(color=color_for(r, ROLE_COLORS), label=r) for r in seen],
            title="Role",
            frameon=False,
            loc="lower right",
        )
        unit = "share of random-surfer visits" if value == "pagerank" else "accounts"
        ax.set_xlabel(f"{value} ({unit})")
        ax.set_ylabel("Account (handle)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_community_map(
    graph: nx.Graph, pos: dict, names: dict | None = None, source: str = "", ax: Axes | None = None
) -> Chart:
    """Draw a sample of the graph laid out (``graph.community_sample``), coloured by community.

    Parameters
    ----------
    graph : nx.Graph
        The sampled graph, each node with a ``community`` attribute.
    pos : dict
        Each node's position.
    names : dict, optional
        A name per community, for the legend.
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
    fig, ax = _figure(ax, figsize=(8, 7))
    ax.set_title("Communities of the follower graph (sample of accounts, spring layout)")
    if graph.number_of_nodes() == 0:
        _empty(ax, "No communities: no follow links in this dataset")
    else:
        comms = sorted({d for _, d in graph.nodes(data="community")})
        colors = [
            OKABE_ITO[comms.index(graph.nodes[v]["community"]) % len(OKABE_ITO)] for v in graph
        ]
        nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.08, width=0.5)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=18, node_color=colors, linewidths=0)
        names = names or {}
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color=OKABE_ITO[i % len(OKABE_ITO)],
                label=f"{c}: {names.get(c, '')}".rstrip(": "),
            )
            for i, c in enumerate(comms)
        ]
        ax.legend(
            handles=handles,
            title="Community",
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
        ax.set_xlabel("Layout position (no unit)")
        ax.set_axis_off()
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_network(
    view: dict, by: str = "identity", source: str = "", ax: Axes | None = None
) -> Chart:
    """Draw the graph laid out for a paper: accounts sized by followers within it, coloured by ``by``.

    ``view`` is one graph of an interactive view (``network_view(...).graphs[0]``, from
    :func:`analysis.plots.network_view.graph_view_data`): the figure shows the same accounts
    at the same positions (Fruchterman–Reingold, seeded). ``by``: ``identity``, ``role`` or
    ``community``. Links are drawn as faint lines (their direction is in the interactive view).

    Parameters
    ----------
    view : dict
        One graph of an interactive view (``network_view(...).graphs[0]``).
    by : {"identity", "role", "community"}
        What the colours show.
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
    if by not in ("identity", "role", "community"):
        raise ValueError(f"by must be 'identity', 'role' or 'community', not {by!r}.")
    fig, ax = _figure(ax, figsize=(8, 7))
    label = {"identity": "identity style", "role": "role", "community": "community"}[by]
    ax.set_title(f"{view.get('title', 'Follower graph')}: accounts by {label}")
    nodes = pd.DataFrame(view["nodes"])
    if nodes.empty:
        _empty(ax, "No accounts to draw")
    else:
        xy = nodes[["x", "y"]].to_numpy(dtype=float)
        edges = np.asarray([e[:2] for e in view["edges"]], dtype=int).reshape(-1, 2)
        if len(edges):
            segments = np.stack([xy[edges[:, 0]], xy[edges[:, 1]]], axis=1)
            # an (N, 2, 2) array is a documented ``segments``; the stub asks for a Sequence
            ax.add_collection(
                LineCollection(
                    segments,  # type: ignore[arg-type]
                    colors="#808080",
                    linewidths=0.3,
                    alpha=min(0.3, max(0.06, 600 / len(edges))),
                )
            )
        if by == "community":
            groups = nodes["community"].map(lambda c: "none" if c < 0 else str(c))
            palette = {
                g: "#BBBBBB" if g == "none" else OKABE_ITO[int(g) % len(OKABE_ITO)]
                for g in groups.unique()
            }
        else:
            groups = nodes[by].astype(str)
            palette = {
                g: (IDENTITY_COLORS if by == "identity" else ROLE_COLORS).get(g, "#BBBBBB")
                for g in groups.unique()
            }
        degree = nodes["in_degree"].to_numpy(dtype=float)
        sizes = (
            4 + 120 * np.sqrt(degree / degree.max()) if degree.max() > 0 else np.full(len(nodes), 8)
        )
        order = np.argsort(degree, kind="stable")  # the most followed drawn on top
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            s=sizes[order],
            c=groups.iloc[order].map(palette),
            linewidths=0.2,
            edgecolors="white",
            zorder=2,
        )
        counts = groups.value_counts()
        handles = [
            Line2D([], [], marker="o", ls="", color=palette[g], label=f"{g} ({n:,})")
            for g, n in counts.items()
        ]
        ax.legend(
            handles=handles,
            title=label.capitalize(),
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.text(
            0.0,
            -0.02,
            f"{view.get('note', '')} Size: followers within the graph.",
            transform=ax.transAxes,
            fontsize=8,
            va="top",
            color="#333333",
        )
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax
