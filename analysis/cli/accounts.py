"""``medtwitter accounts``: role and identity style of a dataset's accounts, or of a profiles CSV."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from analysis import settings
from analysis.cli.common import Parser, Subparsers, add_raw_csv_option
from analysis.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from analysis.tables import Tables


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``accounts`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "accounts",
        help="label accounts: role and identity style, with reasons and confidence",
        description="medtwitter accounts DATASET labels a dataset's users; medtwitter accounts "
        "classify PROFILES.csv labels a CSV of profiles (username, name, description; optional "
        "protected, location). Both write username, role, identity, confidence, reasons.",
    )
    p.add_argument("target", nargs="+", metavar="DATASET | classify PROFILES.csv")
    p.add_argument("--out", help="labels CSV to write (default: standard output)")
    p.add_argument(
        "--overrides",
        metavar="CSV",
        help="researchers' labels (user_id or username, role, identity); they win",
    )
    p.add_argument(
        "--pairs",
        metavar="PAIRS.csv",
        help="also write likely personal/professional account pairs with evidence",
    )
    p.add_argument(
        "--platform-pairs",
        metavar="PLATFORM_PAIRS.csv",
        help="DATASET only: also write likely same-person accounts across platforms "
        "(X, Bluesky, Mastodon) with evidence: a bio linking to or naming the other "
        "account, the same handle",
    )
    p.add_argument(
        "--anonymise",
        action="store_true",
        help="DATASET only: pseudonymous ids and handles, reasons and pair evidence "
        "that quote no name, place or handle (as report --anonymise)",
    )
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="print precision/recall/F1 and confusion matrices against a demo "
        "dataset's ground truth, or the profiles CSV's own role and identity columns",
    )
    add_raw_csv_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Label the dataset's accounts (or the profiles CSV's), write the labels and asked extras; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter accounts``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.outputs import check_out_file  # lazy: tempfile, shutil (9 ms on every start-up)

    target = args.target
    if target[0] != "classify":
        settings.check_dataset_name(target[0])
    for out in (args.out, args.pairs, args.platform_pairs):
        if out is not None and out != "-":
            check_out_file(out)
    labels = _classify_profiles(args) if target[0] == "classify" else _label_dataset(args)
    if args.out:
        counts = labels["role"].value_counts().to_dict()
        print(
            f"{len(labels)} account(s) labelled in {args.out}: "
            + ", ".join(f"{n} {r}" for r, n in counts.items()),
            file=sys.stderr,
        )
    return 0


def _classify_profiles(args: argparse.Namespace) -> pd.DataFrame:
    """``accounts classify PROFILES.csv``: the labels of a CSV of profiles."""
    # lazy: pandas, pyarrow, gender-guesser (0.6 s)
    from analysis.accounts.classify import classify_file
    from analysis.accounts.evaluate import format_evaluation

    target = args.target
    if len(target) != 2:
        raise UsageError("usage: medtwitter accounts classify PROFILES.csv [--out LABELS.csv].")
    if args.pairs:
        raise UsageError("--pairs needs a dataset: medtwitter accounts DATASET --pairs PAIRS.csv.")
    if args.platform_pairs:
        raise UsageError(
            "--platform-pairs needs a dataset: medtwitter accounts DATASET "
            "--platform-pairs PLATFORM_PAIRS.csv."
        )
    if args.anonymise:
        raise UsageError(
            "--anonymise works on a dataset (medtwitter accounts DATASET --anonymise); a "
            "profiles CSV is labelled as it is."
        )
    if not args.evaluate:
        return classify_file(target[1], args.out, overrides=args.overrides, raw_csv=args.raw_csv)
    labels, result = classify_file(
        target[1], args.out, overrides=args.overrides, evaluate=True, raw_csv=args.raw_csv
    )
    print(
        format_evaluation(result, f"the hand labels of {target[1]}"),
        flush=True,
        file=sys.stderr if args.out is None else sys.stdout,
    )
    return labels


def _label_dataset(args: argparse.Namespace) -> pd.DataFrame:
    """``accounts DATASET``: the labels of a dataset's users, and the pairs asked for."""
    # lazy: pandas, pyarrow, gender-guesser (1.1 s)
    from analysis.accounts import labels_from_tables, pairs_from_tables
    from analysis.accounts.classify import label_dataset, save_labels
    from analysis.accounts.evaluate import evaluate_dataset, format_evaluation
    from analysis.tables import load_dataset  # lazy: pandas and pyarrow, ~0.34 s to import

    target = args.target
    if len(target) != 1:
        raise UsageError("usage: medtwitter accounts DATASET [--out LABELS.csv].")
    tables = None
    if not args.anonymise and not args.pairs and not args.platform_pairs:
        labels = label_dataset(target[0], overrides=args.overrides)
    else:
        tables = load_dataset(target[0], anonymise=args.anonymise)
        labels = labels_from_tables(tables, overrides=args.overrides)
    save_labels(labels, args.out, raw_csv=args.raw_csv)
    if args.pairs:
        pairs = pairs_from_tables(tables, labels)
        save_labels(pairs, args.pairs, raw_csv=args.raw_csv)
    if args.platform_pairs and tables is not None:  # loaded above for --platform-pairs
        _write_platform_pairs(tables, args.platform_pairs, raw_csv=args.raw_csv)
    if args.evaluate:
        result = evaluate_dataset(target[0], labels, tables=tables)
        print(
            format_evaluation(result, f"the ground truth of {target[0]!r}"),
            flush=True,
            file=sys.stderr if args.out is None else sys.stdout,
        )
    return labels


def _write_platform_pairs(tables: Tables, path: str, raw_csv: bool) -> None:
    """``accounts --platform-pairs``: likely same-person accounts across platforms, as CSV."""
    from analysis.outputs import write_csv  # lazy: see run
    from analysis.platforms import platform_pairs_from_tables  # lazy: pyarrow (0.4 s)

    pairs = platform_pairs_from_tables(tables)
    write_csv(pairs, None if path == "-" else path, raw=raw_csv)
    held = sorted(set(tables.users["platform"].dropna())) if "platform" in tables.users else ["x"]
    note = "" if len(held) > 1 else f" (the dataset holds one platform, {', '.join(held) or 'x'})"
    print(
        f"{len(pairs)} likely same-person pair(s) across platforms in {path}{note}",
        file=sys.stderr,
    )
