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

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import store
from analysis.tables import CONTRACT, check_table

#: Raw input bytes per spill bucket: a bucket's rows are de-duplicated in memory.
BUCKET_BYTES = 512 << 20
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
_BIG = np.int64(1) << np.int64(62)


def bucket_count(input_bytes: int) -> int:
    """Buckets for ``input_bytes`` of raw input: a power of two, about :data:`BUCKET_BYTES` each.

    Examples
    --------
    >>> bucket_count(10_000), bucket_count(2_000_000_000)
    (1, 4)
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
    """Rows on their way to the merge: per table, one Arrow IPC file per bucket.

    Each row gets a ``_seq`` number (its arrival order) that breaks ties between
    observations made at the same time, so the last one read wins. Writes run in
    one background thread, in order, while the next chunk is parsed.
    """

    def __init__(self, folder: Path, buckets: int = 1) -> None:
        self.folder = folder
        self.buckets = buckets
        folder.mkdir(parents=True, exist_ok=True)
        self.writers: dict[tuple[str, int], tuple] = {}
        self.lock = threading.Lock()
        self.seq = 0
        self.pool = ThreadPoolExecutor(1)
        self.pending: deque = deque()

    def path(self, name: str, bucket: int) -> Path:
        return self.folder / f"{name}-{bucket:03d}.arrow"

    def write(self, name: str, table: pa.Table, rank: np.ndarray | None = None) -> None:
        """Append rows; ``rank`` (a permutation) orders them if not in arrival order."""
        n = table.num_rows
        if not n:
            return
        seq = np.arange(n, dtype=np.int64) if rank is None else rank.astype(np.int64)
        table = table.append_column(SEQ, pa.array(seq + self.seq))
        self.seq += n
        pieces = self._pieces(table, BUCKET_BY[name])
        self.pending.append(self.pool.submit(self._append, name, pieces))
        while len(self.pending) > 2:  # bounded: about one chunk in flight
            self.pending.popleft().result()

    def write_moved(self, name: str, table: pa.Table) -> None:
        """Set aside rows of the existing table ``name`` that new rows update (they lose ties)."""
        if table.num_rows:
            seq = pa.array(np.full(table.num_rows, -1, dtype=np.int64))
            table = table.append_column(SEQ, seq)
            self._append(f"old-{name}", self._pieces(table, BUCKET_BY[SOURCE[name]]))

    def _pieces(self, table: pa.Table, by: str | None) -> list[tuple[int, pa.Table]]:
        """The rows of ``table`` per bucket of column ``by``."""
        if self.buckets == 1 or by is None:
            return [(0, table)]
        which = bucket_of(table.column(by).to_numpy(), self.buckets)
        table = table.take(pa.array(np.argsort(which, kind="stable")))
        counts = np.bincount(which, minlength=self.buckets)
        ends = np.cumsum(counts)
        return [
            (b, table.slice(e - c, c))
            for b, (c, e) in enumerate(zip(counts, ends, strict=True))
            if c
        ]

    def _append(self, name: str, pieces: list[tuple[int, pa.Table]]) -> None:
        for bucket, piece in pieces:
            with self.lock:
                pair = self.writers.get((name, bucket))
                if pair is None:
                    sink = pa.OSFile(str(self.path(name, bucket)), "wb")
                    pair = self.writers[(name, bucket)] = (
                        pa.ipc.new_stream(sink, piece.schema),
                        sink,
                    )
            pair[0].write_table(piece)

    def has(self, name: str) -> bool:
        return any(self.path(name, b).is_file() for b in range(self.buckets))

    def finish(self, name: str | None = None) -> None:
        """Close the files of ``name`` (all tables if None) so that they can be read."""
        if name is None:
            while self.pending:
                self.pending.popleft().result()
        with self.lock:
            done = [k for k in self.writers if name is None or k[0] == name]
            pairs = [self.writers.pop(k) for k in done]
        for writer, sink in pairs:
            writer.close()
            sink.close()

    def close(self) -> None:
        """Finish every pending write and file (also after a failure)."""
        try:
            self.finish()
        finally:
            self.pool.shutdown(cancel_futures=True)

    def read(self, name: str, bucket: int, columns: list[str] | None = None) -> pa.Table | None:
        """The rows spilled for ``name`` in ``bucket`` (memory-mapped), or None."""
        path = self.path(name, bucket)
        if not path.is_file():
            return None
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_stream(source).read_all()
        return table.select(columns) if columns else table


# --- de-duplication --------------------------------------------------------------------------


def _sort_values(col: pa.ChunkedArray | pa.Array, *, desc: bool = False, nulls_first: bool = False):
    """A column as int64 sort values (ascending order = the wanted order), nulls placed."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        values = pc.rank(col, sort_keys="ascending", tiebreaker="dense").to_numpy()
        values = values.astype(np.int64)
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
    """Sort rows by ``key`` then ``order``; (permutation, first row of each key's group)."""
    keys = [_sort_values(table.column(k), nulls_first=True) for k in key]
    perm = np.lexsort([*reversed(order), *reversed(keys)])
    n = len(perm)
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for k in keys:
        sk = k[perm]
        new[1:] |= sk[1:] != sk[:-1]
    return perm, np.flatnonzero(new)


def _seq(table: pa.Table, *, desc: bool) -> np.ndarray:
    seq = table.column(SEQ).to_numpy()
    return -seq if desc else seq


def _take_valid(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(values, mask=~valid)


def dedup(name: str, table: pa.Table) -> pa.Table:
    """One row per key of table ``name`` (rows with a ``_seq`` column), sorted by key.

    Examples
    --------
    >>> t = pa.table({"follower_id": [1, 1], "followed_id": [2, 2],
    ...               "first_seen_at": pa.array([5, 3], pa.timestamp("us", tz="UTC")),
    ...               "observed_at": pa.array([5, 3], pa.timestamp("us", tz="UTC")),
    ...               "_seq": [0, 1]})
    >>> row = dedup("follows", t).to_pylist()[0]
    >>> row["first_seen_at"].microsecond, row["observed_at"].microsecond
    (3, 5)
    """
    spec = CONTRACT[name]
    schema = spec.schema
    if table.num_rows == 0:
        return schema.empty_table()
    if name == "users":
        return _latest_filled(table, schema)
    if name == "follows":
        return _span(table, schema)
    if name == "tweets":
        order = [
            _sort_values(pc.is_null(table.column("retweet_count"))),
            _sort_values(table.column("observed_at"), desc=True),
            _seq(table, desc=True),
        ]
    elif "observed_at" in spec.names and "observed_at" not in spec.key:
        order = [_sort_values(table.column("observed_at"), desc=True), _seq(table, desc=True)]
    else:
        order = [_seq(table, desc=True)]
    perm, starts = _groups(table, spec.key, order)
    out = table.take(pa.array(perm[starts])).select(spec.names)
    if name == "tweets":  # any observation from a collection makes the tweet collected
        collected = table.column("collected").to_numpy()[perm]
        out = out.set_column(
            spec.names.index("collected"),
            "collected",
            pa.array(np.logical_or.reduceat(collected, starts)),
        )
    return out.cast(schema)


def _latest_filled(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``users``: the newest snapshot per user, its missing fields from the newest that has them."""
    order = [_sort_values(table.column("observed_at"), nulls_first=True), _seq(table, desc=False)]
    perm, starts = _groups(table, ("user_id",), order)
    table = table.take(pa.array(perm))
    ends = np.append(starts[1:], len(perm)) - 1
    index = np.arange(len(perm), dtype=np.int64)
    columns = []
    for f in schema:
        col = table.column(f.name).combine_chunks()
        if f.name == "user_id" or not col.null_count:
            columns.append(col.take(pa.array(ends)))
            continue
        # the last row of each group where the field is set (-1: never set)
        where = np.where(col.is_valid().to_numpy(zero_copy_only=False), index, -1)
        last = np.maximum.reduceat(where, starts)
        columns.append(col.take(pa.array(last, mask=last < 0)))
    return pa.Table.from_arrays(columns, schema=schema)


def _span(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``follows``: one row per link, first seen at the earliest and last at the latest snapshot."""
    perm, starts = _groups(table, ("follower_id", "followed_id"), [])
    table = table.take(pa.array(perm))
    out = [table.column("follower_id").take(pa.array(starts)),
           table.column("followed_id").take(pa.array(starts))]  # fmt: skip
    for column, reduce, empty in (
        ("first_seen_at", np.minimum, _BIG),
        ("observed_at", np.maximum, -_BIG),
    ):
        col = table.column(column).combine_chunks()
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        values = np.where(valid, col.cast(pa.int64()).fill_null(0).to_numpy(), empty)
        got = reduce.reduceat(values, starts)
        out.append(_take_valid(got, got != empty).cast(schema.field(column).type))
    return pa.Table.from_arrays(out, schema=schema)


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
    """Row numbers of an existing part whose key the new rows carry."""
    key = list(CONTRACT[name].key)
    by = BUCKET_BY[SOURCE[name]]
    fields = [CONTRACT[name].schema.field(k) for k in key]
    old = _join_keys(pq.read_table(part, columns=key).cast(pa.schema(fields)), key)
    old = old.append_column("_row", pa.array(np.arange(old.num_rows, dtype=np.int64)))
    which = np.zeros(old.num_rows, dtype=np.int64)
    if spill.buckets > 1 and by is not None:
        which = bucket_of(old.column(by).to_numpy(), spill.buckets)
    hits = [np.empty(0, dtype=np.int64)]
    for bucket in np.unique(which):
        new = spill.read(SOURCE[name], int(bucket), key)
        if new is None:
            continue
        new = _join_keys(new, key).group_by(key).aggregate([])
        mine = old.filter(pa.array(which == bucket)) if spill.buckets > 1 else old
        found = mine.join(new, keys=key, join_type="left semi")
        hits.append(found.column("_row").to_numpy())
    return np.sort(np.concatenate(hits))


def merge_table(name: str, old_parts: list[Path], spill: Spill, out: Path) -> int:
    """Write table ``name`` into the folder ``out``: existing parts merged with the new rows.

    Existing parts none of whose keys the new rows carry are hard-linked
    unchanged; the others are rewritten without those keys, whose rows join the
    new rows' de-duplication. The new rows make one new part. Returns the
    table's row count.
    """
    out.mkdir(parents=True, exist_ok=True)
    schema = CONTRACT[name].schema
    has_new = spill.has(SOURCE[name])
    for i, part in enumerate(old_parts):
        # a dataset from before parts has one file per table: it becomes part 0
        target = out / (part.name if part.name.startswith("part-") else store.part_name(i))
        moved = _overlap(name, part, spill) if has_new else np.empty(0, dtype=np.int64)
        if not len(moved):
            store.link_or_copy(part, target)
            continue
        table = pq.read_table(part).cast(schema)
        spill.write_moved(name, table.take(pa.array(moved)))
        keep = np.ones(table.num_rows, dtype=bool)
        keep[moved] = False
        if keep.any():
            store.write_part(target, name, table.filter(pa.array(keep)))
    spill.finish(f"old-{name}")
    if has_new:
        with_seq = pa.schema([*schema, pa.field(SEQ, pa.int64())])
        path = out / store.part_name(store.next_part_number(old_parts))
        with pq.ParquetWriter(
            path, schema, compression=store.COMPRESSION, write_statistics=False
        ) as writer:
            for bucket in range(spill.buckets):
                pieces = [
                    t.select(with_seq.names).cast(with_seq)
                    for t in (spill.read(SOURCE[name], bucket), spill.read(f"old-{name}", bucket))
                    if t is not None
                ]
                if pieces:
                    table = dedup(name, pa.concat_tables(pieces))
                    check_table(name, table)
                    writer.write_table(table)
    _limit_parts(name, out)
    return store.num_rows(out.parent, name)


def _limit_parts(name: str, out: Path) -> None:
    """Merge a table's small parts into one when it has more than :data:`store.MAX_PARTS`."""
    parts = store.part_files(out.parent, name)
    if len(parts) <= store.MAX_PARTS:
        return
    sizes = [p.stat().st_size for p in parts]
    small = [p for p, s in zip(parts, sizes, strict=True) if s < max(sizes)] or parts[1:]
    merged = pa.concat_tables([pq.read_table(p).cast(CONTRACT[name].schema) for p in small])
    store.write_part(
        out / store.part_name(store.next_part_number(parts)),
        name,
        store.sort_by_key(name, merged),
    )
    for p in small:
        p.unlink()
