"""``medtwitter check-tweet``, ``compliance`` and ``purge``: what may be published, and what must go."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.cli.common import Parser, Subparsers, add_lock_option, dataset_arg
from analysis.errors import UsageError


def account_arg(value: str) -> int | str:
    """Parse an account given by id or handle: the ``type`` of ``purge --user``.

    Parameters
    ----------
    value : str
        An X id (digits) or a handle (``@`` optional).

    Returns
    -------
    int or str
        The id, or the handle, as :func:`analysis.purge.accounts.parse_account` reads it.
    """
    # lazy: pandas, pyarrow (1 s); runs while parsing
    from analysis.purge.accounts import parse_account

    try:
        return parse_account(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``check-tweet``, ``compliance`` and ``purge`` subcommands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "check-tweet", help="before publishing: could a reader identify a patient?"
    )
    p.add_argument("text", help="the tweet's text (quote it)")
    p.add_argument("--json", action="store_true", help='print {"risk": ..., "cues": [...]}')
    p.add_argument(
        "--no-learnt",
        action="store_true",
        help="the rules' answer only, without the learnt model (no training at start-up)",
    )
    p.set_defaults(func=run_check_tweet)

    p = subparsers.add_parser(
        "compliance",
        help="ask X which tweets/accounts are deleted, suspended, "
        "protected (batch compliance); --remove removes them",
    )
    p.add_argument("dataset", type=dataset_arg, metavar="DATASET")
    p.add_argument("--remove", action="store_true", help="remove them from raw and processed data")
    p.add_argument("--saved", action="store_true", help="reuse the last saved results, no network")
    p.add_argument("--poll-every", type=float, default=30.0, help="seconds between status checks")
    add_lock_option(p)
    p.set_defaults(func=run_compliance)

    p = subparsers.add_parser(
        "purge", help="remove an account's data from a dataset (deletion request)"
    )
    p.add_argument("--dataset", required=True, type=dataset_arg)
    p.add_argument(
        "--user",
        type=account_arg,
        action="append",
        required=True,
        metavar="ID|@HANDLE",
        help="account to remove, by id or handle (repeat for several); one that is "
        "not in the dataset refuses the whole purge, before any change (exit 1)",
    )
    add_lock_option(p)
    p.set_defaults(func=run_purge)


def run_check_tweet(args: argparse.Namespace) -> int:
    """Print the tweet's re-identification risk and its cues (or them as JSON); return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter check-tweet``.

    Returns
    -------
    int
        Exit status: 0.
    """
    # lazy: pandas, pyarrow (1 s); the learnt model trains at first use (0.8 to 0.9 s)
    from analysis.confidentiality import CUE_MEANINGS, check_tweet

    result = check_tweet(args.text, learnt=not args.no_learnt)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(f"risk: {result.risk} — {result.reason}")
        for cue in result.cues:
            print(f"  {cue.kind:<10} {cue.match!r:<24} {CUE_MEANINGS[cue.kind]}")
        if result.risk != "none":
            print("Publish only what could be public: remove or blur the details above.")
    return 0


def run_compliance(args: argparse.Namespace) -> int:
    """Ask X (or reread the saved answer), print the summary, remove with ``--remove``; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter compliance``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.compliance import (  # lazy: requests, tweepy, pandas (1.3 s)
        apply_compliance,
        check_compliance,
        load_compliance,
    )

    if args.saved:
        report = load_compliance(args.dataset)
    else:
        report = check_compliance(
            args.dataset,
            poll_every=args.poll_every,
            log=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    print(f"compliance results for dataset {args.dataset!r} ({report.path}):")
    print(report.summary().to_string(index=False) if len(report.results) else "  nothing to do.")
    users, tweets = report.to_remove()
    if not args.remove:
        if users or tweets:
            print(
                f"{len(users)} account(s) and {len(tweets)} tweet(s) must be removed; run again "
                f"with --remove (add --saved to reuse these results)."
            )
        return 0
    purged = apply_compliance(report)
    print(purged.summary() if purged else "nothing removed.")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    """Remove the accounts given by ``--user`` from the dataset and print what went; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter purge``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.purge import purge  # lazy: pandas, pyarrow (1 s)

    ids = [a for a in args.user if isinstance(a, int)]  # --user: ids, or handles (text)
    handles = [a for a in args.user if isinstance(a, str)]
    report = purge(args.dataset, user_ids=ids, handles=handles, strict=True)
    print(report.summary())
    return 0
