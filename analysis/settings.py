"""Project-wide settings, read from the environment once.

Every function that needs a path or a default falls back on this module, in the
style of osmnx's ``settings``. The data root is, in order of precedence:

1. the ``--data-dir`` option of the command line (which calls :func:`set_data_dir`),
2. the ``MEDTWITTER_DATA`` environment variable,
3. the ``data/`` folder of the project that contains the current directory
   (so notebooks run from ``notebooks/`` find it), else ``./data``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from analysis.errors import UsageError

#: Seed used by every randomised function when the caller gives none.
SEED: int = 42
#: Name of the dataset analyses use when none is given.
DEFAULT_DATASET: str = "demo"
#: Tweets per search page requested from the X API v2 (its maximum is 100).
SEARCH_PAGE_SIZE: int = 100
#: Follow links per followers/following page (the X API v2 maximum is 1,000).
FOLLOWS_PAGE_SIZE: int = 1000
#: Users per lookup request (the X API v2 maximum is 100).
USERS_BATCH_SIZE: int = 100
#: Notebooks `medtwitter report` runs side by side (each in its own kernel): one per core, at most 2.
REPORT_JOBS: int = max(1, min(2, os.cpu_count() or 1))

#: Where graph metrics run when a function is given no ``backend``: ``"igraph"`` (the fast
#: path, igraph's exact algorithms, equal to networkx run to convergence within 1e-9),
#: ``"networkx"``, or an installed networkx backend such as ``"cugraph"``
#: (:mod:`analysis.graph.backends`). Read each time a graph function runs.
GRAPH_BACKEND: str = "igraph"

#: Seconds a writer waits for another writer of the same dataset (-1: as long as it takes;
#: 0: give up at once). The command line's ``--lock-timeout`` sets it.
LOCK_TIMEOUT: float = -1

_data_dir_override: Path | None = None

#: What a dataset name is: 1 to 64 ASCII letters, digits, '-' or '_' (so a name is
#: always one folder of the data root, never a path out of it).
DATASET_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_dataset_name(name: str) -> str:
    """Return ``name`` if it is a dataset name, else raise :class:`UsageError`.

    A dataset name is 1 to 64 letters, digits, ``-`` or ``_`` (ASCII only);
    every path built from one goes through this check (:func:`raw_dir`,
    :func:`processed_dir`), and so does every command-line argument naming one.

    Parameters
    ----------
    name : str
        The name to check.

    Returns
    -------
    str
        ``name`` unchanged.

    Raises
    ------
    UsageError
        If the name is empty, longer than 64 characters, or has other characters.

    Examples
    --------
    >>> check_dataset_name("docs_2024")
    'docs_2024'
    >>> check_dataset_name("../other")
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: bad dataset name '../other': use 1 to 64 letters, digits, '-' or '_'.
    """
    if isinstance(name, str) and DATASET_NAME.fullmatch(name):
        return name
    shown = repr(name)
    shown = shown if len(shown) <= 70 else f"{shown[:60]}...{shown[-6:]}"
    raise UsageError(f"bad dataset name {shown}: use 1 to 64 letters, digits, '-' or '_'.")


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Move the data root for this process.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The new data root; ``None`` restores the default (``MEDTWITTER_DATA``, else ``data/``).
    """
    global _data_dir_override
    _data_dir_override = Path(path).expanduser().resolve() if path is not None else None


def _project_data_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "analysis").is_dir():
            return folder / "data"
    return None


def data_dir() -> Path:
    """Return the data root (see the module docstring for the precedence)."""
    if _data_dir_override is not None:
        return _data_dir_override
    env = os.environ.get("MEDTWITTER_DATA")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd()
    return _project_data_dir(cwd) or (cwd / "data")


def raw_dir(dataset: str) -> Path:
    """Folder of a dataset's raw API pages: ``<data root>/raw/<dataset>`` (name checked).

    Parameters
    ----------
    dataset : str
        The dataset's name.

    Returns
    -------
    pathlib.Path
        The folder (not created).

    Raises
    ------
    UsageError
        If the name is not a dataset name (:func:`check_dataset_name`).
    """
    return data_dir() / "raw" / check_dataset_name(dataset)


def processed_dir(dataset: str) -> Path:
    """Folder of a dataset's tables: ``<data root>/processed/<dataset>`` (name checked).

    Parameters
    ----------
    dataset : str
        The dataset's name.

    Returns
    -------
    pathlib.Path
        The folder (not created).

    Raises
    ------
    UsageError
        If the name is not a dataset name (:func:`check_dataset_name`).
    """
    return data_dir() / "processed" / check_dataset_name(dataset)


def notebooks_dir() -> Path:
    """Return the project's ``notebooks/`` folder (beside the ``analysis`` package)."""
    return Path(__file__).resolve().parent.parent / "notebooks"
