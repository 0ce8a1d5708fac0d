"""``medtwitter demo``: generate and ingest the synthetic demo community."""

from __future__ import annotations

import argparse

from analysis import settings
from analysis.cli.common import Parser, Subparsers, add_lock_option, dataset_arg, print_counts
from analysis.errors import UsageError


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``demo`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser("demo", help="generate and ingest the synthetic demo community")
    p.add_argument(
        "--dataset", type=dataset_arg, help="dataset name (default: demo, or tiny with --tiny)"
    )
    p.add_argument(
        "--tiny",
        action="store_true",
        help="three tweets, no follow links, no labels, instead of the community",
    )
    p.add_argument("--accounts", type=int, default=800, help="number of accounts (default: 800)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.add_argument(
        "--platform",
        choices=["x", "bluesky", "mastodon"],
        default="x",
        help="the raw format of the synthetic community: X API v2 pages (default), "
        "Bluesky XRPC or Mastodon API responses (dataset demo-PLATFORM)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_lock_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the demo (or tiny) dataset and print its tables' sizes; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter demo``.

    Returns
    -------
    int
        Exit status: 0.
    """
    # lazy: pandas, pyarrow, gender-guesser (0.9 s)
    from analysis.demo import build_demo, build_tiny

    platform = getattr(args, "platform", "x")
    if args.tiny and platform != "x":
        raise UsageError("--tiny is an X dataset; give --tiny or --platform, not both.")
    if args.tiny:
        report = build_tiny(args.dataset or "tiny", progress=not args.quiet)
    else:
        default = "demo" if platform == "x" else f"demo-{platform}"
        report = build_demo(
            args.dataset or default,
            accounts=args.accounts,
            seed=args.seed,
            progress=not args.quiet,
            platform=platform,
        )
    print_counts(report.dataset, report.counts, synthetic=True)
    return 0
