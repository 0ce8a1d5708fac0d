"""How a dataset's tables sit on disk: each table a folder of Parquet parts.

A table ``name`` of a dataset is the folder ``<data root>/processed/<dataset>/<name>.parquet/``
holding one or more Parquet files ``part-NNNNN.parquet`` with the contract's schema.

* A full ingest (``medtwitter ingest --replace``, ``medtwitter demo``) and
  :func:`compact` write **one part** per table.
* Appending raw files writes one new part per table with the new rows and the
  rows they update. An older part whose rows the new part replaces is kept as
  it is, its replaced rows listed in a deletions file beside it
  (``_part-NNNNN.deleted``, :func:`deleted_rows`); once they pass a quarter of
  the part, or if the part is small, the part is rewritten without them. So an
  append costs time in proportion to the new file and the rows it updates, not
  to the dataset. When a table has more than :data:`MAX_PARTS` parts, its small
  parts are merged.
* A table stored as a single ``<name>.parquet`` file (datasets built before
  parts) is read as one part and becomes a folder at the next ingest.

Read tables through :func:`analysis.tables.load_dataset`, :func:`analysis.tables.load_table`,
:func:`read_table` or :func:`analysis.tables.sql`: they leave replaced rows out
and sort rows by key, whatever the parts. Other tools (``pyarrow.parquet.read_table``
on the folder, DuckDB's ``read_parquet``, R's arrow) see one row per key after
``medtwitter compact DATASET``, which folds the deletions files in.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.contract import CONTRACT
from analysis.errors import ContractError

#: Parts a table may have before its small parts are merged into one.
MAX_PARTS = 8
#: Compression of the tables' Parquet files: Snappy, the Parquet default, writes about
#: twice as fast as zstd for files about a quarter larger (benchmarks/ingest.py).
COMPRESSION = "snappy"
#: Columns worth a dictionary (values repeat); ids, texts and times are not.
DICTIONARY = {
    "tweets": ["lang"],
    "users": ["username", "name", "description", "location"],
    "user_snapshots": ["username", "name", "description", "location"],
    "hashtags": ["tag", "tag_norm"],
    "mentions": ["username"],
    "missing": ["resource_type", "title", "detail", "type"],
    "follows": [],
}


def write_options(name: str) -> dict:
    """Keyword arguments for :class:`pyarrow.parquet.ParquetWriter` writing table ``name``."""
    return {
        "compression": COMPRESSION,
        "use_dictionary": DICTIONARY.get(name, True),
        # a whole community's profiles fit one dictionary: snapshots shrink several times
        "dictionary_pagesize_limit": 16 << 20,
        # min/max of the key only: appends skip the row groups their keys cannot be in
        "write_statistics": list(CONTRACT[name].key),
    }


_PART = re.compile(r"^part-(\d+)\.parquet$")


def table_path(folder: Path, name: str) -> Path:
    """The folder of a table's parts (or, for an old dataset, its single file)."""
    return Path(folder) / f"{name}.parquet"


def part_files(folder: Path, name: str) -> list[Path]:
    """A table's Parquet files, in part order; empty if the dataset lacks the table.

    Examples
    --------
    >>> part_files(Path("/nowhere"), "tweets")
    []
    """
    path = table_path(folder, name)
    old = path.with_name(f".{path.name}.old")
    if not path.exists() and old.exists():  # a replacement interrupted between its renames
        os.replace(old, path)
    if path.is_file():  # a dataset from before parts
        return [path]
    if not path.is_dir():
        return []
    return sorted((p for p in path.iterdir() if _PART.match(p.name)), key=part_number)


def deletions_path(part: Path) -> Path:
    """The file listing a part's rows that later parts replaced (``_part-00000.deleted``).

    Its name starts with ``_`` so that pyarrow, pandas and ``*.parquet`` globs skip it.
    """
    return part.with_name(f"_{part.stem}.deleted")


def deleted_rows(part: Path) -> np.ndarray:
    """Row numbers of a part that later parts replaced (sorted), read from its deletions file."""
    path = deletions_path(part)
    if not path.is_file():
        return np.empty(0, dtype=np.int64)
    return pq.read_table(path).column("row").to_numpy()


def write_deletions(part: Path, rows: np.ndarray) -> None:
    """Record (all) the rows of ``part`` that later parts replaced."""
    rows = np.unique(rows.astype(np.int64))
    pq.write_table(pa.table({"row": rows}), deletions_path(part))


def live_rows(n: int, gone: np.ndarray, offset: int = 0) -> np.ndarray:
    """Which of ``n`` rows starting at row ``offset`` are not among the row numbers ``gone``."""
    keep = np.ones(n, dtype=bool)
    inside = gone[(gone >= offset) & (gone < offset + n)]
    keep[inside - offset] = False
    return keep


def read_part(part: Path, columns: list[str] | None = None) -> pa.Table:
    """One part's rows (those later parts replaced left out)."""
    table = pq.read_table(part, columns=columns)
    gone = deleted_rows(part)
    if len(gone):
        table = table.filter(pa.array(live_rows(table.num_rows, gone)))
    return table


def part_number(path: Path) -> int:
    """The number of a part file (0 for a single-file table)."""
    match = _PART.match(path.name)
    return int(match.group(1)) if match else 0


def part_name(number: int) -> str:
    """The file name of part ``number`` (``part-00003.parquet``)."""
    return f"part-{number:05d}.parquet"


def next_part_number(parts: list[Path]) -> int:
    """The number a new part takes after ``parts``."""
    return max((part_number(p) for p in parts), default=-1) + 1


def sort_by_key(name: str, table: pa.Table) -> pa.Table:
    """Rows in the order of the table's key (the order every reader sees)."""
    if table.num_rows < 2:
        return table
    return table.sort_by([(k, "ascending") for k in CONTRACT[name].key])


def read_table(
    folder: Path, name: str, columns: list[str] | None = None, *, sort: bool = True
) -> pa.Table:
    """A table of a dataset folder as one Arrow table in the contract's schema, sorted by key.

    ``columns`` reads only those columns (then rows are sorted only if they hold
    the key). A table added to the contract after the dataset was built is
    empty; any other missing table is an error (the dataset is damaged).

    Examples
    --------
    >>> from analysis.tables import dataset_dir  # doctest: +SKIP
    >>> read_table(dataset_dir("demo"), "users", ["user_id", "username"])  # doctest: +SKIP
    """
    schema = CONTRACT[name].schema
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    parts = part_files(folder, name)
    if not parts and not table_path(folder, name).is_dir() and name != "user_snapshots":
        raise ContractError(
            f"table {name!r} is missing from {folder}; rebuild the dataset with "
            "`medtwitter ingest RAW_FILE... --dataset NAME --replace` (or `medtwitter demo`)."
        )
    tables = [read_part(p, columns).cast(schema) for p in parts]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    if sort and set(CONTRACT[name].key) <= set(schema.names):
        table = sort_by_key(name, table)
    return table


def num_rows(folder: Path, name: str) -> int:
    """Rows of a table, from the Parquet footers and deletions files (no data is read)."""
    return sum(
        pq.ParquetFile(p).metadata.num_rows - len(deleted_rows(p)) for p in part_files(folder, name)
    )


def disk_bytes(folder: Path, name: str) -> int:
    """Bytes a table takes on disk (all its parts)."""
    return sum(p.stat().st_size for p in part_files(folder, name))


def duckdb_source(folder: Path, name: str) -> str | None:
    """A DuckDB table expression over a table's parts (replaced rows left out), or None."""
    parts = part_files(folder, name)
    if not parts:
        return None
    whole = [p for p in parts if not deletions_path(p).is_file()]
    selects = []
    if whole:
        selects.append(f"select * from read_parquet([{', '.join(map(_sql, whole))}])")
    for p in parts:
        if deletions_path(p).is_file():
            selects.append(
                f"select * exclude (file_row_number) from read_parquet({_sql(p)}, "
                f"file_row_number = true) where file_row_number not in "
                f"(select row from read_parquet({_sql(deletions_path(p))}))"
            )
    return "(" + " union all ".join(selects) + ")"


def _sql(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_part(path: Path, name: str, table: pa.Table) -> int:
    """Write ``table`` (contract schema) as one part file; its row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.cast(CONTRACT[name].schema), path, **write_options(name))
    return table.num_rows


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (no data copied); copy where links are not possible."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def iter_part(part: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """A part's rows batch by batch (those later parts replaced left out): bounded memory."""
    gone = deleted_rows(part)
    offset = 0
    for batch in pq.ParquetFile(part).iter_batches(columns=columns):
        if len(gone):
            keep = live_rows(batch.num_rows, gone, offset)
            offset += batch.num_rows
            batch = batch.filter(pa.array(keep))
        yield batch


def write_merged(parts: list[Path], name: str, path: Path) -> int:
    """Write the rows of ``parts`` (key-disjoint) into one part file, streaming; its row count."""
    schema = CONTRACT[name].schema
    rows = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, schema, **write_options(name)) as writer:
        for part in parts:
            for batch in iter_part(part):
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
                rows += batch.num_rows
    return rows


def _swap_table(folder: Path, name: str, fresh: Path) -> None:
    """Put the table folder ``fresh`` in place of the table, by renames."""
    path = table_path(folder, name)
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        os.replace(path, old)
    os.replace(fresh, path)
    if old.is_dir():
        shutil.rmtree(old)
    elif old.exists():
        old.unlink()


def replace_table(folder: Path, name: str, table: pa.Table) -> None:
    """Replace a table by one part holding ``table`` (sorted by key), e.g. after a purge.

    The new folder is written beside the old one and swapped in by renames, so
    an interruption leaves the old table or the new one, never a mix.
    """
    fresh = table_path(folder, name).with_name(f".{name}.parquet.new")
    shutil.rmtree(fresh, ignore_errors=True)
    write_part(fresh / part_name(0), name, sort_by_key(name, table))
    _swap_table(folder, name, fresh)


def compact(folder: Path, names: list[str] | None = None) -> dict[str, int]:
    """Merge each table's parts into one file; the number of parts each table had.

    Parts never share a key, so compaction streams them into one file, leaving
    out the rows later parts replaced: memory stays bounded whatever the size.
    Rows keep their order by part (readers sort by key).

    Examples
    --------
    >>> from analysis.tables import dataset_dir  # doctest: +SKIP
    >>> compact(dataset_dir("demo"))  # doctest: +SKIP
    {'tweets': 3, 'users': 3, ...}
    """
    before = {}
    for name in names or list(CONTRACT):
        parts = part_files(folder, name)
        before[name] = len(parts)
        deletions = any(deletions_path(p).is_file() for p in parts)
        if len(parts) > 1 or deletions or (parts and parts[0].parent == folder):
            fresh = table_path(folder, name).with_name(f".{name}.parquet.new")
            shutil.rmtree(fresh, ignore_errors=True)
            write_merged(parts, name, fresh / part_name(0))
            _swap_table(folder, name, fresh)
    return before
