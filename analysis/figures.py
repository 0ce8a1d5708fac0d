"""Figures for readers and for journals: crisp inline PNGs, and one file per figure on request.

In a notebook, :func:`inline_png` renders a figure at twice its screen
resolution and tells the page to show it at its normal size (sharp on
high-density screens). ``medtwitter report --figures svg|pdf|png`` sets
:data:`FIGURES_DIR_ENV` and :data:`FIGURES_FORMAT_ENV` in each notebook's
kernel; :func:`save_on_display` then also writes every figure shown, in display
order, as ``fig-001.svg`` (PNG at 300 dpi) with its caption, and
:func:`collect_figures` renames them ``<nn>_<slug>.<format>`` with a caption
file ``<nn>_<slug>.txt`` once the notebook has run.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:  # matplotlib is imported by the charts, not here
    from matplotlib.figure import Figure

#: Formats ``medtwitter report --figures`` writes.
FIGURE_FORMATS: tuple[str, ...] = ("svg", "pdf", "png")
#: Resolution of exported PNG files (a journal's usual minimum for line art and halftones).
EXPORT_DPI = 300
#: Resolution of the PNGs shown in notebooks and reports (2x the 100 dpi they are sized for).
INLINE_DPI = 200
#: Screen pixels per inch a figure is sized for in the page.
SCREEN_DPI = 100
FIGURES_DIR_ENV = "MEDTWITTER_FIGURES_DIR"
FIGURES_FORMAT_ENV = "MEDTWITTER_FIGURES_FORMAT"

_counter = itertools.count(1)


def inline_png(fig: Figure) -> tuple[bytes, dict]:
    r"""Return a figure as PNG at :data:`INLINE_DPI` (256 colours), with the size to show it at (100 dpi).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to encode.

    Returns
    -------
    tuple of (bytes, dict)
        The PNG bytes, and ``width`` and ``height`` in pixels for display.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 2)); data, meta = inline_png(fig)
    >>> data[:4] == b"\x89PNG", meta["width"] <= 400
    (True, True)
    >>> plt.close(fig)
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=INLINE_DPI, bbox_inches="tight", facecolor="white")
    # 256 colours (no dithering): charts lose nothing visible and weigh 4-6 times less, which
    # keeps a report with twenty sharp figures and a network map under its 5 MB
    image = Image.open(buffer).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    width, height = _png_size(data)
    scale = SCREEN_DPI / INLINE_DPI
    return data, {"width": round(width * scale), "height": round(height * scale)}


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def figure_caption(fig: Figure) -> str:
    """Return the figure's titles and source line, as one caption sentence.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure with titles and possibly a source line.

    Returns
    -------
    str
        The caption, ending with a full stop; empty if the figure has no text.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("Tweets per month")
    >>> _ = fig.text(0.9, 0.01, "Source: demo data — synthetic")
    >>> figure_caption(fig)
    'Tweets per month. Source: demo data — synthetic.'
    >>> plt.close(fig)
    """
    suptitle = getattr(fig, "_suptitle", None)  # the Text object (get_suptitle gives its text)
    titles = [suptitle.get_text()] if suptitle else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    notes = [t.get_text() for t in fig.texts if t.get_text() and t is not suptitle]
    parts = [p.strip().rstrip(".") for p in dict.fromkeys(titles + notes) if p.strip()]
    return ". ".join(parts) + "." if parts else ""


def slugify(text: str, limit: int = 60) -> str:
    """Return a file-name part: ASCII, lowercase, words joined by '-'.

    Parameters
    ----------
    text : str
        Any text, e.g. a figure title.
    limit : int, default 60
        Most characters kept.

    Returns
    -------
    str
        The slug, at most ``limit`` characters.

    Examples
    --------
    >>> slugify("Share of follows returned, by identity style (0–1)")
    'share-of-follows-returned-by-identity-style-01'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "figure"


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix; PNG at :data:`EXPORT_DPI`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : Path
        The file: ``.svg``, ``.pdf`` or ``.png`` (any format matplotlib writes).

    Returns
    -------
    Path
        ``path``.
    """
    fmt = path.suffix.lstrip(".")
    dpi = EXPORT_DPI if fmt == "png" else None
    meta = {"Creator": "medtwitter"} if fmt in ("svg", "pdf", "png") else None
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", facecolor="white", metadata=meta)
    return path


def save_on_display(render: Callable) -> Callable:
    """Wrap a figure formatter so that each figure shown is also saved when a report asks for it.

    Saves nothing unless :data:`FIGURES_DIR_ENV` and :data:`FIGURES_FORMAT_ENV` are set
    (``medtwitter report --figures``).

    Parameters
    ----------
    render : Callable
        The formatter that turns a figure into its display form (e.g. PNG bytes).

    Returns
    -------
    Callable
        A formatter that saves the figure and its caption, then calls ``render``.
    """

    def formatter(fig):
        """Save ``fig`` when a report asks for figures, then render it.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure being displayed.

        Returns
        -------
        Any
            What the wrapped formatter returns.
        """
        folder, fmt = os.environ.get(FIGURES_DIR_ENV), os.environ.get(FIGURES_FORMAT_ENV)
        if folder and fmt in FIGURE_FORMATS:
            n = next(_counter)
            stem = Path(folder) / f"fig-{n:03d}"
            save_figure(fig, stem.with_suffix(f".{fmt}"))
            caption = {"caption": figure_caption(fig), "title": _first_title(fig)}
            stem.with_suffix(".json").write_text(json.dumps(caption), encoding="utf-8")
        return render(fig)

    return formatter


def _first_title(fig: Figure) -> str:
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle and suptitle.get_text():
        return suptitle.get_text()
    return next((ax.get_title() for ax in fig.axes if ax.get_title()), "")


def collect_figures(raw: Path, target: Path, sections: list[str] | None = None) -> list[Path]:
    """Rename the figures a notebook saved (``fig-001.svg``...) as ``<nn>_<slug>.<format>`` in ``target``.

    Each figure gets a caption file ``<nn>_<slug>.txt``: "Figure nn. <titles>. <source>."
    (with the report section it appeared in, when ``sections`` gives them in order).

    Parameters
    ----------
    raw : Path
        The folder the notebook saved its figures in.
    target : Path
        The folder the renamed figures go to.
    sections : list of str, optional
        The report section of each figure, in order.

    Returns
    -------
    list of Path
        The figure files written.
    """
    written = []
    files = sorted(p for p in raw.glob("fig-*.*") if p.suffix != ".json")
    if files:
        target.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(files, 1):
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        section = sections[n - 1] if sections and n <= len(sections) else ""
        stem = f"{n:02d}_{slugify(info['title'] or section or 'figure')}"
        dest = target / f"{stem}{path.suffix}"
        os.replace(path, dest)
        dest.chmod(0o644)
        caption = f"Figure {n}. {info['caption']}".rstrip()
        if section:
            caption += f" (section: {section})"
        (target / f"{stem}.txt").write_text(caption + "\n", encoding="utf-8")
        written.append(dest)
    return written
