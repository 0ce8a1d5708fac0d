"""Output files a user names (``--out``, ``--pairs``, ``--output``): checked first, written whole.

:func:`check_out_file` runs before any work: the target must not be a folder, its
folder must exist (missing folders are never created: a typo would scatter
outputs) and be writable. :func:`write_atomic` then writes a temporary file beside
the target and renames it over the target once complete; on any failure (a full
disk, an interrupt) the temporary file is removed, so the target holds either its
previous content or the new one. :func:`check_out_dir` is the same check for an
output folder (``medtwitter report --out``), which it creates if only it is missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.errors import UsageError


def _check_writable(folder: Path) -> None:
    """Raise the operating system's error (naming ``folder``) if no file can be created there."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(folder)) from None


def check_out_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if a file can be written there.

    Raises :class:`UsageError` if ``path`` is a folder or its folder does not
    exist, and the operating system's error (e.g. ``PermissionError``) if that
    folder is not writable.

    Examples
    --------
    >>> import tempfile
    >>> check_out_file(tempfile.gettempdir())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: ...: is a folder; give a file name, not a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name, not a folder.")
    parent = path.parent
    if not parent.exists():
        raise UsageError(
            f"{path}: the folder {parent} does not exist; create it first or check the path."
        )
    if not parent.is_dir():
        raise UsageError(f"{path}: {parent} is a file, not a folder; check the path.")
    _check_writable(parent)
    return path


def check_out_dir(path: str | os.PathLike[str]) -> Path:
    """Return the output folder ``path``, created if it is missing but its parent exists.

    Raises :class:`UsageError` if ``path`` is a file or its parent folder does
    not exist, and the operating system's error if the folder is not writable.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: is a file, not a folder; give a folder for the output.")
    if not path.parent.is_dir():
        raise UsageError(
            f"{path}: the folder {path.parent} does not exist; create it first or check the path."
        )
    path.mkdir(exist_ok=True)
    _check_writable(path)
    return path


def write_atomic(
    path: str | os.PathLike[str], write: Callable[[Path], object], mode: int | None = None
) -> Path:
    """Write a file with ``write(temporary_path)``, then rename it over ``path``.

    Parameters
    ----------
    path : the file to write; checked with :func:`check_out_file`
    write : writes the whole content to the path it is given (a new, empty file
        beside ``path``, with the same suffix, so writers that choose a format by
        suffix choose the right one)
    mode : permission bits of the file written (default: owner only, as
        :func:`tempfile.mkstemp` creates it)

    On any failure the temporary file is removed and ``path`` is left as it was;
    an operating system error is raised again naming ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(target, lambda tmp: tmp.write_text("hello")).read_text()
    'hello'
    """
    path = check_out_file(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    with removed_on_failure(tmp, path):
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    return path


@contextmanager
def removed_on_failure(tmp: Path, target: Path) -> Iterator[Path]:
    """Remove the temporary file ``tmp`` (being written for ``target``) if the block fails.

    An operating system error that names no file, or names ``tmp``, is raised
    again naming ``target``: the file the user knows.
    """
    try:
        yield tmp
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno and exc.filename in (None, str(tmp)):
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
