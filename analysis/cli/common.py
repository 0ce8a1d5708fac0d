"""What every ``medtwitter`` subcommand shares: the parser class, argument types, options, exit codes.

Errors meant for users (:class:`~analysis.errors.MedtwitterError`) and the
operating system's errors (:class:`OSError`: permissions, a full disk...) are
printed on one line, without a traceback, with a non-zero exit status
(:func:`run_reporting_errors`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from analysis import settings
from analysis.errors import MedtwitterError, UsageError, describe_os_error

#: No subcommand given: the help is printed, as for a usage error.
EXIT_NO_COMMAND = 2
#: An error of the operating system (permissions, a full disk, a missing or wrong path).
EXIT_OS_ERROR = 1
#: Output piped into a command that stopped reading (``| head``), as a shell reports SIGPIPE.
EXIT_BROKEN_PIPE = 141
#: Ctrl-C, as a shell reports SIGINT.
EXIT_INTERRUPTED = 130

Subparsers = argparse._SubParsersAction


class Parser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Raise :class:`~analysis.errors.UsageError` naming the problem and the help to read.

        Parameters
        ----------
        message : str
            argparse's message about the command line.

        Raises
        ------
        analysis.errors.UsageError
            Always: the message on one line, with the ``--help`` to read.
        """
        message = " ".join(message.splitlines()).rstrip(".")
        raise UsageError(f"{message}; see `{self.prog} --help`.")


def dataset_arg(value: str) -> str:
    """Check a dataset name as it is parsed: the ``type`` of every argument naming a dataset.

    Parameters
    ----------
    value : str
        The name given on the command line.

    Returns
    -------
    str
        The name, checked by :func:`analysis.settings.check_dataset_name`.
    """
    try:
        return settings.check_dataset_name(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(value: str) -> int:
    """Parse a count that must be at least 1 (``report --network-max-nodes``).

    Parameters
    ----------
    value : str
        The count given on the command line.

    Returns
    -------
    int
        The count.
    """
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}.")
    return int(value)


def add_lock_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--lock-timeout SECONDS`` to a command that writes a dataset.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser.
    """
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="wait at most this long for another writer of the dataset "
        "(default: as long as it takes; 0: fail at once)",
    )


def apply_lock_timeout(args: argparse.Namespace) -> None:
    """Set :data:`analysis.settings.LOCK_TIMEOUT` from ``--lock-timeout``, refusing a negative one.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options; without ``lock_timeout`` (or with None) the setting is left as it is.

    Raises
    ------
    analysis.errors.UsageError
        If ``--lock-timeout`` is negative.
    """
    timeout = getattr(args, "lock_timeout", None)
    if timeout is None:
        return
    if timeout < 0:
        raise UsageError(
            f"--lock-timeout {timeout:g} is negative; give 0 or "
            "more seconds (0: fail at once if another writer holds it)."
        )
    settings.LOCK_TIMEOUT = timeout


def add_raw_csv_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--raw-csv`` to a command that writes CSV files.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser.
    """
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV cells exactly as they are: by default a cell starting with "
        "=, +, -, @, a tab or a carriage return gets a leading ' so that a "
        "spreadsheet shows it as text instead of running it as a formula",
    )


def print_counts(dataset: str, counts: dict[str, int], synthetic: bool = False) -> None:
    """Print where a dataset's tables are and how many rows each holds.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    counts : dict of str to int
        Rows per table.
    synthetic : bool
        Label the dataset synthetic (the demo's).
    """
    label = " (synthetic)" if synthetic else ""
    sizes = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"dataset {dataset!r}{label} in {settings.processed_dir(dataset)}: {sizes}")


def run_reporting_errors(work: Callable[[], int]) -> int:
    """Run ``work`` and return its exit status, or print the error it raised on one line.

    Parameters
    ----------
    work : callable
        Parses the command line and runs the command; returns the exit status.

    Returns
    -------
    int
        ``work``'s status; the error's ``exit_code`` for a
        :class:`~analysis.errors.MedtwitterError`; :data:`EXIT_OS_ERROR`,
        :data:`EXIT_BROKEN_PIPE` or :data:`EXIT_INTERRUPTED` otherwise.
    """
    try:
        return work()
    except MedtwitterError as exc:
        print(f"medtwitter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into a command that stopped reading (`| head`)
        with contextlib.suppress(OSError, ValueError):  # no later flush error at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # permissions, a full disk, a missing or wrong path
        print(f"medtwitter: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_OS_ERROR
    except KeyboardInterrupt:
        print("medtwitter: interrupted; what was already written is kept.", file=sys.stderr)
        return EXIT_INTERRUPTED
