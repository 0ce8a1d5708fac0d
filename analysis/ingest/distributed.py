"""Ingest on a Dask cluster: raw files read on the workers, winners chosen per bucket there.

:func:`analysis.ingest.ingest_files` with ``scheduler=`` runs the same stages as
on one process, with the same functions, spread over a Dask cluster
(:func:`analysis.cluster.dask_client`):

1. **Read** (on the workers). Each raw file is one task, read by
   :func:`analysis.ingest.read.read_file` into a spill of its own, except large
   uncompressed files of a line-oriented format (:data:`SPLIT_FORMATS`), cut at
   line boundaries into pieces of about :data:`PIECE_BYTES`: each piece is
   copied to the worker's scratch folder and read as a
   :class:`~analysis.ingest.read.Part`, its lines numbered as in the whole file.
   Every piece is read at once; a piece with bad lines (whose numbers show) is
   read again once tasks have counted the lines before it (with ``strict``, the
   lines are counted first). Files whose parts depend on each
   other (CSV edge lists naming accounts by username, academictwitteR
   ``data``/``users`` pairs, whole-file JSON, X archives) go to one worker whole;
   edge lists are read after every other file, with the usernames those read.
   The rows of piece ``i`` are numbered from ``i << SEQ_BITS``, so that ties
   between observations go to the row read last, as on one process.
2. **Winners** (on the workers). Every piece spills its rows into the same hash
   buckets by key (:func:`analysis.merge.bucket_of`: the shuffle); each bucket of
   each table is de-duplicated by :func:`analysis.merge.bucket_winners`, the
   rules of :mod:`analysis.merge`, into an Arrow file. A run of one bucket (up to
   :data:`analysis.merge.BUCKET_BYTES` of input on a small cluster) has its
   winners chosen in step 3, streamed from the pieces' spill files.
3. **Commit** (here). The existing rows new keys update are read and bucketed
   as on one process, and :func:`analysis.merge.merge_table` commits every table
   from the buckets' winners, then the dataset's manifest gets one new version,
   all under the dataset's lock. A run that fails leaves the previous version.

Workers and this process must see the raw files and the data root at the same
paths (a shared filesystem, as on a Slurm or PBS cluster). A worker that dies
is replaced and its task run again (Dask's ``distributed.scheduler.allowed-failures``):
a task starts by removing what an earlier attempt left.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
from tqdm.auto import tqdm

from analysis import formats, merge, rawfile, store
from analysis.cluster import task_result
from analysis.ingest.read import FileReport, Part, check_pages_found, read_file
from analysis.ingest.rows import Rows, Spill

if TYPE_CHECKING:
    from distributed import Client, Future

#: Formats whose lines stand alone: a large file of one is cut into pieces at line boundaries.
SPLIT_FORMATS = (formats.V2_PAGES, formats.TWARC2_PAGES, formats.TWARC2_FLAT, formats.V1_TWEETS)
#: Largest piece of a cut file, in bytes (fewer, larger pieces cost less to schedule and merge).
PIECE_BYTES = 512 << 20
#: Files under this size are not cut.
MIN_PIECE_BYTES = 32 << 20
#: Rows one piece may spill: piece ``i`` numbers its rows from ``i << SEQ_BITS``.
SEQ_BITS = 40
_COPY_BYTES = 16 << 20


@dataclass(frozen=True)
class Piece:
    """A raw file, or the bytes ``[start, end)`` of one cut at line boundaries, read as one task."""

    index: int
    path: str
    format: str
    start: int | None = None
    end: int | None = None

    @property
    def edge_list(self) -> bool:
        """Whether the piece is an edge list (read after the others, with their usernames)."""
        return self.format in (formats.EDGE_CSV, formats.EDGE_PARQUET)


@dataclass
class PieceResult:
    """What one task made of its piece (its rows are in its spill folder)."""

    index: int
    folder: str
    report: FileReport
    quarantine: list[dict] = field(default_factory=list)
    usernames: list[pa.Table] = field(default_factory=list)
    keys: list[tuple[int, str, str]] = field(default_factory=list)
    synthetic: bool = False


def plan_pieces(files: list[Path], workers: int) -> list[Piece]:
    """Cut the files into the pieces read as tasks, in the order one process reads them.

    Parameters
    ----------
    files : list of pathlib.Path
        Raw files, in reading order (:func:`analysis.ingest.expand`).
    workers : int
        Threads of the cluster; a large file is cut into at least as many pieces.

    Returns
    -------
    list of Piece
        Whole files, and the byte ranges of cut ones, numbered in reading order.
    """
    pieces: list[Piece] = []
    for path in files:
        fmt = formats.detect_format(path)
        size = path.stat().st_size
        splittable = fmt in SPLIT_FORMATS and not rawfile.is_gzip(path)
        if not splittable or size < 2 * MIN_PIECE_BYTES:
            pieces.append(Piece(len(pieces), str(path), fmt))
            continue
        parts = max(-(-size // PIECE_BYTES), min(workers, size // MIN_PIECE_BYTES))
        cuts = cut_points(path, size, parts)
        for start, end in zip(cuts[:-1], cuts[1:], strict=True):
            pieces.append(Piece(len(pieces), str(path), fmt, start, end))
    return pieces


def cut_points(path: Path, size: int, parts: int) -> list[int]:
    r"""Return byte offsets cutting a file into about ``parts`` ranges of whole lines.

    Each offset but the first (0) and the last (``size``) is just after a newline.

    Parameters
    ----------
    path : pathlib.Path
        An uncompressed JSONL file.
    size : int
        The file's size in bytes.
    parts : int
        How many ranges are wanted (fewer come back when lines are long).

    Returns
    -------
    list of int
        Increasing offsets from 0 to ``size``; consecutive ones bound a range.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pages.jsonl"
    >>> _ = p.write_bytes(b"aaaa\nbb\ncccc\ndd\n")
    >>> cut_points(p, 17, 2)
    [0, 8, 17]
    """
    cuts = [0]
    with open(path, "rb") as fh:
        for i in range(1, parts):
            fh.seek(max(size * i // parts - 1, cuts[-1]))
            fh.readline()  # to the end of the line the target falls in
            where = fh.tell()
            if where >= size:
                break
            if where > cuts[-1]:
                cuts.append(where)
    cuts.append(size)
    return cuts


def count_lines(path: str, start: int, end: int) -> int:
    """Return the number of newlines in the bytes ``[start, end)`` of a file.

    Parameters
    ----------
    path : str
        The raw file.
    start : int
        The first byte of the range (inclusive).
    end : int
        The end of the range in bytes (exclusive).

    Returns
    -------
    int
        The number of newline bytes in that range (fewer if the file is shorter).
    """
    count = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start
        while left > 0:
            block = fh.read(min(_COPY_BYTES, left))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def _copy_range(source: str, start: int, end: int, target: Path) -> None:
    """Copy the bytes ``[start, end)`` of a file to ``target`` (in the kernel where it can)."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        offset = start
        try:
            while offset < end:
                done = os.copy_file_range(src.fileno(), dst.fileno(), end - offset, offset)
                if not done:
                    break
                offset += done
        except (AttributeError, OSError):  # not Linux, or a filesystem that refuses
            src.seek(offset)
            while offset < end:
                block = src.read(min(_COPY_BYTES, end - offset))
                if not block:
                    break
                dst.write(block)
                offset += len(block)


def _worker_threads() -> None:
    """Give Arrow as many threads as the Dask worker has (its pool has one per core otherwise).

    Two worker processes of one thread each on 2 cores would otherwise parse on 4
    Arrow threads; outside a worker nothing changes.
    """
    try:
        from distributed import get_worker  # optional: the dask extra

        threads = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return
    if pa.cpu_count() != threads:
        pa.set_cpu_count(threads)


def _scratch() -> str | None:
    """Return the Dask worker's own folder, if running in one (else the system's temporary folder)."""
    try:
        from distributed import get_worker  # optional: the dask extra

        return get_worker().local_directory
    except (ImportError, ValueError):
        return None


def read_piece(
    piece: Piece,
    folder: str,
    buckets: int,
    strict: bool,
    observed_at: datetime | None,
    follows: tuple[str, str] | None,
    lines_before: list[int],
    earlier: list[PieceResult],
    track_usernames: bool,
) -> PieceResult:
    """Read one piece into a spill of its own, as :func:`analysis.ingest.ingest_files` reads a file.

    Runs on a worker. What an earlier attempt of the task left in ``folder`` is
    removed first.

    Parameters
    ----------
    piece : Piece
        The file or byte range to read.
    folder : str
        The piece's spill folder (shared with the process that commits).
    buckets : int
        Hash buckets of the run (the same in every piece).
    strict : bool
        Make the first bad line an error instead of quarantining it.
    observed_at : datetime.datetime or None
        The time the links of edge lists are dated; None uses each file's modification time.
    follows : tuple of (str, str) or None
        (relation, account id) of v1.1 id and follower-list pages; None tells them by file name.
    lines_before : list of int
        Lines of the file in each earlier piece of it (to number this piece's lines).
    earlier : list of PieceResult
        Results of the pieces read before, whose usernames an edge list resolves against.
    track_usernames : bool
        Note the usernames read (the run has edge lists).

    Returns
    -------
    PieceResult
        The piece's report, quarantine entries, usernames and keys.
    """
    shutil.rmtree(folder, ignore_errors=True)
    _worker_threads()
    spill = Spill(Path(folder), buckets, usernames=track_usernames)
    spill.seq = piece.index << SEQ_BITS
    spill.usernames = [t for result in earlier for t in result.usernames]
    rows = Rows(sink=spill)
    quarantine: list[dict] = []
    try:
        with store.c_allocator(), tempfile.TemporaryDirectory(dir=_scratch()) as scratch:
            path, part = Path(piece.path), None
            if piece.start is not None and piece.end is not None:
                part = Part(piece.path, sum(lines_before), piece.format)
                path = Path(scratch) / path.name
                _copy_range(piece.path, piece.start, piece.end, path)
            report = read_file(path, rows, quarantine, strict, None, observed_at, follows, part)
            rows.flush()
    finally:
        spill.close()
    return PieceResult(
        index=piece.index,
        folder=folder,
        report=report,
        quarantine=quarantine,
        usernames=spill.all_usernames() if track_usernames and not piece.edge_list else [],
        keys=[(key, *seen) for key, seen in rows.keys._seen.items()],
        synthetic=rows.synthetic,
    )


def reduce_bucket(name: str, sources: list[str], gone: pa.Array | None, out: str) -> int:
    """Write the winners of one bucket of table ``name`` to an Arrow file; return their count.

    Runs on a worker: :func:`analysis.merge.bucket_winners` on the bucket's spill
    files, written to ``out`` whole or not at all.

    Parameters
    ----------
    name : str
        A contract table name.
    sources : list of str
        The bucket's spill files, new rows first, then the existing rows they update.
    gone : pyarrow.Array or None
        Tweet ids to leave out (earlier versions of edited posts); None leaves none out.
    out : str
        The Arrow IPC file to write, replaced atomically.

    Returns
    -------
    int
        The number of winning rows written.
    """
    _worker_threads()
    schema = merge.CONTRACT[name].schema
    temporary = f"{out}.{uuid.uuid4().hex[:8]}.part"
    count = 0
    with (
        store.c_allocator(),
        pa.OSFile(temporary, "wb") as sink,
        pa.ipc.new_file(sink, schema) as w,
    ):
        for piece in merge.bucket_winners(name, [Path(s) for s in sources], gone):
            w.write_table(piece)
            count += piece.num_rows
    os.replace(temporary, out)
    return count


class ClusterSpill(Spill):
    """The spills of every piece, seen as one :class:`analysis.merge.Spill` by the merge.

    New rows are in the pieces' folders, in reading order; rows of the existing
    tables that new rows update (:meth:`~analysis.merge.Spill.write_moved`) go to
    this spill's own folder. :meth:`winners` de-duplicates each bucket on the cluster.
    """

    def __init__(self, folder: Path, buckets: int, client: Client, pieces: list[str]) -> None:
        super().__init__(folder, buckets, usernames=False)
        self.client = client
        self.pieces = [Path(p) for p in pieces]
        self.token = uuid.uuid4().hex[:8]

    def files(self, name: str, bucket: int) -> list[Path]:
        """Return the spill files of ``name`` in ``bucket``: every piece's, then this spill's.

        Parameters
        ----------
        name : str
            A spilled table, or ``old-<table>`` for moved rows.
        bucket : int
            The bucket number.

        Returns
        -------
        list of pathlib.Path
            The Arrow IPC files, the pieces' in reading order, then this spill's own.
        """
        pattern = f"{name}-{bucket:03d}-*.arrow"
        return [p for folder in [*self.pieces, self.folder] for p in sorted(folder.glob(pattern))]

    def winners(self, name: str, gone: pa.Array | None = None) -> Iterator[pa.RecordBatch]:
        """Yield the winning rows of table ``name``: every bucket reduced on the cluster at once.

        With one bucket, the winners are chosen here from the pieces' spill files,
        streamed into the commit as :class:`analysis.merge.Spill` does: a task would
        only add a copy of every winning row (an Arrow file this process reads back),
        and the eight tables' merges already run side by side here (measured on 1M
        tweets: 2.3 s of CPU less).

        Parameters
        ----------
        name : str
            A contract table name.
        gone : pyarrow.Array or None, optional
            Tweet ids to leave out (earlier versions of edited posts); None (default) leaves none out.

        Yields
        ------
        pyarrow.RecordBatch
            Winning rows in the table's contract schema, bucket by bucket.
        """
        if self.buckets == 1:  # nothing to share out: chosen here, as one process chooses them
            yield from super().winners(name, gone)
            return
        jobs: list[tuple[Path, Future]] = []
        shared = self.client.scatter(gone, hash=False) if gone is not None and len(gone) else None
        for bucket in range(self.buckets):
            sources = self.sources(name, bucket)
            if sources:
                out = self.folder / f"winners-{name}-{bucket:03d}.arrow"
                job = self.client.submit(
                    reduce_bucket,
                    name,
                    [str(p) for p in sources],
                    shared,
                    str(out),
                    key=f"ingest-winners-{name}-{bucket}-{self.token}",
                    pure=False,
                )
                jobs.append((out, job))
        try:
            for out, job in jobs:
                if task_result(job):
                    yield from merge._batches([out])
        finally:
            _settle([job for _, job in jobs])


def _settle(jobs: list[Future]) -> None:
    """Wait until no task of ``jobs`` runs any more (nothing writes to the staging folder then)."""
    from distributed import wait  # optional: the dask extra

    unfinished = [job for job in jobs if not job.done()]
    if unfinished:
        wait(unfinished)


def _workers(client: Client) -> int:
    """Return the cluster's worker threads (at least 1)."""
    info = client.scheduler_info()
    return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))


def bucket_count(client: Client, buckets: int) -> int:
    """Return the hash buckets of a run: as one process would, or more on a large cluster.

    The eight tables are reduced side by side, so a bucket per four worker threads
    keeps every thread busy; fewer buckets cost less splitting (measured on 2 workers).

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster, whose worker threads are counted.
    buckets : int
        The buckets one process would use (:func:`analysis.merge.bucket_count`).

    Returns
    -------
    int
        A power of two, at least ``buckets`` and at most 256.
    """
    threads = _workers(client)
    return min(max(buckets, 1 << max(threads // 4 - 1, 0).bit_length()), 256)


def read_files(
    client: Client,
    files: list[Path],
    staging: Path,
    buckets: int,
    *,
    strict: bool = False,
    observed_at: datetime | None = None,
    follows: tuple[str, str] | None = None,
    progress: bool = True,
) -> tuple[ClusterSpill, Rows, list[FileReport], list[dict]]:
    """Read raw files on the cluster: their rows spilled, file reports and bad lines returned.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster (:func:`analysis.cluster.dask_client`).
    files : list of pathlib.Path
        Raw files, checked, in reading order.
    staging : pathlib.Path
        The dataset writer's staging folder (seen by every worker).
    buckets : int
        Hash buckets of the run.
    strict : bool, optional
        Make the first bad line an error instead of quarantining it; default False.
    observed_at : datetime.datetime or None, optional
        The time the links of edge lists are dated; None (default) uses each file's modification time.
    follows : tuple of (str, str) or None, optional
        (relation, account id) of v1.1 id and follower-list pages; None (default) tells them by file name.
    progress : bool, optional
        Show a progress bar of the bytes of the pieces read; default True.

    Returns
    -------
    tuple of (ClusterSpill, Rows, list of FileReport, list of dict)
        The spill every table is merged from, a :class:`Rows` with the run's
        keys and synthetic flag, one report per file and the quarantine
        entries, all in the order one process reads them.

    Raises
    ------
    Exception
        The error of the first piece (in reading order) that failed, once no task runs.
    """
    pieces = plan_pieces(files, _workers(client))
    token = uuid.uuid4().hex[:8]
    folders = [str(staging / ".spill" / f"piece-{p.index:06d}") for p in pieces]
    track = any(p.edge_list for p in pieces)
    options = (buckets, strict, observed_at, follows)
    # A piece's lines are numbered from the lines of the pieces before it, which
    # only its bad lines show. With --strict the first bad line stops the run with
    # its number, so the lines are counted first; otherwise every piece is read at
    # once, and a piece with bad lines is read again once the lines before it are
    # counted (a clean file is read once, without a pass to count its lines).
    counts = _count_lines_before(client, pieces, pieces, token) if strict else {}
    jobs = _submit_reads(client, pieces, folders, options, counts, track, token)
    results: list[PieceResult] = []
    total = sum(Path(p).stat().st_size for p in dict.fromkeys(p.path for p in pieces))
    try:
        with tqdm(
            total=total, desc="ingest", unit="B", unit_scale=True, disable=not progress
        ) as bar:
            for piece, job in zip(pieces, jobs, strict=True):
                results.append(task_result(job))
                size = Path(piece.path).stat().st_size
                bar.update((piece.end - piece.start) if piece.end is not None else size)  # type: ignore[operator]
        again = [p for p in pieces if p.start and not strict and results[p.index].report.bad_lines]
        if again:
            token = uuid.uuid4().hex[:8]
            counts = _count_lines_before(client, pieces, again, token)
            for piece, job in zip(
                again,
                _submit_reads(client, again, folders, options, counts, track, token),
                strict=True,
            ):
                jobs.append(job)
                results[piece.index] = task_result(job)
    finally:
        _settle([*(c for cs in counts.values() for c in cs), *jobs])
    spill = ClusterSpill(staging / ".spill" / "merge", buckets, client, folders)
    rows = Rows()
    entries: list[dict] = []
    reports: dict[str, FileReport] = {}
    for piece, result in zip(pieces, results, strict=True):
        rows.synthetic |= result.synthetic
        for key, platform, native_id in result.keys:
            rows.keys.add(key, platform, native_id)
        entries.extend(result.quarantine)
        merged = reports.setdefault(piece.path, _empty_report(result.report))
        _add_report(merged, result.report)
    # a cut file of pages is checked whole (a whole file was, by read_file)
    for path in dict.fromkeys(p.path for p in pieces if p.start is not None):
        if reports[path].format in (formats.V2_PAGES, formats.TWARC2_PAGES):
            check_pages_found(reports[path])
    return spill, rows, list(reports.values()), entries


def _count_lines_before(
    client: Client, pieces: list[Piece], wanted: list[Piece], token: str
) -> dict[int, list[Future]]:
    """Count, on the cluster, the lines of the pieces of a cut file before each wanted piece.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster.
    pieces : list of Piece
        Every piece of the run, in reading order.
    wanted : list of Piece
        The pieces whose lines must be numbered as in their whole file.
    token : str
        Makes the tasks' keys unique to this run.

    Returns
    -------
    dict of int to list of distributed.Future
        By wanted piece's index, futures of the numbers of lines of the pieces of
        its file before it (one task per piece counted, shared).
    """
    counted: dict[int, Future] = {}
    before: dict[int, list[Future]] = {}
    for piece in wanted:
        before[piece.index] = []
        for p in pieces[: piece.index]:
            if p.path != piece.path or p.start is None or p.end is None:
                continue
            if p.index not in counted:
                counted[p.index] = client.submit(
                    count_lines,
                    p.path,
                    p.start,
                    p.end,
                    key=f"ingest-lines-{p.index}-{token}",
                    pure=False,
                )
            before[piece.index].append(counted[p.index])
    return before


def _submit_reads(
    client: Client,
    pieces: list[Piece],
    folders: list[str],
    options: tuple,
    counts: dict[int, list[Future]],
    track: bool,
    token: str,
) -> list[Future]:
    """Submit a :func:`read_piece` task per piece; return their futures in the order of ``pieces``.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster.
    pieces : list of Piece
        The pieces to read, in reading order.
    folders : list of str
        Every piece's spill folder, by piece index.
    options : tuple
        (buckets, strict, observed_at, follows) of the run, as :func:`read_piece` takes them.
    counts : dict of int to list of distributed.Future
        By piece index, the lines of the pieces of its file before it
        (:func:`_count_lines_before`); a piece missing is numbered from line 1.
    track : bool
        Note the usernames read (the run has edge lists).
    token : str
        Makes the tasks' keys unique to this run.

    Returns
    -------
    list of distributed.Future
        One future of a :class:`PieceResult` per piece.
    """
    buckets, strict, observed_at, follows = options
    jobs: list[Future] = []
    for piece in pieces:
        # an edge list waits for the other files (not for other edge lists): their usernames
        earlier = [j for p, j in zip(pieces, jobs, strict=False) if not p.edge_list]
        jobs.append(
            client.submit(
                read_piece,
                piece,
                folders[piece.index],
                buckets,
                strict,
                observed_at,
                follows,
                counts.get(piece.index, []),
                earlier if piece.edge_list else [],
                track,
                key=f"ingest-read-{piece.index}-{token}",
                pure=False,
            )
        )
    return jobs


def _empty_report(first: FileReport) -> FileReport:
    """Return a report for a whole file, with the fields of its first piece that are not counts."""
    return FileReport(
        path=first.path,
        format=first.format,
        rejected=first.rejected,
        observed_at=first.observed_at,
        dated_by=first.dated_by,
    )


def _add_report(total: FileReport, piece: FileReport) -> None:
    """Add a piece's report to its file's: counts summed, problems kept as one process keeps them."""
    total.lines += piece.lines
    total.pages += piece.pages
    total.skipped_pages += piece.skipped_pages
    total.bad_lines += piece.bad_lines
    total.replaced += piece.replaced
    total.replaced_lines += piece.replaced_lines
    more = f"{piece.path}: more bad lines; every one is listed in {store.QUARANTINE_FILE}."
    for message in piece.problems:
        if message != more:  # a piece's own cut-off: the file's comes from the total
            total.problem(message)
