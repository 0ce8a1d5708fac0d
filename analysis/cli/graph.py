"""``medtwitter graph``: a follower or interaction network as a metrics table, or a file for Gephi."""

from __future__ import annotations

import argparse
import sys
import warnings

from analysis import settings
from analysis.cli.common import Parser, Subparsers, add_raw_csv_option, dataset_arg, positive_int
from analysis.errors import UsageError

EPILOG = """\
examples:
  medtwitter graph docs --metrics --out metrics.parquet
  medtwitter graph docs --network mention --export gexf --out mentions.gexf
  medtwitter graph docs --network retweet --export csv --out rt.csv   # + rt_nodes.csv"""


def register(subparsers: Subparsers[Parser]) -> None:
    """Add the ``graph`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommands of the ``medtwitter`` parser (its ``add_parser`` makes a
        :class:`~analysis.cli.common.Parser`).
    """
    p = subparsers.add_parser(
        "graph",
        help="follower or interaction network: a metrics table, or GEXF/GraphML/CSV for Gephi",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dataset", type=dataset_arg, metavar="DATASET", help="dataset name")
    p.add_argument(
        "--network",
        default="follow",
        choices=["follow", "mention", "retweet", "reply", "quote"],
        help="which links: follow (default: follower -> followed), mention, retweet, "
        "reply or quote (author -> the account mentioned, retweeted...)",
    )
    p.add_argument(
        "--metrics",
        action="store_true",
        help="one row per account: degrees, reciprocity, PageRank, HITS, core, community",
    )
    p.add_argument(
        "--export",
        choices=["gexf", "graphml", "csv"],
        help="write the network in this format, nodes labelled by handle with role, "
        "identity, community, degrees and PageRank, edges weighted and dated "
        "(start/end: Gephi's timeline); csv: FILE is the edge list, FILE with _nodes "
        "before its suffix the node table",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="output file (.parquet or .csv for --metrics)",
    )
    p.add_argument(
        "--backend",
        default=None,
        help="igraph (fast path), networkx, or an installed networkx backend: cugraph (pip "
        "install 'medtwitter[graph-gpu]', needs an NVIDIA GPU) (default: "
        f"{settings.GRAPH_BACKEND}, from analysis.settings.GRAPH_BACKEND)",
    )
    p.add_argument(
        "--betweenness-samples",
        type=positive_int,
        metavar="K",
        help="estimate betweenness from K sampled source accounts (exact by default "
        "up to 2,000 accounts, left empty beyond); each account's estimate is within "
        "sqrt(ln(2/d)/(2(K-1))) of the exact normalised value with probability 1-d "
        "(Hoeffding; ln(2n/d) for all n accounts at once)",
    )
    p.add_argument(
        "--all-followers",
        action="store_true",
        help="follow network: keep followers seen only as ids (default: accounts of "
        "the dataset only; interaction networks keep every account their tweets name)",
    )
    p.add_argument("--drop-protected", action="store_true", help="leave protected accounts out")
    p.add_argument(
        "--anonymise",
        action="store_true",
        help="pseudonymous ids, handles and names only (as report --anonymise)",
    )
    p.add_argument("--seed", type=int, default=settings.SEED, help="seed for Louvain")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_raw_csv_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the metrics table or the exported network, print notes and what was written; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``medtwitter graph``.

    Returns
    -------
    int
        Exit status: 0.
    """
    # lazy: pandas, scipy, networkx (1.1 s)
    from analysis.graph.backends import GraphNote, require_backend
    from analysis.graph.export import write_metrics
    from analysis.graph.networks import export_network, write_network_metrics

    if not (args.metrics or args.export):
        raise UsageError("say what to write: --metrics (a table) or --export gexf|graphml|csv.")
    if args.metrics and args.export:
        raise UsageError("--metrics and --export write different files; run them one at a time.")
    require_backend(args.backend)
    options = {
        "only_known": not args.all_followers,
        "drop_protected": args.drop_protected,
        "seed": args.seed,
        "backend": args.backend,
    }
    shared = {
        "anonymise": args.anonymise,
        "raw_csv": args.raw_csv,
        "betweenness_samples": args.betweenness_samples,
    }
    network = args.network
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", GraphNote)
        if args.metrics and network == "follow":
            path, rows = write_metrics(
                args.dataset, args.out, **options, progress=not args.quiet, **shared
            )
            done = f"metrics of {rows:,} accounts written to {path}"
        elif args.metrics:
            path, rows = write_network_metrics(args.dataset, args.out, network, **options, **shared)
            done = f"metrics of the {network} network's {rows:,} accounts written to {path}"
        else:
            out = export_network(args.dataset, args.out, args.export, network, **options, **shared)
            size = f"{out.accounts:,} accounts, {out.links:,} " + (
                "follows" if network == "follow" else f"links, {out.interactions:,} {network}s"
            )
            name = "follower graph" if network == "follow" else f"{network} network"
            done = f"{name} ({size}) written to {' and '.join(map(str, out.paths))}"
    for note in {str(n.message) for n in notes if issubclass(n.category, GraphNote)}:
        print(f"note: {note}", file=sys.stderr)
    print(done)
    return 0
