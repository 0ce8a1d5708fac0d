"""``medtwitter collect bluesky ...`` and ``collect mastodon ...``: the X collector's files and summary.

Each subcommand sets ``platform_job`` (the job from the arguments) and
``platform_source`` (the client asked); :func:`run` gives them to
:class:`analysis.collect.federated.PlatformCollector`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from analysis import settings
from analysis.cli.common import Parser, Subparsers
from analysis.errors import UsageError

if TYPE_CHECKING:
    from analysis.collect import Job
    from analysis.collect.bluesky import BlueskySource
    from analysis.collect.mastodon import MastodonSource

BLUESKY_ACCOUNT_COMMANDS = [
    ("profiles", "profiles of HANDLE... (25 a request)"),
    ("followers", "accounts following HANDLE: follow links into it"),
    ("following", "accounts HANDLE follows: follow links out of it"),
    ("feed", "HANDLE's posts and reposts"),
]

MASTODON_ACCOUNT_COMMANDS = [
    ("statuses", "ACCOUNT's statuses"),
    ("followers", "accounts following ACCOUNT (as the instance sees them)"),
    ("following", "accounts ACCOUNT follows (as the instance sees them)"),
    ("accounts", "look up ACCOUNT..."),
]


def register(csub: Subparsers[Parser], common: Parser) -> None:
    """Add ``bluesky`` and ``mastodon`` to ``collect``'s subcommands ``csub``.

    Parameters
    ----------
    csub : argparse._SubParsersAction
        The subcommands of ``medtwitter collect``.
    common : Parser
        The options every collect subcommand takes (``--dataset``, ``--no-wait``...).
    """
    _register_bluesky(csub, common)
    _register_mastodon(csub, common)


def _register_bluesky(csub: Subparsers[Parser], common: Parser) -> None:
    bluesky = dict(func=run, platform_job=_bluesky_job, platform_source=_bluesky_source)
    p = csub.add_parser(
        "bluesky",
        parents=[common],
        help="collect Bluesky posts, profiles, follows and feeds (public AppView; "
        "BLUESKY_HANDLE/BLUESKY_APP_PASSWORD when a method needs a login)",
    )
    bsub = p.add_subparsers(
        dest="bluesky_command", metavar="WHAT", parser_class=Parser, required=True
    )
    c = bsub.add_parser("search", parents=[common], help="posts matching QUERY (newest first)")
    c.add_argument("query", metavar="QUERY", help="words or #tags, e.g. '#MedSky'")
    c.add_argument("--since", help="start date YYYY-MM-DD (or ISO time), inclusive")
    c.add_argument("--until", help="end date YYYY-MM-DD (or ISO time), inclusive")
    c.add_argument("--lang", help="language code of the posts, e.g. fr")
    c.add_argument("--tag", action="append", help="posts carrying this tag (repeatable)")
    c.add_argument("--max-posts", type=int, help="stop after this many posts")
    c.set_defaults(**bluesky)
    for what, text in BLUESKY_ACCOUNT_COMMANDS:
        c = bsub.add_parser(what, parents=[common], help=text)
        c.add_argument("handles", nargs="+", metavar="HANDLE", help="handles (@ optional) or DIDs")
        if what == "feed":
            c.add_argument("--max-posts", type=int, help="at most this many posts per account")
        c.set_defaults(**bluesky)


def _register_mastodon(csub: Subparsers[Parser], common: Parser) -> None:
    mastodon = dict(func=run, platform_job=_mastodon_job, platform_source=_mastodon_source)
    p = csub.add_parser(
        "mastodon",
        parents=[common],
        help="collect from a Mastodon instance: hashtag timelines, statuses, follows, accounts "
        "(MASTODON_ACCESS_TOKEN when the instance wants one)",
    )
    p.add_argument(
        "--instance",
        required=True,
        metavar="URL",
        help="the instance asked, e.g. https://mastodon.social",
    )
    msub = p.add_subparsers(
        dest="mastodon_command", metavar="WHAT", parser_class=Parser, required=True
    )
    c = msub.add_parser("tag", parents=[common], help="the public timeline of a hashtag")
    c.add_argument("tag", metavar="TAG", help="hashtag, # optional, e.g. MedMastodon")
    c.add_argument("--max-posts", type=int, help="stop after this many statuses")
    c.set_defaults(**mastodon)
    for what, text in MASTODON_ACCOUNT_COMMANDS:
        c = msub.add_parser(what, parents=[common], help=text)
        c.add_argument(
            "accounts",
            nargs="+",
            metavar="ACCOUNT",
            help="user@instance (or user, on the instance asked)",
        )
        if what == "statuses":
            c.add_argument("--max-posts", type=int, help="at most this many statuses per account")
        c.set_defaults(**mastodon)


def run(args: argparse.Namespace) -> int:
    """Collect from Bluesky or Mastodon and print the coverage; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter collect bluesky|mastodon``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.collect import coverage_lines  # lazy: requests, tweepy, pandas (0.8 s)
    from analysis.collect.federated import PlatformCollector

    if not getattr(args, "dataset", None):
        raise UsageError("give --dataset NAME (the raw files go to <data root>/raw/NAME/).")
    job = args.platform_job(args)  # checks the query and accounts before any request
    collector = PlatformCollector(
        args.platform_source(args),
        wait_on_rate_limit=not getattr(args, "no_wait", False),
        max_retries=getattr(args, "max_retries", 5),
        progress=not getattr(args, "quiet", False),
    )
    result = collector.run(
        job, settings.raw_dir(args.dataset), output=getattr(args, "output", None)
    )
    print("\n".join(coverage_lines(result)))
    return 0


def _bluesky_job(args: argparse.Namespace) -> Job:
    from analysis.collect import bluesky  # lazy: see run

    if args.bluesky_command == "search":
        return bluesky.search_job(
            args.query,
            since=args.since,
            until=args.until,
            lang=args.lang,
            tags=args.tag,
            max_posts=args.max_posts,
        )
    return bluesky.accounts_job(
        args.bluesky_command, args.handles, max_items=getattr(args, "max_posts", None)
    )


def _bluesky_source(args: argparse.Namespace) -> BlueskySource:
    from analysis.collect.bluesky import BlueskySource  # lazy: see _bluesky_job

    return BlueskySource()


def _mastodon_job(args: argparse.Namespace) -> Job:
    from analysis.collect import mastodon  # lazy: see run

    if args.mastodon_command == "tag":
        return mastodon.tag_job(args.instance, args.tag, max_items=args.max_posts)
    return mastodon.accounts_job(
        args.instance,
        args.mastodon_command,
        args.accounts,
        max_items=getattr(args, "max_posts", None),
    )


def _mastodon_source(args: argparse.Namespace) -> MastodonSource:
    from analysis.collect.mastodon import MastodonSource  # lazy: see _mastodon_job

    return MastodonSource(args.instance)
