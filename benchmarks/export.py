"""Export benchmark: ``medtwitter export`` streams a table, its memory does not follow the table's size.

For each size, generates synthetic X API v2 search pages (``benchmarks/ingest.py``'s
generator), ingests them, then runs, each as a separate process:

* ``export csv``: ``export_dataset(..., tables="tweets", format="csv")``;
* ``export parquet``: the same in Parquet;
* ``load_table``: ``analysis.tables.load_table(..., "tweets")``, the whole table in
  pandas: what an export that did not stream would hold at least.

It prints wall time, tweets per second and peak RSS of each, and PASS/FAIL for:

* streaming: from the smallest size to the largest, each export's peak RSS grows
  at most :data:`GROWTH_SHARE` of what ``load_table``'s grows (the memory of a
  process holding the table grows with it; a streaming one's hardly does);
* below the whole table: each export's peak RSS at the largest size under
  ``load_table``'s.

    .venv/bin/python benchmarks/export.py --sizes 100000 1000000

Generated files go to ``benchmarks/out/`` (git-ignored) and are deleted at the end
unless ``--keep``. Timings on a shared machine are noisy: run it once, idle.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import OUT, ROOT, _ingest_cmd, _python, _run, _verdict, _where, generate  # noqa: E402

#: An export's peak RSS grows (largest size over smallest) by at most this share of load_table's.
GROWTH_SHARE = 0.5


def _export_cmd(root: Path, dataset: str, fmt: str, out: Path) -> list[str]:
    code = (
        "from analysis import settings; from analysis.export import export_dataset; "
        f"settings.set_data_dir({str(root)!r}); "
        f"export_dataset({dataset!r}, {str(out)!r}, format={fmt!r}, tables='tweets', "
        "progress=False)"
    )
    return _python(code)


def _load_cmd(root: Path, dataset: str) -> list[str]:
    code = (
        "from analysis import settings; from analysis.tables import load_table; "
        f"settings.set_data_dir({str(root)!r}); load_table({dataset!r}, 'tweets')"
    )
    return _python(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="tweets per generated file (default: 100000 1000000)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    OUT.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    results: dict[int, dict[str, tuple[float, float]]] = {}
    made: list[Path] = []
    try:
        for n in sizes:
            raw = OUT / f"search-{n}.jsonl"
            if not raw.exists():
                print(f"generating {n:,} tweets (synthetic) -> {raw.relative_to(ROOT)}", flush=True)
                generate(raw, n)
                made.append(raw)
            root, out = OUT / f"export-data-{n}", OUT / f"export-out-{n}"
            for folder in (root, out):
                shutil.rmtree(folder, ignore_errors=True)
                made.append(folder)
            _run(_ingest_cmd(raw, root, "bench"), **_where())
            os.sync()
            r = results[n] = {}
            for fmt in ("csv", "parquet"):
                r[f"export {fmt}"] = _run(_export_cmd(root, "bench", fmt, out), **_where())
            r["load_table"] = _run(_load_cmd(root, "bench"), **_where())
            size = (out / "tweets.csv").stat().st_size / 1e6
            print(f"{n:,} tweets (tweets.csv {size:,.0f} MB):", flush=True)
            for tool, (wall, rss) in r.items():
                print(
                    f"  {tool:<15} {wall:7.1f} s  {n / wall:>10,.0f} tweets/s  "
                    f"peak RSS {rss:7.0f} MB",
                    flush=True,
                )
    finally:
        if not args.keep:
            for path in made:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
    small, big = sizes[0], sizes[-1]
    print(f"targets ({small:,} -> {big:,} tweets, {big / small:g} times the rows):")
    for fmt in ("csv", "parquet"):
        tool = f"export {fmt}"
        growth = results[big][tool][1] - results[small][tool][1]
        whole = results[big]["load_table"][1] - results[small]["load_table"][1]
        print(
            f"  {tool}: peak RSS +{growth:.0f} MB, {growth / whole:.2f} of load_table's "
            f"+{whole:.0f} MB (target <= {GROWTH_SHARE:g}) "
            f"{_verdict(growth <= GROWTH_SHARE * whole)}"
        )
        ratio = results[big][tool][1] / results[big]["load_table"][1]
        print(
            f"  {tool}: peak RSS {ratio:.2f} x load_table's at {big:,} tweets (target < 1) "
            f"{_verdict(ratio < 1)}"
        )
    print(
        f"machine: {os.cpu_count()} cores; load average (1 min) {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every tool)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
