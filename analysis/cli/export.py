"""``medtwitter export``: a dataset's tables as CSV or Parquet files with a README.txt."""

from __future__ import annotations

import argparse
import sys

from analysis.cli.common import Parser, Subparsers, add_raw_csv_option, dataset_arg


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``export`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "export",
        help="write a dataset's tables as CSV or Parquet with a README.txt (R, SPSS, "
        "Stata, spreadsheets)",
        description="Write each table of a dataset as DIR/<table>.csv or DIR/<table>.parquet and "
        "DIR/README.txt describing every column. CSV: UTF-8, a header, ids as digits (read them "
        "as text), UTC times in ISO 8601 (2021-03-04T05:06:07Z), formula-safe text cells. Only "
        "those files are replaced in DIR; every other file is left alone.",
    )
    p.add_argument("dataset", type=dataset_arg, metavar="DATASET", help="dataset name")
    p.add_argument(
        "--format", choices=["csv", "parquet"], default="csv", help="file format (default: csv)"
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to write (created if only it is missing)",
    )
    p.add_argument(
        "--tables",
        metavar="TABLE,TABLE",
        help="tables to write, e.g. tweets,users (default: every table)",
    )
    p.add_argument(
        "--anonymise",
        action="store_true",
        help="pseudonymous ids, handles and names; no URLs, profile locations or "
        "protected text (as report --anonymise)",
    )
    p.add_argument(
        "--version",
        type=int,
        default=None,
        metavar="N",
        dest="version",
        help="export version N of the dataset (default: the latest)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_raw_csv_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the files, print their paths, and note earlier exports left in DIR; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter export``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.export import export_dataset, other_exports  # lazy: pyarrow (0.3 s)

    files = export_dataset(
        args.dataset,
        args.out,
        format=args.format,
        tables=args.tables,
        anonymise=args.anonymise,
        raw_csv=args.raw_csv,
        version=args.version,
        progress=not args.quiet,
    )
    for path in files:
        print(path)
    earlier = other_exports(args.out, files)
    if earlier:
        print(
            f"note: {args.out} also holds {', '.join(p.name for p in earlier)} from an earlier "
            f"export, left as they were; {files[-1].name} describes only the files above.",
            file=sys.stderr,
        )
    return 0
