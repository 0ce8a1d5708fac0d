"""Rows read by ingest -> de-duplicated table parts: which observation of a record wins.

Ingest spills the rows it reads to disk in hash buckets (:class:`Spill`), so
that a bucket of any input fits in memory. :func:`merge_table` then writes each
table of the dataset: the rows of each bucket, with the rows of the existing
table they update, are de-duplicated by the table's key (:func:`dedup`) and
written as one new part; existing parts holding none of the new keys are kept
as they are (hard links), those holding some are rewritten without them (see
:mod:`analysis.store`).

Which observation wins, per table (ties go to the row read last):

* ``tweets``: a row with public metrics over one without, then the newest
  ``observed_at``; ``collected`` is true if any observation came from a
  collection's ``data``;
* ``users``: the newest snapshot, each field it lacks filled from the newest
  older snapshot that has it;
* ``user_snapshots``: one row per user and observation time;
* ``follows``: one row per link, seen first at the earliest and last at the
  latest snapshot;
* ``hashtags``, ``mentions``: one row per tweet and position / username;
* ``missing``: the newest report per resource and error.
"""

from __future__ import annotations

import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import store
from analysis.contract import CONTRACT, check_table

#: Raw input bytes per spill bucket. A bucket's keys and sort columns are held in
#: memory (about 50 bytes a row), its rows are streamed: 4 GB of pages, about 2
#: million tweets, take some 300 MB at most.
BUCKET_BYTES = 4 << 30
#: Column that places a row in a bucket, per spilled table (None: one bucket).
BUCKET_BY = {
    "tweets": "tweet_id",
    "hashtags": "tweet_id",
    "mentions": "tweet_id",
    "users": "user_id",
    "follows": "follower_id",
    "missing": None,
}
#: The spilled rows each table is made from (``user_snapshots`` and ``users`` share theirs).
SOURCE = {name: name for name in BUCKET_BY} | {"user_snapshots": "users"}
SEQ = "_seq"
#: A part whose replaced rows pass this share of it is rewritten without them.
REWRITE_SHARE = 0.25
#: A part of at most this many rows is rewritten rather than given a deletions file.
REWRITE_ROWS = 100_000
#: Bytes of rows (in memory) per row group of the parts ingest writes.
ROW_GROUP_BYTES = 128 << 20
_BIG = np.int64(1) << np.int64(62)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def bucket_count(input_bytes: int) -> int:
    """Buckets for ``input_bytes`` of raw input: a power of two, about :data:`BUCKET_BYTES` each.

    Examples
    --------
    >>> bucket_count(10_000), bucket_count(2_000_000_000), bucket_count(20_000_000_000)
    (1, 1, 8)
    """
    need = max(1, -(-input_bytes // BUCKET_BYTES))
    return min(1 << (need - 1).bit_length(), 256)


def bucket_of(ids: np.ndarray, buckets: int) -> np.ndarray:
    """Bucket of each id (Fibonacci hashing: consecutive or patterned ids spread evenly)."""
    if buckets == 1:
        return np.zeros(len(ids), dtype=np.int64)
    bits = np.uint64(64 - (buckets.bit_length() - 1))
    with np.errstate(over="ignore"):
        hashed = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return (hashed >> bits).astype(np.int64)


class Spill:
    """Rows on their way to the merge: Arrow IPC files per table, bucket and segment.

    Each row gets a ``_seq`` number (its arrival order) that breaks ties between
    observations made at the same time, so the last one read wins. New rows are
    written by one background thread, in order, while the next pages are parsed;
    rows of the existing table that new rows update (:meth:`write_moved`) are
    written by the merge thread of that table. A segment (one raw file) can be
    rolled back: its rows are dropped as if never read (:meth:`rollback`).
    """

    def __init__(self, folder: Path, buckets: int = 1) -> None:
        self.folder = folder
        self.buckets = buckets
        folder.mkdir(parents=True, exist_ok=True)
        self.writers: dict[tuple[str, int], tuple] = {}
        self.lock = threading.Lock()
        self.seq = 0
        self.segment = 0
        self.pool = ThreadPoolExecutor(1)
        self.pending: deque = deque()

    def path(self, name: str, bucket: int, segment: int | None = None) -> Path:
        segment = self.segment if segment is None else segment
        return self.folder / f"{name}-{bucket:03d}-{segment:05d}.arrow"

    def files(self, name: str, bucket: int) -> list[Path]:
        """The spill files of ``name`` in ``bucket``, in the order they were written."""
        return sorted(self.folder.glob(f"{name}-{bucket:03d}-*.arrow"))

    def begin(self) -> None:
        """Start a new segment (the rows of one raw file)."""
        self.finish()
        self.segment += 1

    def rollback(self) -> None:
        """Drop every row written in the current segment."""
        self.finish()
        for path in self.folder.glob(f"*-{self.segment:05d}.arrow"):
            path.unlink()

    def write(self, name: str, table: pa.Table, rank: np.ndarray | None = None) -> None:
        """Append rows; ``rank`` (a permutation) orders them if not in arrival order."""
        n = table.num_rows
        if not n:
            return
        seq = np.arange(n, dtype=np.int64) if rank is None else rank.astype(np.int64)
        table = table.append_column(SEQ, pa.array(seq + self.seq))
        self.seq += n
        self.pending.append(self.pool.submit(self._append, name, table, BUCKET_BY[name]))
        while len(self.pending) > 2:  # bounded: about one chunk in flight
            self.pending.popleft().result()

    def write_moved(self, name: str, table: pa.Table) -> None:
        """Set aside rows of the existing table ``name`` that new rows update (they lose ties)."""
        if table.num_rows:
            seq = pa.array(np.full(table.num_rows, -1, dtype=np.int64))
            self._append(f"old-{name}", table.append_column(SEQ, seq), BUCKET_BY[SOURCE[name]])

    def _append(self, name: str, table: pa.Table, by: str | None) -> None:
        if self.buckets == 1 or by is None:
            pieces = [(0, table)]
        else:
            which = bucket_of(table.column(by).to_numpy(), self.buckets)
            pieces = [(b, table.filter(pa.array(which == b))) for b in np.unique(which)]
        for bucket, piece in pieces:
            with self.lock:
                pair = self.writers.get((name, int(bucket)))
                if pair is None:
                    sink = pa.OSFile(str(self.path(name, int(bucket))), "wb")
                    pair = (pa.ipc.new_file(sink, piece.schema), sink)
                    self.writers[(name, int(bucket))] = pair
            pair[0].write_table(piece)

    def has(self, name: str) -> bool:
        return any(self.files(name, b) for b in range(self.buckets))

    def finish(self, name: str | None = None) -> None:
        """Close the files of ``name`` (all tables if None) so that they can be read.

        Every file is closed even when a pending write failed; the failure is raised after.
        """
        try:
            if name is None:
                while self.pending:
                    self.pending.popleft().result()
        finally:
            with self.lock:
                done = [k for k in self.writers if name is None or k[0] == name]
                pairs = [self.writers.pop(k) for k in done]
            for writer, sink in pairs:
                try:
                    writer.close()
                finally:
                    sink.close()

    def close(self) -> None:
        """Finish every pending write and file (also after a failure)."""
        try:
            self.finish()
        finally:
            self.pool.shutdown(cancel_futures=True)

    def sources(self, name: str, bucket: int) -> list[Path]:
        """The spill files table ``name`` is made from in ``bucket``: new rows, then moved ones."""
        return [*self.files(SOURCE[name], bucket), *self.files(f"old-{name}", bucket)]


def _columns(sources: list[Path], columns: list[str]) -> pa.Table:
    """Some columns of spill files, one after the other (memory-mapped: only they are read)."""
    tables = []
    for path in sources:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all().select(columns)
            # copy out of the mapping: the file's other columns are never paged in
            tables.append(pa.Table.from_arrays([c.combine_chunks() for c in table.columns],
                                               names=columns))  # fmt: skip
    return pa.concat_tables(tables).combine_chunks() if tables else pa.table({})


def _validity(sources: list[Path], columns: list[str]) -> dict[str, np.ndarray | None]:
    """Per column, which rows of the spill files are set (None: all); data pages are not read."""
    parts: dict[str, list[np.ndarray | int]] = {c: [] for c in columns}
    for path in sources:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
            for c in columns:
                col = table.column(c)
                parts[c].append(
                    col.is_valid().to_numpy(zero_copy_only=False) if col.null_count else len(col)
                )
    return {
        c: None
        if all(isinstance(p, int) for p in ps)
        else np.concatenate([np.ones(p, bool) if isinstance(p, int) else p for p in ps])
        for c, ps in parts.items()
    }


def _batches(sources: list[Path]) -> Iterator[pa.RecordBatch]:
    """Every record batch of spill files in order, each read from disk as it comes."""
    for path in sources:
        with pa.OSFile(str(path)) as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)


# --- de-duplication --------------------------------------------------------------------------


def _sort_values(col: pa.ChunkedArray | pa.Array, *, desc: bool = False, nulls_first: bool = False):
    """A column as int64 values whose ascending order is the wanted one, nulls placed.

    Strings become dictionary codes: equal strings group together, in no
    particular order (keys only need grouping).
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        values = col.dictionary_encode().indices.fill_null(-1).to_numpy().astype(np.int64)
    elif pa.types.is_timestamp(t) or pa.types.is_integer(t) or pa.types.is_boolean(t):
        values = col.cast(pa.int64()).fill_null(0).to_numpy()
    else:
        raise TypeError(f"cannot sort on {t}")
    if desc:
        values = -values
    if col.null_count:
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        values = np.where(valid, values, -_BIG if nulls_first else _BIG)
    return values


def _groups(table: pa.Table, key: tuple[str, ...], order: list[np.ndarray]):
    """Sort rows by ``key`` then ``order``; (permutation, first sorted row of each key's group)."""
    keys = [_sort_values(table.column(k), nulls_first=True) for k in key]
    perm = np.lexsort([*reversed(order), *reversed(keys)])
    new = np.zeros(len(perm), dtype=bool)
    if len(perm):
        new[0] = True
    for k in keys:
        sk = k[perm]
        new[1:] |= sk[1:] != sk[:-1]
    return perm, np.flatnonzero(new)


def _seq(table: pa.Table, *, desc: bool) -> np.ndarray:
    seq = table.column(SEQ).to_numpy()
    return -seq if desc else seq


def _winners(name: str, keys: pa.Table) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Rows that win (ascending row numbers) and columns computed over each key's rows.

    ``keys`` holds the key and order columns (and ``collected`` for tweets) of
    every row; see the module docstring for the rules.
    """
    spec = CONTRACT[name]
    if _all_distinct(keys, spec.key):  # e.g. snapshots of one run: every row wins
        return np.arange(keys.num_rows), {}
    if name == "tweets":
        order = [
            _sort_values(pc.is_null(keys.column("retweet_count"))),
            _sort_values(keys.column("observed_at"), desc=True),
            _seq(keys, desc=True),
        ]
    elif "observed_at" in spec.names and "observed_at" not in spec.key:
        order = [_sort_values(keys.column("observed_at"), desc=True), _seq(keys, desc=True)]
    else:
        order = [_seq(keys, desc=True)]
    perm, starts = _groups(keys, spec.key, order)
    won = np.zeros(len(perm), dtype=bool)
    won[perm[starts]] = True
    computed = {}
    if name == "tweets":  # any observation from a collection makes the tweet collected
        collected = keys.column("collected").to_numpy(zero_copy_only=False)
        any_collected = np.logical_or.reduceat(collected[perm], starts)
        by_row = np.zeros(len(perm), dtype=bool)
        by_row[perm[starts]] = any_collected
        computed["collected"] = pa.array(by_row[won])
    return np.flatnonzero(won), computed


def _all_distinct(table: pa.Table, key: tuple[str, ...]) -> bool:
    """Whether no two rows share a key (hashed: a collision only sends rows to the full sort)."""
    hashed = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in key:
            values = _sort_values(table.column(k), nulls_first=True).astype(np.uint64)
            hashed = (hashed ^ values) * np.uint64(0x9E3779B97F4A7C15)
    hashed.sort()
    return not (hashed[1:] == hashed[:-1]).any()


def _order_columns(name: str) -> list[str]:
    spec = CONTRACT[name]
    extra = {"tweets": ["retweet_count", "collected"]}.get(name, [])
    cols = [*spec.key, *extra, *(["observed_at"] if "observed_at" in spec.names else [])]
    return list(dict.fromkeys([*cols, SEQ]))


def _write_winners(name: str, sources: list[Path], writer: _PartWriter) -> None:
    """Stream the winning rows of the spill files into ``writer``, in file order."""
    schema = CONTRACT[name].schema
    winners, computed = _winners(name, _columns(sources, _order_columns(name)))
    done = offset = 0
    for batch in _batches(sources):
        end = int(np.searchsorted(winners, offset + batch.num_rows))
        if end > done:
            rows = pa.Table.from_batches([batch]).select(schema.names)
            if end - done < batch.num_rows:  # else every row of the batch wins
                rows = rows.take(pa.array(winners[done:end] - offset))
            for column, values in computed.items():
                rows = rows.set_column(schema.names.index(column), column, values[done:end])
            writer.write(rows.cast(schema))
        done, offset = end, offset + batch.num_rows


def _write_latest_filled(sources: list[Path], writer: _PartWriter) -> None:
    """``users``: the newest snapshot per user, its missing fields from the newest that has them."""
    schema = CONTRACT["users"].schema
    names = schema.names
    keys = _columns(sources, ["user_id", "observed_at", SEQ])
    order = [_sort_values(keys.column("observed_at"), nulls_first=True), _seq(keys, desc=False)]
    perm, starts = _groups(keys, ("user_id",), order)
    ends = np.append(starts[1:], len(perm)) - 1
    # per column, the row of each user's group to take it from (-1: never set)
    where = {"user_id": perm[ends]}
    position = np.arange(len(perm), dtype=np.int64)
    for column, ok in _validity(sources, names[1:]).items():
        if ok is None:
            where[column] = perm[ends]
            continue
        last = np.maximum.reduceat(np.where(ok[perm], position, -1), starts)
        where[column] = np.where(last < 0, -1, perm[np.maximum(last, 0)])
    columns = _gather(sources, where)
    writer.write(pa.Table.from_arrays([columns[n] for n in names], schema=schema))


def _gather(sources: list[Path], where: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """Per column, its values at row numbers ``where[column]`` (-1: null), in one pass."""
    plans = {}
    for column, rows in where.items():
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        start = int(np.searchsorted(sorted_rows, 0))  # the -1s come first
        plans[column] = (order, sorted_rows, start, [])
    offset = 0
    for batch in _batches(sources):
        end_row = offset + batch.num_rows
        for column, (_, sorted_rows, start, pieces) in plans.items():
            done = start + sum(len(p) for p in pieces)
            end = int(np.searchsorted(sorted_rows, end_row))
            if end > done:
                values = batch.column(batch.schema.get_field_index(column))
                pieces.append(values.take(pa.array(sorted_rows[done:end] - offset)))
        offset = end_row
    out = {}
    for column, (order, _, start, pieces) in plans.items():
        typ = CONTRACT["users"].schema.field(column).type
        values = pa.concat_arrays([pa.nulls(start, typ), *(p.cast(typ) for p in pieces)])
        out[column] = values.take(pa.array(np.argsort(order)))
    return out


def _write_span(sources: list[Path], writer: _PartWriter) -> None:
    """``follows``: one row per link, first seen at the earliest and last at the latest snapshot."""
    schema = CONTRACT["follows"].schema
    table = _columns(sources, [*schema.names, SEQ])
    perm, starts = _groups(table, ("follower_id", "followed_id"), [])
    first = pa.array(perm[starts])
    out = [table.column("follower_id").take(first), table.column("followed_id").take(first)]
    for column, reduce, empty in (
        ("first_seen_at", np.minimum, _BIG),
        ("observed_at", np.maximum, -_BIG),
    ):
        col = table.column(column)
        ok = col.is_valid().to_numpy(zero_copy_only=False)
        values = np.where(ok, col.cast(pa.int64()).fill_null(0).to_numpy(), empty)[perm]
        got = reduce.reduceat(values, starts)
        out.append(pa.array(got, mask=got == empty).cast(schema.field(column).type))
    writer.write(pa.Table.from_arrays(out, schema=schema))


class _PartWriter:
    """A part file written in row groups of about :data:`ROW_GROUP_BYTES`, each checked."""

    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path = name, path
        self.writer: pq.ParquetWriter | None = None
        self.held: list[pa.Table] = []
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        check_table(self.name, table)
        self.held.append(table)
        if sum(t.nbytes for t in self.held) >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self.held:
            return
        table = pa.concat_tables(self.held)
        self.held = []
        if self.writer is None:
            self.writer = pq.ParquetWriter(
                self.path, CONTRACT[self.name].schema, **store.write_options(self.name)
            )
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> int:
        self._flush()
        if self.writer is not None:
            self.writer.close()
        return self.rows


def dedup(name: str, table: pa.Table) -> pa.Table:
    """One row per key of table ``name`` from rows with a ``_seq`` column, sorted by key.

    The rules of the module docstring, on rows held in memory (ingest streams
    them from its spill files instead).

    Examples
    --------
    >>> ts = pa.timestamp("us", tz="UTC")
    >>> t = pa.table({"follower_id": [1, 1], "followed_id": [2, 2],
    ...               "first_seen_at": pa.array([5, 3], ts), "observed_at": pa.array([5, 3], ts),
    ...               "_seq": [0, 1]})
    >>> row = dedup("follows", t).to_pylist()[0]
    >>> row["first_seen_at"].microsecond, row["observed_at"].microsecond
    (3, 5)
    """
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "rows.arrow", Path(tmp) / "out.parquet"
        with pa.OSFile(str(source), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        writer = _PartWriter(name, out)
        _dedup_into(name, [source], writer)
        writer.close()
        rows = pq.read_table(out) if out.exists() else CONTRACT[name].schema.empty_table()
    return store.sort_by_key(name, rows.cast(CONTRACT[name].schema))


def _dedup_into(name: str, sources: list[Path], writer: _PartWriter) -> None:
    """De-duplicate the rows of the spill files ``sources`` into ``writer``."""
    if name == "users":
        _write_latest_filled(sources, writer)
    elif name == "follows":
        _write_span(sources, writer)
    else:
        _write_winners(name, sources, writer)


# --- writing a table ---------------------------------------------------------------------------


def _join_keys(table: pa.Table, key: list[str]) -> pa.Table:
    """Key columns that a join can match on nulls too (a null observed_at is a value here)."""
    columns = []
    for k in key:
        col = table.column(k)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.int64())
        if col.null_count:
            col = col.fill_null("\x00" if pa.types.is_string(col.type) else -_BIG)
        columns.append(col)
    return pa.Table.from_arrays(columns, names=key)


def _overlap(name: str, part: Path, spill: Spill) -> np.ndarray:
    """Row numbers of an existing part (rows not already replaced) whose key new rows carry.

    Reads the part's numeric key columns only (and the whole key for the few
    rows whose values all occur among the new rows'), so it costs little even
    on a large part.
    """
    spec = CONTRACT[name]
    key = list(spec.key)
    paths = [p for b in range(spill.buckets) for p in spill.files(SOURCE[name], b)]
    if not paths:
        return np.empty(0, dtype=np.int64)
    new = _join_keys(_columns(paths, key), key)
    numeric = [k for k in key if not pa.types.is_string(spec.schema.field(k).type)] or key[:1]
    # row groups whose key range (Parquet statistics) meets the new keys' (new tweets, new
    # observation times: usually none), and the row numbers they start at
    source = pq.ParquetFile(part)
    sizes = [source.metadata.row_group(g).num_rows for g in range(source.num_row_groups)]
    groups = [g for g in range(source.num_row_groups) if _may_hold(source, g, numeric, new)]
    if not groups:
        return np.empty(0, dtype=np.int64)
    old = source.read_row_groups(groups, columns=numeric)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    row_of = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups])
    hit = np.ones(old.num_rows, dtype=bool)
    for k in numeric:
        values = old.column(k).cast(spec.schema.field(k).type)
        if pa.types.is_timestamp(values.type):
            values = values.cast(pa.int64())
        found = pc.is_in(values, value_set=pc.unique(new.column(k))).fill_null(False)
        hit &= found.to_numpy(zero_copy_only=False)
    rows = np.setdiff1d(row_of[hit], store.deleted_rows(part), assume_unique=True)
    if numeric == key or not len(rows):
        return rows
    fields = pa.schema([spec.schema.field(k) for k in key])
    old = _join_keys(_read_rows(part, rows, key).cast(fields), key)
    old = old.append_column("_row", pa.array(rows))
    found = old.join(new.group_by(key).aggregate([]), keys=key, join_type="left semi")
    return np.sort(found.column("_row").to_numpy())


def _may_hold(source: pq.ParquetFile, group: int, columns: list[str], new: pa.Table) -> bool:
    """Whether row group ``group`` may hold a key of ``new``, from its min/max statistics."""
    meta = source.metadata.row_group(group)
    for name in columns:
        stats = meta.column(source.schema_arrow.get_field_index(name)).statistics
        values = new.column(name)
        if stats is None or not stats.has_min_max or pa.types.is_string(values.type):
            continue
        lo, hi = (_as_int(v) for v in (stats.min, stats.max))
        span = pc.min_max(values)
        new_lo, new_hi = span["min"].as_py(), span["max"].as_py()
        if new_lo == -_BIG:  # a null key (see _join_keys) may match the group's nulls
            continue
        if hi < new_lo or lo > new_hi:
            return False
    return True


def _as_int(value) -> int:
    """A statistics value as the int64 ingest sorts on (timestamps in microseconds)."""
    if isinstance(value, datetime):
        return (value - _EPOCH) // timedelta(microseconds=1)
    return int(value)


def _read_rows(part: Path, rows: np.ndarray, columns: list[str] | None = None) -> pa.Table:
    """Rows ``rows`` (sorted row numbers) of a part, reading only the row groups holding them."""
    source = pq.ParquetFile(part)
    sizes = np.array([source.metadata.row_group(i).num_rows for i in range(source.num_row_groups)])
    ends = np.cumsum(sizes)
    group = np.searchsorted(ends, rows, side="right")  # the row group of each row
    groups = np.unique(group)
    table = source.read_row_groups([int(g) for g in groups], columns=columns)
    # where each chosen row group starts in `table`, and each row within it
    base = np.concatenate([[0], np.cumsum(sizes[groups])[:-1]])
    local = rows - (ends - sizes)[group] + base[np.searchsorted(groups, group)]
    return table.take(pa.array(local))


def merge_table(name: str, old_parts: list[Path], spill: Spill, out: Path) -> int:
    """Write table ``name`` into the folder ``out``: existing parts merged with the new rows.

    The new rows, with the existing rows whose key they carry, are
    de-duplicated into one new part. Existing parts are hard-linked as they
    are; rows of theirs that the new part replaces are listed in the part's
    deletions file (:func:`analysis.store.deleted_rows`), or, once they are a
    large share of the part (:data:`REWRITE_SHARE`) or the part is small, the
    part is rewritten without them. So the work follows the new file and the
    rows it updates, not the dataset. Returns the table's row count.
    """
    out.mkdir(parents=True, exist_ok=True)
    has_new = spill.has(SOURCE[name])
    for i, part in enumerate(old_parts):
        # a dataset from before parts has one file per table: it becomes part 0
        target = out / (part.name if part.name.startswith("part-") else store.part_name(i))
        moved = _overlap(name, part, spill) if has_new else np.empty(0, dtype=np.int64)
        gone = store.deleted_rows(part)
        if len(moved):
            spill.write_moved(name, _read_rows(part, moved).cast(CONTRACT[name].schema))
            gone = np.union1d(gone, moved)
        total = pq.ParquetFile(part).metadata.num_rows
        if len(moved) and (total <= REWRITE_ROWS or len(gone) > REWRITE_SHARE * total):
            keep = store.live_rows(total, gone)
            if keep.any():  # a new file: the linked original stays as it was until the swap
                store.write_part(target, name, pq.read_table(part).filter(pa.array(keep)))
            continue
        store.link_or_copy(part, target)
        if len(moved):
            store.write_deletions(target, gone)
        elif len(gone):
            store.link_or_copy(store.deletions_path(part), store.deletions_path(target))
    spill.finish(f"old-{name}")
    if has_new:
        writer = _PartWriter(name, out / store.part_name(store.next_part_number(old_parts)))
        try:
            for bucket in range(spill.buckets):
                sources = spill.sources(name, bucket)
                if sources:
                    _dedup_into(name, sources, writer)
        finally:
            writer.close()
    _limit_parts(name, out)
    return store.num_rows(out.parent, name)


def _limit_parts(name: str, out: Path) -> None:
    """Past :data:`store.MAX_PARTS` parts, merge all but the largest half into one part.

    Parts never share a key (replaced rows left out), so merging only
    concatenates them; the cost falls on the small (recent) parts, not on the
    bulk of the table.
    """
    parts = store.part_files(out.parent, name)
    if len(parts) <= store.MAX_PARTS:
        return
    by_size = sorted(parts, key=lambda p: p.stat().st_size, reverse=True)
    small = sorted(by_size[max(1, store.MAX_PARTS // 2) :], key=store.part_number)
    store.write_merged(small, name, out / store.part_name(store.next_part_number(parts)))
    for p in small:
        p.unlink()
        store.deletions_path(p).unlink(missing_ok=True)
