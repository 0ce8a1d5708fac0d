r"""A dataset's tables as CSV or Parquet files, with a README.txt, for R, SPSS, Stata and spreadsheets.

:func:`export_dataset` (``medtwitter export DATASET --format csv|parquet --out
DIR``) writes each table of one dataset version as ``DIR/<table>.csv`` or
``DIR/<table>.parquet`` and describes every column written, from the data
contract (:mod:`analysis.contract`), in ``DIR/README.txt``.

Decisions, each held by ``tests/test_export.py``:

* **Ids.** CSV: the id's digits, never a float nor an exponent
  (``1234567890123456789``); DuckDB's ``read_csv_auto`` and Polars'
  ``read_csv`` read them as exact 64-bit integers, pandas with
  ``dtype=str`` (or ``dtype_backend="pyarrow"``) as exact text (its default
  turns an id column with empty cells into ``float64``: README.txt says so),
  R with ``colClasses = "character"``. Parquet: ``int64`` as in the tables,
  which R's arrow, DuckDB and Polars keep exact (pandas' ``read_parquet``
  only with ``dtype_backend="numpy_nullable"``: README.txt says so).
* **Times.** CSV: UTC in ISO 8601 with a ``Z``, ``2021-03-04T05:06:07Z``,
  with the fraction of a second only when a time has one
  (``2024-05-01T10:00:00.123Z``), so nothing is rounded. Parquet:
  ``timestamp[us, UTC]``.
* **Booleans** are ``true``/``false``; a **list** cell (a list column of the
  contract) is its items joined with ``;`` (``111;222``; ``\;`` and ``\\`` escape
  a ``;`` or ``\`` inside a text item); a null is an empty cell.
* **Formula-safe text.** CSV text cells go through
  :func:`analysis.outputs.safe_csv` (a cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading ``'``) unless ``raw_csv``;
  ids, numbers, booleans and times are never passed to it, so never prefixed.
  Parquet cells are written as they are (a spreadsheet does not open Parquet).
* **Streaming.** The stored tables are read in batches of :data:`BATCH_ROWS`
  rows from their Delta files (a pyarrow dataset), so a table of any size is
  never held whole in memory; ``anonymise`` reads the dataset through
  ``load_dataset(..., anonymise=True)``, the toolkit's one pseudonymisation
  point, which needs every table in memory.
* **The folder.** ``DIR`` is created if only it is missing. Only the files this
  export writes (``<table>.<format>`` of each table asked for and
  ``README.txt``) are replaced; any other file is left alone
  (:func:`other_exports` names earlier exports' table files left beside them).
  Every file is written to a temporary file beside its target and the targets
  are replaced only once all are complete: a failure (a full disk, an
  interrupt) leaves the folder as it was.

The module is long because CSV and Parquet are written batch by batch, with the same cell
conventions, staging and README for both formats.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import __version__, store
from analysis import tables as dataset_tables
from analysis.contract import CONTRACT, TABLE_NAMES, TableSpec
from analysis.errors import UsageError
from analysis.outputs import (
    CSV_LINE_END,
    check_out_dir,
    check_out_file,
    removed_on_failure,
    safe_csv,
)

#: The formats ``--format`` takes.
FORMATS: tuple[str, ...] = ("csv", "parquet")
#: The file describing an export, beside its tables.
README_NAME = "README.txt"
#: Rows read, converted and written at a time: a table is never held whole.
BATCH_ROWS = 65_536
#: Tables of at least this many rows show a progress bar.
PROGRESS_MIN_ROWS = 100_000
#: What joins the items of a list cell in CSV.
LIST_SEPARATOR = ";"
_ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"  # Arrow's %S adds the unit's fraction of a second
_ROW_ORDER = "Rows are in the order they are stored; sort by a table's key for a fixed order."


def parse_tables(tables: str | Iterable[str] | None) -> list[str]:
    """Return the tables an export writes, in the contract's order: all of them if ``tables`` is ``None``.

    ``tables`` is a comma list (``"tweets,users"``) or names; a name that is
    not a table of the contract raises :class:`UsageError` listing the known ones.

    Parameters
    ----------
    tables : str or Iterable of str or None
        A comma list of table names (as ``--tables`` takes them) or an iterable of names;
        None exports every table.

    Returns
    -------
    list of str
        The named tables, without duplicates, in the contract's order.

    Raises
    ------
    analysis.errors.UsageError
        If a name is not a contract table, or the list names no table.

    Examples
    --------
    >>> parse_tables("users, tweets,users")
    ['tweets', 'users']
    >>> parse_tables("tweet")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: unknown table 'tweet' in --tables; use a comma list of: tweets, users, ...
    """
    if tables is None:
        return list(TABLE_NAMES)
    items = tables.split(",") if isinstance(tables, str) else list(tables)
    names = [str(t).strip() for t in items if str(t).strip()]
    known = ", ".join(TABLE_NAMES)
    unknown = [n for n in names if n not in CONTRACT]
    if unknown:
        shown = ", ".join(repr(n) for n in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise UsageError(
            f"unknown table{plural} {shown} in --tables; use a comma list of: {known}."
        )
    if not names:
        raise UsageError(f"--tables names no table; use a comma list of: {known}.")
    return [n for n in TABLE_NAMES if n in names]


def is_id_column(name: str, type_: pa.DataType) -> bool:
    """Return True for a column of X ids (``*_id`` int64, or ``*_ids`` list of int64).

    Parameters
    ----------
    name : str
        The column's name.
    type_ : pyarrow.DataType
        The column's Arrow type.

    Returns
    -------
    bool
        Whether the column holds ids, which the CSV writes as exact digits.

    Examples
    --------
    >>> is_id_column("author_id", pa.int64()), is_id_column("like_count", pa.int64())
    (True, False)
    >>> is_id_column("resource_id", pa.string())  # an id or a handle: text
    False
    """
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return name.endswith("_ids") and pa.types.is_int64(type_.value_type)
    return name.endswith("_id") and pa.types.is_int64(type_)


def _is_text(type_: pa.DataType) -> bool:
    """Text (or a list of text): the cells that go through the formula-safe writer."""
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return _is_text(type_.value_type)
    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


def iso_utc(times: pa.Array) -> pa.Array:
    """Timestamps as UTC ISO 8601 text: ``2021-03-04T05:06:07Z``, a fraction only where there is one.

    A time with milliseconds gets three decimals, one with microseconds six;
    nulls stay null. A timestamp without a time zone is taken as UTC.

    Parameters
    ----------
    times : pyarrow.Array
        A timestamp array of any unit, with or without a time zone.

    Returns
    -------
    pyarrow.Array
        String array of the times in UTC, ending in ``Z``.

    Examples
    --------
    >>> ts = pa.array([1614834367000000, 1614834367123000, None], pa.timestamp("us", tz="UTC"))
    >>> iso_utc(ts).to_pylist()
    ['2021-03-04T05:06:07Z', '2021-03-04T05:06:07.123Z', None]
    """
    us = times.cast(pa.timestamp("us", tz=times.type.tz or "UTC"))

    def truncated(unit: str) -> tuple[pa.Array, pa.Array]:
        """Return the times cut to ``unit``, and whether that lost nothing.

        Parameters
        ----------
        unit : str
            Arrow time unit to cut to: ``"s"`` or ``"ms"``.

        Returns
        -------
        tuple of (pyarrow.Array, pyarrow.Array)
            The cut timestamps and a boolean array, True where cutting lost nothing.
        """
        cut = us.cast(pa.timestamp(unit, tz=us.type.tz), safe=False)
        return cut, pc.equal(cut.cast(us.type), us)

    seconds, whole = truncated("s")
    text = pc.strftime(seconds, format=_ISO_SECONDS)
    if pc.all(whole).as_py() is not False:  # every time is a whole second (or null)
        return text
    millis, in_millis = truncated("ms")
    finer = pc.if_else(
        in_millis,
        pc.strftime(millis, format=_ISO_SECONDS),
        pc.strftime(us, format=_ISO_SECONDS),
    )
    return pc.if_else(whole, text, finer)


def cell_text(values: pa.Array) -> pa.Array:
    r"""Return a column's cells as the CSV export writes them (see the module's docstring).

    Parameters
    ----------
    values : pyarrow.Array
        One column of a contract table (ids, numbers, booleans, timestamps, text or lists).

    Returns
    -------
    pyarrow.Array
        String array: ids as digits, booleans as ``true``/``false``, times as UTC ISO 8601,
        lists ``;``-joined (``;`` and ``\`` in text items escaped with a backslash); nulls stay
        null.

    Examples
    --------
    >>> cell_text(pa.array([1234567890123456789, None])).to_pylist()
    ['1234567890123456789', None]
    >>> cell_text(pa.array([True, False, None])).to_pylist()
    ['true', 'false', None]
    >>> cell_text(pa.array([[111, 222], [], None], pa.list_(pa.int64()))).to_pylist()
    ['111;222', '', None]
    >>> cell_text(pa.array([["a;b", "c\\d"]])).to_pylist()
    ['a\\;b;c\\\\d']
    """
    type_ = values.type
    if pa.types.is_timestamp(type_):
        return iso_utc(values)
    if pa.types.is_boolean(type_):
        return pc.if_else(values, "true", "false")
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        offsets = values.offsets
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        items = cell_text(values.values.slice(start, end - start))
        if _is_text(type_.value_type):
            items = pc.replace_substring(items, "\\", "\\\\")
            items = pc.replace_substring(items, LIST_SEPARATOR, "\\" + LIST_SEPARATOR)
        lists = pa.ListArray.from_arrays(
            pc.subtract(offsets, start).cast(pa.int32()),
            pc.fill_null(items, ""),
            mask=values.is_null(),
        )
        return pc.binary_join(lists, LIST_SEPARATOR)
    return values.cast(pa.string())


def csv_frame(batch: pa.RecordBatch, spec: TableSpec, raw: bool = False):
    """One batch of a table as the text cells of its CSV rows (a pandas DataFrame).

    Text columns of the contract go through :func:`analysis.outputs.safe_csv`
    unless ``raw``; the other columns (ids, numbers, booleans, times) are
    turned into text first (:func:`cell_text`) and never reach it.

    Parameters
    ----------
    batch : pyarrow.RecordBatch
        Rows of a contract table.
    spec : analysis.contract.TableSpec
        The contract's description of that table (tells which columns are text).
    raw : bool, default False
        Write text cells as they are, without the spreadsheet formula guard.

    Returns
    -------
    pandas.DataFrame
        The batch's columns as text cells, ready for ``DataFrame.to_csv``.

    Examples
    --------
    >>> from analysis.contract import CONTRACT
    >>> batch = pa.record_batch({"tweet_id": [1234567890123456789], "tag": ["=1+1"],
    ...                          "tag_norm": ["=1+1"], "position": [-1]})
    >>> csv_frame(batch, CONTRACT["hashtags"]).values.tolist()
    [['1234567890123456789', "'=1+1", "'=1+1", '-1']]
    """
    table = pa.table({name: cell_text(batch.column(name)) for name in batch.schema.names})
    frame = table.to_pandas()
    text = [c.name for c in spec.columns if _is_text(c.type) and c.name in frame.columns]
    if text and not raw:
        frame[text] = safe_csv(frame[text])
    return frame


def _write_csv(path: Path, spec: TableSpec, batches: Iterable[pa.RecordBatch], raw: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        header = csv_frame(pa.RecordBatch.from_pylist([], schema=spec.schema), spec, raw)
        header.to_csv(fh, index=False, lineterminator=CSV_LINE_END)
        for batch in batches:
            csv_frame(batch, spec, raw).to_csv(
                fh, index=False, header=False, lineterminator=CSV_LINE_END
            )


def _parquet_schema(spec: TableSpec) -> pa.Schema:
    """Return the contract's schema, each field carrying its meaning (R's arrow and pyarrow show it)."""
    return pa.schema(
        [
            pa.field(c.name, c.type, c.nullable, metadata={"description": c.doc})
            for c in spec.columns
        ]
    )


def _write_parquet(path: Path, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> None:
    with pq.ParquetWriter(path, _parquet_schema(spec)) as writer:
        for batch in batches:
            writer.write_batch(batch)


def _stored_batches(folder: Path, name: str, version: int) -> tuple[int, Iterator[pa.RecordBatch]]:
    """(rows, batches) of a stored table at a dataset version, read a batch at a time."""
    rows = store.table_totals(folder, name, version)[0]
    data = store.arrow_dataset(folder, name, version)

    def batches() -> Iterator[pa.RecordBatch]:
        if data is None:  # a table the version lacks (added to the contract later): header only
            return
        present = [c for c in CONTRACT[name].names if c in data.schema.names]
        # one batch and one file read ahead (the default, 16 and 4, holds a few hundred MB more)
        scan = data.to_batches(
            columns=present, batch_size=BATCH_ROWS, batch_readahead=1, fragment_readahead=1
        )
        for batch in scan:
            if batch.num_rows:
                yield from store.conform(name, pa.Table.from_batches([batch])).to_batches()

    return rows, batches()


def _frame_batches(frame, name: str) -> tuple[int, Iterator[pa.RecordBatch]]:
    """(rows, batches) of a table held as a DataFrame (the anonymised tables)."""
    schema = CONTRACT[name].schema
    if frame.shape[1] == 0:
        return 0, iter(())
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return table.num_rows, iter(table.to_batches(max_chunksize=BATCH_ROWS))


def _counted(batches: Iterable[pa.RecordBatch], rows: int, name: str, progress: bool, seen: list):
    """Yield the batches, counting their rows into ``seen[0]``, with a bar for a large table."""
    from tqdm import tqdm  # not tqdm.auto: no widget warning when a notebook calls this

    show = progress and rows >= PROGRESS_MIN_ROWS
    with tqdm(
        total=rows,
        desc=f"export {name}",
        unit="row",
        unit_scale=True,
        disable=not show,
        leave=False,
    ) as bar:
        for batch in batches:
            seen[0] += batch.num_rows
            bar.update(batch.num_rows)
            yield batch


def _staged(target: Path) -> Path:
    """Return an empty temporary file beside ``target`` (hidden, same suffix), as write_atomic makes."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    return Path(name)


def export_dataset(
    dataset: str,
    out: str | os.PathLike[str],
    format: str = "csv",
    tables: str | Sequence[str] | None = None,
    anonymise: bool = False,
    raw_csv: bool = False,
    *,
    version: int | None = None,
    progress: bool = True,
) -> list[Path]:
    """Write a dataset's tables as ``out/<table>.csv`` or ``.parquet``, and ``out/README.txt``.

    Parameters
    ----------
    dataset : str
        A processed dataset's name.
    out : str or os.PathLike
        The folder to write (created if only it is missing); only the files
        this export writes are replaced, everything else in it is left alone.
    format : str, default 'csv'
        ``"csv"`` or ``"parquet"``.
    tables : str or Sequence of str or None, optional
        The tables to write (a comma list or names; default: every table).
    anonymise : bool, default False
        Write the tables of ``load_dataset(dataset, anonymise=True)``
        (pseudonymous ids, handles and names; no URLs, locations or protected text).
    raw_csv : bool, default False
        CSV text cells exactly as they are (by default a cell a
        spreadsheet would run as a formula gets a leading ``'``).
    version : int or None, optional
        The dataset version (default: the latest).
    progress : bool, default True
        A progress bar for tables of :data:`PROGRESS_MIN_ROWS` rows or more.

    Returns
    -------
    list of pathlib.Path
        The files written: the tables', in the contract's order, then README.txt. How each
        kind of cell is written: see the module's docstring.

    Examples
    --------
    >>> export_dataset("demo", "export", tables="tweets,users")  # doctest: +SKIP
    [PosixPath('export/tweets.csv'), PosixPath('export/users.csv'), PosixPath('export/README.txt')]
    """
    if format not in FORMATS:
        raise UsageError(f"unknown export format {format!r}; use --format csv or --format parquet.")
    if raw_csv and format != "csv":
        raise UsageError(
            "--raw-csv applies to CSV only (Parquet cells are written as they are); "
            "drop it or use --format csv."
        )
    names = parse_tables(tables)
    folder = dataset_tables.dataset_dir(dataset)
    version = dataset_tables.resolve_version(dataset, version)
    out = check_out_dir(out)
    targets = {name: check_out_file(out / f"{name}.{format}") for name in names}
    readme = check_out_file(out / README_NAME)

    anonymised = (
        dataset_tables.load_dataset(dataset, version=version, anonymise=True) if anonymise else None
    )
    meta = anonymised.meta if anonymised is not None else dataset_tables.load_meta(dataset, version)
    written: dict[str, int] = {}
    with store.c_allocator(), ExitStack() as stack:
        staged: list[tuple[Path, Path]] = []
        for name in names:
            target = targets[name]
            tmp = stack.enter_context(removed_on_failure(_staged(target), target))
            staged.append((tmp, target))
            if anonymised is not None:
                rows, batches = _frame_batches(getattr(anonymised, name), name)
            else:
                rows, batches = _stored_batches(folder, name, version)
            seen = [0]
            batches = _counted(batches, rows, name, progress, seen)
            if format == "csv":
                _write_csv(tmp, CONTRACT[name], batches, raw_csv)
            else:
                _write_parquet(tmp, CONTRACT[name], batches)
            written[name] = seen[0]
        tmp = stack.enter_context(removed_on_failure(_staged(readme), readme))
        staged.append((tmp, readme))
        text = readme_text(meta, written, format, raw_csv=raw_csv)
        tmp.write_text(text, encoding="utf-8")
        for tmp, target in staged:
            os.replace(tmp, target)
    return [target for _, target in staged]


def other_exports(out: str | os.PathLike[str], written: Sequence[Path]) -> list[Path]:
    """Files in ``out`` named like a table export (``tweets.csv``, ``users.parquet``...) not in ``written``.

    They are earlier exports' files, which an export leaves alone: its
    README.txt does not describe them.

    Parameters
    ----------
    out : str or os.PathLike
        The export folder.
    written : Sequence of pathlib.Path
        The files this export wrote.

    Returns
    -------
    list of pathlib.Path
        The other table files present in ``out``, in the contract's table order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for f in ("users.parquet", "tweets.csv", "notes.txt"): _ = (folder / f).write_text("")
    >>> [p.name for p in other_exports(folder, [folder / "tweets.csv"])]
    ['users.parquet']
    """
    folder = Path(out)
    done = {Path(p).name for p in written}
    candidates = (folder / f"{name}.{fmt}" for name in TABLE_NAMES for fmt in FORMATS)
    return [p for p in candidates if p.name not in done and p.is_file()]


# --- README.txt ---------------------------------------------------------------------------------


def _type_label(name: str, type_: pa.DataType, format: str) -> str:
    """How a column's cells are written, in a reader's words."""
    if format == "parquet":
        return f"{type_} (id)" if is_id_column(name, type_) else str(type_)
    if is_id_column(name, type_):
        return "ids, ';'-joined" if pa.types.is_list(type_) else "id (digits)"
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return f"list of {_type_label('', type_.value_type, format)}, ';'-joined"
    if pa.types.is_timestamp(type_):
        return "UTC time, ISO 8601"
    if pa.types.is_boolean(type_):
        return "true/false"
    if pa.types.is_integer(type_):
        return "integer"
    if pa.types.is_floating(type_):
        return "number"
    return "text"


def _provenance(meta: dict) -> list[str]:
    """Lines saying where the data comes from and whether it names anyone."""
    lines = []
    if meta.get("synthetic"):
        lines.append(
            "SYNTHETIC DATA: made up by medtwitter (`medtwitter demo`); no row describes a real "
            "account or a real tweet."
        )
    else:
        lines.append(
            "Data: ingested from X API pages (see the dataset's sources in `medtwitter info`)."
        )
    if meta.get("anonymised"):
        lines += [
            f"Anonymised: yes (pseudonym key {meta.get('pseudonym_key', '?')}). Every user id, tweet",
            "id, handle and display name is a keyed pseudonym (the same in every export made with",
            "the same key; institutions on medtwitter's allow-list keep theirs); tweet texts and",
            "bios have no URLs and pseudonymous @mentions; profile locations are empty but the",
            "institutions'; the text of protected accounts' tweets, and of retweets and quotes",
            "of them or of accounts no longer in the dataset, is empty. Texts and bios keep their",
            "other words, places people name in them included: read them before publishing.",
        ]
    else:
        lines += [
            "Anonymised: no. These files hold real ids, handles, names and texts: keep them as",
            "you keep the dataset (`medtwitter export ... --anonymise` writes pseudonymised ones).",
        ]
    return lines


def _conventions(format: str, raw_csv: bool) -> list[str]:
    """How each kind of cell is written, and how to read the files in common tools."""
    if format == "parquet":
        return [
            "Parquet files, one per table: ids are int64 (exact in R's arrow, Polars, DuckDB,",
            "Spark, and pandas read as below); times are timestamp[us, UTC]; lists are Parquet",
            "lists; text is written as it is. Each column carries its meaning as field",
            "metadata ('description'). " + _ROW_ORDER,
            "",
            "  R:      arrow::read_parquet('tweets.parquet')",
            "  pandas: pandas.read_parquet('tweets.parquet', dtype_backend='numpy_nullable')",
            "          (without it, pandas turns an id column with empty cells into float64,",
            "          which rounds 19-digit ids; analysis.tables.to_pandas keeps them exact too)",
            "  Polars: polars.read_parquet('tweets.parquet')",
            "  DuckDB: SELECT * FROM read_parquet('tweets.parquet')",
            "Stata and SPSS do not read Parquet: export with --format csv for them.",
        ]
    formula = (
        "Text cells are written exactly as they are (--raw-csv): a cell starting with =, +, -,\n"
        "@, a tab or a carriage return may run as a formula in a spreadsheet."
        if raw_csv
        else "Text cells starting with =, +, -, @, a tab or a carriage return have a leading ' so\n"
        "that a spreadsheet shows them as text instead of running them as a formula (remove\n"
        "it to get the text as collected, or export with --raw-csv). Ids, numbers, true/false\n"
        "and times never get one."
    )
    return [
        "CSV files, one per table: UTF-8 (no byte-order mark), comma-separated, a header row,",
        "CRLF line ends; a cell holding a comma, a quote or a line break is quoted (RFC 4180).",
        "An empty cell is a missing value (null); an empty text is an empty cell too.",
        _ROW_ORDER,
        "",
        "Ids are written as their digits (up to 19: 1234567890123456789). Read them as TEXT:",
        "spreadsheets, Stata, SPSS, R's read.csv and pandas' default turn them into floating-",
        "point numbers, which keep only 15-17 digits and merge different accounts. DuckDB and",
        "Polars read them as exact 64-bit integers.",
        "Times are UTC, ISO 8601: 2021-03-04T05:06:07Z (with .123 or .123456 only when a time",
        "has a fraction of a second).",
        "Booleans are true/false. A list cell is its items joined with ';' (111;222); in a",
        "list of texts, \\; and \\\\ stand for a ';' or '\\' inside an item.",
        *formula.splitlines(),
        "",
        "Reading them (the id columns of each table are listed under it):",
        "  R:      read.csv('tweets.csv', encoding = 'UTF-8', na.strings = '',",
        "                   colClasses = c(tweet_id = 'character', author_id = 'character'))",
        "          times: as.POSIXct(x, format = '%Y-%m-%dT%H:%M:%OSZ', tz = 'UTC')",
        "  pandas: pandas.read_csv('tweets.csv', dtype={'tweet_id': str, 'author_id': str})",
        "          or pandas.read_csv('tweets.csv', dtype_backend='pyarrow') (exact int64)",
        "  Polars: polars.read_csv('tweets.csv', try_parse_dates=True)",
        "  DuckDB: SELECT * FROM read_csv_auto('tweets.csv')",
        "  Stata:  import delimited using tweets.csv, varnames(1) encoding(utf-8)",
        "          bindquotes(strict) stringcols(...) clear   (stringcols: the ids' column numbers)",
        "  SPSS:   File > Import Data > CSV Data: give each id column the type String.",
        "  Excel, LibreOffice: import (Data > From Text/CSV), file origin UTF-8, and set each",
        "          id column to Text; opening the file directly rounds the ids.",
    ]


def readme_text(
    meta: dict,
    written: dict[str, int],
    format: str,
    raw_csv: bool = False,
    now: datetime | None = None,
) -> str:
    """README.txt of an export: the dataset, how cells are written, and every column written.

    Parameters
    ----------
    meta : dict
        The dataset version's metadata (``name``, ``version``, ``synthetic``,
        ``anonymised``...).
    written : dict of str to int
        Rows written, by table (the tables written, in order).
    format : str
        ``"csv"`` or ``"parquet"``.
    raw_csv : bool, default False
        Whether CSV text cells were written as they are.
    now : datetime or None, optional
        The export's time (default: now).

    Returns
    -------
    str
        The README's text.

    Examples
    --------
    >>> text = readme_text({"name": "demo", "version": 3, "synthetic": True}, {"follows": 2}, "csv")
    >>> "SYNTHETIC" in text, "follower_id" in text, "follows.csv (2 rows)" in text
    (True, True, True)
    """
    now = now or datetime.now(UTC)
    title = f"medtwitter export of dataset '{meta.get('name', '?')}', version {meta.get('version', '?')}"
    lines = [title, "=" * len(title), ""]
    lines += _provenance(meta)
    span = meta.get("span")
    if span and all(span):
        lines.append(f"Time span of the dataset's dates: {span[0]} to {span[1]}.")
    lines += [
        f"Exported {now:%Y-%m-%dT%H:%M:%SZ} by medtwitter {__version__}.",
        "",
        "Files",
        "-----",
    ]
    width = max(len(f"{name}.{format}") for name in written) if written else 0
    for name, rows in written.items():
        lines.append(f"  {f'{name}.{format}':<{width}}  {rows:>12,} rows  {CONTRACT[name].doc}")
    lines += [
        f"  {README_NAME:<{width}}  {'':>17}  this file",
        "",
        "How the cells are written",
        "-" * 25,
    ]
    lines += _conventions(format, raw_csv)
    lines += ["", "Tables and columns (from medtwitter's data contract)", "-" * 52]
    for name, rows in written.items():
        spec = CONTRACT[name]
        lines += ["", f"{name}.{format} ({rows:,} rows): {spec.doc}"]
        lines.append(f"  key: {', '.join(spec.key)} (one row per value of the key)")
        ids = [c.name for c in spec.columns if is_id_column(c.name, c.type)]
        if ids and format == "csv":
            numbers = " ".join(str(spec.names.index(c) + 1) for c in ids)
            plural = "s" if len(ids) > 1 else ""
            lines.append(
                f"  id columns (read as text): {', '.join(ids)} (column number{plural} {numbers})"
            )
        labels = {c.name: _type_label(c.name, c.type, format) for c in spec.columns}
        col_width = max(len(c) for c in spec.names)
        type_width = max(len(t) for t in labels.values())
        for c in spec.columns:
            never = "" if c.nullable else " Never empty."
            lines.append(f"  {c.name:<{col_width}}  {labels[c.name]:<{type_width}}  {c.doc}{never}")
    return "\n".join(lines) + "\n"
