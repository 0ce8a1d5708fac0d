"""Shared chart conventions: the colour-blind-safe palettes, source lines, and figure helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import matplotlib.pyplot as plt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    #: What every chart returns: its figure (a SubFigure when ``ax`` is in one) and the axes.
    Chart: TypeAlias = tuple[Figure | SubFigure, Axes]

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
    "#999999",
)
IDENTITY_COLORS = {
    "nominative": "#0072B2",
    "anonymous": "#D55E00",
    "institutional": "#009E73",
    "unknown": "#999999",
}
ROLE_COLORS = {
    "physician": "#0072B2",
    "intern": "#56B4E9",
    "nurse": "#CC79A7",
    "pharmacist": "#009E73",
    "midwife": "#F0E442",
    "physiotherapist": "#E69F00",
    "dentist": "#8C564B",
    "other_hcp": "#7F7F7F",
    "institution": "#000000",
    "public": "#D55E00",
    "unknown": "#BBBBBB",
}
LANG_COLORS = {"fr": "#0072B2", "en": "#E69F00", "und": "#999999"}


def color_for(group: str, palette: dict[str, str] | None = None, index: int = 0) -> str:
    """Return the fixed colour of a group, or the ``index``-th Okabe-Ito colour.

    Parameters
    ----------
    group : str
        The group (a role, an identity style, a language...).
    palette : dict, optional
        Colours by group, looked up before the identities', roles' and languages' colours.
    index : int
        The group's position, for a group the palette does not name.

    Returns
    -------
    str
        A hex colour.
    """
    for pal in (palette or {}, IDENTITY_COLORS, ROLE_COLORS, LANG_COLORS):
        if group in pal:
            return pal[group]
    return OKABE_ITO[index % len(OKABE_ITO)]


def source_label(name: str, synthetic: bool, span: tuple | None = None) -> str:
    """Return the source line under a chart.

    Parameters
    ----------
    name : str
        The dataset's name.
    synthetic : bool
        Whether the data are made up (the line says so).
    span : tuple, optional
        The first and last dates of the data.

    Returns
    -------
    str
        ``Source: ...``.

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


def _figure(ax: Axes | None = None, figsize: tuple[float, float] = (9, 4)) -> Chart:
    fig: Figure | SubFigure
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def _empty(ax: Axes, text: str) -> None:
    """Say in the plot area that there is nothing to show (a tiny dataset, a missing table)."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _finish(
    fig: Figure | SubFigure, ax: Axes, title: str, xlabel: str, ylabel: str, source: str = ""
) -> None:
    """Title, axis labels (with units), no top/right spines, and the source line."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)


def add_source(fig: Figure | SubFigure, text: str) -> None:
    """Write the source line in the bottom-right corner of a figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
        The figure to write on.
    text : str
        The source line, e.g. ``"Source: demo data — synthetic"``.
    """
    fig.text(0.995, 0.005, text, ha="right", va="bottom", fontsize=7, color="#555555")
