"""One raw file -> spilled rows: which path reads what, and the report of what was read.

:func:`read_file` names the file's format (:func:`analysis.formats.detect_format`):

* **v2 pages and twarc2 pages** go first through :func:`stream_whole_file`:
  Arrow's streaming reader and :func:`analysis.ingest.arrow.extract_chunk`, the
  fast path. If it meets a line it cannot take, the file is read again in
  chunks (:func:`analysis.ingest.stream.parsed_chunks`): each chunk Arrow can
  take goes the fast way (:func:`read_chunk_fast`), the others line by line
  through :func:`analysis.ingest.pages.add_page` (:func:`read_chunk_slow`),
  which names and quarantines each bad line.
* **Edge lists** (CSV, CSV.gz, Parquet) go batch by batch through Arrow
  (:func:`analysis.ingest.edges.read_edge_list`), dated ``observed_at`` (by
  default the file's modification time).
* **Other foreign formats** (twarc2 flattened, v1.1, academictwitteR, X archives)
  are converted record by record by :func:`analysis.formats.read_pages` and go
  through :func:`analysis.ingest.pages.add_page`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
import pyarrow as pa

from analysis import formats, rawfile, store
from analysis.contract import InvalidIdError
from analysis.errors import RawFormatError
from analysis.ingest import edges, stream
from analysis.ingest.arrow import NotFast, OtherKind, extract_chunk
from analysis.ingest.pages import BadValueError, add_page
from analysis.ingest.quarantine import Quarantine, entry
from analysis.ingest.rows import NAMES, SPILLED, Rows
from analysis.ingest.schema import LEAN_ERROR

#: Problems listed per file in the report (all bad lines are in the quarantine file).
MAX_PROBLEMS = 20


@dataclass
class FileReport:
    """What ingest made of one raw file."""

    path: str
    format: str = "x-api-v2-pages"
    lines: int = 0
    pages: int = 0
    skipped_pages: int = 0
    bad_lines: int = 0
    #: invalid UTF-8 byte sequences replaced by U+FFFD, and the lines that held them
    replaced: int = 0
    replaced_lines: int = 0
    #: the file could not be read at all (empty, not gzip, a CSV without its header...)
    rejected: bool = False
    #: an edge list's links: the time they are dated, and whence (``--observed-at`` or
    #: ``the file's modification time``)
    observed_at: datetime | None = None
    dated_by: str | None = None
    problems: list[str] = field(default_factory=list)

    def replace(self, count: int) -> None:
        """Note a line read with ``count`` invalid UTF-8 sequences replaced by U+FFFD.

        Parameters
        ----------
        count : int
            Invalid UTF-8 sequences replaced in the line; 0 notes nothing.
        """
        if count:
            self.replaced += count
            self.replaced_lines += 1

    def problem(self, message: str) -> None:
        """Note a problem (the first :data:`MAX_PROBLEMS` are kept verbatim).

        Parameters
        ----------
        message : str
            One line naming the file, the line and what is wrong.
        """
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(
                f"{self.path}: more bad lines; every one is listed in {store.QUARANTINE_FILE}."
            )


@dataclass(frozen=True)
class Part:
    """Lines of a raw file copied to a file of their own, to be read apart from the rest.

    :func:`read_file` names ``name`` and the lines' numbers in that file in its
    messages and quarantine entries, and reads them as ``format``.
    """

    #: the raw file the lines come from
    name: str
    #: how many lines of it come before them
    first_line: int
    #: the raw file's format (:func:`analysis.formats.detect_format`)
    format: str


def check_file(path: Path) -> str | None:
    """Why a raw file cannot be ingested at all (one line with the fix), or None.

    An empty or blank file, a ``.gz`` that is not gzip, an unreadable file
    (:func:`analysis.rawfile.problem`), a CSV without its ``follower,followed``
    header (:func:`analysis.formats.header_problem`), a Parquet file without those
    columns (:func:`analysis.ingest.edges.parquet_problem`).

    Parameters
    ----------
    path : pathlib.Path
        A raw file given to ingest.

    Returns
    -------
    str or None
        One line naming the file, the problem and the fix; None if it can be read.
    """
    return edges.parquet_problem(path) or rawfile.problem(path) or formats.header_problem(path)


def read_file(
    path: Path,
    rows: Rows,
    quarantine: Quarantine | list,
    strict: bool,
    bar=None,
    observed_at: datetime | None = None,
    follows: tuple[str, str] | None = None,
    part: Part | None = None,
) -> FileReport:
    """Read one raw file (checked by :func:`check_file`) into ``rows``; bad lines to ``quarantine``.

    See the module docstring for which path reads which file. ``observed_at``
    dates the links of an edge list (default: the file's modification time);
    ``follows`` (relation, account id) owns v1.1 id and follower-list pages (``--owner``).
    With ``part``, ``path`` holds some lines of a larger file (:class:`Part`); the
    caller checks the whole file's report with :func:`check_pages_found`.

    Parameters
    ----------
    path : pathlib.Path
        The raw file (or the lines of a :class:`Part`).
    rows : Rows
        The rows of the run (spilled when full).
    quarantine : Quarantine or list
        Where bad lines' entries go (:func:`analysis.ingest.quarantine.entry`).
    strict : bool
        Raise :class:`~analysis.errors.RawFormatError` at the first bad line instead
        of setting it aside.
    bar : tqdm.tqdm or None, optional
        A progress bar in bytes, advanced as the file is read; None (default) shows none.
    observed_at : datetime.datetime or None, optional
        The time the links of an edge list are dated; None (default) uses the file's
        modification time.
    follows : tuple of (str, str) or None, optional
        (relation, account id) of v1.1 id and follower-list pages (``--owner``); None (default) if not given.
    part : Part or None, optional
        The raw file and line offset ``path`` was cut from; None (default) for a whole file.

    Returns
    -------
    FileReport
        The file's format, lines, pages, bad lines and problems.

    Raises
    ------
    analysis.errors.RawFormatError
        With ``strict``, at the first bad line.
    """
    shown = path if part is None else Path(part.name)
    before = 0 if part is None else part.first_line
    report = FileReport(path=str(shown))
    size = path.stat().st_size

    def bad(lineno: int, line: bytes, reason: str) -> None:
        """Set a line of the file aside, or raise with ``strict``.

        Parameters
        ----------
        lineno : int
            The line's number in ``path`` (the part's offset is added).
        line : bytes
            The line as read (empty when the file is damaged from there on).
        reason : str
            Why it cannot be read, e.g. ``"not valid JSON"``.
        """
        lineno += before
        message = f"{shown}:{lineno}: {reason}"
        if strict:
            raise RawFormatError(f"{message}; fix or remove the line, or run without --strict.")
        report.bad_lines += 1
        report.problem(message)
        quarantine.append(entry(str(shown), lineno, reason, line))

    fmt = formats.detect_format(path) if part is None else part.format
    if fmt in (formats.EDGE_CSV, formats.EDGE_PARQUET) and rows.sink is not None:
        report.format = fmt
        report.observed_at = observed_at or edges.file_time(path)
        report.dated_by = "--observed-at" if observed_at else "the file's modification time"
        edges.read_edge_list(
            path, fmt, rows, report, bad, report.observed_at, username_lookup(rows)
        )
        if bar is not None:
            bar.update(size)
        return report
    # foreign formats: converted to v2 pages by analysis.formats, read page by page
    # twarc2 pages are v2 pages with their own provenance: the fast path reads them too
    convert = formats.twarc2_page if fmt == formats.TWARC2_PAGES else None
    if convert is not None:
        report.format = fmt
    elif fmt not in (formats.V2_PAGES, formats.UNKNOWN):
        report.format = fmt
        read_foreign(path, fmt, rows, report, bad, follows)
        if bar is not None:
            bar.update(size)
        return report

    if rows.sink is not None:
        whole = stream.whole_lines(path)  # a last line cut short goes alone, line by line
        if stream_whole_file(path, rows, report, convert, bar, whole):
            if whole is not None:
                with open(path, "rb") as fh:
                    fh.seek(whole)
                    tail = fh.read()
                read_chunk_slow(tail, report.lines, rows, report, bad, convert)
                if bar is not None:
                    bar.update(len(tail))
            return report
    lineno = 0
    gz = rawfile.is_gzip(path)
    try:
        for chunk, n_lines, pages in stream.parsed_chunks(path, rows.sink is not None):
            if pages is None or not read_chunk_fast(pages, n_lines, rows, report, convert):
                read_chunk_slow(chunk, lineno, rows, report, bad, convert)
            lineno += n_lines
            if bar is not None and not gz:
                bar.update(len(chunk))
    except (OSError, EOFError) as exc:
        bad(lineno + 1, b"", damaged(exc))
    if bar is not None and gz:
        bar.update(size)
    if part is None:
        check_pages_found(report)
    return report


def check_pages_found(report: FileReport) -> None:
    """Mark a file read as v2 pages in which no page was found as of an ``unknown`` format.

    Parameters
    ----------
    report : FileReport
        The file's report, with every line read; changed in place.
    """
    if report.pages == 0 and report.bad_lines:
        report.format = "unknown"
        report.problem(
            f"{report.path}: no X API v2 page found in this file; check its format "
            "(`medtwitter ingest` reads JSONL of API v2 response pages)."
        )


def read_foreign(path: Path, fmt: str, rows: Rows, report: FileReport, bad, follows=None) -> None:
    """Read a file of a foreign format, converted record by record by :mod:`analysis.formats`.

    Parameters
    ----------
    path : pathlib.Path
        The raw file.
    fmt : str
        Its format, as :func:`analysis.formats.detect_format` names it.
    rows : Rows
        The rows of the run (spilled when full).
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    bad : callable
        Sets a line aside: called as ``bad(line_number, raw_line, reason)``.
    follows : tuple of (str, str) or None, optional
        (relation, account id) that v1.1 id and follower-list pages are about; None (default) if not given.
    """
    lineno = 0
    try:
        for lineno, line, page, reason, *replaced in formats.read_pages(
            path, fmt, username_lookup(rows), follows
        ):
            report.lines += 1
            report.replace(replaced[0] if replaced else 0)
            if page is None:
                bad(lineno, line, reason)
            else:
                take_page(
                    page,
                    rows,
                    report,
                    lambda why, n=lineno, raw=line: bad(n, raw, why),
                    f"{fmt} record",
                    f"{fmt} record without tweets or users",
                )
    except (OSError, EOFError) as exc:  # what was read before the damage is kept
        bad(lineno + 1, b"", damaged(exc))


def take_page(page: dict, rows: Rows, report: FileReport, bad, what: str, unknown: str) -> None:
    """Add one page read line by line, counting it, or set its line aside with the reason.

    ``what`` names the record in messages ("API page", "v1.1-tweets record"...);
    ``unknown`` is the reason given for a page without tweets or users.

    Parameters
    ----------
    page : dict
        One page in the X API v2 shape.
    rows : Rows
        The rows of the run (spilled when full).
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    bad : callable
        Sets the page's line aside: called as ``bad(reason)``.
    what : str
        The record's name in messages, e.g. ``"API page"``.
    unknown : str
        The reason given when the page holds no tweets or users.
    """
    try:
        kind = add_page(rows, page)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        bad(f"{what} {shape_problem(exc)}")
        return
    if kind == "unknown":
        bad(unknown)
    elif kind == "skip":
        report.skipped_pages += 1
    else:
        report.pages += 1


def damaged(exc: BaseException) -> str:
    """Return the reason given for the lines a damaged file loses from the point it breaks.

    Parameters
    ----------
    exc : BaseException
        The error raised while reading (a truncated gzip stream, an OS error).

    Returns
    -------
    str
        The reason, naming the error.
    """
    return f"unreadable from here ({exc}): a truncated or damaged gzip"


def shape_problem(exc: Exception) -> str:
    """Why a page failed, worded for the report: a bad value, or an unexpected shape.

    Parameters
    ----------
    exc : Exception
        The error :func:`analysis.ingest.pages.add_page` or a converter raised.

    Returns
    -------
    str
        The end of a reason sentence (``"with a bad value: ..."``).
    """
    if isinstance(exc, InvalidIdError | BadValueError):
        return f"with a bad value: {exc}"
    return f"with an unexpected shape ({type(exc).__name__}: {exc})"


class username_lookup:  # noqa: N801 (used as a function: formats.UsernameLookup)
    """Resolve a username (any case) against the accounts read so far in this ingest.

    The accounts are those held in ``rows`` and those already spilled to disk;
    the index (:meth:`index`) is built on the first lookup (edge lists are read last).
    """

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self._index: dict[str, int] | None = None

    def index(self) -> dict[str, int]:
        """Every account's username, case-folded, and its id (the last one read)."""
        if self._index is None:
            self._index = {}
            rows = self.rows
            parts = [] if rows.sink is None else rows.sink.all_usernames()
            users = rows.cols["users"]
            held = pa.table({"username": users["username"], "user_id": users["user_id"]}, NAMES)
            for part in [*parts, held]:
                ids = part.column("user_id").to_pylist()
                for name, uid in zip(part.column("username").to_pylist(), ids, strict=True):
                    if name:
                        self._index[name.casefold()] = uid
        return self._index

    def __call__(self, username: str) -> int | None:
        """Return the id of ``username`` (any case), or None if no account read has it."""
        return self.index().get(username.casefold())


def stream_whole_file(
    path: Path, rows: Rows, report: FileReport, convert, bar=None, end: int | None = None
) -> bool:
    """Ingest a whole file with Arrow's streaming JSON reader; False if it must go in chunks.

    The fast way for files of API pages. The file is one spill segment: if the
    reader meets a line it cannot take (not JSON, not a page, a page of unclear
    kind, an id that is not a number...), the segment is rolled back and the
    caller reads the file again in chunks, line by line where needed, which
    names and sets aside each bad line. Pages whose ``data`` is not of the kind
    of the file's first page are read again as pages of any kind first. The file
    is first parsed as pages without long posts (:data:`analysis.ingest.schema.PARSE_LEAN`),
    and again with every field at the first page that has one.

    Parameters
    ----------
    path : pathlib.Path
        A file of v2 or twarc2 pages.
    rows : Rows
        The rows of the run (spilled when full). Must have a spill.
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    convert : callable or None
        Turns a twarc2 page into a v2 page; None for v2 pages.
    bar : tqdm.tqdm or None, optional
        A progress bar in bytes, advanced as the file is read; None (default) shows none.
    end : int or None, optional
        Stream only the file's first ``end`` bytes, whole lines (:func:`analysis.ingest.stream.whole_lines`:
        the caller reads the rest); None (default) streams it all.

    Returns
    -------
    bool
        True if the whole file (its first ``end`` bytes) was ingested; False if nothing of
        it was kept and it must be read in chunks.
    """
    if not stream.starts_with_object(path):  # e.g. a `null` first line, which Arrow cannot take
        return False
    kinds = list(dict.fromkeys([stream.data_kind(path, convert), None]))
    lean = True
    sink = rows.sink
    assert sink is not None, "a whole file is streamed into the spill"
    while kinds:
        rows.flush()  # rows read before belong to the segments before
        sink.begin()
        counts = (report.lines, report.pages, report.skipped_pages)
        shown = bar.n if bar is not None else 0
        stop = stream_file(path, rows, report, convert, kinds[0], bar, lean, end)
        if stop is None:
            return True
        sink.rollback()
        report.lines, report.pages, report.skipped_pages = counts
        if bar is not None:
            bar.n = shown
            bar.refresh()
        if stop == "note":  # the same kind again, long posts parsed
            lean = False
        elif stop == "kind":
            kinds.pop(0)
        else:
            return False
    return False


def stream_file(
    path: Path,
    rows: Rows,
    report: FileReport,
    convert,
    kind,
    bar=None,
    lean: bool = False,
    end: int | None = None,
) -> str | None:
    """Ingest a file's pages with Arrow's streaming JSON reader, ``data`` parsed as ``kind``.

    A reader thread parses blocks of about :data:`analysis.ingest.stream.GROUP_BYTES`
    (on all cores) ahead of the flattening, which takes one block's pages at a time. Returns None when
    the whole file is in, ``"bad"`` at a line it cannot take, ``"kind"`` at
    pages whose ``data`` is not of ``kind``, ``"note"`` (``lean`` only: parsed with
    :data:`analysis.ingest.schema.PARSE_LEAN`) at a page with a long post (what was
    read before stays spilled).

    Parameters
    ----------
    path : pathlib.Path
        A file of v2 or twarc2 pages.
    rows : Rows
        The rows of the run (spilled when full).
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    convert : callable or None
        Turns a twarc2 page into a v2 page; None for v2 pages.
    kind : str or None
        What ``data`` is parsed as: ``"tweets"``, ``"users"`` or None (either).
    bar : tqdm.tqdm or None, optional
        A progress bar in bytes, advanced as the file is read; None (default) shows none.
    lean : bool, optional
        Parse without long-post fields (:data:`analysis.ingest.schema.PARSE_LEAN`); default False.
    end : int or None, optional
        Read only the first ``end`` bytes of a plain file; None (default) reads it all.

    Returns
    -------
    str or None
        None if the whole file (its first ``end`` bytes) is in, else ``"bad"``, ``"kind"`` or
        ``"note"``: why it stopped.
    """
    gz = rawfile.is_gzip(path)
    lines = stream.Lines(bom=True)  # one page a line, checked as Arrow reads the bytes
    mapped = None
    if gz or not path.stat().st_size:  # (mmap refuses an empty file)
        source = pa.OSFile(str(path))
        raw = pa.CompressedInputStream(source, "gzip")
        parsed = stream.page_groups(stream.Fed(raw, lines), kind, lean)
    else:  # read in place: no copy of the file's bytes
        mapped = raw = stream.Mapped(path, lines, end)
        parsed = stream.page_groups(mapped, kind, lean)
    seen = read = 0
    groups = stream.read_ahead(parsed, "ingest-parser")
    failures: list[BaseException] = []
    try:
        for batch in stream.guarded(groups, failures):
            if batch is None and lean and LEAN_ERROR in str(failures[0]):
                return "note"
            if batch is None or not lines.ok:
                return "bad"  # the chunk reader names the line
            pages = pa.Table.from_batches([batch])
            ok = read_chunk_fast(pages, pages.num_rows, rows, report, convert, kind)
            if not ok:
                return "bad" if ok is False else "kind"
            read += pages.num_rows
            if mapped is not None:
                mapped.taken(read)
                if bar is not None:
                    bar.update(max(0, mapped.pos - seen))
                    seen = mapped.pos
    finally:
        raw.close()
    return None if lines.matches(read) else "bad"


def read_chunk_fast(
    pages: pa.Table, n_lines: int, rows: Rows, report: FileReport, convert=None, kind=None
) -> bool | None:
    """Ingest parsed pages; False (nothing done) if the chunk needs the line-by-line path.

    None (nothing done) if ``data`` was parsed as ``kind`` and some page's does not fit.

    Parameters
    ----------
    pages : pyarrow.Table
        Pages parsed by Arrow, one row a page.
    n_lines : int
        The number of lines the pages came from (counted in the report).
    rows : Rows
        The rows of the run (spilled when full).
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    convert : callable or None, optional
        Turns a twarc2 page into a v2 page (:func:`analysis.formats.twarc2_page`);
        None (default) for v2 pages.
    kind : str or None, optional
        What ``data`` was parsed as: ``"tweets"``, ``"users"`` or None (default: either).

    Returns
    -------
    bool or None
        True if the rows were spilled; False or None if nothing was done.
    """
    try:
        out = extract_chunk(pages, convert, kind)
    except OtherKind:
        return None
    # UnicodeDecodeError: invalid UTF-8 in a field read in Python (an endpoint, a hashtag...)
    except (pa.ArrowException, NotFast, UnicodeDecodeError):
        return False
    rows.flush()
    sink = rows.sink
    assert sink is not None, "Arrow chunks go to the spill"
    for name in SPILLED:
        if name in out.tables:
            sink.write(name, out.tables[name], out.ranks.get(name))
    rows.synthetic |= out.synthetic
    report.lines += n_lines
    report.pages += out.pages
    report.skipped_pages += out.skipped
    return True


def read_chunk_slow(
    chunk: bytes, first: int, rows: Rows, report: FileReport, bad, convert=None
) -> None:
    """Ingest a chunk line by line through :func:`add_page`, setting bad lines aside.

    ``convert`` turns a line's page into a v2 page first (twarc2 pages); the
    messages then follow :mod:`analysis.formats`' wording for that format.

    Parameters
    ----------
    chunk : bytes
        Whole lines of the raw file.
    first : int
        The number of lines of the file before the chunk.
    rows : Rows
        The rows of the run (spilled when full).
    report : FileReport
        The file's report: lines, pages and skipped pages are counted in it.
    bad : callable
        Sets a line aside: called as ``bad(line_number, raw_line, reason)``.
    convert : callable or None, optional
        Turns a twarc2 page into a v2 page (:func:`analysis.formats.twarc2_page`);
        None (default) for v2 pages.
    """
    fmt = report.format
    lines = chunk.split(b"\n")
    last = len(lines) - 1
    for offset, line in enumerate(lines):
        if not line.strip():
            continue
        lineno = first + offset + 1
        report.lines += 1
        try:
            page, replaced = rawfile.loads(line)
        except orjson.JSONDecodeError:
            page, replaced = stream.arrow_page(line, convert)  # NaN, nesting past 1,024 levels...
            if page is None:
                bad(lineno, line, "truncated last line" if offset == last else "not valid JSON")
                continue
        report.replace(replaced)
        if not isinstance(page, dict):
            bad(
                lineno,
                line,
                "valid JSON but not an " + ("object" if convert else "API page (not an object)"),
            )
            continue
        try:
            page = convert(page) if convert else page
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            bad(lineno, line, f"{fmt} record {shape_problem(exc)}")
            continue
        take_page(
            page,
            rows,
            report,
            lambda why, n=lineno, raw=line: bad(n, raw, why),
            f"{fmt} record" if convert else "API page",
            f"{fmt} record without tweets or users"
            if convert
            else "valid JSON but not an X API page (no tweets or users in `data`)",
        )
