"""Distributed ingest benchmark: a ``local:2`` Dask cluster against one process, and weak scaling.

Generates synthetic X API v2 search pages (twarc2 style) with ``benchmarks/ingest.py``'s
generator (synthetic data: made-up accounts and French health tweets), then, each
run as a separate process:

* ``single``: ``ingest_files([raw], ...)`` on one process (the ordinary ingest);
* ``local:2``: the same call with ``scheduler=`` a LocalCluster of 2 worker
  processes (1 thread each), started before the clock starts (as a cluster that is
  already running; its start-up is printed apart);

and prints the wall time of each, the ratio (target at most
:data:`RATIO_TARGET`), peak RSS of the driver and of each worker, and whether
both datasets hold the same rows, table by table (PASS/FAIL each).

Weak scaling, by simulation on this machine: 1, 2 and 4 workers, each given the
same number of tweets (``--tweets`` / 4 by default), wall time per tweet. The
machine has 2 cores: the 4-worker run is oversubscribed (4 processes on 2 cores),
so its time per tweet shows the contention, not a cluster of 4 machines::

    flock /tmp/medtwitter-bench.lock .venv/bin/python benchmarks/dask_ingest.py
    .venv/bin/python benchmarks/dask_ingest.py --tweets 100000   # a quicker run
    # on a loaded machine: 3 rounds of one process then local:2, back to back; median ratio
    flock /tmp/medtwitter-bench.lock .venv/bin/python benchmarks/dask_ingest.py --repeat 3

Generated files and datasets go to ``benchmarks/out/dask/`` (git-ignored), deleted
at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "dask"
#: The local:2 cluster may take at most this many times one process's wall time.
RATIO_TARGET = 1.5
sys.path.insert(0, str(ROOT / "benchmarks"))
from ingest import _verdict  # noqa: E402  (the ingest benchmark's PASS/FAIL word)

_RUN = """
import json, resource, sys, time
from analysis import settings, store
from analysis.ingest import ingest_files
settings.set_data_dir(sys.argv[1])
raw, dataset, workers = sys.argv[2], sys.argv[3], int(sys.argv[4])

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def cpu_s():
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime

def run():
    out = {}
    if workers == 0:
        start, cpu = time.perf_counter(), cpu_s()
        report = ingest_files([raw], dataset, progress=False)
        out["seconds"] = time.perf_counter() - start
        out["cpu"] = cpu_s() - cpu
    else:
        from analysis.cluster import dask_client
        start = time.perf_counter()
        with dask_client(f"local:{workers}") as client:
            client.wait_for_workers(workers)
            out["startup"] = time.perf_counter() - start
            before = client.run(cpu_s)
            start, cpu = time.perf_counter(), cpu_s()
            report = ingest_files([raw], dataset, progress=False, scheduler=client)
            out["seconds"] = time.perf_counter() - start
            out["cpu"] = cpu_s() - cpu
            after = client.run(cpu_s)
            out["workers_cpu"] = sum(after[w] - before[w] for w in before if w in after)
            out["workers_mb"] = sorted(client.run(peak_mb).values())
    out["tweets"] = report.counts["tweets"]
    out["driver_mb"] = peak_mb()
    print(json.dumps(out))

if __name__ == "__main__":
    run()
"""


def _use_out(folder: Path) -> None:
    """Put generated files, datasets and the run script under ``folder``."""
    global OUT
    OUT = folder


def _ingest(root: Path, raw: Path, dataset: str, workers: int) -> dict:
    """Ingest ``raw`` in a fresh process (``workers`` 0: one process); its figures."""
    script = OUT / "run_ingest.py"
    script.write_text(_RUN)
    done = subprocess.run(
        [sys.executable, str(script), str(root), str(raw), dataset, str(workers)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"ingest with {workers} workers failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prefix(source: Path, target: Path, tweets: int) -> Path:
    """The first pages of ``source`` holding ``tweets`` tweets (100 a page)."""
    pages = -(-tweets // 100)
    with open(source, "rb") as src, open(target, "wb") as dst:
        for _, line in zip(range(pages), src, strict=False):
            dst.write(line)
    return target


def _same_tables(root: Path, one: str, other: str) -> dict[str, bool]:
    from analysis import settings, store
    from analysis.contract import TABLE_NAMES

    settings.set_data_dir(root)
    same = {}
    for name in TABLE_NAMES:
        a = store.read_table(settings.processed_dir(one), name)
        b = store.read_table(settings.processed_dir(other), name)
        same[name] = a.num_rows == b.num_rows and a.equals(b)
    return same


def _print_pair(single: dict, cluster: dict, tweets: int, label: str) -> None:
    """Print the figures of one single-process run and the local:2 run after it."""
    print(
        f"single process : {single['seconds']:6.1f} s, {tweets / single['seconds']:9,.0f}"
        f" tweets/s, peak RSS {single['driver_mb']:,.0f} MB{label}",
        flush=True,
    )
    workers = ", ".join(f"{mb:,.0f}" for mb in cluster["workers_mb"])
    print(
        f"local:2        : {cluster['seconds']:6.1f} s, {tweets / cluster['seconds']:9,.0f}"
        f" tweets/s, peak RSS driver {cluster['driver_mb']:,.0f} MB, workers {workers} MB"
        f" (cluster start-up {cluster['startup']:.1f} s, not counted)",
        flush=True,
    )
    cpu = cluster["cpu"] + cluster["workers_cpu"]
    print(
        f"CPU seconds    : single {single['cpu']:.1f}; local:2 driver {cluster['cpu']:.1f} + "
        f"workers {cluster['workers_cpu']:.1f} = {cpu:.1f} ({cpu / single['cpu']:.2f}x)"
    )
    print(
        f"load average   : {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (on a busy "
        "machine, wall times follow the share of the CPU each run got)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tweets",
        type=int,
        default=1_000_000,
        help="tweets of the local:2 vs one-process comparison (default 1,000,000)",
    )
    parser.add_argument(
        "--per-worker",
        type=int,
        default=None,
        help="tweets per worker in the weak-scaling runs (default --tweets / 4)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of one process then local:2; the ratio is their median (default 1)",
    )
    parser.add_argument("--keep", action="store_true", help="keep generated files and datasets")
    parser.add_argument("--no-weak", action="store_true", help="skip the weak-scaling runs")
    parser.add_argument("--out", type=Path, default=OUT, help=f"scratch folder (default {OUT})")
    args = parser.parse_args(argv)
    _use_out(args.out)
    from ingest import generate

    OUT.mkdir(parents=True, exist_ok=True)
    root = OUT / "data"
    shutil.rmtree(root, ignore_errors=True)
    per_worker = args.per_worker or args.tweets // 4
    biggest = max(args.tweets, 4 * per_worker)
    try:
        source = OUT / f"pages-{biggest}.jsonl"
        if not source.is_file():
            print(f"generating {biggest:,} synthetic tweets...", flush=True)
            generate(source, biggest)
        raw = source if biggest == args.tweets else _prefix(source, OUT / "main.jsonl", args.tweets)
        size = raw.stat().st_size
        print(
            f"{args.tweets:,} tweets, {size / 1e6:,.0f} MB of pages ({size / args.tweets:,.0f} "
            f"bytes a tweet); {os.cpu_count()} cores",
            flush=True,
        )
        ratios = []
        for round_ in range(1, args.repeat + 1):
            label = f" (round {round_} of {args.repeat})" if args.repeat > 1 else ""
            for name in ("single", "cluster"):  # each round ingests afresh
                shutil.rmtree(root / "processed" / name, ignore_errors=True)
            single = _ingest(root, raw, "single", 0)
            cluster = _ingest(root, raw, "cluster", 2)
            ratios.append(cluster["seconds"] / single["seconds"])
            _print_pair(single, cluster, args.tweets, label)
        ratio = statistics.median(ratios)
        if args.repeat > 1:
            print(
                f"ratios of the {args.repeat} rounds: {', '.join(f'{r:.2f}x' for r in ratios)}; "
                "their median is the ratio below"
            )
        same = _same_tables(root, "single", "cluster")
        table_bytes = sum(
            f.stat().st_size for f in (root / "processed" / "single").rglob("*.parquet")
        )
        print(
            f"tables: {table_bytes / 1e6:,.0f} MB of Parquet ({table_bytes / args.tweets:,.0f} "
            "bytes a tweet)"
        )
        print(
            f"ratio local:2 / single: {ratio:.2f}x (target <= {RATIO_TARGET}x) "
            f"{_verdict(ratio <= RATIO_TARGET)}"
        )
        started = (cluster["startup"] + cluster["seconds"]) / single["seconds"]
        print(
            f"ratio with the cluster's start-up counted too: {started:.2f}x "
            "(last round; for information)"
        )
        print(
            f"rows equal, table by table: {_verdict(all(same.values()))} "
            f"({', '.join(n for n, ok in same.items() if not ok) or 'all ' + str(len(same))})"
        )
        if not args.no_weak:
            print(
                f"\nweak scaling: {per_worker:,} tweets per worker "
                "(2 cores: 4 workers oversubscribed)"
            )
        for n in () if args.no_weak else (1, 2, 4):
            tweets = n * per_worker
            part = source if tweets == biggest else _prefix(source, OUT / f"weak-{n}.jsonl", tweets)
            got = _ingest(root, part, f"weak-{n}", n)
            per = got["seconds"] / tweets * 1e6
            cpu_per = (got["cpu"] + got["workers_cpu"]) / tweets * 1e6
            note = "  (oversubscribed: 4 processes on 2 cores)" if n > (os.cpu_count() or 1) else ""
            mem = max(got["workers_mb"])
            print(
                f"  {n} worker{'s' if n > 1 else ' '}: {tweets:>9,} tweets {got['seconds']:6.1f} s "
                f"{per:6.2f} us/tweet wall, {cpu_per:5.2f} us/tweet CPU, peak RSS per worker "
                f"<= {mem:,.0f} MB{note}",
                flush=True,
            )
            shutil.rmtree(root / "processed" / f"weak-{n}", ignore_errors=True)
        return 0 if ratio <= RATIO_TARGET and all(same.values()) else 1
    finally:
        if not args.keep:
            shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
