"""Reading raw JSONL files in chunks, and Arrow's streaming JSON reader over them.

:func:`stream_file` parses a whole file of v2 pages with Arrow's streaming
reader in a thread (all cores), :func:`parsed_chunks` cuts a file into chunks of
whole lines of about :data:`CHUNK_BYTES` (each parsed ahead by Arrow when it can),
and :func:`read_ahead` runs either one step ahead of the flattening. :class:`Mapped`
hands a plain file to Arrow in place (memory-mapped), :class:`Fed` a gzip one as it is
decompressed. :class:`Lines` checks that Arrow's pages are the file's lines, one a
line, and :func:`arrow_page` reads a line orjson refuses as Arrow does, so that both
paths take the same lines.
"""

from __future__ import annotations

import io
import mmap
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Full, Queue

import orjson
import pyarrow as pa
import pyarrow.json as pa_json

from analysis.ingest.pages import USER_ENDPOINTS, kind_from_endpoint, provenance
from analysis.ingest.schema import PARSE, PARSE_LEAN
from analysis.rawfile import BOM, decode, is_gzip, open_raw

#: Bytes of raw JSONL handled at once (a page of 100 tweets is about 200 kB).
CHUNK_BYTES = 16 << 20
#: Bytes of raw JSONL Arrow's streaming reader parses as one block when a whole file streams;
#: :func:`page_groups` hands over each block's pages as they are, flattened at once. Joining
#: small blocks into bigger groups (``combine_chunks``) copied every parsed string: on 1M
#: generated tweets, 4 MB blocks joined 64 MB at a time took 19.8 CPU s (mean of 5 runs; 2.9 s
#: of it system time), 16 MB blocks 18.9 (1.9), paired; 4 MB blocks one at a time about 21
#: (each block costs a fixed number of Arrow calls). Bigger blocks cost memory, as the reader
#: parses ahead: peak 850 MB at 16 MB, 1,010 at 20, 1,180 at 24, 1,490 at 32. A line longer
#: than a block fails to parse, and its part of the file is read through the chunked path.
GROUP_BYTES = 16 << 20
#: Bytes Arrow's JSON reader parses per thread in a chunk read from bytes (several a chunk).
BLOCK_BYTES = 4 << 20


def chunks(fh, size: int | None = None) -> Iterator[bytes]:
    """Blocks of whole lines of about ``size`` bytes (the last may lack its newline).

    Reads with ``read1`` so that a corrupt or truncated ``.gz`` still yields every
    complete line decompressed before the damage, then raises.

    Parameters
    ----------
    fh : binary file object
        An open raw file (e.g. from :func:`analysis.rawfile.open_raw`).
    size : int or None, optional
        The wanted chunk size in bytes; None (default) is :data:`CHUNK_BYTES`. A line
        longer than that makes its chunk longer.

    Yields
    ------
    bytes
        Consecutive blocks of whole lines.

    Raises
    ------
    OSError or EOFError
        From a damaged file, after the complete lines read before the damage.
    """
    size = size or CHUNK_BYTES
    want = size
    read = getattr(fh, "read1", fh.read)
    parts: list[bytes] = []
    have = 0
    while True:
        try:
            block = read(want - have)
        except (OSError, EOFError):
            buf = b"".join(parts)
            cut = buf.rfind(b"\n")
            if cut >= 0:
                yield buf[: cut + 1]
            raise
        if block:
            parts.append(block)
            have += len(block)
            if have < want:
                continue
        buf = b"".join(parts)
        if not block:
            if buf:
                yield buf
            return
        cut = buf.rfind(b"\n")
        if cut < 0:  # a line longer than a chunk: read on
            parts, want = [buf], have + size
            continue
        yield buf[: cut + 1]
        parts = [buf[cut + 1 :]]
        have, want = len(parts[0]), size


class Lines:
    r"""Counts the lines of bytes read in blocks, and checks each is one page as Arrow reads it.

    Arrow's JSON reader reads objects, not lines: two pages on one line (a lost
    newline), a page across lines, a byte-order mark at the start of a block all
    read as pages, where the page-at-a-time path sets the lines aside. Arrow's
    pages are the lines exactly when every newline stands right after a ``}``
    (or ``}\r``) and right before a ``{`` (or the end), and there are as many
    pages as lines; otherwise the chunk goes line by line. A newline is looked
    for with ``bytes.find`` (``memchr``): a few per page, no per-tweet work.

    Examples
    --------
    >>> lines = Lines()
    >>> lines.feed(b'{"data": []}\n{"data"')
    >>> lines.feed(b': []}\n')
    >>> lines.ok, lines.count
    (True, 2)
    >>> lines.feed(b'{"a": 1} {"b": 2}\n')  # as many lines as pages tells this one
    >>> lines.ok, lines.count
    (True, 3)
    >>> lines.feed(b' {"c": 3}\n')
    >>> lines.ok
    False
    """

    def __init__(self, bom: bool = False) -> None:
        self.ok = True
        #: newlines seen, plus one for bytes after the last
        self.count = 0
        self._bom = bom  # a byte-order mark may open the stream (Arrow reads past it)
        self._start = True  # the next byte opens a line
        self._open = False  # bytes seen since the last newline
        self._last = b""  # the last two bytes seen

    def feed(self, block: bytes | mmap.mmap, start: int = 0, end: int | None = None) -> None:
        """Count the lines of the next bytes of the stream, ``block[start:end]``.

        Parameters
        ----------
        block : bytes or mmap.mmap
            Holds the next bytes of the stream, in order; nothing is counted once a check
            failed. A memory-mapped file is read in place (:class:`Mapped`).
        start : int, optional
            Where the next bytes start in ``block``; default 0.
        end : int or None, optional
            Where they end; None (default) is the end of ``block``.
        """
        end = len(block) if end is None else end
        if start >= end or not self.ok:
            return
        if self._bom and self.count == 0 and self._start:
            if block[start : start + len(BOM)] == BOM:
                start += len(BOM)
            self._bom = False
            if start >= end:
                return
        if self._start and block[start] != 0x7B:  # {
            self.ok = False
            return
        find = block.find
        i = find(b"\n", start, end)
        while i >= 0:
            before = block[i - 2 : i] if i - start >= 2 else (self._last + block[start:i])[-2:]
            if not (before.endswith(b"}") or before == b"}\r") or (
                i + 1 < end and block[i + 1] != 0x7B
            ):
                self.ok = False
                return
            self.count += 1
            i = find(b"\n", i + 1, end)
        self.count -= self._open  # the line left open by the block before is counted
        self._start = block[end - 1] == 0x0A  # \n
        self._open = not self._start
        self.count += self._open
        self._last = (self._last + block[max(start, end - 2) : end])[-2:]

    @property
    def whole(self) -> int:
        """Return the lines fed so far that are complete (their newline seen)."""
        return self.count - self._open

    def matches(self, pages: int) -> bool:
        """Whether ``pages`` pages read from the bytes fed so far are their lines, one a line.

        Parameters
        ----------
        pages : int
            The number of pages Arrow read from the bytes fed.

        Returns
        -------
        bool
            True if every check passed and there are as many lines as pages.
        """
        return self.ok and self.count == pages


class Fed:
    """A raw stream that feeds what is read from it to :class:`Lines` (for Arrow's reader)."""

    def __init__(self, raw, lines: Lines) -> None:
        self.raw, self.lines = raw, lines

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes, feeding them to the line counter.

        Parameters
        ----------
        size : int, optional
            The most bytes to read; -1 (default) reads to the end.

        Returns
        -------
        bytes
            The bytes read (empty at the end of the stream).
        """
        block = self.raw.read(size)
        self.lines.feed(block)
        return block

    @property
    def closed(self) -> bool:
        """Whether the raw stream is closed."""
        return self.raw.closed

    def close(self) -> None:
        """Close the raw stream."""
        self.raw.close()

    def readable(self) -> bool:
        """Return True: the stream is read."""
        return True

    def seekable(self) -> bool:
        """Return False: the stream is read once, in order."""
        return False


class Mapped:
    """A plain file read in place for Arrow's reader: memory-mapped, fed to :class:`Lines`.

    Reading a file through :class:`Fed` copies every byte into a new ``bytes``, whose
    fresh pages are faulted in (sampled with ``perf``: the kernel's copy alone took
    2.6% of the CPU time of the 1M-tweet ingest, about 0.45 s of its 2 GB). Mapped,
    Arrow parses the page cache's pages where they are (peak memory of that ingest
    also fell, from 800-870 MB to 680-740 MB). The pages of lines the caller has
    taken (:meth:`taken`) leave this process (``MADV_DONTNEED``), so the memory held
    stays Arrow's read-ahead, not the file: the file is only read, so a dropped page
    Arrow still uses is read back in from the page cache, never lost.
    """

    def __init__(self, path: Path, lines: Lines, end: int | None = None) -> None:
        with open(path, "rb") as fh:
            self.map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.view = memoryview(self.map)
        #: bytes of the file handed to Arrow, from its start (all by default)
        self.size = len(self.map) if end is None else min(end, len(self.map))
        self.lines = lines
        #: bytes handed to Arrow so far
        self.pos = 0
        self._dropped = 0
        # (lines whole before a block, where the block starts): what taken() may drop
        self._starts: deque[tuple[int, int]] = deque()
        self._closed = False

    def read(self, size: int = -1) -> memoryview:
        """Return the next bytes of the file in place, after the line counter has seen them.

        Parameters
        ----------
        size : int, optional
            How many bytes at most; -1 (default) for the rest of the file.

        Returns
        -------
        memoryview
            A view of the mapped file, empty past its end.
        """
        end = self.size if size < 0 else min(self.size, self.pos + size)
        self._starts.append((self.lines.whole, self.pos))
        self.lines.feed(self.map, self.pos, end)
        block = self.view[self.pos : end]
        self.pos = end
        return block

    def taken(self, pages: int) -> None:
        """Drop the pages of the file's first ``pages`` lines (Arrow has parsed them).

        Parameters
        ----------
        pages : int
            Lines of the file, from its start, whose parsed pages the caller has taken.
        """
        cut = None
        while self._starts and self._starts[0][0] <= pages:
            cut = self._starts.popleft()[1]
        if cut is None:
            return
        cut -= cut % mmap.PAGESIZE
        if cut > self._dropped:
            self.map.madvise(mmap.MADV_DONTNEED, self._dropped, cut - self._dropped)
            self._dropped = cut

    @property
    def closed(self) -> bool:
        """Whether the stream is closed."""
        return self._closed

    def close(self) -> None:
        """Close the stream; the mapping goes once Arrow has let go of the last view of it."""
        self._closed = True

    def readable(self) -> bool:
        """Return True: the stream is read."""
        return True

    def seekable(self) -> bool:
        """Return False: the stream is read once, in order."""
        return False


def whole_lines(path: Path) -> int | None:
    r"""Return the size of a file's whole lines when its last line is cut short (no newline, not JSON).

    A collection killed while writing leaves such a line. The lines before it
    can still stream (:class:`Mapped` up to this size), and the cut line alone
    goes line by line, instead of the whole file going again in chunks (a 1M-tweet
    file: twice the time of the same file whole).

    Parameters
    ----------
    path : pathlib.Path
        A raw file of pages.

    Returns
    -------
    int or None
        The size in bytes of the lines up to and including the last newline; None if
        the file is gzip, empty, ends with a newline, its last line parses as JSON or is
        blank, or it has no newline at all.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     raw = Path(tmp) / "cut.jsonl"
    ...     _ = raw.write_bytes(b'{"data": []}\n{"data": [{"id"')
    ...     whole_lines(raw)
    13
    """
    if is_gzip(path) or not path.stat().st_size:
        return None
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        if mapped[-1:] == b"\n":
            return None
        last = mapped.rfind(b"\n")
        tail = mapped[last + 1 :]
    if last < 0 or not tail.strip():
        return None
    try:
        orjson.loads(tail)
    except orjson.JSONDecodeError:
        return last + 1
    return None


def starts_with_object(path: Path) -> bool:
    """Whether the first thing in a file (after blanks) opens a JSON object.

    Parameters
    ----------
    path : pathlib.Path
        A raw file (plain or gzip).

    Returns
    -------
    bool
        True if its first 64 KiB, blanks skipped, start with ``{``; False if not or unreadable.
    """
    try:
        with open_raw(path) as fh:
            head = fh.read(1 << 16).lstrip()
    except (OSError, EOFError):
        return False
    return head.startswith(b"{")


def guarded(groups: Iterator, failures: list[BaseException] | None = None) -> Iterator:
    """Yield the groups, then None if reading or parsing failed (a bad line, a damaged file).

    The failure is appended to ``failures`` if given.

    Parameters
    ----------
    groups : Iterator
        Groups of parsed pages (:func:`page_groups`, maybe through :func:`read_ahead`).
    failures : list of BaseException or None, optional
        A list the failure is appended to; None (default) drops it.

    Yields
    ------
    object or None
        Each group, then None if an Arrow, OS or EOF error stopped the iteration.
    """
    try:
        yield from groups
    except (pa.ArrowException, OSError, EOFError) as exc:
        if failures is not None:
            failures.append(exc)
        yield None


def page_groups(source, kind: str | None, lean: bool = False) -> Iterator[pa.RecordBatch]:
    """Yield the parsed pages of ``source``, one block of about :data:`GROUP_BYTES` at a time.

    ``lean`` parses with :data:`~analysis.ingest.schema.PARSE_LEAN` (pages without
    long posts). A parse error is raised after the blocks before it (each whole).

    Parameters
    ----------
    source : Fed or Mapped or file object
        The raw stream to parse (a :class:`Fed` or :class:`Mapped` is wrapped for Arrow).
    kind : str or None
        What ``data`` is parsed as: ``"tweets"``, ``"users"`` or None (either).
    lean : bool, optional
        Parse without long-post fields; default False.

    Yields
    ------
    pyarrow.RecordBatch
        The pages of one block, a row a page.

    Raises
    ------
    pyarrow.ArrowException
        At a block Arrow cannot parse, after the blocks before it.
    """
    if isinstance(source, Fed | Mapped):
        source = pa.PythonFile(source, mode="r")
    reader = pa_json.open_json(
        source,
        read_options=pa_json.ReadOptions(block_size=GROUP_BYTES),
        parse_options=(PARSE_LEAN if lean else PARSE)[kind],
    )
    yield from iter(reader.read_next_batch, None)


class _Failed:
    """An exception raised while producing items ahead, handed to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(items: Iterator, name: str) -> Iterator:
    """``items``, produced one ahead by a background thread (its exceptions raised here).

    Arrow releases the GIL while it reads and parses, so the next item is made
    while the caller works on this one; at most two are held.

    Parameters
    ----------
    items : Iterator
        The items to produce in the background.
    name : str
        The background thread's name (seen in debuggers and stack dumps).

    Yields
    ------
    object
        The items, in order.

    Raises
    ------
    BaseException
        Whatever producing an item raised, when the consumer reaches it.
    """
    queue: Queue = Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        """Hand an item to the consumer, waiting while the queue is full.

        Parameters
        ----------
        item : object
            The next item, a failure, or the end marker.

        Returns
        -------
        bool
            True once it is queued; False if the consumer stopped first.
        """
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))
            return
        put(done)

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(0.05)


def data_kind(path: Path, convert=None) -> str | None:
    """Return what the first page of a file holds in ``data`` ('tweets', 'users'), None if unclear.

    Parameters
    ----------
    path : pathlib.Path
        A raw file of pages (plain or gzip).
    convert : callable or None, optional
        Turns a page of another format into a v2 page (twarc2:
        :func:`analysis.formats.twarc2_page`) before its provenance is read; None (default) for v2 pages.

    Returns
    -------
    str or None
        ``"tweets"`` or ``"users"``; None if the first line is not a page with a known endpoint.
    """
    try:
        with open_raw(path) as fh:
            page = orjson.loads(fh.readline(CHUNK_BYTES))
    except (OSError, EOFError, orjson.JSONDecodeError):
        return None
    return page_data_kind(page, convert)


def page_data_kind(page: object, convert=None) -> str | None:
    """Return what a page holds in ``data`` by its provenance ('tweets', 'users'), None if unclear.

    Parameters
    ----------
    page : object
        A parsed line (anything but a dict gives None).
    convert : callable or None, optional
        Turns a page of another format into a v2 page (twarc2:
        :func:`analysis.formats.twarc2_page`) before its provenance is read; None (default) for v2 pages.

    Returns
    -------
    str or None
        ``"tweets"`` or ``"users"``; None if the provenance names no known endpoint.
    """
    try:
        source = convert(page) if convert else page
        if not isinstance(source, dict):  # provenance would fail on it
            return None
        endpoint = provenance(source)[0]
        kind = kind_from_endpoint(endpoint)
    except (AttributeError, TypeError, ValueError):
        return None
    return "tweets" if kind == "tweets" else "users" if kind in USER_ENDPOINTS else None


def arrow_page(line: bytes, convert=None) -> tuple[dict | None, int]:
    """Return a line orjson refuses, as Arrow's JSON reader reads it: (page or None, UTF-8 replaced).

    Arrow's reader, and so the fast path, takes lines orjson refuses: ``NaN`` and
    ``Infinity``, integers past a double's range, nesting deeper than orjson's 1,024
    levels, all in fields ingest does not read. The page-at-a-time path reads such
    a line as the fast path does: the fields of the schema the fast path parses a
    page of its kind with (:data:`~analysis.ingest.schema.PARSE`; absent and null
    alike), through :func:`analysis.ingest.pages.add_page`. None if Arrow refuses
    the line too, or reads more or less than one page from it.

    Parameters
    ----------
    line : bytes
        One raw line that orjson could not parse.
    convert : callable or None, optional
        Turns a page of another format into a v2 page (twarc2:
        :func:`analysis.formats.twarc2_page`) before its provenance is read; None (default) for v2 pages.

    Returns
    -------
    tuple of (dict or None, int)
        The page without null fields (None if Arrow cannot read exactly one page from
        the line), and how many invalid UTF-8 sequences were replaced.

    Examples
    --------
    >>> arrow_page(b'{"data": [], "meta": {"result_count": 0}, "x": NaN}')
    ({'data': [], 'meta': {'result_count': 0}}, 0)
    >>> arrow_page(b'{"data": [}')
    (None, 0)
    """
    text, replaced = decode(line)  # replaced as rawfile.loads replaces it
    if replaced:
        line = text.encode("utf-8")
    if not line.lstrip().startswith(b"{"):
        return None, 0
    # any page as PAGE_SCHEMA reads it; else a page of a kind as that kind's schema does
    # (the fast path reads a file of one kind with its schema, which ignores the other's fields)
    for kind in (None, "tweets", "users"):
        try:
            pages = pa_json.read_json(
                io.BytesIO(line),
                read_options=pa_json.ReadOptions(block_size=max(len(line) + 1, BLOCK_BYTES)),
                parse_options=PARSE[kind],
            )
            if pages.num_rows != 1:
                return None, 0
            page = _without_nulls(pages.to_pylist()[0])
        except (pa.ArrowException, UnicodeDecodeError):
            continue
        if kind is None or page_data_kind(page, convert) == kind:
            return page, replaced
    return None, 0


def _without_nulls(value):
    """Objects without their null fields (Arrow's rows hold every field of the schema)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def parse_chunk(chunk: bytes, n_lines: int, kind: str | None = None) -> pa.Table | None:
    """Return a chunk's pages as an Arrow table (one row a line), or None if Arrow cannot take it.

    ``kind`` ('tweets', 'users' or None for either) says what ``data`` is parsed as.

    Parameters
    ----------
    chunk : bytes
        Whole lines of a raw file.
    n_lines : int
        The number of lines in the chunk (not used in the check, which counts them itself).
    kind : str or None, optional
        What ``data`` is parsed as: ``"tweets"``, ``"users"`` or None (default: either).

    Returns
    -------
    pyarrow.Table or None
        One row a page; None if Arrow cannot parse the chunk or its pages are not its lines.
    """
    if not chunk.lstrip().startswith(b"{"):  # Arrow cannot take a chunk opening with `null`...
        return None
    try:
        pages = pa_json.read_json(
            io.BytesIO(chunk),
            read_options=pa_json.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=PARSE[kind],
        )
    except pa.ArrowException:
        return None
    # blank lines, two pages on a line, a page across lines...: the line-by-line path tells
    lines = Lines()
    lines.feed(chunk)
    return pages if lines.matches(pages.num_rows) else None


def parsed_chunks(path: Path, parse: bool) -> Iterator[tuple[bytes, int, pa.Table | None]]:
    """(chunk, lines, parsed pages or None) of a file, read and parsed one chunk ahead.

    Parameters
    ----------
    path : pathlib.Path
        A raw file of pages (plain or gzip).
    parse : bool
        Parse each chunk with Arrow (:func:`parse_chunk`); False yields None as the pages.

    Returns
    -------
    Iterator of tuple of (bytes, int, pyarrow.Table or None)
        Each chunk, its number of lines, and its pages when Arrow can take them.
    """

    def parsed() -> Iterator[tuple[bytes, int, pa.Table | None]]:
        with open_raw(path) as fh:
            for chunk in chunks(fh):
                n_lines = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
                yield chunk, n_lines, parse_chunk(chunk, n_lines) if parse else None

    return read_ahead(parsed(), "ingest-reader")
