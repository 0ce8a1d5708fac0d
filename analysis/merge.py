"""Rows read by ingest -> de-duplicated table rows: which observation of a record wins.

Ingest spills the rows it reads to disk in hash buckets (:class:`Spill`), so
that a bucket of any input fits in memory. :func:`merge_table` then commits
each table of the dataset: the new rows of each bucket, with the existing rows
whose key they carry (read with Delta's file statistics skipping the rest),
are de-duplicated by the table's key (:func:`dedup`), and the winners are
committed to the table's Delta table in one commit (append, MERGE or overwrite:
see :class:`analysis.store.DatasetWriter`). What is ours here is only the rules.

Which observation wins, per table (ties go to the row read last):

* ``tweets``: a row with public metrics over one without, then the newest
  ``observed_at``; ``collected`` is true if any observation came from a
  collection's ``data``; ``edit_ids`` is the longest list of earlier versions
  seen (a post's edit history only grows);
* edited posts: a tweet whose id is among the ``edit_ids`` of another (an
  earlier version of an edited post) is no row of ``tweets``, ``hashtags``,
  ``mentions`` or ``urls``, whether it was read in the same run as its later
  version or in an earlier or later one (:func:`earlier_versions`). An earlier
  version whose later versions were never read stays, as the only version seen;
* ``users``: the newest snapshot, each field it lacks filled from the newest
  older snapshot that has it;
* ``user_snapshots``: one row per user and observation time;
* ``follows``: one row per link, seen first at the earliest and last at the
  latest snapshot;
* ``hashtags``, ``mentions``, ``urls``: one row per tweet and position / username / position;
* ``missing``: the newest report per resource and error.

The module is long because the spill, the vectorised de-duplication (Arrow and numpy,
no per-row Python) and the commit of each table's winners are one pipeline over the
same bucket layout; splitting it would spread one rule set over several files.
"""

from __future__ import annotations

import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    "urls": "tweet_id",
    "users": "user_id",
    "follows": "follower_id",
    "missing": None,
}
#: The spilled rows each table is made from (``user_snapshots`` and ``users`` share theirs).
SOURCE = {name: name for name in BUCKET_BY} | {"user_snapshots": "users"}
SEQ = "_seq"
_BIG = np.int64(1) << np.int64(62)
#: Tables whose rows belong to one tweet: an edited post's earlier versions leave them all.
TWEET_TABLES = ("tweets", "hashtags", "mentions", "urls")


def bucket_count(input_bytes: int) -> int:
    """Buckets for ``input_bytes`` of raw input: a power of two, about :data:`BUCKET_BYTES` each.

    Parameters
    ----------
    input_bytes : int
        Total size in bytes of the raw files to ingest (compressed sizes as on disk).

    Returns
    -------
    int
        The number of spill buckets, a power of two from 1 to 256.

    Examples
    --------
    >>> bucket_count(10_000), bucket_count(2_000_000_000), bucket_count(20_000_000_000)
    (1, 1, 8)
    """
    need = max(1, -(-input_bytes // BUCKET_BYTES))
    return min(1 << (need - 1).bit_length(), 256)


def bucket_of(ids: np.ndarray, buckets: int) -> np.ndarray:
    """Bucket of each id (Fibonacci hashing: consecutive or patterned ids spread evenly).

    Parameters
    ----------
    ids : numpy.ndarray
        Integer ids (tweet, user or follower ids) of the rows to place.
    buckets : int
        The number of buckets, a power of two (see :func:`bucket_count`).

    Returns
    -------
    numpy.ndarray
        The bucket of each id, int64 values from 0 to ``buckets - 1``.
    """
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
        #: (earlier versions, those new rows name) once :func:`earlier_versions` has read them
        self.versions: tuple[pa.Array, pa.Array] | None = None
        self.versions_lock = threading.Lock()

    def path(self, name: str, bucket: int, segment: int | None = None) -> Path:
        """Return the spill file of table ``name``, ``bucket`` and ``segment`` (current by default).

        Parameters
        ----------
        name : str
            A spilled table (``tweets``, ``users``...) or ``old-<table>`` for moved rows.
        bucket : int
            The bucket number, from 0 to ``buckets - 1``.
        segment : int or None, optional
            The segment (one raw file) number; None (default) is the current one.

        Returns
        -------
        pathlib.Path
            ``<folder>/<name>-<bucket>-<segment>.arrow`` (it may not exist yet).
        """
        segment = self.segment if segment is None else segment
        return self.folder / f"{name}-{bucket:03d}-{segment:05d}.arrow"

    def files(self, name: str, bucket: int) -> list[Path]:
        """Return the spill files of ``name`` in ``bucket``, in the order they were written.

        Parameters
        ----------
        name : str
            A spilled table, or ``old-<table>`` for moved rows.
        bucket : int
            The bucket number.

        Returns
        -------
        list of pathlib.Path
            The Arrow IPC files present, segment by segment.
        """
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
        """Append rows; ``rank`` (a permutation) orders them if not in arrival order.

        Parameters
        ----------
        name : str
            The spilled table the rows belong to (a key of :data:`BUCKET_BY`).
        table : pyarrow.Table
            The rows, in the table's contract schema.
        rank : numpy.ndarray or None, optional
            The arrival order of each row (a permutation of ``0..n-1``); None (default)
            means the rows are in arrival order.
        """
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
        """Set aside rows of the existing table ``name`` that new rows update (they lose ties).

        Parameters
        ----------
        name : str
            The contract table the rows come from.
        table : pyarrow.Table
            Existing rows of that table whose key new rows carry; they get ``_seq`` -1.
        """
        if table.num_rows:
            seq = pa.array(np.full(table.num_rows, -1, dtype=np.int64))
            self._append(f"old-{name}", table.append_column(SEQ, seq), BUCKET_BY[SOURCE[name]])

    def _append(self, name: str, table: pa.Table, by: str | None) -> None:
        if self.buckets == 1 or by is None:
            pieces = [(0, table)]
        else:
            # one gather in bucket order, then slices: a filter per bucket costs as many passes
            which = bucket_of(table.column(by).to_numpy(), self.buckets).astype(np.int16)
            order = np.argsort(which, kind="stable")  # a radix sort, for 16-bit values
            ends = np.searchsorted(which[order], np.arange(self.buckets + 1))
            table = table.take(pa.array(order))
            pieces = [
                (b, table.slice(ends[b], ends[b + 1] - ends[b]))
                for b in range(self.buckets)
                if ends[b + 1] > ends[b]
            ]
        for bucket, piece in pieces:
            with self.lock:
                pair = self.writers.get((name, int(bucket)))
                if pair is None:
                    sink = pa.OSFile(str(self.path(name, int(bucket))), "wb")
                    pair = (pa.ipc.new_file(sink, piece.schema), sink)
                    self.writers[(name, int(bucket))] = pair
            pair[0].write_table(piece)

    def has(self, name: str) -> bool:
        """Return whether table ``name`` has spill files in any bucket.

        Parameters
        ----------
        name : str
            A spilled table, or ``old-<table>`` for moved rows.

        Returns
        -------
        bool
            True if at least one spill file of ``name`` exists.
        """
        return any(self.files(name, b) for b in range(self.buckets))

    def finish(self, name: str | None = None) -> None:
        """Close the files of ``name`` (all tables if None) so that they can be read.

        Every file is closed even when a pending write failed; the failure is raised after.

        Parameters
        ----------
        name : str or None, optional
            A spilled table whose open files to close; None (default) first waits for
            every pending write, then closes all files.
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

    def winners(self, name: str, gone: pa.Array | None = None) -> Iterator[pa.RecordBatch]:
        """Yield the winning rows of table ``name``, bucket by bucket (see :func:`bucket_winners`).

        Parameters
        ----------
        name : str
            A contract table name.
        gone : pyarrow.Array or None, optional
            Tweet ids to leave out (earlier versions of edited posts); None (default) leaves none out.

        Yields
        ------
        pyarrow.RecordBatch
            Winning rows in the table's contract schema.
        """
        for bucket in range(self.buckets):
            sources = self.sources(name, bucket)
            if sources:
                for piece in bucket_winners(name, sources, gone):
                    yield from piece.to_batches()

    def sources(self, name: str, bucket: int) -> list[Path]:
        """Return the spill files table ``name`` is made from in ``bucket``: new rows, then moved ones.

        Parameters
        ----------
        name : str
            A contract table name.
        bucket : int
            The bucket number.

        Returns
        -------
        list of pathlib.Path
            The spill files of its source table in that bucket, then those of its moved rows.
        """
        return [*self.files(SOURCE[name], bucket), *self.files(f"old-{name}", bucket)]


def _columns(sources: list[Path], columns: list[str]) -> pa.Table:
    """Return some columns of spill files, one after the other (memory-mapped: only they are read)."""
    tables = []
    for path in sources:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all().select(columns)
            # copy out of the mapping: the file's other columns are never paged in
            tables.append(
                pa.Table.from_arrays([c.combine_chunks() for c in table.columns], names=columns)
            )
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


def _sort_values(
    col: pa.ChunkedArray | pa.Array, *, desc: bool = False, nulls_first: bool = False
) -> np.ndarray:
    """Return a column as int64 values whose ascending order is the wanted one, nulls placed.

    Strings become dictionary codes: equal strings group together, in no
    particular order (keys only need grouping).
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    # (fill_null copies the column even when there is no null to fill)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        codes = col.dictionary_encode().indices
        values = (codes.fill_null(-1) if codes.null_count else codes).to_numpy().astype(np.int64)
    elif pa.types.is_timestamp(t) or pa.types.is_integer(t) or pa.types.is_boolean(t):
        numbers = col.cast(pa.int64())
        values = (numbers.fill_null(0) if numbers.null_count else numbers).to_numpy()
    else:
        raise TypeError(f"cannot sort on {t}")
    if desc:
        values = -values
    if col.null_count:
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        values = np.where(valid, values, -_BIG if nulls_first else _BIG)
    return values


def _groups(
    table: pa.Table, key: tuple[str, ...], order: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
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
        edits = keys.column("edit_ids")
        if edits.null_count < len(edits):
            computed["edit_ids"] = _longest(edits, perm, starts).take(pa.array(np.flatnonzero(won)))
    return np.flatnonzero(won), computed


def _longest(lists: pa.ChunkedArray, perm: np.ndarray, starts: np.ndarray) -> pa.Array:
    """Per row, the longest list of its key's group (the group's first row among equals).

    Rows other than each group's first get their own value (they are not taken).
    """
    lists = lists.combine_chunks()
    length = pc.list_value_length(lists).fill_null(-1).to_numpy()[perm]
    group_max = np.maximum.reduceat(length, starts)
    sizes = np.diff(np.append(starts, len(perm)))
    position = np.arange(len(perm))
    best = np.where(length == np.repeat(group_max, sizes), position, len(perm))
    first = np.minimum.reduceat(best, starts)
    source = np.arange(len(perm))
    source[perm[starts]] = perm[first]
    return lists.take(pa.array(source))


def _all_distinct(table: pa.Table, key: tuple[str, ...]) -> bool:
    """Whether no two rows share a key (hashed: a collision only sends rows to the full sort)."""
    hashed = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in key:  # in place, and the int64 values seen as uint64 (the same bits): no copies
            values = _sort_values(table.column(k), nulls_first=True).view(np.uint64)
            np.bitwise_xor(hashed, values, out=hashed)
            np.multiply(hashed, np.uint64(0x9E3779B97F4A7C15), out=hashed)
    hashed.sort()
    return not (hashed[1:] == hashed[:-1]).any()


def _order_columns(name: str) -> list[str]:
    spec = CONTRACT[name]
    extra = {"tweets": ["retweet_count", "collected", "edit_ids"]}.get(name, [])
    cols = [*spec.key, *extra, *(["observed_at"] if "observed_at" in spec.names else [])]
    return list(dict.fromkeys([*cols, SEQ]))


def _winner_rows(name: str, sources: list[Path]) -> Iterator[pa.Table]:
    """Yield the winning rows of the spill files, batch by batch, in file order."""
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
            yield rows.cast(schema)
        done, offset = end, offset + batch.num_rows


def _latest_filled(sources: list[Path]) -> Iterator[pa.Table]:
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
    yield pa.Table.from_arrays([columns[n] for n in names], schema=schema)


def _gather(sources: list[Path], where: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """Per column, its values at row numbers ``where[column]`` (-1: null), in one pass."""
    plans: dict[str, tuple[np.ndarray, np.ndarray, int, list[pa.Array]]] = {}
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


def _link_groups(table: pa.Table) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_groups` of ``follows`` rows by link, in one sort of a 64-bit hash of the pair.

    About 4 times faster than sorting on both ids; rows come out grouped, not in key
    order. Two links whose hashes collide send the rows to :func:`_groups`. None if
    no two rows share a link (distinct hashes: told by a sort of the hashes alone, twice
    as fast as the permutation that would group the rows).
    """
    a = table.column("follower_id").to_numpy()
    b = table.column("followed_id").to_numpy()
    with np.errstate(over="ignore"):
        hashed = a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        hashed ^= b.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        hashed *= np.uint64(0x9E3779B97F4A7C15)
    ordered = np.sort(hashed)
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    del ordered
    perm = np.argsort(hashed, kind="stable")
    hashed = hashed[perm]
    same = hashed[1:] == hashed[:-1]
    del hashed
    if same.any():  # the same link, or a collision
        a, b = a[perm], b[perm]
        if not ((a[1:] == a[:-1]) & (b[1:] == b[:-1]))[same].all():
            return _groups(table, ("follower_id", "followed_id"), [])
    return perm, np.flatnonzero(np.concatenate([[True], ~same])) if len(perm) else perm


def _span(sources: list[Path]) -> Iterator[pa.Table]:
    """``follows``: one row per link, first seen at the earliest and last at the latest snapshot."""
    schema = CONTRACT["follows"].schema
    table = _columns(sources, schema.names)
    groups = _link_groups(table)
    if groups is None:  # every link once (e.g. a new edge list)
        yield table.cast(schema)
        return
    perm, starts = groups
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
    yield pa.Table.from_arrays(out, schema=schema)


def dedup(name: str, table: pa.Table) -> pa.Table:
    """One row per key of table ``name`` from rows with a ``_seq`` column, sorted by key.

    The rules of the module docstring, on rows held in memory (ingest streams
    them from its spill files instead).

    Parameters
    ----------
    name : str
        A contract table name, whose key and rules apply.
    table : pyarrow.Table
        Rows in the table's contract schema plus an int64 ``_seq`` column (arrival
        order: on ties, the highest wins).

    Returns
    -------
    pyarrow.Table
        One row per key, in the contract schema, sorted by key.

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
        source = Path(tmp) / "rows.arrow"
        with pa.OSFile(str(source), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        pieces = list(_dedup(name, [source]))
    rows = pa.concat_tables(pieces) if pieces else CONTRACT[name].schema.empty_table()
    return store.sort_by_key(name, rows)


def _dedup(name: str, sources: list[Path]) -> Iterator[pa.Table]:
    """Yield the rows of the spill files ``sources`` de-duplicated by key, each batch checked."""
    if name == "users":
        pieces = _latest_filled(sources)
    elif name == "follows":
        pieces = _span(sources)
    else:
        pieces = _winner_rows(name, sources)
    for piece in pieces:
        check_table(name, piece)
        yield piece


def bucket_winners(
    name: str, sources: list[Path], gone: pa.Array | None = None
) -> Iterator[pa.Table]:
    """Yield the winners of one bucket's spill files, earlier versions of edited posts left out.

    Parameters
    ----------
    name : str
        A contract table name.
    sources : list of pathlib.Path
        The bucket's spill files (:meth:`Spill.sources`).
    gone : pyarrow.Array or None, optional
        Ids of tweets that are earlier versions of edited posts (:func:`earlier_versions`),
        left out; None (default) leaves none out.

    Yields
    ------
    pyarrow.Table
        Winning rows, one batch after the other.
    """
    for piece in _dedup(name, sources):
        if gone is not None and len(gone):
            piece = piece.filter(pc.invert(pc.is_in(piece["tweet_id"], gone)))
        yield piece


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


def _numbered_keys(table: pa.Table, key: list[str], label: str) -> pa.Table:
    """Return the key columns of ``table`` ready to join (see :func:`_join_keys`), with row numbers."""
    numbers = pa.array(np.arange(table.num_rows), pa.int64())
    return _join_keys(table.select(key), key).append_column(label, numbers)


def _key_filter(name: str, new: pa.Table) -> pc.Expression | None:
    """Return a filter that keeps the existing rows whose key may be among ``new``'s keys.

    Each numeric key column without nulls among the new rows contributes its range
    (which lets Delta's file statistics skip files: new tweets, new observation
    times) and its set of values.
    """
    spec = CONTRACT[name]
    expr = None
    for k in spec.key:
        col = new.column(k)
        if pa.types.is_string(col.type) or col.null_count or not len(col):
            continue
        values = pc.unique(col)
        span = pc.min_max(values)
        field = pc.field(k)
        part = (field >= span["min"]) & (field <= span["max"]) & field.isin(values)
        expr = part if expr is None else expr & part
    return expr


def existing_rows(name: str, read: Callable[..., pa.Table], new: pa.Table) -> pa.Table:
    """Return the rows of a table (``read(filter=...)``) whose key is among the keys of ``new``.

    Files whose statistics exclude every new key are not read, so the cost
    follows the new rows and the files that may hold them, not the table.

    Parameters
    ----------
    name : str
        A contract table name.
    read : Callable
        Reads the table's current rows; called once as ``read(filter=expression)``
        with a pyarrow filter (or None) and returns a :class:`pyarrow.Table`.
    new : pyarrow.Table
        Rows holding at least the table's key columns.

    Returns
    -------
    pyarrow.Table
        The existing rows whose key is among ``new``'s, in the order ``read`` gave them.
    """
    key = list(CONTRACT[name].key)
    old = read(filter=_key_filter(name, new))
    if not old.num_rows or not new.num_rows:
        return old.slice(0, 0)
    found = _numbered_keys(old, key, "_row").join(
        _join_keys(new.select(key), key).group_by(key).aggregate([]),
        keys=key,
        join_type="left semi",
    )
    rows = found.column("_row")
    return old.take(rows.take(pc.sort_indices(rows)))


def merge_table(
    name: str, writer: store.DatasetWriter, spill: Spill, *, replace: bool = False
) -> None:
    """Commit table ``name``: the new rows, de-duplicated with the rows they update.

    The existing rows whose key new rows carry are read (files skipped by
    their statistics) and join the new rows in the de-duplication, where they
    lose ties. The winners are then committed to the Delta table in one commit:
    an append when no key was there already, a MERGE (upsert) otherwise, an
    overwrite for a new table or with ``replace``. ``writer`` is an
    :class:`analysis.store.DatasetWriter`.

    Parameters
    ----------
    name : str
        A contract table name.
    writer : analysis.store.DatasetWriter
        The open writer of the dataset, which makes the commit.
    spill : Spill
        The spilled rows of this run (closed for writing new rows).
    replace : bool, optional
        Overwrite the table with the new rows only, ignoring its existing rows;
        default False.
    """
    schema = CONTRACT[name].schema
    gone = None
    if name in TWEET_TABLES:
        gone, named = earlier_versions(writer, spill, replace)
        if not replace and len(named):
            _delete_tweets(writer, name, named)
    existing = None if replace else writer.table(name)
    if not spill.has(SOURCE[name]):
        if existing is None:  # every dataset version has every table, if empty
            writer.overwrite(name, schema.empty_table())
        return
    updates = 0
    if existing is not None:
        paths = [p for b in range(spill.buckets) for p in spill.files(SOURCE[name], b)]
        new = _columns(paths, list(CONTRACT[name].key))
        old = existing_rows(name, lambda filter: writer.read(name, filter=filter), new)
        updates = old.num_rows
        if updates:
            spill.write_moved(name, old)
    spill.finish(f"old-{name}")

    def pieces() -> Iterator[pa.RecordBatch]:
        return spill.winners(name, gone)

    if existing is None:
        writer.overwrite(name, pa.RecordBatchReader.from_batches(schema, pieces()))
    elif not updates:
        writer.append(name, pa.RecordBatchReader.from_batches(schema, pieces()))
    else:
        winners = pa.Table.from_batches(list(pieces()), schema=schema)
        # rows observed again without a change (a re-ingested file, a tweet's hashtags)
        # need no write: only changed rows go through the MERGE, which rewrites their files
        same = unchanged_rows(name, winners, old)
        rest = winners.filter(pa.array(~same))
        if not rest.num_rows:
            return
        if int(same.sum()) == updates:  # every existing key unchanged: only new keys are left
            writer.append(name, rest)
        else:
            writer.upsert(name, rest)


def _same_lists(a: pa.ListArray, b: pa.ListArray) -> np.ndarray:
    """Which rows of two list arrays hold equal lists (two nulls equal, null and [] differ)."""
    valid_a = a.is_valid().to_numpy(zero_copy_only=False)
    valid_b = b.is_valid().to_numpy(zero_copy_only=False)
    len_a = pc.list_value_length(a).fill_null(0).to_numpy()
    len_b = pc.list_value_length(b).fill_null(0).to_numpy()
    same = (valid_a == valid_b) & (len_a == len_b)
    # rows of equal length: compare their items, one after the other
    keep = pa.array(same)
    items_a, items_b = pc.list_flatten(a.filter(keep)), pc.list_flatten(b.filter(keep))
    if len(items_a):
        differ = pc.invert(pc.fill_null(pc.equal(items_a, items_b), False)).to_numpy(
            zero_copy_only=False
        )
        owner = pc.list_parent_indices(a.filter(keep)).to_numpy()
        bad = np.bincount(owner[differ], minlength=int(same.sum())) > 0
        same[np.flatnonzero(same)[bad]] = False
    return same


def earlier_versions(
    writer: store.DatasetWriter, spill: Spill, replace: bool = False
) -> tuple[pa.Array, pa.Array]:
    """(ids of tweets that are earlier versions of edited posts, those the new rows name).

    Earlier versions are the ``edit_ids`` of the new ``tweets`` rows and of the
    existing table (unless ``replace``); the table's column is read once per run,
    by the first table merged that needs it.

    Parameters
    ----------
    writer : analysis.store.DatasetWriter
        The open writer of the dataset (its ``tweets`` table is read).
    spill : Spill
        The spilled rows of this run; the result is cached on it.
    replace : bool, optional
        Ignore the existing ``tweets`` table (the tables are being replaced); default False.

    Returns
    -------
    tuple of (pyarrow.Array, pyarrow.Array)
        Distinct int64 tweet ids of all earlier versions, and the ids named by this run's new rows.
    """
    with spill.versions_lock:
        if spill.versions is None:
            paths = [p for b in range(spill.buckets) for p in spill.files("tweets", b)]
            new = _flat_ids(_columns(paths, ["edit_ids"]).column("edit_ids")) if paths else None
            new = new if new is not None else pa.array([], pa.int64())
            old = pa.array([], pa.int64())
            if not replace and writer.table("tweets") is not None:
                old = _flat_ids(writer.read("tweets", ["edit_ids"]).column("edit_ids"))
            spill.versions = (pc.unique(pa.concat_arrays([new, old])), new)
        return spill.versions


def _flat_ids(lists: pa.ChunkedArray) -> pa.Array:
    """Return the distinct ids of a list<int64> column."""
    flat = pc.list_flatten(lists.combine_chunks()) if len(lists) else pa.array([], pa.int64())
    return pc.unique(flat.drop_null()).cast(pa.int64())


def _delete_tweets(writer: store.DatasetWriter, name: str, ids: pa.Array) -> None:
    """Delete from table ``name`` the rows of the tweets ``ids`` it holds (files skipped by stats)."""
    if writer.table(name) is None:
        return
    span = pc.min_max(ids)
    field = pc.field("tweet_id")
    found = writer.read(
        name,
        ["tweet_id"],
        filter=(field >= span["min"]) & (field <= span["max"]) & field.isin(ids),
    ).column("tweet_id")
    if len(found):
        present = pc.unique(found).to_pylist()
        writer.delete(name, f"tweet_id IN ({', '.join(str(int(i)) for i in present)})")


def unchanged_rows(name: str, rows: pa.Table, old: pa.Table) -> np.ndarray:
    """Which of ``rows`` equal, column for column (nulls equal), the row of ``old`` with their key.

    Parameters
    ----------
    name : str
        A contract table name, whose key matches rows.
    rows : pyarrow.Table
        The winning rows, in the contract schema.
    old : pyarrow.Table
        The existing rows with those keys, in the contract schema.

    Returns
    -------
    numpy.ndarray
        A boolean per row of ``rows``: True if an existing row has its key and the same values.

    Examples
    --------
    >>> t = pa.table({"follower_id": [1, 2], "followed_id": [3, 3],
    ...               "first_seen_at": pa.array([5, 5], pa.timestamp("us", tz="UTC")),
    ...               "observed_at": pa.array([5, 6], pa.timestamp("us", tz="UTC"))})
    >>> unchanged_rows("follows", t, t.slice(0, 1)).tolist()
    [True, False]
    """
    key = list(CONTRACT[name].key)
    found = np.zeros(rows.num_rows, dtype=bool)
    if not rows.num_rows or not old.num_rows:
        return found
    pairs = _numbered_keys(rows, key, "_new").join(
        _numbered_keys(old, key, "_old"), keys=key, join_type="inner"
    )
    new_at, old_at = pairs.column("_new"), pairs.column("_old")
    same = np.ones(pairs.num_rows, dtype=bool)
    for column in CONTRACT[name].names:
        a = rows.column(column).take(new_at)
        b = old.column(column).take(old_at).cast(a.type)
        if pa.types.is_list(a.type):
            same &= _same_lists(a.combine_chunks(), b.combine_chunks())
            continue
        equal = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        same &= pc.or_(equal, both_null).to_numpy(zero_copy_only=False)
    found[new_at.to_numpy()[same]] = True
    return found
