"""Rows of the contract's tables as ingest makes them, and the spill files they go to.

The page-at-a-time path (:func:`analysis.ingest.pages.add_page`) fills :class:`Rows`
column by column and spills them to a :class:`Spill` every :data:`FLUSH_ROWS` rows;
the Arrow path (:mod:`analysis.ingest.arrow`) writes its tables to the same spill.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis import merge
from analysis.contract import CONTRACT
from analysis.platforms import KeyRegistry

#: Rows the page-at-a-time path holds before spilling them to disk.
FLUSH_ROWS = 20_000
#: Spilled (username, user_id) rows kept for edge lists before they are compacted.
USERNAMES_COMPACT = 1_000_000
NAMES = pa.schema([("username", pa.string()), ("user_id", pa.int64())])
#: Tables whose rows ingest spills (``user_snapshots`` is made from the ``users`` rows).
SPILLED = ("tweets", "users", "follows", "hashtags", "mentions", "urls", "missing")


def parse_time(value: str) -> datetime:
    """Return an ISO 8601 time as a UTC datetime (a time without an offset is taken as UTC).

    Raises :class:`ValueError` if ``value`` is not ISO 8601.

    Parameters
    ----------
    value : str
        An ISO 8601 date and time, e.g. ``"2024-04-30T08:00:00.000Z"``.

    Returns
    -------
    datetime.datetime
        The time, timezone-aware in UTC.

    Raises
    ------
    ValueError
        If ``value`` is not ISO 8601.

    Examples
    --------
    >>> parse_time("2024-04-30T08:00:00.000Z")
    datetime.datetime(2024, 4, 30, 8, 0, tzinfo=datetime.timezone.utc)
    """
    when = datetime.fromisoformat(value)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def timestamps(values: pa.Array | list) -> pa.Array:
    """ISO 8601 strings -> UTC timestamps (empty strings -> null).

    Arrow's parser first; the forms it does not take (offsets other than Z...)
    through :func:`parse_time`, which raises :class:`ValueError` on a non-time.

    Parameters
    ----------
    values : pyarrow.Array or list
        ISO 8601 strings (empty strings or None for unknown times).

    Returns
    -------
    pyarrow.Array
        ``timestamp[us, tz=UTC]`` values, null where the string was empty or null.

    Raises
    ------
    ValueError
        If a non-empty value is not an ISO 8601 time.
    """
    try:
        arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
        return pc.cast(arr, pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        if isinstance(values, pa.Array):
            values = values.to_pylist()
        parsed = [parse_time(v) if v else None for v in values]
        return pa.array(parsed, type=pa.timestamp("us", tz="UTC"))


class Spill(merge.Spill):
    """The merge's spill, noting (username, user_id) of users for edge lists naming accounts."""

    def __init__(self, folder: Path, buckets: int = 1, usernames: bool = True) -> None:
        super().__init__(folder, buckets)
        #: (username, user_id) of every user row spilled: earlier segments, then this one's
        self.usernames: list[pa.Table] = []
        self.segment_usernames: list[pa.Table] = []
        #: whether to note them (only edge lists naming accounts need them)
        self.track_usernames = usernames

    def write(self, name: str, table: pa.Table, rank: np.ndarray | None = None) -> None:
        """Spill ``table`` rows of ``name``, noting the users' (username, user_id).

        Parameters
        ----------
        name : str
            The spilled table the rows belong to (a key of :data:`analysis.merge.BUCKET_BY`).
        table : pyarrow.Table
            The rows, in the table's contract schema.
        rank : numpy.ndarray or None, optional
            The arrival order of each row; None (default) means the rows are in arrival order.
        """
        if name == "users" and table.num_rows and self.track_usernames:
            names = table.select(["username", "user_id"]).cast(NAMES)
            self.segment_usernames.append(names.filter(pc.is_valid(names.column("username"))))
            self.segment_usernames = _compact_usernames(self.segment_usernames)
        super().write(name, table, rank)

    def begin(self) -> None:
        """Start a new segment; the usernames noted so far join the earlier segments'."""
        super().begin()
        self.usernames = _compact_usernames([*self.usernames, *self.segment_usernames])
        self.segment_usernames = []

    def rollback(self) -> None:
        """Drop the current segment, with the usernames it noted."""
        super().rollback()
        self.segment_usernames = []

    def all_usernames(self) -> list[pa.Table]:
        """Return the (username, user_id) tables noted, earlier segments first."""
        return [*self.usernames, *self.segment_usernames]


def _compact_usernames(tables: list[pa.Table]) -> list[pa.Table]:
    """One row per account once there are many, so the index grows with accounts, not tweets."""
    if sum(t.num_rows for t in tables) <= USERNAMES_COMPACT:
        return tables
    last = pa.concat_tables(tables).group_by("username", use_threads=False)
    last = last.aggregate([("user_id", "last")])
    return [pa.table([last["username"], last["user_id_last"]], schema=NAMES)]


class Rows:
    """Column lists for every table, filled page by page (see :func:`add_page`).

    With a ``sink`` (a :class:`Spill`), the rows are spilled to disk every
    :data:`FLUSH_ROWS` rows, between pages, so memory stays bounded.
    """

    def __init__(self, sink: Spill | None = None) -> None:
        self.cols: dict[str, dict[str, list]] = {
            name: {c: [] for c in CONTRACT[name].names} for name in SPILLED
        }
        self.synthetic = False
        self.sink = sink
        #: native ids of Bluesky and Mastodon keys read in this ingest (collisions are errors)
        self.keys = KeyRegistry()

    def add(self, table: str, **values: object) -> None:
        """Append one row to ``table`` (a missing column gets a null).

        Parameters
        ----------
        table : str
            A spilled table name (one of :data:`SPILLED`).
        **values : object
            The row's values by column name; unknown names are ignored.
        """
        cols = self.cols[table]
        for name, column in cols.items():
            column.append(values.get(name))

    def __len__(self) -> int:
        """Return the rows held, over every table."""
        return sum(len(next(iter(c.values()))) for c in self.cols.values())

    def mark(self) -> dict[str, int]:
        """Return the current length of each table (to roll back a page that fails half-way)."""
        return {t: len(next(iter(c.values()))) for t, c in self.cols.items()}

    def rollback(self, mark: dict[str, int]) -> None:
        """Drop the rows added since ``mark`` (:meth:`mark`).

        Parameters
        ----------
        mark : dict of str to int
            The table lengths :meth:`mark` returned before the page was added.
        """
        for table, n in mark.items():
            for column in self.cols[table].values():
                del column[n:]

    def to_arrow(self, table: str) -> pa.Table:
        """Return the rows held of ``table`` as an Arrow table with the contract's schema.

        Parameters
        ----------
        table : str
            A spilled table name (one of :data:`SPILLED`).

        Returns
        -------
        pyarrow.Table
            The rows held, times parsed to UTC timestamps.

        Raises
        ------
        ValueError
            If a time column holds a value that is not ISO 8601.
        """
        cols = self.cols[table]
        schema = CONTRACT[table].schema
        arrays = []
        for f in schema:
            values = cols[f.name]
            if pa.types.is_timestamp(f.type):
                arrays.append(timestamps(values))
            else:
                arrays.append(pa.array(values, type=f.type))
        return pa.Table.from_arrays(arrays, schema=schema)

    def flush(self) -> None:
        """Spill every held row to the sink (no-op without a sink)."""
        if self.sink is None or not len(self):
            return
        for name in SPILLED:
            self.sink.write(name, self.to_arrow(name))
        for cols in self.cols.values():
            for column in cols.values():
                column.clear()

    def maybe_flush(self) -> None:
        """Flush the rows to the spill once they reach :data:`FLUSH_ROWS` (with a spill only)."""
        if self.sink is not None and len(self) >= FLUSH_ROWS:
            self.flush()
