"""Edge-list import benchmark: ``medtwitter ingest follows.csv`` / ``follows.parquet`` vs the Arrow floor.

Generates (once, cached under ``benchmarks/out/cache/``) a synthetic follower graph
with :func:`benchmarks.graph.generate` (power-law degrees, planted communities,
reciprocity about 0.3) and writes its links as an edge list, ``follower,followed``,
in CSV and in Parquet. Then it times, each as a whole separate process (interpreter
start to exit, peak RSS from ``os.wait4``'s resource usage of that child):

* ``medtwitter``: ``medtwitter ingest FILE --dataset bench --observed-at 2026-07-01``
  into a fresh data root (the ``follows`` and ``users`` Delta tables, quarantine,
  manifest);
* ``floor``: Arrow only: the file read by Arrow's CSV (or Parquet) reader, the
  unique account ids (``pyarrow.compute.unique``) and the links and ids written as
  Parquet: the least any import of the file can do.

It prints seconds, peak MB, the ratio to the floor and PASS/FAIL against the
targets of issue 21: at most 2x the floor's time and 1.5 GB peak; and checks that
the dataset holds exactly the generated links::

    .venv/bin/python benchmarks/edges.py --users 50000 --edges 2500000
    flock /tmp/medtwitter-bench.lock .venv/bin/python benchmarks/edges.py --users 1000000 --edges 50000000

:func:`measure_import` runs the same from Python (``benchmarks/graph.py`` calls it).
Timings on a shared machine are noisy: the floor runs in the same minute as ours.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "out" / "cache"
TIME_RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 1536
OBSERVED_AT = "2026-07-01"
FORMATS = ("csv", "parquet")


# -- the edge lists ------------------------------------------------------------------------------


def edge_lists(users: int, edges: int) -> tuple[dict, dict[str, Path]]:
    """The generated graph's figures and its edge list per format (generated on first use)."""
    folder = CACHE / f"edges-{users}-{edges}"
    files = {fmt: folder / f"follows.{fmt}" for fmt in FORMATS}
    figures = folder / "graph.json"
    if not (figures.is_file() and all(p.is_file() for p in files.values())):
        folder.mkdir(parents=True, exist_ok=True)
        # in a child: the generator holds the whole graph, which must not count in the
        # parent's memory (a child's peak RSS starts from its parent's at fork)
        subprocess.run([sys.executable, __file__, "--generate", str(users), str(edges), str(folder)],
                       check=True, cwd=ROOT)  # fmt: skip
    return json.loads(figures.read_text()), files


def _generate(users: int, edges: int, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]
    from graph import DATASET, generate

    from analysis import store

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        figures = generate(Path(tmp), users, edges)
        links = store.read_table(Path(tmp) / "processed" / DATASET, "follows",
                                 columns=["follower_id", "followed_id"], sort=False)  # fmt: skip
    links = pa.table({"follower": links["follower_id"], "followed": links["followed_id"]})
    figures["synthetic"] = True
    pcsv.write_csv(links, folder / "follows.csv.part", pcsv.WriteOptions(quoting_style="none"))
    pq.write_table(links, folder / "follows.parquet.part")
    for fmt in FORMATS:
        os.replace(folder / f"follows.{fmt}.part", folder / f"follows.{fmt}")
    (folder / "graph.json").write_text(json.dumps(figures))


# -- the children ----------------------------------------------------------------------------------

_FLOOR = """
import sys
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv, pyarrow.parquet as pq
path, out = sys.argv[1], sys.argv[2]
links = pq.read_table(path) if path.endswith(".parquet") else pcsv.read_csv(path)
ids = pc.unique(pa.concat_arrays([*links["follower"].chunks, *links["followed"].chunks]))
pq.write_table(links, out + "/follows.parquet")
pq.write_table(pa.table({"user_id": ids}), out + "/users.parquet")
print(len(ids), "accounts")
"""


def run(argv: list[str], env: dict | None = None) -> dict:
    """Run a command as a child process: wall seconds, its peak RSS (MB), exit code, output.

    The peak is the child's own ``ru_maxrss``, from ``os.wait4`` on it.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, text=True,
                                env={**os.environ, **(env or {})})  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024, "code": proc.returncode,
                "out": out.read(), "err": err.read()}  # fmt: skip


def _medtwitter(path: Path, root: Path) -> dict:
    got = run([str(Path(sys.executable).with_name("medtwitter")), "ingest", str(path), "--dataset",
               "bench", "--observed-at", OBSERVED_AT, "--quiet"], {"MEDTWITTER_DATA": str(root)})  # fmt: skip
    manifest = root / "processed" / "bench" / "manifest.json"
    if manifest.is_file():
        rows = json.loads(manifest.read_text())["versions"][-1]["rows"]
        got.update(follows=rows["follows"], users=rows["users"])
    return got


def measure_import(users: int, edges: int, formats: tuple[str, ...] = FORMATS) -> dict:
    """Time ``medtwitter ingest`` of the generated edge list against the Arrow floor, per format.

    Returns ``{"graph": figures of the generated graph, "csv": {...}, "parquet": {...}}``,
    per format ``medtwitter`` and ``floor`` (``wall`` seconds, ``peak_mb``), ``ratio``
    (our time over the floor's), ``exact`` (the dataset holds every generated link, once)
    and ``pass`` (within :data:`TIME_RATIO_TARGET` and :data:`MEMORY_TARGET_MB`, exact).
    """
    graph, files = edge_lists(users, edges)
    result: dict = {"graph": graph}
    for fmt in formats:
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            floor = run([sys.executable, "-c", _FLOOR, str(files[fmt]), tmp])
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            ours = _medtwitter(files[fmt], Path(tmp))
        for got in (floor, ours):
            if got["code"]:
                got["error"] = (got["err"].strip().splitlines() or ["?"])[-1]
            del got["out"], got["err"]
        ratio = ours["wall"] / floor["wall"]
        exact = ours.get("follows") == graph["edges"]
        result[fmt] = {
            "medtwitter": ours,
            "floor": floor,
            "ratio": ratio,
            "exact": exact,
            "pass": bool(not ours["code"] and exact and ratio <= TIME_RATIO_TARGET
                         and ours["peak_mb"] <= MEMORY_TARGET_MB),
        }  # fmt: skip
    return result


def report(result: dict) -> list[str]:
    """The figures as printed lines."""
    g = result["graph"]
    lines = [f"synthetic follower graph: {g['accounts']:,} accounts, {g['edges']:,} links, "
             f"reciprocity {g['reciprocity']:.2f}",
             f"{'format':8} {'medtwitter s':>12} {'cpu s':>6} {'peak MB':>8} {'floor s':>8} "
             f"{'cpu s':>6} {'peak MB':>8} {'ratio':>6}  exact  verdict (<= {TIME_RATIO_TARGET:g}x, "
             f"<= {MEMORY_TARGET_MB} MB)"]  # fmt: skip
    for fmt in FORMATS:
        if fmt not in result:
            continue
        r = result[fmt]
        ours, floor = r["medtwitter"], r["floor"]
        lines.append(f"{fmt:8} {ours['wall']:12.1f} {ours['cpu']:6.1f} {ours['peak_mb']:8.0f} "
                     f"{floor['wall']:8.1f} {floor['cpu']:6.1f} {floor['peak_mb']:8.0f} "
                     f"{r['ratio']:6.2f}  {'yes' if r['exact'] else 'NO':5}  "
                     f"{'PASS' if r['pass'] else 'FAIL'}")  # fmt: skip
        for who in ("medtwitter", "floor"):
            if r[who].get("error"):
                lines.append(f"  {who} failed: {r[who]['error']}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--edges", type=int, default=2_500_000)
    parser.add_argument("--format", choices=FORMATS, action="append",
                        help="only this format (repeatable; default: both)")  # fmt: skip
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        _generate(int(args.generate[0]), int(args.generate[1]), Path(args.generate[2]))
        return 0
    result = measure_import(args.users, args.edges, tuple(args.format or FORMATS))
    print("\n".join(report(result)))
    return 0 if all(result[f]["pass"] for f in FORMATS if f in result) else 1


if __name__ == "__main__":
    sys.exit(main())
