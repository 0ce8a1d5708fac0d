"""Raw files -> the Delta tables of :mod:`analysis.tables`: the ingest stage.

Reads JSONL files of X API v2 response pages (one page a line: ``data``,
``includes``, ``meta``, ``errors``), as :mod:`analysis.collect`, ``medtwitter
demo`` and twarc2 write them, with their provenance block (``__medtwitter`` or
``__twarc``) telling the endpoint, and files in other formats (twarc2 flattened,
API v1.1, academictwitteR, X archives), recognised per file and converted to v2
pages by :mod:`analysis.formats`, and edge lists (CSV, Parquet), read with Arrow.

The stages, one module each:

=====================================  ==========================================================
:mod:`analysis.rawfile`                opening raw files: gzip told by its bytes, a byte-order
                                       mark skipped, blank files told apart, bad UTF-8 replaced
:mod:`~analysis.ingest.read`           one file -> rows: which path reads which file (below)
:mod:`~analysis.ingest.stream`         chunks of whole lines; Arrow's JSON reader, a step ahead
:mod:`~analysis.ingest.schema`         what the fast path parses of a page: Arrow schemas
:mod:`~analysis.ingest.arrow`          the fast path: parsed pages -> rows with Arrow compute
:mod:`~analysis.ingest.pages`          the page-at-a-time path: one page (a dict) -> rows
:mod:`~analysis.ingest.edges`          edge lists (CSV, Parquet) -> rows, Arrow batch by batch
:mod:`~analysis.ingest.rows`           rows held, then spilled to disk (Arrow IPC)
:mod:`~analysis.ingest.quarantine`     bad lines set aside, with their ids for purges
:mod:`~analysis.ingest.distributed`    the same stages on a Dask cluster (``scheduler=``)
:mod:`analysis.merge`                  spilled rows de-duplicated and committed to Delta tables
=====================================  ==========================================================

Which path runs when: a file of v2 (or twarc2) pages goes whole through Arrow's
streaming JSON reader and :func:`analysis.ingest.arrow.extract_chunk` (no Python
object per tweet). If the reader meets a line it cannot take exactly (not JSON,
not a page, a page of unclear kind, an id that is not an X id, invalid UTF-8, two
pages on one line or one across two: :class:`analysis.ingest.stream.Lines`...),
the file is read again in chunks of about :data:`analysis.ingest.stream.CHUNK_BYTES`:
each chunk Arrow can take still goes the fast way, the others line by line through
:func:`analysis.ingest.pages.add_page`, which names and quarantines each bad line.
A plain file whose last line alone is cut short (a collection killed while writing:
:func:`analysis.ingest.stream.whole_lines`) streams up to that line, which alone goes
line by line. Pages of other formats always go through :func:`~analysis.ingest.pages.add_page`.
Both paths give the same rows and set aside the same lines (property tests check
it, on any pages and on randomly damaged files: ``tests/test_ingest_damage.py``); a
line orjson refuses and Arrow reads (``NaN``, nesting past 1,024 levels in a field
ingest does not read) is read as Arrow reads it (:func:`analysis.ingest.stream.arrow_page`).

Then :func:`analysis.merge.merge_table` de-duplicates each table's rows by key
(newest observation winning) with the existing rows whose key they carry, and
commits the winners to the table's Delta table; with every table committed, the
dataset's manifest gets a new version (:class:`analysis.store.DatasetWriter`,
which holds the dataset's lock from the first read to the manifest).

Guarantees:

* a run never aborts on one bad record: a bad line (not JSON, not an API page,
  an id that is not an X id, a truncated last line) is set aside in
  ``quarantine.jsonl`` beside the tables with its file and line number, and
  every other line is kept (``strict=True`` makes the first bad line an error);
  a file that cannot be read at all (empty, not gzip, a CSV without its header)
  is named in one line and the other files are read;
* no wrong value is stored: ids are JSON integers or ASCII-digit strings from 1
  to 2^63-1 (:func:`analysis.contract.parse_id`), a page with a part of the wrong
  type (``data`` a string, ``includes`` a list, a provenance block that is not an
  object...) is set aside whole, and invalid UTF-8 bytes are replaced by U+FFFD and
  counted in the run's report;
* re-ingesting a file changes nothing: tweets, users and edges are
  de-duplicated by id (newest metrics and snapshots win; ``user_snapshots``
  keeps every snapshot);
* a run is one dataset version: an interrupted ingest leaves the previous
  version visible, and the next writer rolls the tables back to it;
* peak memory does not grow with the input (chunks, spill files, hash buckets
  of :data:`analysis.merge.BUCKET_BYTES` of input for the merge).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from tqdm.auto import tqdm

from analysis import __version__, formats, formats_v1, merge, settings, store
from analysis.cluster import dask_client
from analysis.contract import CONTRACT, TABLE_NAMES
from analysis.errors import RawFormatError, UsageError
from analysis.ingest import distributed, edges
from analysis.ingest.pages import add_page, filter_page
from analysis.ingest.quarantine import Quarantine, quarantine_ids, quarantine_usernames
from analysis.ingest.read import FileReport, check_file, read_file
from analysis.ingest.rows import Rows, Spill
from analysis.platforms import KeyRegistry

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "QUARANTINE_FILE",
    "FileReport",
    "IngestReport",
    "add_page",
    "filter_page",
    "ingest_files",
    "quarantine_ids",
    "quarantine_usernames",
]

QUARANTINE_FILE = store.QUARANTINE_FILE

#: Tables merged and committed side by side: the three largest at once (delta-rs writes on
#: threads of its own; measured on 2 cores: 2.6 s for the merge of 1M tweets, 3.9 s with one).
MERGE_THREADS = 3


@dataclass
class IngestReport:
    """What one ingest run did: per-file reports and the dataset's new table sizes."""

    dataset: str
    files: list[FileReport] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: the dataset version this run committed (see ``medtwitter info DATASET --versions``)
    version: int | None = None

    @property
    def bad_lines(self) -> int:
        """Bad lines set aside in every file read."""
        return sum(f.bad_lines for f in self.files)

    @property
    def pages(self) -> int:
        """Pages read in every file."""
        return sum(f.pages for f in self.files)


# --- merging into the dataset -------------------------------------------------------------


def ingest_files(
    paths: Iterable[str | os.PathLike[str]],
    dataset: str,
    *,
    strict: bool = False,
    synthetic: bool | None = None,
    progress: bool = True,
    replace: bool = False,
    command: str = "ingest",
    observed_at: datetime | str | None = None,
    owner: int | str | None = None,
    relation: str | None = None,
    scheduler: str | Client | None = None,
) -> IngestReport:
    """Ingest raw JSONL files into a dataset's Delta tables (created or extended).

    Memory stays bounded whatever the input size: pages are parsed and
    flattened in groups, rows are spilled to disk, and the merge holds only
    keys in memory (see the module docstring). Appending costs time in
    proportion to the new files. A run is one dataset version.

    Parameters
    ----------
    paths : Iterable of str or os.PathLike
        Files or folders (a folder contributes its ``*.jsonl`` and ``*.jsonl.gz``, and the
        files of other known formats: see :func:`analysis.formats.folder_files`).
    dataset : str
        The dataset's name; tables go to ``<data root>/processed/<dataset>/``.
    strict : bool, optional
        Make the first bad line (or unreadable file) an error instead of quarantining
        it; default False.
    synthetic : bool or None, optional
        Mark the dataset synthetic or not; None (default) reads it from the pages'
        provenance and the dataset's earlier metadata.
    progress : bool, optional
        Show a progress bar of the bytes read; default True.
    replace : bool, optional
        Rebuild the dataset from these files only, ignoring its existing tables
        (one overwrite commit per table; earlier versions stay readable until
        compacted); default False.
    command : str, optional
        What the dataset's version history records as the command that wrote it;
        default ``"ingest"``.
    observed_at : datetime.datetime or str or None, optional
        When the links of edge lists (which carry no date) were seen: a date
        (``"2024-05-01"``, midnight UTC) or a time; None (default) uses each file's
        modification time.
    owner : int or str or None, optional
        The account (id) whose follow lists the API v1.1 id pages and followers/list,
        friends/list pages are; None (default) tells it from each file's name
        (``followers_<id>.json``).
    relation : str or None, optional
        Which list those pages are, ``"followers"`` or ``"following"``; None (default)
        tells it from each file's name.
    scheduler : str or distributed.Client or None, optional
        Read and de-duplicate on a Dask cluster: ``local:N`` (N local worker
        processes), a scheduler's address (``tcp://host:8786``), a scheduler file, or a
        :class:`distributed.Client`; the tables are the same as without it (see
        :mod:`analysis.ingest.distributed`). Needs ``pip install 'medtwitter[dask]'``.
        None (default) runs in this process.

    Returns
    -------
    IngestReport
        Per file: its format, lines, pages, bad lines and problems; the dataset's row
        counts per table after the run, and the dataset version it committed.

    Raises
    ------
    analysis.errors.RawFormatError
        If no file can be read, or with ``strict`` at the first bad line or unreadable file.
    analysis.errors.UsageError
        If a path does not exist, the dataset name is invalid, or an option is wrong.

    Examples
    --------
    >>> report = ingest_files(["data/raw/demo"], "demo")  # doctest: +SKIP
    >>> report.counts["tweets"]  # doctest: +SKIP
    """
    settings.check_dataset_name(dataset)
    observed_at = edges.observed_time(observed_at)
    follows = formats_v1.follow_owner(owner, relation)
    report = IngestReport(dataset=dataset)
    files = []
    for path in expand(paths):  # files that cannot be read at all are named, not read
        problem = check_file(path)
        if problem is not None and strict:
            raise RawFormatError(f"{problem} (--strict stops at the first unreadable file)")
        if problem is None:
            files.append(path)
        else:
            report.files.append(FileReport(path=str(path), format="unread", rejected=True))
            report.files[-1].problem(problem)
    if not files:  # nothing to read: the dataset is neither created nor changed
        named = "; ".join(f.problems[0] for f in report.files[:3])
        raise RawFormatError(
            f"nothing ingested: {named}"
            if len(report.files) == 1
            else f"nothing ingested from {len(report.files)} files: {named}"
        )
    # pyarrow imports pandas when it first converts a Python value (a fill value, a
    # scalar); importing it meanwhile, while the first pages are parsed, saves ~0.2 s
    threading.Thread(target=_import_pandas, name="import-pandas", daemon=True).start()
    target = settings.processed_dir(dataset)
    spill: Spill | None = None
    merged: Spill
    cluster = nullcontext(None) if scheduler is None else dask_client(scheduler)
    with cluster as client, store.c_allocator(), store.DatasetWriter(target, command) as writer:
        try:
            staging = writer.staging()
            old_meta = {} if replace else (writer.latest_meta() or {})
            quarantine = Quarantine(staging / QUARANTINE_FILE)
            if not replace and (target / QUARANTINE_FILE).is_file():
                shutil.copyfile(target / QUARANTINE_FILE, quarantine.path)
            total = sum(p.stat().st_size for p in files)
            edge_lists = [p for p in files if formats.detect_format(p) in edges.FORMATS]
            weight = total + edges.merge_weight(edge_lists)  # the merge sorts links in memory
            buckets = merge.bucket_count(weight)
            if client is not None:
                merged, rows, reports, entries = distributed.read_files(
                    client,
                    files,
                    staging,
                    distributed.bucket_count(client, buckets),
                    strict=strict,
                    observed_at=observed_at,
                    follows=follows,
                    progress=progress,
                )
                spill = merged
                report.files.extend(reports)
                for bad in entries:
                    quarantine.append(bad)
            else:
                spill = merged = Spill(staging / ".spill", buckets, usernames=bool(edge_lists))
                rows = Rows(sink=merged)
                with tqdm(
                    total=total, desc="ingest", unit="B", unit_scale=True, disable=not progress
                ) as bar:
                    for path in files:
                        report.files.append(
                            read_file(path, rows, quarantine, strict, bar, observed_at, follows)
                        )
                rows.flush()
                merged.finish()
            if not replace:
                _check_stored_keys(writer, rows.keys)
            _merge_all(writer, merged, replace)
        finally:  # the spill's writer thread stops before its folder goes
            if spill is not None:
                spill.close()
        meta = _meta(dataset, old_meta, report, rows, synthetic, writer, follows)
        # the quarantine goes in before the manifest, which records its length: a run
        # killed in between has its lines cut off by the next writer
        if quarantine.path.is_file():
            os.replace(quarantine.path, target / QUARANTINE_FILE)
        elif replace:
            (target / QUARANTINE_FILE).unlink(missing_ok=True)
        # every file given is recorded, read or not: a purge checks them all
        version = writer.commit(files=[display_path(f.path) for f in report.files], meta=meta)
        assert writer.manifest is not None, "the commit wrote the manifest"
        report.counts.update(store.version_entry(writer.manifest)["rows"])
        report.version = version
    return report


def _check_stored_keys(writer: store.DatasetWriter, keys: KeyRegistry) -> None:
    """Bluesky/Mastodon keys of this ingest against the native ids already stored under them.

    A key another native id of the dataset already holds is a
    :class:`~analysis.platforms.KeyCollisionError`, before anything is committed.
    """
    if not len(keys):
        return
    wanted = pa.array(keys.keys(), pa.int64())
    for name, column in (("users", "user_id"), ("tweets", "tweet_id")):
        if writer.table(name) is None:
            continue
        stored = writer.read(
            name, columns=[column, "platform", "native_id"], filter=pc.field(column).isin(wanted)
        )
        for key, platform, native_id in zip(
            stored[column].to_pylist(),
            stored["platform"].to_pylist(),
            stored["native_id"].to_pylist(),
            strict=True,
        ):
            if native_id is not None:
                keys.add(key, platform, native_id)


def _import_pandas() -> None:
    import pandas  # noqa: F401


def _merge_all(writer: store.DatasetWriter, spill: Spill, replace: bool) -> None:
    """Commit every table: the spilled rows merged into the existing ones (or replacing them)."""
    # MERGE_THREADS tables at a time (Arrow and delta-rs release the GIL), the largest first
    order = [
        "tweets",
        "user_snapshots",
        "users",
        "hashtags",
        "mentions",
        "urls",
        "follows",
        "missing",
    ]
    with ThreadPoolExecutor(MERGE_THREADS) as pool:
        list(pool.map(lambda name: merge.merge_table(name, writer, spill, replace=replace), order))


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Return the raw files to ingest from files and folders, in the order they are read.

    A folder contributes its ``*.jsonl`` and ``*.jsonl.gz`` files and the files
    :func:`analysis.formats.folder_files` recognises (edge lists, v1.1 bodies,
    academictwitteR, X archive parts); edge lists come last, so that their
    usernames resolve against the accounts read before them.

    Parameters
    ----------
    paths : Iterable of str or os.PathLike
        Raw files and folders, as given on the command line.

    Returns
    -------
    list of pathlib.Path
        The files, sorted by :func:`analysis.formats.read_order`.

    Raises
    ------
    UsageError
        If a path does not exist, or no raw file is found.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted([*p.glob("*.jsonl"), *p.glob("*.jsonl.gz"), *formats.folder_files(p)])
            )
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"no such raw file or folder: {p}; check the path.")
    if not files:
        raise UsageError(
            "no raw files to ingest (a folder contributes its *.jsonl, *.jsonl.gz, CSV and Parquet edge lists, "
            "v1.1 *.json bodies, academictwitteR data_*.json and an X archive's .js files)."
        )
    return sorted(files, key=formats.read_order)  # edge lists last: their usernames resolve


def _meta(
    dataset, old_meta, report, rows, synthetic, writer: store.DatasetWriter, follows=None
) -> dict:
    sources = {s["path"]: s for s in old_meta.get("sources", [])}
    for f in report.files:
        old = sources.get(display_path(f.path), {})
        sources[display_path(f.path)] = {
            "path": display_path(f.path),
            "format": f.format,
            "lines": f.lines,
            "pages": f.pages,
            "bad_lines": f.bad_lines,
            "utf8_replaced": f.replaced,
        }
        # the account a v1.1 file's follow lists were read as (--owner), which a purge needs
        if follows is not None and f.format in formats.V1_FORMATS:
            sources[display_path(f.path)].update(relation=follows[0], owner=follows[1])
        elif old.get("owner"):
            sources[display_path(f.path)].update(relation=old["relation"], owner=old["owner"])
    first, last = store.file_span(writer.table("tweets"), "created_at")
    is_synthetic = (
        rows.synthetic or bool(old_meta.get("synthetic")) if synthetic is None else synthetic
    )
    return {
        "name": dataset,
        "synthetic": is_synthetic,
        "tool_version": __version__,
        "contract": {n: CONTRACT[n].names for n in TABLE_NAMES},
        "span": [
            first.isoformat() if first is not None else None,
            last.isoformat() if last is not None else None,
        ],
        "sources": sorted(sources.values(), key=lambda s: s["path"]),
    }


def display_path(path: str) -> str:
    """Return a raw file's path as a dataset records it: relative to the data root if inside it.

    Parameters
    ----------
    path : str
        A raw file's path, relative to the working folder or absolute.

    Returns
    -------
    str
        The resolved path relative to :func:`analysis.settings.data_dir`, or absolute if outside it.
    """
    p = Path(path).resolve()
    try:
        return str(p.relative_to(settings.data_dir()))
    except ValueError:
        return str(p)
