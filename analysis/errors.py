"""Errors meant for users: one sentence naming the problem and the fix.

The command line catches :class:`MedtwitterError` and prints its message on one
line, without a traceback, then exits with a non-zero status; it prints an
operating system's error (:class:`OSError`) on one line too, with
:func:`describe_os_error`.
"""

from __future__ import annotations

import errno
import os

_PERMISSIONS = "check its permissions or choose another --data-dir/--out"
#: What to do about an operating system error, by its ``errno``.
OS_ERROR_FIXES: dict[int, str] = {
    errno.EACCES: _PERMISSIONS,
    errno.EPERM: _PERMISSIONS,
    errno.EROFS: _PERMISSIONS,
    errno.ENOSPC: "free some disk space and run again; what was written before is kept",
    errno.EDQUOT: "free some disk space and run again; what was written before is kept",
    errno.ENOENT: "check the path",
    errno.EISDIR: "give a file name, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.EEXIST: "move it away or choose another name",
}


class MedtwitterError(Exception):
    """Base class for every error a user can fix."""

    exit_code = 1


class UnknownDatasetError(MedtwitterError):
    """A dataset name that has no processed tables under the data root."""


class RawFormatError(MedtwitterError):
    """A raw file or line that is not in a format ingest knows."""


class ContractError(MedtwitterError):
    """A table that does not match the data contract in :mod:`analysis.tables`."""


class UsageError(MedtwitterError):
    """A bad command-line argument or parameter."""

    exit_code = 2


class DatasetBusyError(MedtwitterError):
    """A dataset another process is writing, past the wait allowed (``--lock-timeout``)."""


class QueryError(MedtwitterError):
    """An SQL query over a dataset that DuckDB could not run."""


class InsufficientDataError(MedtwitterError):
    """A dataset too small for an analysis (e.g. too few adopters for a Bass fit)."""


def describe_os_error(exc: OSError) -> str:
    """Return one line for an :class:`OSError`, as ``PATH: reason; what to do``.

    Parameters
    ----------
    exc : OSError
        The error raised by a file or network operation; its ``filename`` and
        ``filename2`` (when set) become the ``PATH`` part, its ``errno`` picks the fix.

    Returns
    -------
    str
        A single line (no newlines) naming the path, the reason and what to do.

    Examples
    --------
    >>> describe_os_error(PermissionError(13, "Permission denied", "/data"))
    '/data: Permission denied; check its permissions or choose another --data-dir/--out.'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in OS_ERROR_FIXES:
        fix = OS_ERROR_FIXES[exc.errno]
    elif isinstance(exc, (ConnectionError, TimeoutError)) or type(exc).__module__.startswith(
        ("requests", "urllib3", "socket", "ssl")
    ):
        fix = "check the network connection and run again"
    else:
        fix = "check the path and run again" if exc.filename is not None else "run again"
    where = [
        os.fsdecode(f) if isinstance(f, (str, bytes, os.PathLike)) else str(f)
        for f in (exc.filename, exc.filename2)
        if f is not None
    ]
    line = f"{' -> '.join(where)}: {reason}" if where else reason
    return " ".join(f"{line.rstrip('.')}; {fix}.".splitlines())
