"""Output files a user names (``--out``, ``--pairs``, ``--output``): checked first, written whole.

:func:`check_out_file` runs before any work: the target must not be a folder, its
folder must exist (missing folders are never created: a typo would scatter
outputs) and be writable. :func:`write_atomic` then writes a temporary file beside
the target and renames it over the target once complete; on any failure (a full
disk, an interrupt) the temporary file is removed, so the target holds either its
previous content or the new one. :func:`check_out_dir` is the same check for an
output folder (``medtwitter report --out``), which it creates if only it is missing.

What goes into a file people open is made safe here too: :func:`write_csv`
writes every user-facing CSV through :func:`safe_csv` (cells a spreadsheet would
run as a formula are neutralised), and :func:`xml_text` drops the characters XML
1.0 cannot hold from the text of GEXF and GraphML exports.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, overload

from analysis.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (the OWASP
#: CSV-injection rule): such string cells get a leading ``'`` (:func:`safe_csv`).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Line end of the CSV files written (RFC 4180): with it, a line break of either
#: kind inside a cell is always quoted, so every reader sees one row per record.
CSV_LINE_END = "\r\n"
#: Characters XML 1.0 forbids (its ``Char`` production's complement): control
#: characters but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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

    Parameters
    ----------
    path : str or os.PathLike
        The output file the user named (``--out``, ``--pairs``...); it may exist already.

    Returns
    -------
    pathlib.Path
        ``path``, unchanged, as a Path.

    Raises
    ------
    UsageError
        If ``path`` is a folder, or its folder is missing or is a file.
    OSError
        If its folder exists but no file can be created in it.

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

    Parameters
    ----------
    path : str or os.PathLike
        The output folder the user named (``medtwitter report --out``).

    Returns
    -------
    pathlib.Path
        ``path`` as a Path; the folder exists when this returns.

    Raises
    ------
    UsageError
        If ``path`` is a file or its parent folder does not exist.
    OSError
        If the folder is not writable.
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

    On any failure the temporary file is removed and ``path`` is left as it was;
    an operating system error is raised again naming ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; checked with :func:`check_out_file`.
    write : Callable
        Writes the whole content to the path it is given (a new, empty file
        beside ``path``, with the same suffix, so writers that choose a format by
        suffix choose the right one); its return value is ignored.
    mode : int or None, optional
        Permission bits of the file written, e.g. ``0o644``; None (default) keeps
        owner-only access, as :func:`tempfile.mkstemp` creates it.

    Returns
    -------
    pathlib.Path
        The file written.

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

    Parameters
    ----------
    tmp : pathlib.Path
        The temporary file being written.
    target : pathlib.Path
        The file it will replace, named in errors instead of ``tmp``.

    Yields
    ------
    pathlib.Path
        ``tmp``, for the block to write.
    """
    try:
        yield tmp
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno and exc.filename in (None, str(tmp)):
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise


def neutralise_cell(value: object) -> object:
    r"""``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Text starting with one of :data:`FORMULA_STARTS` (``=``, ``+``, ``-``, ``@``,
    tab, carriage return) is prefixed; anything else, including numbers, is
    returned as it is.

    Parameters
    ----------
    value : object
        One cell or column name of a table about to be written as CSV.

    Returns
    -------
    object
        ``value`` with ``'`` prepended if it is a string starting with a formula
        character; otherwise ``value`` itself.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x","y")')
    '\'=HYPERLINK("http://x","y")'
    >>> neutralise_cell("-2"), neutralise_cell(-2), neutralise_cell("Dr Tortue")
    ("'-2", -2, 'Dr Tortue')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` that a spreadsheet opens without running any cell as a formula.

    In every text column (and the column names), a cell starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, the
    OWASP rule against CSV injection: ``=HYPERLINK(...)`` in a display name
    stays text. Numeric, boolean and date columns are left alone, so a negative
    number stays a number; the rest of each cell is kept as it was.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write; it is not modified.

    Returns
    -------
    pandas.DataFrame
        A shallow copy with neutralised text cells and column names.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "Dr Tortue"], "score": [-1, 0, 1]})
    >>> safe_csv(df).values.tolist()
    [["'=1+1", -1], ["'@SUM(A1)", 0], ['Dr Tortue', 1]]
    """
    import numpy as np  # lazy: numpy and pandas, ~0.35 s; ingest and collect import this module
    import pandas as pd
    from pandas.api import types

    out = frame.copy(deep=False)
    for i in range(frame.shape[1]):  # by position: column names may repeat
        series = frame.iloc[:, i]
        dtype = series.dtype
        if (
            types.is_numeric_dtype(dtype)
            or types.is_bool_dtype(dtype)
            or types.is_datetime64_any_dtype(dtype)
            or types.is_timedelta64_dtype(dtype)
        ):
            continue
        values = series.to_numpy(dtype=object)
        hit = np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values),
            dtype=bool,
            count=len(values),
        )
        if not hit.any():
            continue
        values = values.copy()
        values[hit] = ["'" + v for v in values[hit]]
        keep = dtype if isinstance(dtype, pd.StringDtype) else object  # categories: text
        out.isetitem(i, pd.Series(values, index=frame.index, dtype=keep))
    out.columns = [neutralise_cell(c) for c in frame.columns]
    return out


@overload
def write_csv(frame: pd.DataFrame, path: os.PathLike[str], *, raw: bool = False) -> Path: ...
@overload
def write_csv(frame: pd.DataFrame, path: str | None, *, raw: bool = False) -> Path | None: ...
def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str] | None, *, raw: bool = False
) -> Path | None:
    r"""Write ``frame`` as a CSV file people can open safely, atomically; or to standard output.

    The file is UTF-8 with RFC 4180 line ends (``\r\n``); cells holding a comma,
    a quote or a line break are quoted. Returns the path written (``None`` for
    standard output).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index is not written.
    path : str or os.PathLike or None
        The file (see :func:`write_atomic`); None or ``"-"`` writes to standard output.
    raw : bool, optional
        Keep every cell as it is (``--raw-csv``); default False: cells a spreadsheet
        would run as a formula are neutralised (:func:`safe_csv`).

    Returns
    -------
    pathlib.Path or None
        The file written; None when writing to standard output.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "names.csv"
    >>> df = pd.DataFrame({"name": ["=1+1"], "n": [-1]})
    >>> write_csv(df, target).read_bytes()
    b"name,n\r\n'=1+1,-1\r\n"
    >>> write_csv(df, target, raw=True).read_bytes()
    b'name,n\r\n=1+1,-1\r\n'
    """
    if not raw:
        frame = safe_csv(frame)
    if path is None or str(path) == "-":
        frame.to_csv(sys.stdout, index=False, lineterminator=CSV_LINE_END)
        return None

    def write(tmp: Path) -> None:
        """Write the table as CSV to the temporary file.

        Parameters
        ----------
        tmp : pathlib.Path
            The temporary file :func:`write_atomic` gives, written as UTF-8 CSV.
        """
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator=CSV_LINE_END)

    return write_atomic(path, write)


def xml_text(value: str) -> str:
    r"""``value`` without the characters XML 1.0 cannot hold.

    Control characters other than tab, line feed and carriage return (``\x00``,
    ``\x0b``, ``\x1f``...), lone surrogates, U+FFFE and U+FFFF are dropped: a
    GEXF or GraphML file holding one is not XML, and no reader opens it.

    Parameters
    ----------
    value : str
        A label or attribute value going into a GEXF or GraphML file.

    Returns
    -------
    str
        ``value`` with every character XML 1.0 forbids removed.

    Examples
    --------
    >>> xml_text("Dr\x00 Tor\x0btue\ufffe\tMG")
    'Dr Tortue\tMG'
    """
    return _NOT_XML.sub("", value)
