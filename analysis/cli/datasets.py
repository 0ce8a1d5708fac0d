"""``medtwitter info`` and ``medtwitter compact``: look at a stored dataset, and tidy its files."""

from __future__ import annotations

import argparse

from analysis import settings
from analysis.cli.common import Parser, Subparsers, add_lock_option, dataset_arg


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``info`` and ``compact`` subcommands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser("info", help="tables' sizes, time span and languages of a dataset")
    p.add_argument(
        "dataset", nargs="?", default=settings.DEFAULT_DATASET, type=dataset_arg, metavar="DATASET"
    )
    p.add_argument(
        "--versions",
        action="store_true",
        help="list the dataset's versions (time, command, files, rows per table)",
    )
    p.set_defaults(func=run_info)

    p = subparsers.add_parser(
        "compact",
        help="merge small files of each table and delete files old versions no longer need",
        description="Delta optimize (each table's small files merged) then vacuum: files that "
        "no version younger than --retain-days needs are deleted; older versions are marked "
        "dropped. Converts a dataset of an earlier layout. No row changes.",
    )
    p.add_argument(
        "dataset", nargs="?", default=settings.DEFAULT_DATASET, type=dataset_arg, metavar="DATASET"
    )
    p.add_argument(
        "--retain-days",
        type=float,
        default=30,
        metavar="N",
        help="keep the versions of the last N days readable (default: 30)",
    )
    add_lock_option(p)
    p.set_defaults(func=run_compact)


def run_info(args: argparse.Namespace) -> int:
    """Print the dataset's tables (or its versions with ``--versions``); return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter info``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.overview import dataset_info, versions_info  # lazy: pandas, pyarrow (0.7 s)

    print(versions_info(args.dataset) if args.versions else dataset_info(args.dataset))
    return 0


def run_compact(args: argparse.Namespace) -> int:
    """Compact and vacuum each table, printing its files before and after; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter compact``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.store import compact  # lazy: pyarrow (0.3 s)
    from analysis.tables import dataset_dir, load_meta

    for name, (before, after) in compact(dataset_dir(args.dataset), args.retain_days).items():
        print(f"{name}: {before} file{'s' if before != 1 else ''} -> {after}")
    print(
        f"dataset {args.dataset!r} is now version {load_meta(args.dataset)['version']}; "
        f"versions of the last {args.retain_days:g} days stay readable"
    )
    return 0
