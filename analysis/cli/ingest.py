"""``medtwitter ingest``: raw JSONL API pages into a dataset's tables."""

from __future__ import annotations

import argparse
import sys

from analysis import cluster, settings
from analysis.cli.common import Parser, Subparsers, add_lock_option, dataset_arg, print_counts


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``ingest`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "ingest", help="turn raw JSONL API pages into a dataset's Parquet tables"
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="RAW_FILE",
        help="JSONL(.gz) or JSON files (v1.1 bodies), or folders",
    )
    p.add_argument(
        "--dataset",
        required=True,
        type=dataset_arg,
        help="dataset to create or extend (1 to 64 letters, digits, '-' or '_')",
    )
    p.add_argument("--strict", action="store_true", help="stop at the first bad line")
    p.add_argument(
        "--observed-at",
        metavar="DATE",
        help="date of the links in edge lists (CSV, Parquet), a snapshot of that day, "
        "e.g. 2024-05-01 (default: each file's modification time)",
    )
    p.add_argument(
        "--owner",
        metavar="ID",
        help="account id whose followers or friends the API v1.1 id pages (and "
        "followers/list, friends/list pages) list (default: from a file name "
        "followers_<id> or friends_<id>); needs --relation",
    )
    p.add_argument(
        "--relation",
        choices=["followers", "following"],
        help="followers: the listed accounts follow --owner; following: --owner follows them",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="read and de-duplicate on a Dask cluster: local:N (N worker processes here) or a "
        "scheduler's address, e.g. tcp://node1:8786 (needs pip install 'medtwitter[dask]')",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_lock_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ingest the files, print what each was read as and any warning; return 1 if no page was read.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter ingest``.

    Returns
    -------
    int
        Exit status: 0, or 1 when no page was read.
    """
    from analysis.ingest import ingest_files  # lazy: pyarrow, numpy (0.5 s)

    if args.scheduler is not None:  # a bad address or no Dask: said before anything is read
        cluster.require_dask()
        cluster.parse_address(args.scheduler)
    report = ingest_files(
        args.files,
        args.dataset,
        strict=args.strict,
        progress=not args.quiet,
        observed_at=args.observed_at,
        owner=args.owner,
        relation=args.relation,
        scheduler=args.scheduler,
    )
    for f in report.files:
        skipped = f", {f.skipped_pages} skipped" if f.skipped_pages else ""
        if not f.rejected:
            print(f"{f.path}: read as {f.format} ({f.pages} pages{skipped})")
        if f.observed_at is not None:
            how = (
                ")" if args.observed_at else "; give --observed-at DATE for the day they were seen)"
            )
            print(f"{f.path}: links dated {f.observed_at:%Y-%m-%d %H:%M:%S} UTC ({f.dated_by}{how}")
        for problem in f.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if f.replaced:
            print(
                f"warning: {f.path}: {f.replaced} invalid UTF-8 byte sequence(s) in "
                f"{f.replaced_lines} line(s) replaced by U+FFFD",
                file=sys.stderr,
            )
    if report.bad_lines:
        quarantine = settings.processed_dir(args.dataset) / "quarantine.jsonl"
        print(f"warning: {report.bad_lines} bad line(s) set aside in {quarantine}", file=sys.stderr)
    print_counts(report.dataset, report.counts)
    return 0 if report.pages else 1
