"""Edge lists (CSV, CSV.gz, Parquet) -> ``follows`` and ``users`` rows, batch by batch with Arrow.

An edge list holds one follow link a row: columns ``follower`` and ``followed``
(or ``follower_id`` and ``followed_id``; header names in any case), whose values
are X ids or usernames of accounts read earlier in the same ingest. It carries
no date: every link is dated ``observed_at`` (``--observed-at DATE``, by default
the file's modification time), as a snapshot of that day.

No Python object is made per link. A CSV is read in blocks of whole lines
(:data:`CSV_BLOCK_BYTES`), each parsed by Arrow's CSV reader straight to int64
ids; a Parquet file batch by batch (:meth:`pyarrow.parquet.ParquetFile.iter_batches`).
A block Arrow cannot read as ids (usernames, spaces, a bad cell...) is read again
as text and checked with Arrow compute (:func:`resolve`): ids by the rules of
:func:`analysis.contract.parse_id`, usernames looked up among the accounts. Only
the rows that fail are looked at one by one, to quarantine each with its line
number, content and reason (the reasons of :func:`analysis.formats.edge_end`); a
block whose rows cannot be matched to its lines (blank lines, a quoted newline,
a row of the wrong width, invalid UTF-8) is read line by line. In a Parquet file
the line of a bad row is its row number (from 1), its content ``follower,followed``.

Each batch's links go to the spill as ``follows`` rows (first and last seen at
``observed_at``), and each follower not seen before in the file as an account
stub (``users``: the id and ``observed_at``), as the page-at-a-time reading of
earlier versions made them. Duplicates collapse in the merge
(:func:`analysis.merge.merge_table`), bucket by bucket, so memory follows the
batch and the bucket (:func:`merge_weight`), not the file.

The module is long because CSV and Parquet edge lists are read by Arrow in blocks, with the
line-by-line fallback, username resolution and bad-row reports each format needs.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from analysis import formats, merge, rawfile
from analysis.contract import CONTRACT, MAX_ID, InvalidIdError, parse_id
from analysis.errors import UsageError
from analysis.ingest import stream
from analysis.ingest.rows import Rows, parse_time

#: Bytes of a CSV edge list parsed at a time (about 1.5 million links of 20-byte lines).
CSV_BLOCK_BYTES = 32 << 20
#: The formats read here (:func:`analysis.formats.detect_format`).
FORMATS = (formats.EDGE_CSV, formats.EDGE_PARQUET)
#: Rows of a Parquet edge list read at a time.
PARQUET_BATCH_ROWS = 1 << 21
#: Follower ids remembered to write each account stub once a file; past it, the merge
#: de-duplicates the stubs (8 bytes an id, plus Arrow's hash table when looked up).
SEEN_IDS = 1 << 23
#: Links a merge bucket should hold at most: the merge sorts a bucket's links in memory
#: (about 150 bytes a link, with delta-rs's writer), see :func:`merge_weight`.
BUCKET_LINKS = 2_000_000
#: A CSV's first bytes, whose lines tell about how many lines the file has.
SAMPLE_BYTES = 1 << 20
#: Compression a gzip edge list is taken to have, in that estimate (digits: 2.5 to 4).
GZIP_RATIO = 4

_TS = pa.timestamp("us", tz="UTC")
_DIGITS = r"^[0-9]+$"
_HANDLE = r"^@?[A-Za-z0-9_]{1,50}$"
_MAX_ID_TEXT = str(MAX_ID)
#: An id of ``1 + #(10^k <= id)`` digits (see :func:`_padded`).
_POW10 = np.array([10**k for k in range(1, 19)], dtype=np.int64)

#: ``bad(line number, raw line, reason)``: set a line aside (see :func:`analysis.ingest.read.read_file`).
Bad = Callable[[int, bytes, str], None]


# --- files -----------------------------------------------------------------------------------


def edge_columns(names: list[str]) -> tuple[int, int] | None:
    """Positions of the follower and followed columns among ``names``, or None.

    ``follower``/``followed`` (or ``follower_id``/``followed_id``), in any case,
    spaces around them ignored; the plain name first.

    Parameters
    ----------
    names : list of str
        The column names of a CSV header or a Parquet schema.

    Returns
    -------
    tuple of (int, int) or None
        The positions of the follower and followed columns; None if either is missing.

    Examples
    --------
    >>> edge_columns(["Followed_ID", "follower_id", "when"])
    (1, 0)
    >>> edge_columns(["source", "target"]) is None
    True
    """
    header = [str(n).strip().lower() for n in names]
    have = set(header)
    if not ({"follower", "followed"} <= have or {"follower_id", "followed_id"} <= have):
        return None
    at = [
        header.index(k) if k in have else header.index(f"{k}_id") for k in ("follower", "followed")
    ]
    return at[0], at[1]


def is_parquet_edge_list(path: Path) -> bool:
    """Whether ``path`` is a Parquet file with edge-list columns (see :func:`edge_columns`).

    Parameters
    ----------
    path : pathlib.Path
        Any file; only its Parquet schema is read.

    Returns
    -------
    bool
        True if it is readable Parquet with follower and followed columns.
    """
    try:
        return edge_columns(pq.read_schema(path).names) is not None
    except (OSError, pa.ArrowException):
        return False


def parquet_problem(path: Path) -> str | None:
    """For a ``.parquet`` file, why it is not an edge list ingest can read (one line), else None.

    Parameters
    ----------
    path : pathlib.Path
        A raw file; only names ending in ``.parquet`` are checked.

    Returns
    -------
    str or None
        One line naming the file, the problem and the fix; None if the file is not
        ``.parquet`` or is a readable edge list.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "links.parquet"
    >>> pq.write_table(pa.table({"source": [11], "target": [12]}), p)
    >>> parquet_problem(p)  # doctest: +ELLIPSIS
    "...links.parquet: no `follower` and `followed` columns (it has 'source', 'target'); ..."
    """
    if not path.name.lower().endswith(".parquet"):
        return None
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as exc:
        return f"{path}: not a readable Parquet file ({exc}); export it again."
    if edge_columns(names) is not None:
        return None
    shown = ", ".join(repr(n) for n in names[:6]) + (", ..." if len(names) > 6 else "")
    return (
        f"{path}: no `follower` and `followed` columns (it has {shown}); name the columns "
        "`follower` and `followed` (or `follower_id` and `followed_id`)."
    )


def estimated_links(path: Path) -> int:
    """About how many links an edge list holds: Parquet's count, a CSV's from its first lines.

    A CSV's size over the mean length of the lines in its first :data:`SAMPLE_BYTES`
    (a gzip's size taken as :data:`GZIP_RATIO` times larger).

    Parameters
    ----------
    path : pathlib.Path
        An edge list: Parquet, CSV, or gzipped CSV.

    Returns
    -------
    int
        The estimated number of links; 0 if the file cannot be read.
    """
    if path.name.lower().endswith(".parquet"):
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            return 0
    try:
        with rawfile.open_raw(path) as fh:
            sample = fh.read(SAMPLE_BYTES)
    except (OSError, EOFError):
        return 0
    per_line = max(4, len(sample) / max(1, sample.count(b"\n")))  # "1,2\n" at least
    size = path.stat().st_size * (GZIP_RATIO if rawfile.is_gzip(path) else 1)
    return int(size / per_line)


def merge_weight(paths: list[Path]) -> int:
    """Raw bytes that weigh in the merge's bucket count as much as these edge lists' links.

    :func:`analysis.merge.bucket_count` gives a bucket per :data:`analysis.merge.BUCKET_BYTES`
    of raw input; an edge list's links take far more memory in the merge than their
    bytes in pages would, so each link counts for a :data:`BUCKET_LINKS` share of a bucket.

    Parameters
    ----------
    paths : list of pathlib.Path
        The edge lists of the run.

    Returns
    -------
    int
        A number of bytes to add to the raw input's size before :func:`analysis.merge.bucket_count`.
    """
    links = sum(estimated_links(p) for p in paths)
    return links * merge.BUCKET_BYTES // BUCKET_LINKS


def observed_time(value: datetime | str | None) -> datetime | None:
    """``--observed-at``'s value as a UTC time: a date is its midnight UTC (None stays None).

    Raises :class:`analysis.errors.UsageError` for a value that is neither.

    Parameters
    ----------
    value : datetime.datetime or str or None
        ``--observed-at`` as given: a date (``"2024-05-01"``), an ISO 8601 time or a
        datetime (a naive one is taken as UTC); None when not given.

    Returns
    -------
    datetime.datetime or None
        The time in UTC; None if ``value`` is None.

    Raises
    ------
    analysis.errors.UsageError
        If a string is neither a date nor an ISO 8601 time.

    Examples
    --------
    >>> observed_time("2024-05-01")
    datetime.datetime(2024, 5, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> observed_time("2024-05-01T09:30:00+02:00").hour
    7
    """
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return parse_time(value.strip())
    except ValueError:
        raise UsageError(
            f"--observed-at {value!r} is not a date; give the day the links were seen as "
            "YYYY-MM-DD (e.g. 2024-05-01) or an ISO 8601 time."
        ) from None


def file_time(path: Path) -> datetime:
    """Return a file's modification time (UTC, to the second): the default date of its links.

    Parameters
    ----------
    path : pathlib.Path
        The edge list.

    Returns
    -------
    datetime.datetime
        Its modification time in UTC, fractions of a second dropped.
    """
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


# --- reading ---------------------------------------------------------------------------------


def read_edge_list(
    path: Path, fmt: str, rows: Rows, report, bad: Bad, observed_at: datetime, lookup=None
) -> None:
    """Read an edge list into ``rows``' spill; bad lines to ``bad`` (see the module docstring).

    ``report`` (a :class:`analysis.ingest.read.FileReport`) counts the rows read,
    the batches (as pages) and replaced bytes; ``lookup`` resolves a username
    (any case) to an id (:class:`analysis.ingest.read.username_lookup`; its
    ``index()`` is taken whole, as Arrow arrays, when the first username is met).

    Parameters
    ----------
    path : pathlib.Path
        The edge list (CSV, gzipped CSV or Parquet).
    fmt : str
        Its format: :data:`analysis.formats.EDGE_CSV` or :data:`analysis.formats.EDGE_PARQUET`.
    rows : Rows
        The rows of the run; they must have a spill, which the links go to.
    report : FileReport
        The file's report (:class:`analysis.ingest.read.FileReport`).
    bad : Bad
        Sets a line aside: called as ``bad(line_number, raw_line, reason)``.
    observed_at : datetime.datetime
        The time every link is dated (``first_seen_at`` and ``observed_at``).
    lookup : username_lookup or None, optional
        Resolves usernames to ids (:class:`analysis.ingest.read.username_lookup`); None
        (default) leaves every username unresolved (its lines set aside).
    """
    out = _Links(rows, observed_at)
    names = _Usernames(lookup)
    if fmt == formats.EDGE_PARQUET:
        _read_parquet(path, out, names, report, bad)
    else:
        _read_csv(path, out, names, report, bad)


class _Links:
    """Writes links and account stubs to the spill, each follower's stub once (up to SEEN_IDS)."""

    def __init__(self, rows: Rows, observed_at: datetime) -> None:
        rows.flush()  # rows read before belong before these
        self.sink = rows.sink
        self.when = pa.scalar(observed_at, _TS)
        self.seen = pa.array([], pa.int64())

    def add(self, follower: pa.Array, followed: pa.Array) -> None:
        """Spill links, and a stub user row for each follower not seen yet.

        Parameters
        ----------
        follower : pyarrow.Array
            The follower ids (int64, no nulls) of the links.
        followed : pyarrow.Array
            The followed ids (int64, no nulls), one per follower.
        """
        n = len(follower)
        if not n:
            return
        when = pa.repeat(self.when, n)
        sink = self.sink
        assert sink is not None, "edge lists are read with a spill"
        sink.write(
            "follows",
            pa.Table.from_arrays(
                [follower, followed, when, when], schema=CONTRACT["follows"].schema
            ),
        )
        new = pc.unique(follower)
        if len(self.seen):
            new = new.filter(pc.invert(pc.is_in(new, value_set=self.seen)))
        self.seen = (
            new if len(self.seen) + len(new) > SEEN_IDS else pa.concat_arrays([self.seen, new])
        )
        if len(new):
            schema = CONTRACT["users"].schema
            fixed = {
                "user_id": new,
                "observed_at": pa.repeat(self.when, len(new)),
                "platform": pa.repeat(pa.scalar("x"), len(new)),
            }
            cols = [fixed.get(f.name, pa.nulls(len(new), f.type)) for f in schema]
            sink.write("users", pa.Table.from_arrays(cols, schema=schema))


class _Usernames:
    """The accounts' usernames (case-folded) and ids as Arrow arrays, built when first needed."""

    def __init__(self, lookup) -> None:
        self.lookup = lookup
        self.names: pa.Array | None = None
        self.ids: pa.Array | None = None

    def resolve(self, handles: pa.Array) -> pa.Array:
        """Ids of usernames (``@`` allowed before them), null where unknown.

        Parameters
        ----------
        handles : pyarrow.Array
            Usernames as text, ``@`` optional, any case.

        Returns
        -------
        pyarrow.Array
            The int64 id of each, null where no account read has the username.
        """
        if self.names is None:
            index = self.lookup.index() if self.lookup is not None else {}
            self.names = pa.array(list(index), pa.string())
            self.ids = pa.array(list(index.values()), pa.int64())
        bare = pc.ascii_lower(pc.utf8_ltrim(handles, "@"))
        return pc.take(self.ids, pc.index_in(bare, value_set=self.names))


def resolve(cells: pa.Array, names: _Usernames) -> pa.Array:
    """One end of each link as an id (int64), null where the cell is not a valid end.

    ``cells`` are text: spaces around are ignored; ASCII digits are an id from 1
    to 2^63-1 (:func:`analysis.contract.parse_id`'s rules); anything else a
    username (letters, digits, ``_``, an ``@`` before) looked up in ``names``.

    Parameters
    ----------
    cells : pyarrow.Array
        One column of the edge list, as text.
    names : _Usernames
        The accounts read so far, to resolve usernames against.

    Returns
    -------
    pyarrow.Array
        An int64 id per cell; null for a cell that is neither a valid id nor a known username.
    """
    cells = pc.utf8_trim_whitespace(cells)
    digits = pc.fill_null(pc.match_substring_regex(cells, _DIGITS), False)
    length = pc.utf8_length(cells)
    fits = pc.or_(  # up to 19 digits and at most 2^63-1 (19 digits compare as text)
        pc.less(length, 19), pc.and_(pc.equal(length, 19), pc.less_equal(cells, _MAX_ID_TEXT))
    )
    number = pc.and_(digits, fits)
    ids = pc.cast(pc.if_else(number, cells, "0"), pa.int64())
    ids = pc.if_else(pc.and_(number, pc.greater(ids, 0)), ids, pa.scalar(None, pa.int64()))
    handle = pc.and_(
        pc.invert(digits), pc.fill_null(pc.match_substring_regex(cells, _HANDLE), False)
    )
    if pc.any(handle).as_py():
        ids = pc.if_else(handle, names.resolve(cells), ids)
    return ids


def _bad_row(cells: list[str], names: _Usernames) -> str | None:
    """Why a row is not a link (the first bad end's reason), or None if both ends are good."""
    lookup = names.lookup
    for cell in cells:
        end, reason = formats.edge_end(cell, lookup)
        if end is None:
            return reason
    return None


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path, out: _Links, names: _Usernames, report, bad: Bad) -> None:
    lineno = 0  # lines before the block
    try:
        with rawfile.open_raw(path) as fh:
            blocks = stream.read_ahead(stream.chunks(fh, CSV_BLOCK_BYTES), "edge-list-reader")
            header: list[str] | None = None
            for block in blocks:
                if header is None:
                    end = block.find(b"\n") + 1 or len(block)
                    header = next(csv.reader([rawfile.decode(block[:end])[0]]), [])
                    block, lineno = block[end:], 1
                n_lines = block.count(b"\n") + (not block.endswith(b"\n") and bool(block))
                _csv_block(block, lineno, header, out, names, report, bad)
                lineno += n_lines
    except (OSError, EOFError) as exc:  # what was read before the damage is kept
        bad(lineno + 1, b"", f"unreadable from here ({exc}): a truncated or damaged gzip")


def _arrow_csv(block: bytes, header: list[str], at: tuple[int, int], kind) -> pa.Table:
    names = [f"c{i}" for i in range(len(header))]
    wanted = [names[at[0]], names[at[1]]]
    return pcsv.read_csv(
        pa.BufferReader(block),
        read_options=pcsv.ReadOptions(column_names=names, block_size=4 << 20),
        convert_options=pcsv.ConvertOptions(
            include_columns=wanted,
            column_types=dict.fromkeys(wanted, kind),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _csv_block(block: bytes, first: int, header, out: _Links, names, report, bad: Bad) -> None:
    """One block of whole lines (``first``: the line number before it) -> links."""
    at = edge_columns(header)
    assert at is not None, "the header was checked before the first block"
    try:  # the common case: every cell an id, parsed by Arrow straight to int64
        table = _arrow_csv(block, header, at, pa.int64())
        a, b = (table.column(i).combine_chunks() for i in range(2))
        if not len(a):  # blank lines only
            return
        if (
            not (a.null_count or b.null_count)
            and pc.min(a).as_py() > 0
            and pc.min(b).as_py() > 0
            and not _padded(block, a, b, len(header))
        ):
            _counted(report, len(a))
            out.add(a, b)
            return
    except pa.ArrowInvalid:
        pass
    try:  # usernames, spaces, bad cells: the cells as text, checked with Arrow compute
        table = _arrow_csv(block, header, at, pa.string())
    except pa.ArrowInvalid:  # a row of the wrong width, invalid UTF-8...
        _csv_lines(block, first, at, out, names, report, bad)
        return
    cells = [table.column(i).combine_chunks() for i in range(2)]
    a, b = (resolve(c, names) for c in cells)
    ok = pc.and_(pc.is_valid(a), pc.is_valid(b))
    if pc.all(ok).as_py():
        _counted(report, len(a))
        out.add(a, b)
        return
    starts = np.concatenate([[0], np.flatnonzero(np.frombuffer(block, np.uint8) == 10) + 1])
    if starts[-1] < len(block):
        starts = np.append(starts, len(block))
    if len(starts) - 1 != table.num_rows:  # blank lines or quoted newlines: rows are not lines
        _csv_lines(block, first, at, out, names, report, bad)
        return
    _counted(report, table.num_rows)
    out.add(a.filter(ok), b.filter(ok))
    for row in np.flatnonzero(~ok.to_numpy(zero_copy_only=False)).tolist():
        line = block[starts[row] : starts[row + 1]]
        cols = [cells[0][row].as_py(), cells[1][row].as_py()]
        if not any(c.strip() for c in next(csv.reader([line.decode()]), [])):
            report.lines -= 1  # a row of blank cells: skipped, as a blank line
            continue
        bad(first + row + 1, line, _bad_row(cols, names) or "not a link")


def _padded(block: bytes, a: pa.Array, b: pa.Array, columns: int) -> bool:
    r"""Whether a cell of ``block`` may be an id written with zeros before it.

    Arrow's integer parser reads ``000...011`` (20 characters or more) as 11, which
    :func:`analysis.contract.parse_id` refuses. Two columns of ids written without
    padding, commas and newlines take exactly their digits, commas and newlines: then
    no cell is padded. Otherwise (more columns, quotes, ``\r\n``...) a cell
    starting with 0 is looked for.
    """
    rows = len(a)
    if columns == 2:
        digits = 2 * rows + sum(
            int(np.searchsorted(_POW10, x.to_numpy(), "right").sum()) for x in (a, b)
        )
        size = digits + 2 * rows - (not block.endswith(b"\n"))  # a comma and a newline a row
        if len(block) == size or (len(block) == size + rows and block.count(b"\r") == rows):
            return False
    data = np.frombuffer(block, np.uint8)
    before = data[:-1]
    start = (before == ord(",")) | (before == ord("\n")) | (before == ord('"'))
    return bool(data[0] == ord("0")) or bool((start & (data[1:] == ord("0"))).any())


def _csv_lines(block: bytes, first: int, at, out: _Links, names: _Usernames, report, bad) -> None:
    """Read a block line by line (the rare block Arrow cannot take whole): each bad line set aside."""
    lines = block.splitlines(keepends=True)
    text, replaced = rawfile.decode(block)
    report.replace(replaced)
    reader = csv.reader(text.splitlines(keepends=True))
    follower: list[int] = []
    followed: list[int] = []
    start = 0
    for row in reader:
        lineno, line = first + start + 1, b"".join(lines[start : reader.line_num])
        start = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        report.lines += 1
        cells = [row[i] if i < len(row) else "" for i in at]
        reason = _bad_row(cells, names)
        if reason:
            bad(lineno, line, reason)
            continue
        (src, _), (dst, _) = (formats.edge_end(c, names.lookup) for c in cells)
        assert src is not None and dst is not None, "a row _bad_row passed has both ends"
        follower.append(int(src))
        followed.append(int(dst))
    if follower:
        report.pages += 1
    out.add(pa.array(follower, pa.int64()), pa.array(followed, pa.int64()))


def _counted(report, links: int) -> None:
    report.lines += links
    report.pages += 1


# --- Parquet -----------------------------------------------------------------------------------


def _read_parquet(path: Path, out: _Links, names: _Usernames, report, bad: Bad) -> None:
    pf = pq.ParquetFile(path, pre_buffer=False)  # pre-buffered reads stay cached to the end
    at = edge_columns(pf.schema_arrow.names)
    assert at is not None, "parquet_problem checked the columns first"
    columns = [pf.schema_arrow.names[i] for i in at]
    row = 0  # rows before the batch
    for batch in pf.iter_batches(PARQUET_BATCH_ROWS, columns=columns):
        a, b = (_parquet_ids(batch.column(i), names) for i in range(2))
        ok = pc.and_(pc.is_valid(a), pc.is_valid(b))
        _counted(report, batch.num_rows)
        if not pc.all(ok).as_py():
            out.add(a.filter(ok), b.filter(ok))
            _parquet_bad(batch, ok, row, names, bad)
        else:
            out.add(a, b)
        row += batch.num_rows


def _parquet_ids(values: pa.Array, names: _Usernames) -> pa.Array:
    """Return a Parquet column's values as ids: integers from 1 to 2^63-1, or text (:func:`resolve`)."""
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.dictionary_decode(), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return resolve(values.cast(pa.string()), names)
    if pa.types.is_integer(t):
        fits = pc.greater(values, pa.scalar(0, t))
        if t == pa.uint64():
            fits = pc.and_(fits, pc.less_equal(values, pa.scalar(MAX_ID, t)))
        ids = pc.cast(values, pa.int64(), safe=False)
        return pc.if_else(pc.fill_null(fits, False), ids, pa.scalar(None, pa.int64()))
    return pa.nulls(len(values), pa.int64())  # floats, dates...: not ids


def _parquet_bad(
    batch: pa.RecordBatch, ok: pa.Array, row: int, names: _Usernames, bad: Bad
) -> None:
    for i in np.flatnonzero(~ok.to_numpy(zero_copy_only=False)):
        values = [batch.column(c)[int(i)].as_py() for c in range(2)]
        reason = None
        for value in values:
            if value is None:
                reason = "an empty follower or followed"
            elif isinstance(value, str):
                reason = formats.edge_end(value, names.lookup)[1] or None
            else:
                try:
                    parse_id(value)
                except InvalidIdError as exc:
                    reason = str(exc)
            if reason:
                break
        line = ",".join("" if v is None else str(v) for v in values).encode()
        bad(row + int(i) + 1, line, reason or "not a link")


# --- purges ------------------------------------------------------------------------------------


def without_accounts(
    path: Path, user_ids: frozenset[int], handles: frozenset[str]
) -> tuple[bytes, int]:
    """Return a Parquet edge list's bytes without the rows naming the accounts, and how many went.

    A cell names an account by its id (ASCII digits, zeros before allowed) or by
    its handle (``@`` optional, any case; ``handles`` case-folded), as the CSV's
    purge reads cells (:mod:`analysis.purge.raw`). The file's own bytes if no row goes.

    Parameters
    ----------
    path : pathlib.Path
        A Parquet edge list.
    user_ids : frozenset of int
        Ids of the accounts to remove.
    handles : frozenset of str
        Their handles, case-folded, without ``@``.

    Returns
    -------
    tuple of (bytes, int)
        The file's new content (Parquet), and the number of rows removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.parquet"
    >>> pq.write_table(pa.table({"follower": ["11", "@Dr_X", "13"], "followed": [12, 12, 12]}), p)
    >>> data, dropped = without_accounts(p, frozenset({13}), frozenset({"dr_x"}))
    >>> dropped, pq.read_table(pa.BufferReader(data)).column("follower").to_pylist()
    (2, ['11'])
    """
    table = pq.read_table(path)
    ids = pa.array(sorted(str(i) for i in user_ids), pa.string())
    names = pa.array(sorted(handles), pa.string())
    hit = pa.repeat(pa.scalar(False), table.num_rows)
    for i in edge_columns(table.column_names) or ():
        text = pc.utf8_trim_whitespace(table.column(i).cast(pa.string()))
        bare = pc.utf8_ltrim(text, "@")
        digits = pc.fill_null(pc.match_substring_regex(bare, _DIGITS), False)
        number = pc.is_in(pc.utf8_ltrim(bare, "0"), value_set=ids)
        handle = pc.is_in(pc.utf8_lower(bare), value_set=names)
        hit = pc.or_(hit, pc.fill_null(pc.if_else(digits, number, handle), False))
    dropped = int(pc.sum(hit).as_py() or 0)
    if not dropped:
        return path.read_bytes(), 0
    sink = pa.BufferOutputStream()
    pq.write_table(table.filter(pc.invert(hit)), sink)
    return sink.getvalue().to_pybytes(), dropped
