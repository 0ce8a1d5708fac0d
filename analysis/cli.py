"""The ``medtwitter`` command (also ``python -m analysis``): thin, calls the modules.

Each subcommand parses its arguments and calls one function of the package;
errors meant for users (:class:`~analysis.errors.MedtwitterError`) and the
operating system's errors (:class:`OSError`: permissions, a full disk...) are
printed on one line, without a traceback, with a non-zero exit status. Every
argument naming a dataset is checked as it is parsed (:func:`_dataset_arg`),
before any work.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from analysis import __version__, settings
from analysis.errors import MedtwitterError, UsageError, describe_os_error


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every other user error
        message = " ".join(message.splitlines()).rstrip(".")
        raise UsageError(f"{message}; see `{self.prog} --help`.")


def _account_arg(value: str) -> int | str:
    """The ``type`` of ``purge --user``: :func:`analysis.purge.parse_account`."""
    from analysis.purge.accounts import parse_account

    try:
        return parse_account(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _dataset_arg(value: str) -> str:
    """The ``type`` of every argument naming a dataset: :func:`settings.check_dataset_name`."""
    try:
        return settings.check_dataset_name(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(value: str) -> int:
    """The ``type`` of a count that must be at least 1 (``report --network-max-nodes``)."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}.")
    return int(value)


def _cmd_demo(args: argparse.Namespace) -> int:
    from analysis.demo import build_demo, build_tiny

    platform = getattr(args, "platform", "x")
    if args.tiny and platform != "x":
        raise UsageError("--tiny is an X dataset; give --tiny or --platform, not both.")
    if args.tiny:
        report = build_tiny(args.dataset or "tiny", progress=not args.quiet)
    else:
        default = "demo" if platform == "x" else f"demo-{platform}"
        report = build_demo(args.dataset or default, accounts=args.accounts, seed=args.seed,
                            progress=not args.quiet, platform=platform)  # fmt: skip
    _print_counts(report.dataset, report.counts, synthetic=True)
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import ingest_files

    report = ingest_files(args.files, args.dataset, strict=args.strict, progress=not args.quiet,
                          observed_at=args.observed_at, owner=args.owner,
                          relation=args.relation)  # fmt: skip
    for f in report.files:
        skipped = f", {f.skipped_pages} skipped" if f.skipped_pages else ""
        if not f.rejected:
            print(f"{f.path}: read as {f.format} ({f.pages} pages{skipped})")
        if f.observed_at is not None:
            print(f"{f.path}: links dated {f.observed_at:%Y-%m-%d %H:%M:%S} UTC ({f.dated_by}"
                  + (")" if args.observed_at else "; give --observed-at DATE for the day they "
                     "were seen)"))  # fmt: skip
        for problem in f.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if f.replaced:
            print(f"warning: {f.path}: {f.replaced} invalid UTF-8 byte sequence(s) in "
                  f"{f.replaced_lines} line(s) replaced by U+FFFD", file=sys.stderr)  # fmt: skip
    if report.bad_lines:
        print(f"warning: {report.bad_lines} bad line(s) set aside in "
              f"{settings.processed_dir(args.dataset) / 'quarantine.jsonl'}", file=sys.stderr)  # fmt: skip
    _print_counts(report.dataset, report.counts)
    return 0 if report.pages else 1


def _cmd_collect(args: argparse.Namespace) -> int:
    from analysis import collect

    def show(name: str, result: collect.CollectionResult) -> None:
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
        from analysis.outputs import check_out_file

        check_out_file(args.output)
    collector = collect.Collector(
        collect.make_client(), wait_on_rate_limit=not args.no_wait,
        max_retries=args.max_retries, progress=not args.quiet,
    )  # fmt: skip
    if job is None:
        collect.run_config(args.config, collector, dataset=args.dataset, on_result=show)
        return 0
    result = collector.run(job, settings.raw_dir(args.dataset), output=args.output)
    show(job.endpoint, result)
    return 0


def _collect_query(args: argparse.Namespace) -> str:
    from analysis.query import build_query, check_query

    if args.query:
        return check_query(args.query, archive=args.archive, limit=args.query_limit)
    return build_query(args.hashtag, args.keyword, args.from_account, args.lang,
                       exclude_retweets=not args.include_retweets, archive=args.archive,
                       limit=args.query_limit)  # fmt: skip


def _collect_search(args: argparse.Namespace):
    from analysis.collect import search_job

    return search_job(_collect_query(args), archive=args.archive, since=args.since,
                      until=args.until, max_tweets=args.max_tweets, query_limit=args.query_limit)  # fmt: skip


def _collect_counts(args: argparse.Namespace):
    from analysis.collect import counts_job

    return counts_job(_collect_query(args), archive=args.archive, since=args.since,
                      until=args.until, granularity=args.granularity, query_limit=args.query_limit)  # fmt: skip


def _collect_accounts(args: argparse.Namespace):
    from analysis.collect import account_job, users_job

    if args.endpoint == "users":
        return users_job(args.accounts, args.file or ())
    return account_job(args.endpoint, args.accounts, args.file or (),
                       max_tweets=getattr(args, "max_tweets", None))  # fmt: skip


def _cmd_collect_platform(args: argparse.Namespace) -> int:
    """``collect bluesky ...`` and ``collect mastodon ...``: the X collector's files and summary."""
    from analysis.collect import coverage_lines
    from analysis.collect.federated import PlatformCollector

    if not getattr(args, "dataset", None):
        raise UsageError("give --dataset NAME (the raw files go to <data root>/raw/NAME/).")
    job = args.platform_job(args)  # checks the query and accounts before any request
    collector = PlatformCollector(
        args.platform_source(args), wait_on_rate_limit=not getattr(args, "no_wait", False),
        max_retries=getattr(args, "max_retries", 5), progress=not getattr(args, "quiet", False),
    )  # fmt: skip
    result = collector.run(
        job, settings.raw_dir(args.dataset), output=getattr(args, "output", None)
    )
    print("\n".join(coverage_lines(result)))
    return 0


def _bluesky_job(args: argparse.Namespace):
    from analysis.collect import bluesky

    if args.bluesky_command == "search":
        return bluesky.search_job(args.query, since=args.since, until=args.until, lang=args.lang,
                                  tags=args.tag, max_posts=args.max_posts)  # fmt: skip
    return bluesky.accounts_job(args.bluesky_command, args.handles,
                                max_items=getattr(args, "max_posts", None))  # fmt: skip


def _bluesky_source(args: argparse.Namespace):
    from analysis.collect.bluesky import BlueskySource

    return BlueskySource()


def _mastodon_job(args: argparse.Namespace):
    from analysis.collect import mastodon

    if args.mastodon_command == "tag":
        return mastodon.tag_job(args.instance, args.tag, max_items=args.max_posts)
    return mastodon.accounts_job(args.instance, args.mastodon_command, args.accounts,
                                 max_items=getattr(args, "max_posts", None))  # fmt: skip


def _mastodon_source(args: argparse.Namespace):
    from analysis.collect.mastodon import MastodonSource

    return MastodonSource(args.instance)


def _add_platform_collectors(csub, common: argparse.ArgumentParser) -> None:
    """``collect bluesky`` and ``collect mastodon`` (:mod:`analysis.collect.federated`)."""
    p = csub.add_parser("bluesky", parents=[common], help="collect Bluesky posts, profiles, "
                        "follows and feeds (public AppView; BLUESKY_HANDLE/BLUESKY_APP_PASSWORD "
                        "when a method needs a login)")  # fmt: skip
    bsub = p.add_subparsers(dest="bluesky_command", metavar="WHAT", parser_class=_Parser,
                            required=True)  # fmt: skip
    c = bsub.add_parser("search", parents=[common], help="posts matching QUERY (newest first)")
    c.add_argument("query", metavar="QUERY", help="words or #tags, e.g. '#MedSky'")
    c.add_argument("--since", help="start date YYYY-MM-DD (or ISO time), inclusive")
    c.add_argument("--until", help="end date YYYY-MM-DD (or ISO time), inclusive")
    c.add_argument("--lang", help="language code of the posts, e.g. fr")
    c.add_argument("--tag", action="append", help="posts carrying this tag (repeatable)")
    c.add_argument("--max-posts", type=int, help="stop after this many posts")
    c.set_defaults(func=_cmd_collect_platform, platform_job=_bluesky_job,
                   platform_source=_bluesky_source)  # fmt: skip
    for what, text in [("profiles", "profiles of HANDLE... (25 a request)"),
                       ("followers", "accounts following HANDLE: follow links into it"),
                       ("following", "accounts HANDLE follows: follow links out of it"),
                       ("feed", "HANDLE's posts and reposts")]:  # fmt: skip
        c = bsub.add_parser(what, parents=[common], help=text)
        c.add_argument("handles", nargs="+", metavar="HANDLE", help="handles (@ optional) or DIDs")
        if what == "feed":
            c.add_argument("--max-posts", type=int, help="at most this many posts per account")
        c.set_defaults(func=_cmd_collect_platform, platform_job=_bluesky_job,
                       platform_source=_bluesky_source)  # fmt: skip

    p = csub.add_parser("mastodon", parents=[common], help="collect from a Mastodon instance: "
                        "hashtag timelines, statuses, follows, accounts "
                        "(MASTODON_ACCESS_TOKEN when the instance wants one)")  # fmt: skip
    p.add_argument("--instance", required=True, metavar="URL",
                   help="the instance asked, e.g. https://mastodon.social")  # fmt: skip
    msub = p.add_subparsers(dest="mastodon_command", metavar="WHAT", parser_class=_Parser,
                            required=True)  # fmt: skip
    c = msub.add_parser("tag", parents=[common], help="the public timeline of a hashtag")
    c.add_argument("tag", metavar="TAG", help="hashtag, # optional, e.g. MedMastodon")
    c.add_argument("--max-posts", type=int, help="stop after this many statuses")
    c.set_defaults(func=_cmd_collect_platform, platform_job=_mastodon_job,
                   platform_source=_mastodon_source)  # fmt: skip
    for what, text in [("statuses", "ACCOUNT's statuses"),
                       ("followers", "accounts following ACCOUNT (as the instance sees them)"),
                       ("following", "accounts ACCOUNT follows (as the instance sees them)"),
                       ("accounts", "look up ACCOUNT...")]:  # fmt: skip
        c = msub.add_parser(what, parents=[common], help=text)
        c.add_argument("accounts", nargs="+", metavar="ACCOUNT",
                       help="user@instance (or user, on the instance asked)")  # fmt: skip
        if what == "statuses":
            c.add_argument("--max-posts", type=int, help="at most this many statuses per account")
        c.set_defaults(func=_cmd_collect_platform, platform_job=_mastodon_job,
                       platform_source=_mastodon_source)  # fmt: skip


def _cmd_info(args: argparse.Namespace) -> int:
    from analysis.overview import dataset_info, versions_info

    print(versions_info(args.dataset) if args.versions else dataset_info(args.dataset))
    return 0


def _cmd_compact(args: argparse.Namespace) -> int:
    from analysis.store import compact
    from analysis.tables import dataset_dir, load_meta

    for name, (before, after) in compact(dataset_dir(args.dataset), args.retain_days).items():
        print(f"{name}: {before} file{'s' if before != 1 else ''} -> {after}")
    print(f"dataset {args.dataset!r} is now version {load_meta(args.dataset)['version']}; "
          f"versions of the last {args.retain_days:g} days stay readable")  # fmt: skip
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import build_reports

    results = build_reports(
        dataset=args.dataset, out_dir=args.out, notebooks=args.notebooks,
        show_code=args.show_code, anonymise=args.anonymise, jobs=args.jobs,
        start=args.start, end=args.end, version=args.version,
        hashtags=[t.strip().lstrip("#") for t in args.hashtags.split(",") if t.strip()]
        if args.hashtags else None,
        figures=args.figures, network_max_nodes=args.network_max_nodes,
    )  # fmt: skip
    failed = [r for r in results if not r.ok]
    for r in results:
        print(f"{'ok    ' if r.ok else 'FAILED'} {r.html}" + ("" if r.ok else f": {r.error}"))
    return 1 if failed else 0


def _cmd_check_tweet(args: argparse.Namespace) -> int:
    import json

    from analysis.confidentiality import CUE_MEANINGS, check_tweet

    result = check_tweet(args.text)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(f"risk: {result.risk} — {result.reason}")
        for cue in result.cues:
            print(f"  {cue.kind:<10} {cue.match!r:<24} {CUE_MEANINGS[cue.kind]}")
        if result.risk != "none":
            print("Publish only what could be public: remove or blur the details above.")
    return 0


def _cmd_compliance(args: argparse.Namespace) -> int:
    from analysis.compliance import apply_compliance, check_compliance, load_compliance

    report = load_compliance(args.dataset) if args.saved else check_compliance(
        args.dataset, poll_every=args.poll_every,
        log=lambda msg: print(msg, file=sys.stderr, flush=True))  # fmt: skip
    print(f"compliance results for dataset {args.dataset!r} ({report.path}):")
    print(report.summary().to_string(index=False) if len(report.results) else "  nothing to do.")
    users, tweets = report.to_remove()
    if not args.remove:
        if users or tweets:
            print(f"{len(users)} account(s) and {len(tweets)} tweet(s) must be removed; run again "
                  f"with --remove (add --saved to reuse these results).")  # fmt: skip
        return 0
    purged = apply_compliance(report)
    print(purged.summary() if purged else "nothing removed.")
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from analysis.purge import purge

    ids = [a for a in args.user if isinstance(a, int)]  # --user: ids, or handles (text)
    handles = [a for a in args.user if isinstance(a, str)]
    report = purge(args.dataset, user_ids=ids, handles=handles, strict=True)
    print(report.summary())
    return 0


def _cmd_accounts(args: argparse.Namespace) -> int:
    from analysis.accounts.classify import classify_file, label_dataset, save_labels
    from analysis.outputs import check_out_file

    target = args.target
    if target[0] != "classify":
        settings.check_dataset_name(target[0])
    for out in (args.out, args.pairs, args.platform_pairs):
        if out is not None and out != "-":
            check_out_file(out)
    if target[0] == "classify":
        if len(target) != 2:
            raise UsageError("usage: medtwitter accounts classify PROFILES.csv [--out LABELS.csv].")
        if args.pairs:
            raise UsageError(
                "--pairs needs a dataset: medtwitter accounts DATASET --pairs PAIRS.csv."
            )
        if args.platform_pairs:
            raise UsageError("--platform-pairs needs a dataset: medtwitter accounts DATASET "
                             "--platform-pairs PLATFORM_PAIRS.csv.")  # fmt: skip
        if args.anonymise:
            raise UsageError(
                "--anonymise works on a dataset (medtwitter accounts DATASET --anonymise); a "
                "profiles CSV is labelled as it is."
            )
        if args.evaluate:
            from analysis.accounts.evaluate import format_evaluation

            labels, result = classify_file(target[1], args.out, overrides=args.overrides,
                                           evaluate=True, raw_csv=args.raw_csv)  # fmt: skip
            print(format_evaluation(result, f"the hand labels of {target[1]}"), flush=True,
                  file=sys.stderr if args.out is None else sys.stdout)  # fmt: skip
        else:
            labels = classify_file(target[1], args.out, overrides=args.overrides,
                                   raw_csv=args.raw_csv)  # fmt: skip
    else:
        if len(target) != 1:
            raise UsageError("usage: medtwitter accounts DATASET [--out LABELS.csv].")
        from analysis.accounts import labels_from_tables, pairs_from_tables
        from analysis.tables import load_dataset

        if not args.anonymise and not args.pairs and not args.platform_pairs:
            tables, labels = None, label_dataset(target[0], overrides=args.overrides)
        else:
            tables = load_dataset(target[0], anonymise=args.anonymise)
            labels = labels_from_tables(tables, overrides=args.overrides)
        save_labels(labels, args.out, raw_csv=args.raw_csv)
        if args.pairs:
            pairs = pairs_from_tables(tables, labels)
            save_labels(pairs, args.pairs, raw_csv=args.raw_csv)
        if args.platform_pairs:
            _write_platform_pairs(tables, args.platform_pairs, raw_csv=args.raw_csv)
        if args.evaluate:
            from analysis.accounts.evaluate import evaluate_dataset, format_evaluation

            result = evaluate_dataset(target[0], labels, tables=tables)
            print(format_evaluation(result, f"the ground truth of {target[0]!r}"), flush=True,
                  file=sys.stderr if args.out is None else sys.stdout)  # fmt: skip
    if args.out:
        counts = labels["role"].value_counts().to_dict()
        print(f"{len(labels)} account(s) labelled in {args.out}: "
              + ", ".join(f"{n} {r}" for r, n in counts.items()), file=sys.stderr)  # fmt: skip
    return 0


def _write_platform_pairs(tables, path: str, raw_csv: bool) -> None:
    """``accounts --platform-pairs``: likely same-person accounts across platforms, as CSV."""
    from analysis.outputs import write_csv
    from analysis.platforms import platform_pairs_from_tables

    pairs = platform_pairs_from_tables(tables)
    write_csv(pairs, None if path == "-" else path, raw=raw_csv)
    held = sorted(set(tables.users["platform"].dropna())) if "platform" in tables.users else ["x"]
    note = "" if len(held) > 1 else f" (the dataset holds one platform, {', '.join(held) or 'x'})"
    print(f"{len(pairs)} likely same-person pair(s) across platforms in {path}{note}",
          file=sys.stderr)  # fmt: skip


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


def _cmd_graph(args: argparse.Namespace) -> int:
    import warnings

    from analysis.graph.backends import GraphNote, require_backend
    from analysis.graph.export import write_metrics
    from analysis.graph.networks import export_network, write_network_metrics

    if not (args.metrics or args.export):
        raise UsageError("say what to write: --metrics (a table) or --export gexf|graphml|csv.")
    if args.metrics and args.export:
        raise UsageError("--metrics and --export write different files; run them one at a time.")
    require_backend(args.backend)
    options = {"only_known": not args.all_followers, "drop_protected": args.drop_protected,
               "seed": args.seed, "backend": args.backend}  # fmt: skip
    network = args.network
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", GraphNote)
        if args.metrics and network == "follow":
            path, rows = write_metrics(args.dataset, args.out, **options,
                                       progress=not args.quiet, raw_csv=args.raw_csv,
                                       anonymise=args.anonymise,
                                       betweenness_samples=args.betweenness_samples)  # fmt: skip
            done = f"metrics of {rows:,} accounts written to {path}"
        elif args.metrics:
            path, rows = write_network_metrics(
                args.dataset, args.out, network, **options, anonymise=args.anonymise,
                raw_csv=args.raw_csv, betweenness_samples=args.betweenness_samples,
            )  # fmt: skip
            done = f"metrics of the {network} network's {rows:,} accounts written to {path}"
        else:
            out = export_network(
                args.dataset, args.out, args.export, network, **options,
                anonymise=args.anonymise, raw_csv=args.raw_csv,
                betweenness_samples=args.betweenness_samples,
            )  # fmt: skip
            size = f"{out.accounts:,} accounts, {out.links:,} " + (
                "follows" if network == "follow" else f"links, {out.interactions:,} {network}s"
            )
            name = "follower graph" if network == "follow" else f"{network} network"
            done = f"{name} ({size}) written to {' and '.join(map(str, out.paths))}"
    for note in {str(n.message) for n in notes if issubclass(n.category, GraphNote)}:
        print(f"note: {note}", file=sys.stderr)
    print(done)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from analysis.export import export_dataset, other_exports

    files = export_dataset(args.dataset, args.out, format=args.format, tables=args.tables,
                           anonymise=args.anonymise, raw_csv=args.raw_csv, version=args.version,
                           progress=not args.quiet)  # fmt: skip
    for path in files:
        print(path)
    earlier = other_exports(args.out, files)
    if earlier:
        print(f"note: {args.out} also holds {', '.join(p.name for p in earlier)} from an earlier "
              f"export, left as they were; {files[-1].name} describes only the files above.",
              file=sys.stderr)  # fmt: skip
    return 0


def _print_counts(dataset: str, counts: dict[str, int], synthetic: bool = False) -> None:
    label = " (synthetic)" if synthetic else ""
    sizes = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"dataset {dataset!r}{label} in {settings.processed_dir(dataset)}: {sizes}")


def _lock_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lock-timeout", type=float, default=None, metavar="SECONDS",
                   help="wait at most this long for another writer of the dataset "
                   "(default: as long as it takes; 0: fail at once)")  # fmt: skip


def _raw_csv_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-csv", action="store_true",
                   help="write CSV cells exactly as they are: by default a cell starting with "
                   "=, +, -, @, a tab or a carriage return gets a leading ' so that a "
                   "spreadsheet shows it as text instead of running it as a formula")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``medtwitter`` command."""
    parser = _Parser(
        prog="medtwitter",
        description="Study how health professionals use Twitter/X: collect, ingest, analyse, report.",
    )
    parser.add_argument("--version", action="version", version=f"medtwitter {__version__}")
    parser.add_argument("--data-dir", help="data root (default: $MEDTWITTER_DATA or ./data)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("demo", help="generate and ingest the synthetic demo community")
    p.add_argument("--dataset", type=_dataset_arg,
                   help="dataset name (default: demo, or tiny with --tiny)")  # fmt: skip
    p.add_argument("--tiny", action="store_true",
                   help="three tweets, no follow links, no labels, instead of the community")  # fmt: skip
    p.add_argument("--accounts", type=int, default=800, help="number of accounts (default: 800)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.add_argument("--platform", choices=["x", "bluesky", "mastodon"], default="x",
                   help="the raw format of the synthetic community: X API v2 pages (default), "
                   "Bluesky XRPC or Mastodon API responses (dataset demo-PLATFORM)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    _lock_option(p)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("ingest", help="turn raw JSONL API pages into a dataset's Parquet tables")
    p.add_argument("files", nargs="+", metavar="RAW_FILE",
                   help="JSONL(.gz) or JSON files (v1.1 bodies), or folders")  # fmt: skip
    p.add_argument("--dataset", required=True, type=_dataset_arg,
                   help="dataset to create or extend (1 to 64 letters, digits, '-' or '_')")  # fmt: skip
    p.add_argument("--strict", action="store_true", help="stop at the first bad line")
    p.add_argument("--observed-at", metavar="DATE",
                   help="date of the links in edge lists (CSV, Parquet), a snapshot of that day, "
                   "e.g. 2024-05-01 (default: each file's modification time)")  # fmt: skip
    p.add_argument("--owner", metavar="ID",
                   help="account id whose followers or friends the API v1.1 id pages (and "
                   "followers/list, friends/list pages) list (default: from a file name "
                   "followers_<id> or friends_<id>); needs --relation")  # fmt: skip
    p.add_argument("--relation", choices=["followers", "following"],
                   help="followers: the listed accounts follow --owner; following: --owner "
                   "follows them")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    _lock_option(p)
    p.set_defaults(func=_cmd_ingest)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dataset", default=argparse.SUPPRESS, type=_dataset_arg,
                        help="dataset the raw files belong to (raw/DATASET/)")  # fmt: skip
    common.add_argument("--no-wait", action="store_true", default=argparse.SUPPRESS,
                        help="stop (resumably) on a rate limit instead of waiting for the reset")  # fmt: skip
    common.add_argument("--max-retries", type=int, default=argparse.SUPPRESS,
                        help="retries on 5xx/connection errors (default: 5)")  # fmt: skip
    common.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars")  # fmt: skip
    p = sub.add_parser(
        "collect", parents=[common], help="collect raw pages from the X API v2 (needs X_BEARER_TOKEN)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Collect raw X API v2 pages into <data root>/raw/DATASET/*.jsonl.\n\n"
        "Rerun the same command after a stop (Ctrl-C, kill, crash, rate limit) to continue where it\n"
        "stopped. Rerunning a finished followers/following command writes a new dated snapshot\n"
        "beside the earlier ones. Every run ends with a coverage summary (also kept in the\n"
        "state file beside the output). The bearer token is read from X_BEARER_TOKEN or\n"
        "TWITTER_BEARER_TOKEN (environment or .env) and never printed or written.",
        epilog="examples:\n"
        "  medtwitter collect counts --hashtag docstoctoc --lang fr --dataset docs\n"
        "  medtwitter collect search '#docstoctoc lang:fr -is:retweet' --max-tweets 5000 --dataset docs\n"
        "  medtwitter collect users ordre_medecins CroixRouge --dataset docs\n"
        "  medtwitter collect followers ordre_medecins --dataset docs\n"
        "  medtwitter collect --config collection.toml",
    )  # fmt: skip
    p.add_argument("--config", metavar="FILE", help="TOML file describing a whole collection "
                   "(queries, seed accounts, follower hops); see the README")  # fmt: skip
    # options shared by `collect` and its subcommands default to SUPPRESS, so either place works
    p.set_defaults(func=_cmd_collect, config=None, output=None)
    common.add_argument("--output", metavar="FILE", help="explicit output JSONL file")
    csub = p.add_subparsers(dest="collect_command", metavar="SUBCOMMAND", parser_class=_Parser)
    query = argparse.ArgumentParser(add_help=False)
    query.add_argument("query", nargs="?", metavar="QUERY",
                       help="X search query, e.g. '#docstoctoc lang:fr -is:retweet'")  # fmt: skip
    query.add_argument(
        "--hashtag", action="append", default=[], help="build the query: a hashtag (repeatable)"
    )
    query.add_argument(
        "--keyword", action="append", default=[], help="build the query: a keyword or phrase"
    )
    query.add_argument("--from", dest="from_account", action="append", default=[],
                       help="build the query: tweets from this account (repeatable)")  # fmt: skip
    query.add_argument(
        "--lang", action="append", default=[], help="build the query: language code (repeatable)"
    )
    query.add_argument("--include-retweets", action="store_true",
                       help="built query keeps retweets (default adds -is:retweet)")  # fmt: skip
    query.add_argument(
        "--archive", action="store_true", help="full-archive endpoint (Pro/Academic access)"
    )
    query.add_argument("--since", help="start date YYYY-MM-DD (or ISO time), inclusive")
    query.add_argument("--until", help="end date YYYY-MM-DD (or ISO time), inclusive")
    query.add_argument("--query-limit", type=int,
                       help="your access level's query length limit (default 512 recent, 1024 archive)")  # fmt: skip
    c = csub.add_parser(
        "search", parents=[common, query], help="search tweets (recent; --archive for all)"
    )
    c.add_argument(
        "--max-tweets", type=int, help="stop after this many tweets (reported in coverage)"
    )
    c.set_defaults(collect_job=_collect_search)
    c = csub.add_parser("counts", parents=[common, query],
                        help="tweet volume a search would return, per day, to size a collection")  # fmt: skip
    c.add_argument("--granularity", default="day", choices=["day", "hour", "minute"])
    c.set_defaults(collect_job=_collect_counts)
    for endpoint, text in [
        ("users", "look up accounts (USERNAME or ID), in batches of 100"),
        ("followers", "accounts following USER (1,000 a page): follow links into USER"),
        ("following", "accounts USER follows (1,000 a page): follow links out of USER"),
        ("timeline", "an account's own tweets"),
    ]:
        c = csub.add_parser(endpoint, parents=[common], help=text)
        c.add_argument("accounts", nargs="*", metavar="USER", help="usernames (@ optional) or ids")
        c.add_argument("--file", action="append", help="file of accounts, one a line (repeatable)")
        if endpoint == "timeline":
            c.add_argument("--max-tweets", type=int, help="at most this many tweets per account")
        c.set_defaults(collect_job=_collect_accounts, endpoint=endpoint)
    _add_platform_collectors(csub, common)

    p = sub.add_parser("info", help="tables' sizes, time span and languages of a dataset")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET, type=_dataset_arg,
                   metavar="DATASET")  # fmt: skip
    p.add_argument("--versions", action="store_true",
                   help="list the dataset's versions (time, command, files, rows per table)")  # fmt: skip
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser(
        "compact",
        help="merge small files of each table and delete files old versions no longer need",
        description="Delta optimize (each table's small files merged) then vacuum: files that "
        "no version younger than --retain-days needs are deleted; older versions are marked "
        "dropped. Converts a dataset of an earlier layout. No row changes.",
    )
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET, type=_dataset_arg,
                   metavar="DATASET")  # fmt: skip
    p.add_argument("--retain-days", type=float, default=30, metavar="N",
                   help="keep the versions of the last N days readable (default: 30)")  # fmt: skip
    _lock_option(p)
    p.set_defaults(func=_cmd_compact)

    p = sub.add_parser("report", help="run the notebooks on a dataset and export HTML reports")
    p.add_argument("--dataset", default=settings.DEFAULT_DATASET, type=_dataset_arg)
    p.add_argument("--out", default="reports", help="output folder (default: reports/)")
    p.add_argument("--notebooks", help="comma-separated notebook numbers, e.g. 00,02")
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    p.add_argument("--anonymise", action="store_true", help="pseudonymise handles and ids")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first day analysed (UTC; default: all)")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="day after the last analysed (excluded)")
    p.add_argument("--hashtags", metavar="TAG,TAG",
                   help="hashtags of interest (default: docstoctoc,sante,esante)")  # fmt: skip
    p.add_argument("--jobs", type=int, default=None,
                   help=f"notebooks run side by side (default: {settings.REPORT_JOBS})")  # fmt: skip
    p.add_argument("--version", type=int, default=None, metavar="N", dest="version",
                   help="report on version N of the dataset (default: the latest)")  # fmt: skip
    p.add_argument("--figures", choices=("svg", "pdf", "png"),
                   help="also write every figure as its own file, with a caption, under "
                   "OUT/figures/<notebook>/ (PNG at 300 dpi)")  # fmt: skip
    p.add_argument("--network-max-nodes", type=_positive_int, default=None, metavar="N",
                   help="most accounts in the interactive network view (default: 5000; above "
                   "it the largest k-core that fits, or the top accounts by PageRank)")  # fmt: skip
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("check-tweet", help="before publishing: could a reader identify a patient?")
    p.add_argument("text", help="the tweet's text (quote it)")
    p.add_argument("--json", action="store_true", help='print {"risk": ..., "cues": [...]}')
    p.set_defaults(func=_cmd_check_tweet)

    p = sub.add_parser("compliance", help="ask X which tweets/accounts are deleted, suspended, "
                       "protected (batch compliance); --remove removes them")  # fmt: skip
    p.add_argument("dataset", type=_dataset_arg, metavar="DATASET")
    p.add_argument("--remove", action="store_true", help="remove them from raw and processed data")
    p.add_argument("--saved", action="store_true", help="reuse the last saved results, no network")
    p.add_argument("--poll-every", type=float, default=30.0, help="seconds between status checks")
    _lock_option(p)
    p.set_defaults(func=_cmd_compliance)

    p = sub.add_parser("purge", help="remove an account's data from a dataset (deletion request)")
    p.add_argument("--dataset", required=True, type=_dataset_arg)
    p.add_argument("--user", type=_account_arg, action="append", required=True,
                   metavar="ID|@HANDLE",
                   help="account to remove, by id or handle (repeat for several); one that is "
                   "not in the dataset refuses the whole purge, before any change (exit 1)")  # fmt: skip
    _lock_option(p)
    p.set_defaults(func=_cmd_purge)

    p = sub.add_parser(
        "accounts", help="label accounts: role and identity style, with reasons and confidence",
        description="medtwitter accounts DATASET labels a dataset's users; medtwitter accounts "
        "classify PROFILES.csv labels a CSV of profiles (username, name, description; optional "
        "protected, location). Both write username, role, identity, confidence, reasons.",
    )  # fmt: skip
    p.add_argument("target", nargs="+", metavar="DATASET | classify PROFILES.csv")
    p.add_argument("--out", help="labels CSV to write (default: standard output)")
    p.add_argument("--overrides", metavar="CSV",
                   help="researchers' labels (user_id or username, role, identity); they win")  # fmt: skip
    p.add_argument("--pairs", metavar="PAIRS.csv",
                   help="also write likely personal/professional account pairs with evidence")  # fmt: skip
    p.add_argument("--platform-pairs", metavar="PLATFORM_PAIRS.csv",
                   help="DATASET only: also write likely same-person accounts across platforms "
                   "(X, Bluesky, Mastodon) with evidence: a bio linking to or naming the other "
                   "account, the same handle")  # fmt: skip
    p.add_argument("--anonymise", action="store_true",
                   help="DATASET only: pseudonymous ids and handles, reasons and pair evidence "
                   "that quote no name, place or handle (as report --anonymise)")  # fmt: skip
    p.add_argument("--evaluate", action="store_true",
                   help="print precision/recall/F1 and confusion matrices against a demo "
                   "dataset's ground truth, or the profiles CSV's own role and identity columns")  # fmt: skip
    _raw_csv_option(p)
    p.set_defaults(func=_cmd_accounts)

    p = sub.add_parser("adoption", help="adoption dates per account and a Bass diffusion fit")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET, type=_dataset_arg,
                   metavar="DATASET")  # fmt: skip
    p.add_argument("--date", default="first_professional_at",
                   choices=["first_professional_at", "first_tweet_at", "created_at"],
                   help="adoption date to fit (default: first_professional_at)")  # fmt: skip
    p.add_argument("--boot", type=int, default=200, help="bootstrap resamples (default: 200)")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=_cmd_adoption)

    p = sub.add_parser("hashtags", help="top hashtags and their co-occurrence communities")
    p.add_argument("dataset", nargs="?", default=settings.DEFAULT_DATASET, type=_dataset_arg,
                   metavar="DATASET")  # fmt: skip
    p.add_argument("--top", type=int, default=15, help="tags to list (default: 15)")
    p.add_argument("--fold-accents", action="store_true", help="merge #santé and #sante")
    p.add_argument("--seed", type=int, default=settings.SEED, help="random seed")
    p.set_defaults(func=_cmd_hashtags)

    p = sub.add_parser(
        "graph", help="follower or interaction network: a metrics table, or GEXF/GraphML/CSV for "
        "Gephi", epilog="examples:\n"
        "  medtwitter graph docs --metrics --out metrics.parquet\n"
        "  medtwitter graph docs --network mention --export gexf --out mentions.gexf\n"
        "  medtwitter graph docs --network retweet --export csv --out rt.csv   # + rt_nodes.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("dataset", type=_dataset_arg, metavar="DATASET", help="dataset name")
    p.add_argument("--network", default="follow",
                   choices=["follow", "mention", "retweet", "reply", "quote"],
                   help="which links: follow (default: follower -> followed), mention, retweet, "
                   "reply or quote (author -> the account mentioned, retweeted...)")  # fmt: skip
    p.add_argument("--metrics", action="store_true",
                   help="one row per account: degrees, reciprocity, PageRank, HITS, core, community")  # fmt: skip
    p.add_argument("--export", choices=["gexf", "graphml", "csv"],
                   help="write the network in this format, nodes labelled by handle with role, "
                   "identity, community, degrees and PageRank, edges weighted and dated "
                   "(start/end: Gephi's timeline); csv: FILE is the edge list, FILE with _nodes "
                   "before its suffix the node table")  # fmt: skip
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file (.parquet or .csv for --metrics)")  # fmt: skip
    p.add_argument("--backend", default="igraph",
                   help="igraph (fast path, default), networkx, or an installed networkx backend: "
                   "cugraph (pip install 'medtwitter[graph-gpu]', needs an NVIDIA GPU)")  # fmt: skip
    p.add_argument("--betweenness-samples", type=_positive_int, metavar="K",
                   help="estimate betweenness from K sampled source accounts (exact by default "
                   "up to 2,000 accounts, left empty beyond); each account's estimate is within "
                   "sqrt(ln(2/d)/(2(K-1))) of the exact normalised value with probability 1-d "
                   "(Hoeffding; ln(2n/d) for all n accounts at once)")  # fmt: skip
    p.add_argument("--all-followers", action="store_true",
                   help="follow network: keep followers seen only as ids (default: accounts of "
                   "the dataset only; interaction networks keep every account their tweets name)")  # fmt: skip
    p.add_argument("--drop-protected", action="store_true", help="leave protected accounts out")
    p.add_argument("--anonymise", action="store_true",
                   help="pseudonymous ids, handles and names only (as report --anonymise)")  # fmt: skip
    p.add_argument("--seed", type=int, default=settings.SEED, help="seed for Louvain")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _raw_csv_option(p)
    p.set_defaults(func=_cmd_graph)

    p = sub.add_parser(
        "export", help="write a dataset's tables as CSV or Parquet with a README.txt (R, SPSS, "
        "Stata, spreadsheets)",
        description="Write each table of a dataset as DIR/<table>.csv or DIR/<table>.parquet and "
        "DIR/README.txt describing every column. CSV: UTF-8, a header, ids as digits (read them "
        "as text), UTC times in ISO 8601 (2021-03-04T05:06:07Z), formula-safe text cells. Only "
        "those files are replaced in DIR; every other file is left alone.",
    )  # fmt: skip
    p.add_argument("dataset", type=_dataset_arg, metavar="DATASET", help="dataset name")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv",
                   help="file format (default: csv)")  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write (created if only it is missing)")  # fmt: skip
    p.add_argument("--tables", metavar="TABLE,TABLE",
                   help="tables to write, e.g. tweets,users (default: every table)")  # fmt: skip
    p.add_argument("--anonymise", action="store_true",
                   help="pseudonymous ids, handles and names; no URLs, profile locations or "
                   "protected text (as report --anonymise)")  # fmt: skip
    p.add_argument("--version", type=int, default=None, metavar="N", dest="version",
                   help="export version N of the dataset (default: the latest)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    _raw_csv_option(p)
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.data_dir:
            settings.set_data_dir(args.data_dir)
        if getattr(args, "lock_timeout", None) is not None:
            if args.lock_timeout < 0:
                raise UsageError(f"--lock-timeout {args.lock_timeout:g} is negative; give 0 or "
                                 "more seconds (0: fail at once if another writer holds it).")  # fmt: skip
            settings.LOCK_TIMEOUT = args.lock_timeout
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return args.func(args)
    except MedtwitterError as exc:
        print(f"medtwitter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into a command that stopped reading (`| head`)
        with contextlib.suppress(OSError, ValueError):  # no later flush error at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # permissions, a full disk, a missing or wrong path
        print(f"medtwitter: error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("medtwitter: interrupted; what was already written is kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
