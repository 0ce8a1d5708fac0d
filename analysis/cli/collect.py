"""``medtwitter collect``: raw pages from the X API v2, one endpoint a subcommand, or a whole config."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from analysis import settings
from analysis.cli import collect_platforms
from analysis.cli.common import Parser, Subparsers, dataset_arg
from analysis.errors import UsageError
from analysis.query import build_query, check_query

if TYPE_CHECKING:
    from analysis.collect import CollectionResult, Job

DESCRIPTION = """\
Collect raw X API v2 pages into <data root>/raw/DATASET/*.jsonl.

Rerun the same command after a stop (Ctrl-C, kill, crash, rate limit) to continue where it
stopped. Rerunning a finished followers/following command writes a new dated snapshot
beside the earlier ones. Every run ends with a coverage summary (also kept in the
state file beside the output). The bearer token is read from X_BEARER_TOKEN or
TWITTER_BEARER_TOKEN (environment or .env) and never printed or written."""

EPILOG = """\
examples:
  medtwitter collect counts --hashtag docstoctoc --lang fr --dataset docs
  medtwitter collect search '#docstoctoc lang:fr -is:retweet' --max-tweets 5000 --dataset docs
  medtwitter collect users ordre_medecins CroixRouge --dataset docs
  medtwitter collect followers ordre_medecins --dataset docs
  medtwitter collect --config collection.toml"""

ACCOUNT_ENDPOINTS = [
    ("users", "look up accounts (USERNAME or ID), in batches of 100"),
    ("followers", "accounts following USER (1,000 a page): follow links into USER"),
    ("following", "accounts USER follows (1,000 a page): follow links out of USER"),
    ("timeline", "an account's own tweets"),
]


def _common_options() -> Parser:
    """Options of ``collect`` and of each of its subcommands; they default to SUPPRESS so either place works."""
    common = Parser(add_help=False)
    common.add_argument(
        "--dataset",
        default=argparse.SUPPRESS,
        type=dataset_arg,
        help="dataset the raw files belong to (raw/DATASET/)",
    )
    common.add_argument(
        "--no-wait",
        action="store_true",
        default=argparse.SUPPRESS,
        help="stop (resumably) on a rate limit instead of waiting for the reset",
    )
    common.add_argument(
        "--max-retries",
        type=int,
        default=argparse.SUPPRESS,
        help="retries on 5xx/connection errors (default: 5)",
    )
    common.add_argument(
        "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars"
    )
    return common


def _query_options() -> Parser:
    """Return the query options of ``collect search`` and ``collect counts``: given whole, or built."""
    query = Parser(add_help=False)
    query.add_argument(
        "query",
        nargs="?",
        metavar="QUERY",
        help="X search query, e.g. '#docstoctoc lang:fr -is:retweet'",
    )
    query.add_argument(
        "--hashtag", action="append", default=[], help="build the query: a hashtag (repeatable)"
    )
    query.add_argument(
        "--keyword", action="append", default=[], help="build the query: a keyword or phrase"
    )
    query.add_argument(
        "--from",
        dest="from_account",
        action="append",
        default=[],
        help="build the query: tweets from this account (repeatable)",
    )
    query.add_argument(
        "--lang", action="append", default=[], help="build the query: language code (repeatable)"
    )
    query.add_argument(
        "--include-retweets",
        action="store_true",
        help="built query keeps retweets (default adds -is:retweet)",
    )
    query.add_argument(
        "--archive", action="store_true", help="full-archive endpoint (Pro/Academic access)"
    )
    query.add_argument("--since", help="start date YYYY-MM-DD (or ISO time), inclusive")
    query.add_argument("--until", help="end date YYYY-MM-DD (or ISO time), inclusive")
    query.add_argument(
        "--query-limit",
        type=int,
        help="your access level's query length limit (default 512 recent, 1024 archive)",
    )
    return query


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``collect`` subcommand and its own subcommands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    common = _common_options()
    p = subparsers.add_parser(
        "collect",
        parents=[common],
        help="collect raw pages from the X API v2 (needs X_BEARER_TOKEN)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file describing a whole collection "
        "(queries, seed accounts, follower hops); see the README",
    )
    p.set_defaults(func=run, config=None, output=None)
    common.add_argument("--output", metavar="FILE", help="explicit output JSONL file")
    csub = p.add_subparsers(dest="collect_command", metavar="SUBCOMMAND", parser_class=Parser)
    query = _query_options()
    c = csub.add_parser(
        "search", parents=[common, query], help="search tweets (recent; --archive for all)"
    )
    c.add_argument(
        "--max-tweets", type=int, help="stop after this many tweets (reported in coverage)"
    )
    c.set_defaults(collect_job=_search_job)
    c = csub.add_parser(
        "counts",
        parents=[common, query],
        help="tweet volume a search would return, per day, to size a collection",
    )
    c.add_argument("--granularity", default="day", choices=["day", "hour", "minute"])
    c.set_defaults(collect_job=_counts_job)
    for endpoint, text in ACCOUNT_ENDPOINTS:
        c = csub.add_parser(endpoint, parents=[common], help=text)
        c.add_argument("accounts", nargs="*", metavar="USER", help="usernames (@ optional) or ids")
        c.add_argument("--file", action="append", help="file of accounts, one a line (repeatable)")
        if endpoint == "timeline":
            c.add_argument("--max-tweets", type=int, help="at most this many tweets per account")
        c.set_defaults(collect_job=_accounts_job, endpoint=endpoint)
    collect_platforms.register(csub, common)


def run(args: argparse.Namespace) -> int:
    """Collect one endpoint's pages (or a config's jobs) and print the coverage; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter collect``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis import collect  # lazy: requests, tweepy, pandas (0.8 s)

    def show(name: str, result: CollectionResult) -> None:
        """Print the coverage lines of a job of a config as it finishes.

        Parameters
        ----------
        name : str
            The job's name in the config (unused: the lines name the output file).
        result : CollectionResult
            The finished job's output file and state.
        """
        print("\n".join(collect.coverage_lines(result)))

    for name, default in [
        ("dataset", None),
        ("no_wait", False),
        ("max_retries", 5),
        ("quiet", False),
    ]:
        setattr(args, name, getattr(args, name, default))
    job = None
    if not args.config:
        if not getattr(args, "collect_job", None):
            raise UsageError(
                "give a collect subcommand or --config FILE; see `medtwitter collect --help`."
            )
        if not args.dataset:
            raise UsageError("give --dataset NAME (the raw files go to <data root>/raw/NAME/).")
        job = args.collect_job(args)  # checks the query and accounts before any request
    if args.output is not None:
        # lazy: tempfile, shutil (9 ms on every start-up)
        from analysis.outputs import check_out_file

        check_out_file(args.output)
    collector = collect.Collector(
        collect.make_client(),
        wait_on_rate_limit=not args.no_wait,
        max_retries=args.max_retries,
        progress=not args.quiet,
    )
    if job is None:
        collect.run_config(args.config, collector, dataset=args.dataset, on_result=show)
        return 0
    result = collector.run(job, settings.raw_dir(args.dataset), output=args.output)
    show(job.endpoint, result)
    return 0


def _query(args: argparse.Namespace) -> str:
    """Return the query of ``collect search|counts``: QUERY checked, or built from its parts."""
    if args.query:
        return check_query(args.query, archive=args.archive, limit=args.query_limit)
    return build_query(
        args.hashtag,
        args.keyword,
        args.from_account,
        args.lang,
        exclude_retweets=not args.include_retweets,
        archive=args.archive,
        limit=args.query_limit,
    )


def _search_window(args: argparse.Namespace) -> dict[str, Any]:
    """Return the options ``collect search`` and ``collect counts`` pass on as they are."""
    return {
        "archive": args.archive,
        "since": args.since,
        "until": args.until,
        "query_limit": args.query_limit,
    }


def _search_job(args: argparse.Namespace) -> Job:
    from analysis.collect import search_job  # lazy: see run

    return search_job(_query(args), max_tweets=args.max_tweets, **_search_window(args))


def _counts_job(args: argparse.Namespace) -> Job:
    from analysis.collect import counts_job  # lazy: see run

    return counts_job(_query(args), granularity=args.granularity, **_search_window(args))


def _accounts_job(args: argparse.Namespace) -> Job:
    from analysis.collect import account_job, users_job  # lazy: see run

    if args.endpoint == "users":
        return users_job(args.accounts, args.file or ())
    return account_job(
        args.endpoint, args.accounts, args.file or (), max_tweets=getattr(args, "max_tweets", None)
    )
