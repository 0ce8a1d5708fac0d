"""``medtwitter adoption`` and ``medtwitter hashtags``: a dataset's findings printed as tables."""

from __future__ import annotations

import argparse

from analysis import settings
from analysis.cli.common import Parser, Subparsers, dataset_arg


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``adoption`` and ``hashtags`` subcommands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "adoption", help="adoption dates per account and a Bass diffusion fit"
    )
    p.add_argument(
        "dataset", nargs="?", default=settings.DEFAULT_DATASET, type=dataset_arg, metavar="DATASET"
    )
    p.add_argument(
        "--date",
        default="first_professional_at",
        choices=["first_professional_at", "first_tweet_at", "created_at"],
        help="adoption date to fit (default: first_professional_at)",
    )
    p.add_argument("--boot", type=int, default=200, help="bootstrap resamples (default: 200)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=run_adoption)

    p = subparsers.add_parser("hashtags", help="top hashtags and their co-occurrence communities")
    p.add_argument(
        "dataset", nargs="?", default=settings.DEFAULT_DATASET, type=dataset_arg, metavar="DATASET"
    )
    p.add_argument("--top", type=int, default=15, help="tags to list (default: 15)")
    p.add_argument("--fold-accents", action="store_true", help="merge #santé and #sante")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=run_hashtags)


def run_adoption(args: argparse.Namespace) -> int:
    """Print the adoption summary and the Bass fit of the chosen date; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter adoption``.

    Returns
    -------
    int
        Exit status: 0.
    """
    # lazy: pandas, pyarrow, scipy (0.6 s)
    from analysis.adoption import adoption_summary, adoption_table, describe_bass, try_fit_bass
    from analysis.tables import load_dataset  # lazy: pandas and pyarrow, ~0.34 s to import

    adoption = adoption_table(load_dataset(args.dataset))
    print(adoption_summary(adoption).to_string(index=False))
    print()
    fit = try_fit_bass(adoption[args.date], n_boot=args.boot, seed=args.seed)
    print(describe_bass(fit))
    return 0


def run_hashtags(args: argparse.Namespace) -> int:
    """Print the top hashtags and their co-occurrence communities; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter hashtags``.

    Returns
    -------
    int
        Exit status: 0.
    """
    from analysis.hashtags import (  # lazy: pandas, scipy, networkx (2.9 s)
        cooccurrence_graph,
        describe_graph,
        hashtag_communities,
        label_communities,
        tag_frequencies,
    )
    from analysis.tables import load_dataset  # lazy: pandas and pyarrow, ~0.34 s to import

    tables = load_dataset(args.dataset)
    print(tag_frequencies(tables, fold=args.fold_accents).head(args.top).to_string(index=False))
    graph = cooccurrence_graph(tables, fold=args.fold_accents)
    comms = hashtag_communities(graph, seed=args.seed)
    print()
    print(describe_graph(graph, comms))
    if len(comms):
        table = label_communities(comms, tables, fold=args.fold_accents)
        print(table[["community", "top_tags", "tweets", "accounts"]].to_string(index=False))
    return 0
