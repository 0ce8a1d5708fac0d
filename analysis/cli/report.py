"""``medtwitter report``: run the notebooks on a dataset and export HTML reports."""

from __future__ import annotations

import argparse

from analysis import settings
from analysis.cli.common import Parser, Subparsers, dataset_arg, positive_int


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``report`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "report", help="run the notebooks on a dataset and export HTML reports"
    )
    p.add_argument("--dataset", default=settings.DEFAULT_DATASET, type=dataset_arg)
    p.add_argument("--out", default="reports", help="output folder (default: reports/)")
    p.add_argument("--notebooks", help="comma-separated notebook numbers, e.g. 00,02")
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    p.add_argument("--anonymise", action="store_true", help="pseudonymise handles and ids")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first day analysed (UTC; default: all)")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="day after the last analysed (excluded)")
    p.add_argument(
        "--hashtags",
        metavar="TAG,TAG",
        help="hashtags of interest (default: docstoctoc,sante,esante)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=f"notebooks run side by side (default: {settings.REPORT_JOBS})",
    )
    p.add_argument(
        "--version",
        type=int,
        default=None,
        metavar="N",
        dest="version",
        help="report on version N of the dataset (default: the latest)",
    )
    p.add_argument(
        "--figures",
        choices=("svg", "pdf", "png"),
        help="also write every figure as its own file, with a caption, under "
        "OUT/figures/<notebook>/ (PNG at 300 dpi)",
    )
    p.add_argument(
        "--network-max-nodes",
        type=positive_int,
        default=None,
        metavar="N",
        help="most accounts in the interactive network view (default: 5000; above "
        "it the largest k-core that fits, or the top accounts by PageRank)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the notebooks with engine='dask' on this Dask cluster: local:N (N worker "
        "processes here), tcp://HOST:PORT or a scheduler file (needs: pip install "
        "'medtwitter[dask]')",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the reports and print each one's HTML file; return 1 if a notebook failed.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter report``.

    Returns
    -------
    int
        Exit status: 0, or 1 when a notebook failed (its report says where).
    """
    from analysis.report import build_reports  # lazy: pandas, pyarrow, nbformat (4 s)

    hashtags = None
    if args.hashtags:
        hashtags = [t.strip().lstrip("#") for t in args.hashtags.split(",") if t.strip()]
    results = build_reports(
        dataset=args.dataset,
        out_dir=args.out,
        notebooks=args.notebooks,
        show_code=args.show_code,
        anonymise=args.anonymise,
        jobs=args.jobs,
        start=args.start,
        end=args.end,
        version=args.version,
        hashtags=hashtags,
        figures=args.figures,
        network_max_nodes=args.network_max_nodes,
        scheduler=args.scheduler,
    )
    failed = [r for r in results if not r.ok]
    for r in results:
        print(f"{'ok    ' if r.ok else 'FAILED'} {r.html}" + ("" if r.ok else f": {r.error}"))
    return 1 if failed else 0
