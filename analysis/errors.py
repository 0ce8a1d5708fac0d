"""Errors meant for users: one sentence naming the problem and the fix.

The command line catches :class:`MedtwitterError` and prints its message on one
line, without a traceback, then exits with a non-zero status.
"""


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
