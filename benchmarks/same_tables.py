"""Check that two datasets hold the same rows: every contract table, sorted by key, compared whole.

A check for ingest changes meant to change no result (speed-ups): ingest one raw
file with the code before and after the change into two data roots, then::

    .venv/bin/python benchmarks/same_tables.py ROOT_A DATASET_A ROOT_B DATASET_B

``ROOT_*`` are data roots (the folder holding ``processed/``). Each table is read
at its dataset's latest version (:func:`analysis.store.read_table`, sorted by key)
and compared column for column, types included; the quarantine files are compared
byte for byte. Prints one line per table and exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa

from analysis import store
from analysis.contract import TABLE_NAMES


def dataset_folder(root: Path, dataset: str) -> Path:
    """The folder of ``dataset`` under the data root ``root``."""
    return Path(root) / "processed" / dataset


def differences(a: Path, b: Path) -> dict[str, str]:
    """Per table (and ``quarantine``), how the datasets in folders ``a`` and ``b`` differ ('' if not)."""
    out = {}
    for name in TABLE_NAMES:
        left, right = store.read_table(a, name), store.read_table(b, name)
        out[name] = _table_difference(left, right)
    quarantines = [Path(f) / store.QUARANTINE_FILE for f in (a, b)]
    held = [q.read_bytes() if q.is_file() else None for q in quarantines]
    out["quarantine"] = "" if held[0] == held[1] else "quarantine files differ"
    return out


def _table_difference(left: pa.Table, right: pa.Table) -> str:
    if left.schema != right.schema:
        return f"schemas differ: {left.schema} vs {right.schema}"
    if left.num_rows != right.num_rows:
        return f"{left.num_rows:,} rows vs {right.num_rows:,}"
    for column in left.column_names:
        if not left.column(column).equals(right.column(column)):
            return f"column {column!r} differs"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Compare two datasets table by table; 0 if every table is the same, else 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root_a", type=Path)
    parser.add_argument("dataset_a")
    parser.add_argument("root_b", type=Path)
    parser.add_argument("dataset_b")
    args = parser.parse_args(argv)
    a = dataset_folder(args.root_a, args.dataset_a)
    b = dataset_folder(args.root_b, args.dataset_b)
    found = differences(a, b)
    for name, problem in found.items():
        rows = store.table_totals(a, name)[0] if name in TABLE_NAMES else None
        shown = f"{rows:,} rows" if rows is not None else ""
        print(f"{name:<15} {'DIFFERENT: ' + problem if problem else 'same'} {shown}".rstrip())
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
