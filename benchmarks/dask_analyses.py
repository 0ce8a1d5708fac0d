"""The tweet-scale analyses on Dask (a ``local:N`` cluster) against pandas, on 1,000,000 generated tweets.

Synthetic data: the tweets are generated as ``benchmarks/ingest.py`` generates them
(twarc2-style search pages: retweets, quotes, replies, mentions, hashtags; their
originals come in ``includes``), plus a generated CSV edge list of follow links
between the same accounts, ingested into a data root under
``benchmarks/out/dask-analyses/`` (kept and reused on the next run).

Each engine runs in its own process (the *driver*), which loads the dataset
(``load_dataset(name, engine=...)``) and computes, timed one by one:
``overview.tweets_per_month``, ``overview.language_shares``, ``graph.follow_edges``
and the aggregated edge lists of the mention, retweet, reply and quote graphs
(``graph.build.interaction_edges``). It prints wall time per analysis and in all,
the driver's peak RSS (and, for Dask, each worker's), the ratios Dask / pandas,
and whether every result is equal (ids and counts exactly, floats within 1e-9).

Then it measures what stays on one machine: building the networkx graphs
(``graph_from_tables``-style follower graph, weighted interaction graphs) from the
aggregated edge lists, in a fresh process: seconds and bytes per edge, and so how
many edges fit a given RAM.

    flock /tmp/medtwitter-bench.lock .venv/bin/python benchmarks/dask_analyses.py

Timings on a shared machine are noisy: run it once, idle. On 2 cores, ``local:2``
cannot be faster than pandas; the point is the driver's memory and the overhead.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "dask-analyses"
sys.path.insert(0, str(ROOT))

#: The analyses timed, by name: each takes the tables and returns a pandas frame.
ANALYSES = (
    "tweets_per_month",
    "language_shares",
    "follow_edges",
    "mention_edges",
    "retweet_edges",
    "reply_edges",
    "quote_edges",
)


def _analysis(name: str):
    from analysis import overview
    from analysis.graph import build

    if name in ("tweets_per_month", "language_shares"):
        return getattr(overview, name)
    if name == "follow_edges":
        return build.follow_edges
    kind = name.removesuffix("_edges")
    return lambda tables: build.interaction_edges(tables, kind)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(tweets: int, links: int, seed: int = 42) -> tuple[Path, str]:
    """Generate and ingest the dataset once (synthetic); return its data root and name."""
    from benchmarks.ingest import generate

    root = OUT / f"data-{tweets}-{links}"
    name = "bench"
    if (root / "processed" / name / "manifest.json").is_file():
        return root, name
    raw = OUT / f"raw-{tweets}.jsonl"
    if not raw.is_file():
        t = time.perf_counter()
        generate(raw, tweets, seed=seed)
        print(f"generated {tweets:,} tweets in {time.perf_counter() - t:.0f} s", flush=True)
    edges = OUT / f"follows-{links}.csv"
    if not edges.is_file():
        ids = sorted({int(u["id"]) for u in _users_of(raw)})
        rng = random.Random(seed)
        with open(edges, "w", encoding="utf-8") as fh:
            fh.write("follower_id,followed_id\n")
            for _ in range(links):
                fh.write(f"{rng.choice(ids)},{rng.choice(ids)}\n")
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "--data-dir",
            str(root),
            "ingest",
            str(raw),
            str(edges),
            "--dataset",
            name,
            "--observed-at",
            "2024-06-01",
        ],
        check=True,
        cwd=ROOT,
    )
    print(f"ingested in {time.perf_counter() - t:.0f} s", flush=True)
    return root, name


def _users_of(raw: Path, pages: int = 2000):
    """Accounts of the first ``pages`` pages (the generator draws from one pool of accounts)."""
    import orjson

    with open(raw, "rb") as fh:
        for i, line in enumerate(fh):
            if i >= pages:
                break
            yield from orjson.loads(line)["includes"]["users"]


def run_engine(root: Path, dataset: str, engine: str, workers: int, out: Path) -> None:
    """In this process (the driver): load, run every analysis, save results and figures to ``out``."""
    from contextlib import ExitStack

    from analysis import settings
    from analysis.tables import load_dataset

    settings.set_data_dir(root)
    figures: dict = {"engine": engine, "seconds": {}}
    with ExitStack() as stack:
        t = time.perf_counter()
        client = None
        if engine == "dask":
            from analysis.cluster import dask_client

            client = stack.enter_context(dask_client(f"local:{workers}", memory_limit="4GB"))
        figures["cluster_start"] = time.perf_counter() - t
        t0 = time.perf_counter()
        tables = load_dataset(dataset, engine=engine)
        figures["seconds"]["load"] = time.perf_counter() - t0
        results = {}
        for name in ANALYSES:
            t = time.perf_counter()
            results[name] = _analysis(name)(tables)
            figures["seconds"][name] = time.perf_counter() - t
        figures["total"] = time.perf_counter() - t0
        figures["rows"] = {name: len(frame) for name, frame in results.items()}
        if client is not None:
            peaks = client.run(_peak_mb)
            figures["worker_peak_mb"] = sorted(peaks.values())
    figures["driver_peak_mb"] = _peak_mb()
    with open(out / f"{engine}.pkl", "wb") as fh:
        pickle.dump(results, fh)
    (out / f"{engine}.json").write_text(json.dumps(figures), encoding="utf-8")


def run_graphs(root: Path, dataset: str, out: Path) -> None:
    """Build the networkx graphs from the saved aggregated edge lists; save seconds and bytes/edge."""
    from analysis import settings
    from analysis.graph import build
    from analysis.tables import load_table

    settings.set_data_dir(root)
    with open(out / "pandas.pkl", "rb") as fh:
        results = pickle.load(fh)
    users = load_table(dataset, "users")
    base = _rss_mb()
    figures = {}
    keep = []
    for name in ANALYSES[2:]:
        edges = results[name]
        before, t = _rss_mb(), time.perf_counter()
        if name == "follow_edges":
            G = build.nx.DiGraph()
            G.add_edges_from(
                zip(edges["follower_id"].tolist(), edges["followed_id"].tolist(), strict=True)
            )
        else:
            G = build._weighted(edges, users, name.removesuffix("_edges"))
        keep.append(G)
        figures[name] = {
            "edges": G.number_of_edges(),
            "nodes": G.number_of_nodes(),
            "seconds": time.perf_counter() - t,
            "mb": _rss_mb() - before,
        }
    figures["all_mb"] = _rss_mb() - base
    (out / "graphs.json").write_text(json.dumps(figures), encoding="utf-8")


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _equal(a, b) -> bool:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=0)
        for col in b.columns:
            if pd.api.types.is_integer_dtype(b[col]):
                assert a[col].tolist() == b[col].tolist()
    except AssertionError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Make the data, run pandas then Dask in their own processes, print figures and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tweets", type=int, default=1_000_000)
    ap.add_argument("--links", type=int, default=2_000_000, help="follow links generated")
    ap.add_argument("--workers", type=int, default=2, help="Dask workers (local:N)")
    ap.add_argument("--_run", choices=("pandas", "dask", "graphs"), help=argparse.SUPPRESS)
    ap.add_argument("--_root", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out = OUT / "results"
    if args._run:
        root = Path(args._root)
        if args._run == "graphs":
            run_graphs(root, "bench", out)
        else:
            run_engine(root, "bench", args._run, args.workers, out)
        return 0
    out.mkdir(parents=True, exist_ok=True)
    root, dataset = make_data(args.tweets, args.links)
    for step in ("pandas", "dask", "graphs"):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--_run",
                step,
                "--_root",
                str(root),
                "--workers",
                str(args.workers),
            ],
            check=True,
            cwd=ROOT,
        )
    _print_report(out, root, dataset, args)
    return 0


def _print_report(out: Path, root: Path, dataset: str, args) -> None:
    figs = {e: json.loads((out / f"{e}.json").read_text()) for e in ("pandas", "dask")}
    res = {e: pickle.loads((out / f"{e}.pkl").read_bytes()) for e in ("pandas", "dask")}
    graphs = json.loads((out / "graphs.json").read_text())
    p, d = figs["pandas"], figs["dask"]
    sys.path.insert(0, str(ROOT))
    from analysis import settings
    from analysis.tables import table_sizes_on_disk

    settings.set_data_dir(root)
    sizes = table_sizes_on_disk(dataset)
    print(
        f"\nDataset (synthetic): {sizes['tweets'][0]:,} tweets ({args.tweets:,} generated, "
        f"originals of retweets and quotes included), {sizes['mentions'][0]:,} mentions, "
        f"{sizes['follows'][0]:,} follow links, {sizes['users'][0]:,} accounts; "
        f"Dask: local:{args.workers}, one thread a worker."
    )
    print(f"\n{'step':<18}{'pandas s':>10}{'dask s':>10}{'dask/pandas':>13}{'rows':>12}  equal")
    for step in ("load", *ANALYSES):
        a, b = p["seconds"][step], d["seconds"][step]
        rows = p["rows"].get(step, "")
        same = (
            ""
            if step == "load"
            else ("yes" if _equal(res["dask"][step], res["pandas"][step]) else "NO")
        )
        print(f"{step:<18}{a:>10.2f}{b:>10.2f}{b / a:>12.2f}x{rows:>12}  {same}")
    print(
        f"{'all (load incl.)':<18}{p['total']:>10.2f}{d['total']:>10.2f}"
        f"{d['total'] / p['total']:>12.2f}x"
    )
    print(f"\nDask cluster start (not counted above): {d['cluster_start']:.1f} s")
    print(
        f"Driver peak RSS: pandas {p['driver_peak_mb']:,.0f} MB, dask {d['driver_peak_mb']:,.0f} MB "
        f"({d['driver_peak_mb'] / p['driver_peak_mb']:.2f}x); Dask workers' peak RSS: "
        f"{', '.join(f'{m:,.0f}' for m in d['worker_peak_mb'])} MB"
    )
    equal = all(_equal(res["dask"][s], res["pandas"][s]) for s in ANALYSES)
    print(
        f"Results equal (ids and counts exactly, floats within 1e-9): {'PASS' if equal else 'FAIL'}"
    )
    print("\nSingle-machine graph code on the aggregated edge lists (networkx, one process):")
    per_edge = []
    for name in ANALYSES[2:]:
        g = graphs[name]
        b = g["mb"] * 2**20 / max(g["edges"], 1)
        per_edge.append(b)
        print(
            f"  {name:<14}{g['edges']:>12,} edges {g['nodes']:>8,} nodes  {g['seconds']:6.1f} s  "
            f"{g['mb']:8,.0f} MB  ({b:,.0f} B/edge, {g['edges'] / max(g['seconds'], 1e-9):,.0f} edges/s)"
        )
    worst = max(per_edge)
    for gb in (16, 64):
        print(
            f"  at {worst:,.0f} B/edge (the heaviest above), {gb} GB of RAM holds about "
            f"{gb * 2**30 / worst / 1e6:,.0f} M edges"
        )


if __name__ == "__main__":
    sys.exit(main())
