"""Speed of the privacy tools on the demo data, replicated to a larger size.

Run: .venv/bin/python benchmarks/privacy.py [--scale 10]
Prints tweets per second for the confidentiality check and for anonymise_tables,
with PASS/FAIL against modest floors (a million tweets should take minutes, not hours).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace

import pandas as pd

from analysis.confidentiality import check_tweets
from analysis.privacy import KEY_ENV, anonymise_tables
from analysis.tables import load_dataset

FLOOR_CHECK = 2_000  # tweets/s
FLOOR_ANONYMISE = 5_000  # tweets/s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="demo")
    parser.add_argument(
        "--scale", type=int, default=10, help="replicate the tweets this many times"
    )
    args = parser.parse_args()
    tables = load_dataset(args.dataset)
    tweets = pd.concat([tables.tweets] * args.scale, ignore_index=True)
    tweets["tweet_id"] = range(1, len(tweets) + 1)
    big = replace(tables, tweets=tweets)
    os.environ.setdefault(KEY_ENV, os.path.join(tempfile.mkdtemp(), ".medtwitter-key"))
    ok = True
    for label, fn, floor in (
        ("confidentiality check", lambda: check_tweets(big.tweets), FLOOR_CHECK),
        ("anonymise_tables", lambda: anonymise_tables(big), FLOOR_ANONYMISE),
    ):
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        rate = len(tweets) / seconds
        passed = rate >= floor
        ok &= passed
        print(
            f"{label:<22} {len(tweets):>9,} tweets in {seconds:6.2f} s = {rate:>9,.0f} tweets/s "
            f"(floor {floor:,}) {'PASS' if passed else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
