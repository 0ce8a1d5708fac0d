"""How long `make report` takes on the demo dataset, per notebook; and the nbval run.

Targets (issue 8): `make report` under 60 s on 2 cores; the nbval run of CI under 180 s.
Issue 17: each report's HTML (interactive tables, network view and figures embedded) under 5 MB.
Run from the project root: `.venv/bin/python benchmarks/report.py [--nbval]`. The machine
may be shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT_TARGET_S = 60.0
HTML_TARGET_MB = 5.0
NBVAL_TARGET_S = 180.0
PER_NOTEBOOK = re.compile(r"report \d+/\d+: (\S+) (ok|FAILED.*) in ([\d.]+) s$", re.MULTILINE)


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - start, run


def verdict(seconds: float, target: float) -> str:
    return f"{'PASS' if seconds < target else 'FAIL'} ({seconds:.1f} s, target < {target:.0f} s, ratio {seconds / target:.2f})"


def bench_report() -> bool:
    demo_s, _ = timed(["make", "-s", "demo"])
    print(f"make demo alone (part of make report): {demo_s:.1f} s")
    seconds, run = timed(["make", "-s", "report"])
    if run.returncode:
        print(run.stdout[-2000:], run.stderr[-2000:], sep="\n")
        return False
    rows = PER_NOTEBOOK.findall(run.stderr)
    print(f"{'notebook':<32} {'status':<8} {'seconds':>8}")
    for stem, status, secs in rows:
        print(f"{stem:<32} {status[:6]:<8} {float(secs):>8.1f}")
    notebooks = sum(float(s) for *_, s in rows)
    jobs = re.search(r"(\d+) at a time", run.stderr)
    print(f"{'sum over notebooks (execute + export)':<41} {notebooks:>8.1f}")
    print(f"notebooks side by side: {jobs.group(1) if jobs else '?'} (their times overlap)")
    print(f"make report: {verdict(seconds, REPORT_TARGET_S)}")
    sizes_ok = report_sizes(ROOT / "reports")
    return seconds < REPORT_TARGET_S and sizes_ok


def report_sizes(folder: Path) -> bool:
    """Print the size of each HTML report against the 5 MB target; True when all are under."""
    ok = True
    print(f"{'report':<32} {'MB':>6}  (target < {HTML_TARGET_MB:g} MB)")
    for page in sorted(folder.glob("*.html")):
        mb = page.stat().st_size / 1e6
        ok = ok and mb < HTML_TARGET_MB
        print(
            f"{page.name:<32} {mb:>6.2f}  {'PASS' if mb < HTML_TARGET_MB else 'FAIL'} "
            f"(ratio {mb / HTML_TARGET_MB:.2f})"
        )
    return ok


def bench_nbval() -> bool:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "notebooks",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "notebooks/nbval_sanitize.cfg",
    ]
    seconds, run = timed(cmd)
    print(run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:])
    print(f"nbval run: {verdict(seconds, NBVAL_TARGET_S)}")
    return run.returncode == 0 and seconds < NBVAL_TARGET_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nbval", action="store_true", help="also time the nbval run")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    ok = bench_report()
    if args.nbval:
        ok = bench_nbval() and ok
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
