"""Benchmark: how fast does the account classifier label profiles?

Target: 100,000 profiles labelled in under 2 minutes on the project's 2-core
machine (a large collection's users table), i.e. at least 834 profiles a second.
The profiles are the hand-labelled synthetic test set repeated with distinct
usernames. Run: ``.venv/bin/python benchmarks/accounts.py [N]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from analysis.accounts import label_users
from analysis.accounts.names import first_names

TARGET_PER_SECOND = 100_000 / 120


def main(n: int = 20_000) -> int:
    base = pd.read_csv(
        Path(__file__).parent.parent / "tests" / "data" / "profiles_labelled.csv",
        dtype=str,
        keep_default_na=False,
    )
    base = base[["username", "name", "description", "protected", "location"]]
    reps = -(-n // len(base))
    profiles = pd.concat([base] * reps, ignore_index=True).head(n)
    profiles["username"] = profiles["username"] + "_" + profiles.index.astype(str)
    start = time.perf_counter()
    first_names()
    load = time.perf_counter() - start
    start = time.perf_counter()
    labels = label_users(profiles)
    elapsed = time.perf_counter() - start
    rate = len(labels) / elapsed
    print(f"first-name list loaded in {load:.2f} s ({len(first_names()):,} spellings)")
    print(
        f"labelled {len(labels):,} profiles in {elapsed:.2f} s: {rate:,.0f} profiles/s "
        f"(target {TARGET_PER_SECOND:,.0f}/s, ratio {rate / TARGET_PER_SECOND:.2f})"
    )
    ok = rate >= TARGET_PER_SECOND
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
