"""The ``medtwitter`` command (also ``python -m analysis``): thin, calls the modules.

One module a subcommand (or a small group of related ones) holds its parser
(``register``) beside its handler (``run``); this module assembles them and
:mod:`analysis.cli.common` holds what they share. Every argument naming a
dataset is checked as it is parsed (:func:`~analysis.cli.common.dataset_arg`),
before any work. Handlers import the analysis modules they call when they run:
each pulls in pandas, pyarrow or networkx (0.3 to 4 s), which ``--help`` and
the other commands do not need.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from analysis import __version__, settings
from analysis.cli import (
    accounts,
    collect,
    datasets,
    demo,
    export,
    graph,
    ingest,
    privacy,
    report,
    summaries,
)
from analysis.cli.common import EXIT_NO_COMMAND, Parser, apply_lock_timeout, run_reporting_errors

#: The subcommands' modules, in the order ``medtwitter --help`` lists them.
COMMANDS = (demo, ingest, collect, datasets, report, privacy, accounts, summaries, graph, export)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``medtwitter`` command."""
    parser = Parser(
        prog="medtwitter",
        description="Study how health professionals use Twitter/X: collect, ingest, analyse, report.",
    )
    parser.add_argument("--version", action="version", version=f"medtwitter {__version__}")
    parser.add_argument("--data-dir", help="data root (default: $MEDTWITTER_DATA or ./data)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 for a usage error; 1 for another error a user can fix.
    """
    parser = build_parser()

    def parse_and_run() -> int:
        args = parser.parse_args(argv)
        if args.data_dir:
            settings.set_data_dir(args.data_dir)
        apply_lock_timeout(args)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_NO_COMMAND
        status: int = args.func(args)
        return status

    return run_reporting_errors(parse_and_run)
