"""The ``medtwitter`` command (also ``python -m analysis``): thin, calls the modules.

Each subcommand parses its arguments and calls one function of the package;
errors meant for users (:class:`~analysis.errors.MedtwitterError`) are printed
on one line, without a traceback, with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis import __version__, settings
from analysis.errors import MedtwitterError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other user error
        raise UsageError(f"{message}; see `{self.prog} --help`.")


def _cmd_demo(args: argparse.Namespace) -> int:
    from analysis.demo import build_demo, build_tiny

    if args.tiny:
        report = build_tiny(args.dataset or "tiny", progress=not args.quiet)
    else:
        report = build_demo(
            args.dataset or "demo", accounts=args.accounts, seed=args.seed, progress=not args.quiet
        )
    _print_counts(report.dataset, report.counts, synthetic=True)
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import ingest_files

    report = ingest_files(args.files, args.dataset, strict=args.strict, progress=not args.quiet)
    for f in report.files:
        for problem in f.problems:
            print(f"warning: {problem}", file=sys.stderr)
    if report.bad_lines:
        print(f"warning: {report.bad_lines} bad line(s) set aside in "
              f"{settings.processed_dir(args.dataset) / 'quarantine.jsonl'}", file=sys.stderr)  # fmt: skip
    _print_counts(report.dataset, report.counts)
    return 0 if report.pages else 1


def _cmd_info(args: argparse.Namespace) -> int:
    from analysis.overview import dataset_summary, language_shares
    from analysis.tables import load_dataset

    tables = load_dataset(args.dataset)
    print(dataset_summary(tables).to_string(index=False))
    print()
    print(language_shares(tables).to_string(index=False))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import build_reports

    results = build_reports(
        dataset=args.dataset, out_dir=args.out, notebooks=args.notebooks,
        show_code=args.show_code, anonymise=args.anonymise, jobs=args.jobs,
    )  # fmt: skip
    failed = [r for r in results if not r.ok]
    for r in results:
        print(f"{'ok    ' if r.ok else 'FAILED'} {r.html}" + ("" if r.ok else f": {r.error}"))
    return 1 if failed else 0


def _cmd_adoption(args: argparse.Namespace) -> int:
    from analysis.adoption import adoption_summary, adoption_table, describe_bass, try_fit_bass
    from analysis.tables import load_dataset

    adoption = adoption_table(load_dataset(args.dataset))
    print(adoption_summary(adoption).to_string(index=False))
    print()
    fit = try_fit_bass(adoption[args.date], n_boot=args.boot, seed=args.seed)
    print(describe_bass(fit))
    return 0


def _cmd_hashtags(args: argparse.Namespace) -> int:
    from analysis.hashtags import (
        cooccurrence_graph,
        describe_graph,
        hashtag_communities,
        label_communities,
        tag_frequencies,
    )
    from analysis.tables import load_dataset

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


def _print_counts(dataset: str, counts: dict[str, int], synthetic: bool = False) -> None:
    label = " (synthetic)" if synthetic else ""
    sizes = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"dataset {dataset!r}{label} in {settings.processed_dir(dataset)}: {sizes}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``medtwitter`` command."""
    parser = _Parser(prog="medtwitter", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"medtwitter {__version__}")
    parser.add_argument("--data-dir", help="data root (default: $MEDTWITTER_DATA or ./data)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("demo", help="generate and ingest the synthetic demo community")
    p.add_argument("--dataset", help="dataset name (default: demo, or tiny with --tiny)")
    p.add_argument("--tiny", action="store_true",
                   help="three tweets, no follow links, no labels, instead of the community")  # fmt: skip
    p.add_argument("--accounts", type=int, default=800, help="number of accounts (default: 800)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("ingest", help="turn raw JSONL API pages into a dataset's Parquet tables")
    p.add_argument("files", nargs="+", metavar="RAW_FILE", help="JSONL(.gz) files or folders")
    p.add_argument("--dataset", required=True, help="dataset to create or extend")
    p.add_argument("--strict", action="store_true", help="stop at the first bad line")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("info", help="tables' sizes, time span and languages of a dataset")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("report", help="run the notebooks on a dataset and export HTML reports")
    p.add_argument("--dataset", default=settings.DEFAULT_DATASET)
    p.add_argument("--out", default="reports", help="output folder (default: reports/)")
    p.add_argument("--notebooks", help="comma-separated notebook numbers, e.g. 00,02")
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    p.add_argument("--anonymise", action="store_true", help="pseudonymise handles and ids")
    p.add_argument("--jobs", type=int, default=None,
                   help=f"notebooks run side by side (default: {settings.REPORT_JOBS})")  # fmt: skip
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("adoption", help="adoption dates per account and a Bass diffusion fit")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET)
    p.add_argument("--date", default="first_professional_at",
                   choices=["first_professional_at", "first_tweet_at", "created_at"],
                   help="adoption date to fit (default: first_professional_at)")  # fmt: skip
    p.add_argument("--boot", type=int, default=200, help="bootstrap resamples (default: 200)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=_cmd_adoption)

    p = sub.add_parser("hashtags", help="top hashtags and their co-occurrence communities")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET)
    p.add_argument("--top", type=int, default=15, help="tags to list (default: 15)")
    p.add_argument("--fold-accents", action="store_true", help="merge #santé and #sante")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=_cmd_hashtags)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.data_dir:
            settings.set_data_dir(args.data_dir)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return args.func(args)
    except MedtwitterError as exc:
        print(f"medtwitter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("medtwitter: interrupted; what was already written is kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
