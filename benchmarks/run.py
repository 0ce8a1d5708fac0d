"""Run the benchmarks on demand: ``make benchmark`` or ``python benchmarks/run.py [NAME...]``.

Each ``benchmarks/<name>.py`` is a script that prints its figures, ratios and a
PASS/FAIL line per target; this runner runs the ones named (default: all) one
after the other, so they never compete for the machine's cores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run.py")
    if argv:
        wanted = set(argv)
        unknown = wanted - {p.stem for p in scripts}
        if unknown:
            known = ", ".join(p.stem for p in scripts)
            print(
                f"benchmarks: no benchmark named {', '.join(sorted(unknown))}; choose among {known}."
            )
            return 2
        scripts = [p for p in scripts if p.stem in wanted]
    status = 0
    for script in scripts:
        print(f"== benchmarks/{script.name}", flush=True)
        status |= subprocess.call([sys.executable, str(script)])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
