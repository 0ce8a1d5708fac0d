"""Reading raw JSONL files in chunks, and Arrow's streaming JSON reader over them.

:func:`stream_file` parses a whole file of v2 pages with Arrow's streaming
reader in a thread (all cores), :func:`parsed_chunks` cuts a file into chunks of
whole lines of about :data:`CHUNK_BYTES` (each parsed ahead by Arrow when it can),
and :func:`read_ahead` runs either one step ahead of the flattening.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Full, Queue

import orjson
import pyarrow as pa
import pyarrow.json as pa_json

from analysis.ingest.arrow import PARSE
from analysis.ingest.pages import USER_ENDPOINTS, kind_from_endpoint, provenance
from analysis.rawfile import open_raw

#: Bytes of raw JSONL handled at once (a page of 100 tweets is about 200 kB).
CHUNK_BYTES = 16 << 20
#: Bytes Arrow's JSON reader parses per thread (a chunk is parsed by several at once).
BLOCK_BYTES = 4 << 20


def chunks(fh, size: int | None = None) -> Iterator[bytes]:
    """Blocks of whole lines of about ``size`` bytes (the last may lack its newline).

    Reads with ``read1`` so that a corrupt or truncated ``.gz`` still yields every
    complete line decompressed before the damage, then raises.
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


def starts_with_object(path: Path) -> bool:
    """Whether the first thing in a file (after blanks) opens a JSON object."""
    try:
        with open_raw(path) as fh:
            head = fh.read(1 << 16).lstrip()
    except (OSError, EOFError):
        return False
    return head.startswith(b"{")


def guarded(groups: Iterator) -> Iterator:
    """The groups, then None if reading or parsing failed (a bad line, a damaged file)."""
    try:
        yield from groups
    except (pa.ArrowException, OSError, EOFError):
        yield None


def page_groups(source, kind: str | None) -> Iterator[list[pa.RecordBatch]]:
    """Parsed pages of ``source`` in groups of about :data:`CHUNK_BYTES`.

    A parse error is raised after the groups before it (each whole).
    """
    reader = pa_json.open_json(
        source,
        read_options=pa_json.ReadOptions(block_size=BLOCK_BYTES),
        parse_options=PARSE[kind],
    )
    held, size = [], 0
    try:
        for batch in iter(reader.read_next_batch, None):
            held.append(batch)
            size += batch.nbytes
            if size >= CHUNK_BYTES:
                yield held
                held, size = [], 0
    except StopIteration:
        pass
    if held:
        yield held


class _Failed:
    """An exception raised while producing items ahead, handed to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(items: Iterator, name: str) -> Iterator:
    """``items``, produced one ahead by a background thread (its exceptions raised here).

    Arrow releases the GIL while it reads and parses, so the next item is made
    while the caller works on this one; at most two are held.
    """
    queue: Queue = Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
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
    """What the first page of a file holds in ``data`` ('tweets', 'users'), None if unclear."""
    try:
        with open_raw(path) as fh:
            page = orjson.loads(fh.readline(CHUNK_BYTES))
        endpoint = provenance(convert(page) if convert else page)[0]
    except (OSError, EOFError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None
    kind = kind_from_endpoint(endpoint)
    return "tweets" if kind == "tweets" else "users" if kind in USER_ENDPOINTS else None


def parse_chunk(chunk: bytes, n_lines: int, kind: str | None = None) -> pa.Table | None:
    """A chunk's pages as an Arrow table (one row a line), or None if Arrow cannot take it.

    ``kind`` ('tweets', 'users' or None for either) says what ``data`` is parsed as.
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
    # blank lines: let the line-by-line path number them
    return pages if pages.num_rows == n_lines else None


def parsed_chunks(path: Path, parse: bool) -> Iterator[tuple[bytes, int, pa.Table | None]]:
    """(chunk, lines, parsed pages or None) of a file, read and parsed one chunk ahead."""

    def parsed() -> Iterator[tuple[bytes, int, pa.Table | None]]:
        with open_raw(path) as fh:
            for chunk in chunks(fh):
                n_lines = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
                yield chunk, n_lines, parse_chunk(chunk, n_lines) if parse else None

    return read_ahead(parsed(), "ingest-reader")
