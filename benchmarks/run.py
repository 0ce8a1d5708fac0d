"""Run every benchmark in this folder (`make benchmark`); exit non-zero if one fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    failed = []
    for script in sorted(p for p in HERE.glob("*.py") if p.name != "run.py"):
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode:
            failed.append(script.name)
    print("benchmarks failed: " + ", ".join(failed) if failed else "all benchmarks passed")
    sys.exit(1 if failed else 0)
