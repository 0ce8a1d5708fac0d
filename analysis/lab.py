"""Working copies of the notebooks for JupyterLab (``make lab``).

The notebooks in ``notebooks/`` are tracked with their outputs on the demo data,
and the strict nbval test compares those outputs with a fresh run. Opened in
JupyterLab on a real dataset, autosave would write real handles and names into
them. ``make lab`` therefore runs ``python -m analysis.lab`` first:
:func:`copy_notebooks` copies each notebook into ``notebooks/work/``
(git-ignored, :data:`WORK_DIR`) unless a copy is already there, so a
researcher's work is never overwritten; JupyterLab then starts in that folder.
Delete a copy to get the tracked version again.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import settings
from analysis.outputs import write_atomic

#: The working copies' folder, relative to the project (git-ignored: see ``.gitignore``).
WORK_DIR = Path("notebooks") / "work"


def work_dir() -> Path:
    """Return the project's folder of working copies, ``notebooks/work/``."""
    return settings.notebooks_dir() / "work"


def copy_notebooks(
    source: str | os.PathLike[str] | None = None, dest: str | os.PathLike[str] | None = None
) -> tuple[list[Path], list[Path]]:
    """Copy each notebook of ``source`` into ``dest`` unless ``dest`` already holds one of its name.

    Parameters
    ----------
    source : str or os.PathLike or None, optional
        The tracked notebooks' folder; None (default) is the project's ``notebooks/``.
    dest : str or os.PathLike or None, optional
        The working copies' folder, created if missing; None (default) is :func:`work_dir`.

    Returns
    -------
    tuple of (list of pathlib.Path, list of pathlib.Path)
        The copies made and the existing copies kept (never overwritten, whatever
        their content or age).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> src, dest = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (src / "00_overview.ipynb").write_text("{}")
    >>> _ = (dest / "00_overview.ipynb").write_text("my work")
    >>> made, kept = copy_notebooks(src, dest)
    >>> made, [p.name for p in kept], (dest / "00_overview.ipynb").read_text()
    ([], ['00_overview.ipynb'], 'my work')
    """
    source = Path(source) if source is not None else settings.notebooks_dir()
    dest = Path(dest) if dest is not None else work_dir()
    dest.mkdir(parents=True, exist_ok=True)
    made, kept = [], []
    for notebook in sorted(source.glob("*.ipynb")):
        target = dest / notebook.name
        if target.exists():  # a researcher's copy: never replaced
            kept.append(target)
            continue
        # whole or not at all: a copy cut short would otherwise be kept for good
        write_atomic(
            target,
            functools.partial(shutil.copyfile, notebook),
            mode=notebook.stat().st_mode & 0o777,
        )
        made.append(target)
    return made, kept


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.lab [DEST]``: make the missing working copies and say so.

    Parameters
    ----------
    argv : Sequence of str or None, optional
        The command-line arguments after the program name: an optional destination
        folder for the working copies; None reads ``sys.argv[1:]``, and no folder
        means the default working folder.

    Returns
    -------
    int
        The exit status, 0 (copies already present are kept, not an error).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    dest = Path(args[0]) if args else work_dir()
    made, kept = copy_notebooks(dest=dest)
    print(
        f"working copies in {dest}: {len(made)} new, {len(kept)} kept as they were"
        + (" (delete a copy to get the tracked version again)" if kept else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
