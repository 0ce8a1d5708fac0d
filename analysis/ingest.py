"""Raw API pages -> the Parquet tables of :mod:`analysis.tables`.

This is the only module that knows the X API's shapes. It reads JSONL files of
X API v2 response pages (one page a line: ``data``, ``includes``, ``meta``,
``errors``), as :mod:`analysis.collect`, ``medtwitter demo`` and twarc2 write
them, with their provenance block (``__medtwitter`` or ``__twarc``) telling the
endpoint, and turns them into the contract's tables. Files in other formats
(twarc2 flattened, API v1.1, academictwitteR, CSV edge lists, X archives) are
recognised per file and converted to v2 pages by :mod:`analysis.formats`;
``FileReport.format`` says which format each file was read as.

How it works, and why it is fast and bounded in memory:

1. **Extract.** A file of API v2 pages (as :mod:`analysis.collect`,
   ``medtwitter demo`` and twarc2 write them; ``.gz`` decompressed on the fly)
   goes through Arrow's streaming JSON reader in a parser thread, which parses
   blocks on every core against a fixed schema (narrowed to tweets or to users
   by the file's first page: :data:`_SCHEMAS`), while the main thread flattens
   about :data:`CHUNK_BYTES` of pages at a time into the contract's rows with
   Arrow compute (:func:`_extract_chunk`): no Python object per tweet. Where
   the reader stops at a line it cannot take (not JSON, not a page, a page of
   unclear kind, an id that is not a number...), the chunk holding it is read
   line by line through :func:`add_page`, the page-at-a-time path that any
   other format's pages also go through (both paths give the same rows), and
   streaming resumes after it. Rows go to spill files (Arrow IPC) as they come.
2. **Merge.** :func:`analysis.merge.merge_table` de-duplicates each table's
   rows by key (newest observation winning) from the spill files, with the
   existing rows whose key they carry (Delta's file statistics skip the files
   that cannot hold them), holding only keys and sort columns in memory, and
   commits the winners to the table's Delta table: an append, a MERGE or an
   overwrite. So an append costs time in proportion to the new file and the
   files it updates, not to the dataset.
3. **Commit.** With every table committed, the dataset's manifest gets a new
   version (:class:`analysis.store.DatasetWriter`, which holds the dataset's
   lock from the first read to the manifest).

Guarantees:

* every good line is ingested; a bad line (not JSON, JSON but not an API page,
  a truncated last line) is set aside in ``quarantine.jsonl`` beside the
  tables, with its file and line number, and counted (``strict=True`` makes
  the first bad line an error instead);
* re-ingesting a file changes nothing: tweets, users and edges are
  de-duplicated by id (newest metrics and snapshots win; ``user_snapshots``
  keeps every snapshot);
* a run is one dataset version: an interrupted ingest leaves the previous
  version visible, and the next writer rolls the tables back to it;
* peak memory does not grow with the input (groups of pages, spill files, hash
  buckets of :data:`analysis.merge.BUCKET_BYTES` of input for the merge).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Full, Queue
from urllib.parse import urlparse

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
from tqdm.auto import tqdm

from analysis import __version__, formats, merge, settings, store
from analysis.contract import CONTRACT, TABLE_NAMES, normalise_tag
from analysis.errors import RawFormatError, UsageError
from analysis.formats import iter_lines  # noqa: F401  (formats owns it; kept importable here)

QUARANTINE_FILE = store.QUARANTINE_FILE

#: Endpoints whose pages carry tweets in ``data``.
TWEET_ENDPOINTS = {"search_recent", "search_all", "timeline", "mentions", "tweets", "stream"}
#: Endpoints whose pages carry users in ``data``.
USER_ENDPOINTS = {"users", "followers", "following"}
#: Endpoints recognised but carrying nothing for the tables.
SKIPPED_ENDPOINTS = {"counts_recent", "counts_all", "lists", "compliance"}

#: Bytes of raw JSONL handled at once (a page of 100 tweets is about 200 kB).
CHUNK_BYTES = 16 << 20
#: Bytes Arrow's JSON reader parses per thread (a chunk is parsed by several at once).
BLOCK_BYTES = 4 << 20
#: Rows the page-at-a-time path holds before spilling them to disk.
FLUSH_ROWS = 20_000
#: Spilled (username, user_id) rows kept for edge lists before they are compacted.
USERNAMES_COMPACT = 1_000_000
_NAMES = pa.schema([("username", pa.string()), ("user_id", pa.int64())])
#: Tables merged and committed side by side: the three largest at once (delta-rs writes on
#: threads of its own; measured on 2 cores: 2.6 s for the merge of 1M tweets, 3.9 s with one).
MERGE_THREADS = 3
#: Problems listed per file in the report (all bad lines are in the quarantine file).
MAX_PROBLEMS = 20

#: Tables whose rows ingest spills (``user_snapshots`` is made from the ``users`` rows).
_SPILLED = ("tweets", "users", "follows", "hashtags", "mentions", "missing")


@dataclass
class FileReport:
    """What ingest made of one raw file."""

    path: str
    format: str = "x-api-v2-pages"
    lines: int = 0
    pages: int = 0
    skipped_pages: int = 0
    bad_lines: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        """Note a problem (the first :data:`MAX_PROBLEMS` are kept verbatim)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(
                f"{self.path}: more bad lines; every one is listed in {QUARANTINE_FILE}."
            )


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
        return sum(f.bad_lines for f in self.files)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)


def _timestamps(values: pa.Array | list) -> pa.Array:
    """ISO 8601 strings -> UTC timestamps; Arrow's parser first, pandas' for odd forms."""
    try:
        arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
        return pc.cast(arr, pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        if isinstance(values, pa.Array):
            values = values.to_pylist()
        import pandas as pd  # only for timestamps Arrow cannot parse

        ts = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        return pa.array(ts, type=pa.timestamp("us", tz="UTC"), from_pandas=True)


class _Spill(merge.Spill):
    """The merge's spill, noting (username, user_id) of users for edge lists naming accounts."""

    def __init__(self, folder: Path, buckets: int = 1, usernames: bool = True) -> None:
        super().__init__(folder, buckets)
        #: (username, user_id) of every user row spilled: earlier segments, then this one's
        self.usernames: list[pa.Table] = []
        self.segment_usernames: list[pa.Table] = []
        #: whether to note them (only edge lists naming accounts need them)
        self.track_usernames = usernames

    def write(self, name: str, table: pa.Table, rank: np.ndarray | None = None) -> None:
        if name == "users" and table.num_rows and self.track_usernames:
            names = table.select(["username", "user_id"]).cast(_NAMES)
            self.segment_usernames.append(names.filter(pc.is_valid(names.column("username"))))
            self.segment_usernames = _compact_usernames(self.segment_usernames)
        super().write(name, table, rank)

    def begin(self) -> None:
        super().begin()
        self.usernames = _compact_usernames([*self.usernames, *self.segment_usernames])
        self.segment_usernames = []

    def rollback(self) -> None:
        super().rollback()
        self.segment_usernames = []

    def all_usernames(self) -> list[pa.Table]:
        return [*self.usernames, *self.segment_usernames]


def _compact_usernames(tables: list[pa.Table]) -> list[pa.Table]:
    """One row per account once there are many, so the index grows with accounts, not tweets."""
    if sum(t.num_rows for t in tables) <= USERNAMES_COMPACT:
        return tables
    last = pa.concat_tables(tables).group_by("username", use_threads=False)
    last = last.aggregate([("user_id", "last")])
    return [pa.table([last["username"], last["user_id_last"]], schema=_NAMES)]


class _Rows:
    """Column lists for every table, filled page by page (see :func:`add_page`).

    With a ``sink`` (a :class:`_Spill`), the rows are spilled to disk every
    :data:`FLUSH_ROWS` rows, between pages, so memory stays bounded.
    """

    def __init__(self, sink: _Spill | None = None) -> None:
        self.cols: dict[str, dict[str, list]] = {
            name: {c: [] for c in CONTRACT[name].names} for name in _SPILLED
        }
        self.synthetic = False
        self.sink = sink

    def add(self, table: str, **values) -> None:
        cols = self.cols[table]
        for name, column in cols.items():
            column.append(values.get(name))

    def __len__(self) -> int:
        return sum(len(next(iter(c.values()))) for c in self.cols.values())

    def mark(self) -> dict[str, int]:
        """Current length of each table (to roll back a page that fails half-way)."""
        return {t: len(next(iter(c.values()))) for t, c in self.cols.items()}

    def rollback(self, mark: dict[str, int]) -> None:
        for table, n in mark.items():
            for column in self.cols[table].values():
                del column[n:]

    def to_arrow(self, table: str) -> pa.Table:
        cols = self.cols[table]
        schema = CONTRACT[table].schema
        arrays = []
        for f in schema:
            values = cols[f.name]
            if pa.types.is_timestamp(f.type):
                arrays.append(_timestamps(values))
            else:
                arrays.append(pa.array(values, type=f.type))
        return pa.Table.from_arrays(arrays, schema=schema)

    def flush(self) -> None:
        """Spill every held row to the sink (no-op without a sink)."""
        if self.sink is None or not len(self):
            return
        for name in _SPILLED:
            self.sink.write(name, self.to_arrow(name))
        for cols in self.cols.values():
            for column in cols.values():
                column.clear()

    def maybe_flush(self) -> None:
        if self.sink is not None and len(self) >= FLUSH_ROWS:
            self.flush()


def _int(value) -> int | None:
    return int(value) if value not in (None, "") else None


def _provenance(page: dict) -> tuple[str | None, dict, str | None, bool]:
    """(endpoint, params, collected_at, synthetic) from a page's provenance block."""
    meta = page.get("__medtwitter")
    if isinstance(meta, dict):
        return (
            meta.get("endpoint"),
            meta.get("params") or {},
            meta.get("collected_at"),
            bool(meta.get("synthetic")),
        )
    twarc = page.get("__twarc")
    if isinstance(twarc, dict):
        path = urlparse(twarc.get("url") or "").path.rstrip("/").split("/")
        params: dict = {}
        endpoint = None
        if "followers" in path or "following" in path:
            endpoint = path[-1]
            params["user_id"] = path[-2]
        elif "search" in path:
            endpoint = "search_all" if path[-1] == "all" else "search_recent"
        elif "counts" in path:
            endpoint = "counts_all" if path[-1] == "all" else "counts_recent"
        elif "tweets" in path and "users" in path:
            endpoint = "timeline"
        elif path[-1] in ("users", "by"):
            endpoint = "users"
        return endpoint, params, twarc.get("retrieved_at"), False
    return None, {}, None, False


def _kind_from_endpoint(endpoint: str | None) -> str | None:
    if endpoint in TWEET_ENDPOINTS:
        return "tweets"
    if endpoint in USER_ENDPOINTS:
        return endpoint
    if endpoint in SKIPPED_ENDPOINTS:
        return "skip"
    return None


def _page_kind(page: dict, endpoint: str | None) -> str:
    kind = _kind_from_endpoint(endpoint)
    if kind is not None:
        return kind
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    if items and all(isinstance(i, dict) and "text" in i for i in items):
        return "tweets"
    if items and all(isinstance(i, dict) and "username" in i for i in items):
        return "users"
    if not items and ("meta" in page or "errors" in page):
        return "empty"
    return "unknown"


def _add_tweet(rows: _Rows, tw: dict, collected: bool, observed_at: str | None) -> None:
    refs = {r.get("type"): r.get("id") for r in tw.get("referenced_tweets") or ()}
    metrics = tw.get("public_metrics") or {}
    tweet_id = int(tw["id"])
    rows.add(
        "tweets",
        tweet_id=tweet_id,
        author_id=_int(tw.get("author_id")),
        created_at=tw.get("created_at"),
        text=tw.get("text"),
        lang=tw.get("lang"),
        conversation_id=_int(tw.get("conversation_id")),
        reply_to_tweet_id=_int(refs.get("replied_to")),
        reply_to_user_id=_int(tw.get("in_reply_to_user_id")),
        retweet_of_tweet_id=_int(refs.get("retweeted")),
        quote_of_tweet_id=_int(refs.get("quoted")),
        retweet_count=metrics.get("retweet_count"),
        reply_count=metrics.get("reply_count"),
        like_count=metrics.get("like_count"),
        quote_count=metrics.get("quote_count"),
        collected=collected,
        observed_at=observed_at,
    )
    entities = tw.get("entities") or {}
    for position, h in enumerate(entities.get("hashtags") or ()):
        tag = h.get("tag") or ""
        rows.add(
            "hashtags", tweet_id=tweet_id, tag=tag, tag_norm=normalise_tag(tag), position=position
        )
    for m in entities.get("mentions") or ():
        rows.add(
            "mentions",
            tweet_id=tweet_id,
            username=m.get("username") or "",
            user_id=_int(m.get("id")),
        )


def _add_user(rows: _Rows, u: dict, observed_at: str | None) -> None:
    metrics = u.get("public_metrics") or {}
    rows.add(
        "users",
        user_id=int(u["id"]),
        username=u.get("username"),
        name=u.get("name"),
        description=u.get("description"),
        location=u.get("location"),
        created_at=u.get("created_at"),
        protected=u.get("protected"),
        verified=u.get("verified"),
        followers_count=metrics.get("followers_count"),
        following_count=metrics.get("following_count"),
        tweet_count=metrics.get("tweet_count"),
        listed_count=metrics.get("listed_count"),
        observed_at=observed_at,
    )


def add_page(rows: _Rows, page: dict) -> str:
    """Add one API page's rows; return the page kind ('tweets', 'users', ... or 'skip').

    This is the page-at-a-time path: readers of other formats turn their input
    into v2-shaped pages and call it. A page that fails half-way (an item
    without an id...) adds nothing and raises.
    """
    endpoint, params, observed_at, synthetic = _provenance(page)
    kind = _page_kind(page, endpoint)
    if kind in ("unknown", "skip"):
        return kind
    mark = rows.mark()
    try:
        _add_page_rows(rows, page, kind, params, observed_at)
    except BaseException:
        rows.rollback(mark)
        raise
    rows.synthetic |= synthetic
    rows.maybe_flush()
    return kind


def _add_page_rows(rows: _Rows, page: dict, kind: str, params: dict, observed_at) -> None:
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    includes = page.get("includes") or {}
    if kind == "tweets":
        for tw in items:
            _add_tweet(rows, tw, True, observed_at)
        for tw in includes.get("tweets") or ():
            _add_tweet(rows, tw, False, observed_at)
    else:
        account = _int(params.get("user_id") or params.get("id"))
        for u in items:
            _add_user(rows, u, observed_at)
            if kind == "followers" and account is not None:
                rows.add(
                    "follows",
                    follower_id=int(u["id"]),
                    followed_id=account,
                    first_seen_at=observed_at,
                    observed_at=observed_at,
                )
            elif kind == "following" and account is not None:
                rows.add(
                    "follows",
                    follower_id=account,
                    followed_id=int(u["id"]),
                    first_seen_at=observed_at,
                    observed_at=observed_at,
                )
    for u in includes.get("users") or ():
        _add_user(rows, u, observed_at)
    for err in page.get("errors") or ():
        if not isinstance(err, dict):
            continue
        rid = err.get("resource_id") or err.get("value")
        if rid is None:
            continue
        rows.add(
            "missing",
            resource_id=str(rid),
            resource_type=err.get("resource_type"),
            title=err.get("title"),
            detail=err.get("detail"),
            type=err.get("type"),
            observed_at=observed_at,
        )


# --- the fast path: a chunk of v2 pages through Arrow's JSON reader -------------------------

_METRICS = (
    "retweet_count", "reply_count", "like_count", "quote_count",
    "followers_count", "following_count", "tweet_count", "listed_count",
)  # fmt: skip
_STR, _BOOL, _I64 = pa.string(), pa.bool_(), pa.int64()
_TWEET_FIELDS = [
    ("id", _STR), ("author_id", _STR), ("created_at", _STR), ("text", _STR), ("lang", _STR),
    ("conversation_id", _STR), ("in_reply_to_user_id", _STR),
    ("referenced_tweets", pa.list_(pa.struct([("type", _STR), ("id", _STR)]))),
    ("entities", pa.struct([
        ("hashtags", pa.list_(pa.struct([("tag", _STR)]))),
        ("mentions", pa.list_(pa.struct([("username", _STR), ("id", _STR)]))),
    ])),
]  # fmt: skip
_USER_FIELDS = [
    ("id", _STR), ("username", _STR), ("name", _STR), ("description", _STR), ("location", _STR),
    ("created_at", _STR), ("protected", _BOOL), ("verified", _BOOL),
]  # fmt: skip


def _metrics(names) -> tuple[str, pa.StructType]:
    return ("public_metrics", pa.struct([(m, _I64) for m in names]))


#: A tweet of ``data`` or ``includes.tweets``: the fields ingest reads.
_TWEET = pa.struct([*_TWEET_FIELDS, _metrics(_METRICS[:4])])
#: A user of ``data`` or ``includes.users``.
_USER = pa.struct([*_USER_FIELDS, _metrics(_METRICS[4:])])
#: An element of ``data`` on a page whose kind is not known before parsing: either.
_ITEM = pa.struct(
    [*_TWEET_FIELDS, _metrics(_METRICS), *(f for f in _USER_FIELDS if f not in _TWEET_FIELDS)]
)


def _page_schema(item: pa.StructType) -> pa.Schema:
    """The parts of an API v2 page that ingest reads, ``data`` holding ``item``s."""
    return pa.schema(
        [
            ("data", pa.list_(item)),
            ("includes", pa.struct([("users", pa.list_(_USER)), ("tweets", pa.list_(_TWEET))])),
            ("errors", pa.list_(pa.struct([
                (f, _STR) for f in ("resource_id", "value", "resource_type", "title", "detail", "type")
            ]))),
            ("meta", pa.struct([("result_count", _I64)])),
            ("__medtwitter", pa.struct([
                ("endpoint", _STR), ("params", pa.struct([("user_id", _STR), ("id", _STR)])),
                ("collected_at", _STR), ("synthetic", _BOOL),
            ])),
            ("__twarc", pa.struct([("url", _STR), ("retrieved_at", _STR)])),
        ]
    )  # fmt: skip


#: Any API v2 page; anything else on a line is ignored.
PAGE_SCHEMA = _page_schema(_ITEM)
#: Pages by kind of ``data``: a narrower schema parses about a quarter faster.
_SCHEMAS = {"tweets": _page_schema(_TWEET), "users": _page_schema(_USER), None: PAGE_SCHEMA}
_PARSE = {
    kind: pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    for kind, schema in _SCHEMAS.items()
}


class _NotFast(Exception):
    """This chunk needs the page-at-a-time path (a bad line, an unclear page...)."""


class _OtherKind(_NotFast):
    """This chunk holds pages whose ``data`` the schema it was parsed with does not fit."""


@dataclass
class _Chunk:
    """What the fast path made of a chunk: contract rows per table, and page counts.

    ``ranks[name]`` gives each row's place in the order the page-at-a-time path
    would have added it (ties between equal observations follow that order).
    """

    tables: dict[str, pa.Table]
    ranks: dict[str, np.ndarray]
    pages: int
    skipped: int
    synthetic: bool


def _field(arr: pa.Array, name: str) -> pa.Array:
    return pc.struct_field(arr, name)


def _ids(arr: pa.Array, *, required: bool = False) -> pa.Array:
    """String ids -> int64 (nulls kept); :class:`_NotFast` on anything else."""
    if required and arr.null_count:
        raise _NotFast("an item without an id")
    try:
        return pc.cast(arr, _I64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _NotFast(str(exc)) from exc


def _items(lists: pa.Array, keep: np.ndarray, source: int):
    """Flatten a list column, keeping items of pages where ``keep``: (items, page, source)."""
    items = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy()
    mask = keep[parent]
    if not mask.all():
        items = items.filter(pa.array(mask))
        parent = parent[mask]
    if items.null_count:
        raise _NotFast("a null item")
    return items, parent, np.full(len(parent), source, dtype=np.int8)


def _page_ranks(*parts) -> np.ndarray:
    """Place of each item of the concatenated parts in page order (data before includes)."""
    parent = np.concatenate([p[1] for p in parts])
    source = np.concatenate([p[2] for p in parts])
    return _inverse(np.lexsort((source, parent)))


def _inverse(order: np.ndarray) -> np.ndarray:
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order), dtype=order.dtype)
    return rank


def _refs(items: pa.Array) -> dict[str, pa.Array]:
    """Per reference type, the id of each tweet's referenced tweet (the last one, like a dict)."""
    refs = _field(items, "referenced_tweets")
    flat = pc.list_flatten(refs)
    parent = pc.list_parent_indices(refs).to_numpy()
    if flat.null_count:
        raise _NotFast("a null referenced tweet")
    types = _field(flat, "type").fill_null("")
    ids = _ids(_field(flat, "id"))
    out = {}
    for ref_type in ("replied_to", "retweeted", "quoted"):
        hit = pc.equal(types, ref_type).to_numpy(zero_copy_only=False)
        where = np.full(len(items), -1, dtype=np.int64)
        where[parent[hit]] = np.flatnonzero(hit)
        out[ref_type] = ids.take(pa.array(where, mask=where < 0))
    return out


def _tweet_tables(items: pa.Array, parent: np.ndarray, collected: bool, observed: pa.Array):
    tweet_id = _ids(_field(items, "id"), required=True)
    metrics = _field(items, "public_metrics")
    refs = _refs(items)
    page_obs = observed.take(pa.array(parent))
    tweets = pa.Table.from_arrays(
        [
            tweet_id,
            _ids(_field(items, "author_id")),
            _timestamps(_field(items, "created_at")),
            _field(items, "text"),
            _field(items, "lang"),
            _ids(_field(items, "conversation_id")),
            refs["replied_to"],
            _ids(_field(items, "in_reply_to_user_id")),
            refs["retweeted"],
            refs["quoted"],
            *(_field(metrics, m) for m in _METRICS[:4]),
            pa.array(np.full(len(items), collected), _BOOL),
            page_obs,
        ],
        schema=CONTRACT["tweets"].schema,
    )
    entities = _field(items, "entities")

    hashtags = _field(entities, "hashtags")
    flat = pc.list_flatten(hashtags)
    if flat.null_count:
        raise _NotFast("a null hashtag")
    owner = pc.list_parent_indices(hashtags).to_numpy()
    lengths = pc.list_value_length(hashtags).fill_null(0).to_numpy()
    starts = np.cumsum(lengths) - lengths
    tags = _field(flat, "tag").fill_null("")
    encoded = tags.dictionary_encode()
    norm = pa.array([normalise_tag(t) for t in encoded.dictionary.to_pylist()], _STR)
    position = np.arange(len(flat), dtype=np.int64) - starts[owner]
    hashtag_table = pa.Table.from_arrays(
        [
            tweet_id.take(pa.array(owner)),
            tags,
            norm.take(encoded.indices),
            pa.array(position),
        ],
        schema=CONTRACT["hashtags"].schema,
    )

    mentions = _field(entities, "mentions")
    flat = pc.list_flatten(mentions)
    if flat.null_count:
        raise _NotFast("a null mention")
    mention_owner = pc.list_parent_indices(mentions)
    mention_table = pa.Table.from_arrays(
        [
            tweet_id.take(mention_owner),
            _field(flat, "username").fill_null(""),
            _ids(_field(flat, "id")),
        ],
        schema=CONTRACT["mentions"].schema,
    )
    owners = {"hashtags": owner, "mentions": mention_owner.to_numpy()}
    return {"tweets": tweets, "hashtags": hashtag_table, "mentions": mention_table}, owners


def _user_table(items: pa.Array, parent: np.ndarray, observed: pa.Array) -> pa.Table:
    metrics = _field(items, "public_metrics")
    return pa.Table.from_arrays(
        [
            _ids(_field(items, "id"), required=True),
            _field(items, "username"),
            _field(items, "name"),
            _field(items, "description"),
            _field(items, "location"),
            _timestamps(_field(items, "created_at")),
            _field(items, "protected"),
            _field(items, "verified"),
            *(_field(metrics, m) for m in _METRICS[4:]),
            observed.take(pa.array(parent)),
        ],
        schema=CONTRACT["users"].schema,
    )


#: Stand-ins for a page's collection time while its provenance is read once for many pages.
_COLLECTED, _RETRIEVED = object(), object()


def _page_provenance(key: tuple, convert=None) -> tuple:
    """(kind, account, observed_at or a stand-in, synthetic) of a page's provenance fields."""
    med_ok, twarc_ok, endpoint, user_id, id_, synthetic, url = key
    page: dict = {}
    if med_ok:
        page["__medtwitter"] = {
            "endpoint": endpoint, "params": {"user_id": user_id, "id": id_},
            "collected_at": _COLLECTED, "synthetic": synthetic,
        }  # fmt: skip
    if twarc_ok:
        page["__twarc"] = {"url": url, "retrieved_at": _RETRIEVED}
    endpoint, params, observed, synth = _provenance(convert(page) if convert else page)
    account = params.get("user_id") or params.get("id")
    return _kind_from_endpoint(endpoint), account, observed, synth


def _extract_chunk(pages: pa.Table, convert=None, data_kind: str | None = None) -> _Chunk:
    """Contract rows from a table of API pages (one row a page), as :func:`add_page` makes them.

    ``convert`` (e.g. :func:`analysis.formats.twarc2_page`) is applied to each
    page's provenance, as the page-at-a-time path applies it to the page.
    ``data_kind`` says what ``data`` was parsed as ('tweets', 'users' or None:
    either, see :data:`_SCHEMAS`); :class:`_OtherKind` if a page's does not fit.
    Raises :class:`_NotFast` when a page needs the page-at-a-time path.
    """
    pages = pages.combine_chunks()
    n = pages.num_rows
    col = {name: pages.column(name).chunk(0) if n else None for name in PAGE_SCHEMA.names}
    if not n:
        return _Chunk({}, {}, 0, 0, False)
    data = col["data"]
    med, twarc = col["__medtwitter"], col["__twarc"]
    med_ok = med.is_valid().to_numpy(zero_copy_only=False)
    twarc_ok = twarc.is_valid().to_numpy(zero_copy_only=False)
    params = _field(med, "params")
    prov = [
        _field(med, "endpoint").to_pylist(),
        _field(params, "user_id").to_pylist(),
        _field(params, "id").to_pylist(),
        _field(med, "synthetic").to_pylist(),
        _field(twarc, "url").to_pylist(),
    ]
    collected_at = _field(med, "collected_at").to_pylist()
    retrieved_at = _field(twarc, "retrieved_at").to_pylist()
    # pages of one collection share their provenance but for its time: read it once
    known: dict[tuple, tuple] = {}
    # (no null reaches to_numpy: with nulls, pyarrow converts through pandas)
    data_len = pc.list_value_length(data).fill_null(0).to_numpy()
    has_meta = col["meta"].is_valid().to_numpy(zero_copy_only=False)
    has_errors = col["errors"].is_valid().to_numpy(zero_copy_only=False)
    unclear = None  # per-page counts of items with text / username, computed if needed

    kinds, accounts, observed, synthetic = [], [], [], False
    for i in range(n):
        key = (med_ok[i], twarc_ok[i], *(values[i] for values in prov))
        if key not in known:
            known[key] = _page_provenance(key, convert)
        kind, account, obs, synth = known[key]
        obs = (
            collected_at[i] if obs is _COLLECTED else retrieved_at[i] if obs is _RETRIEVED else obs
        )
        if kind is None:
            length = int(data_len[i])
            if length:
                if data_kind is not None:
                    raise _OtherKind("a page without provenance: its kind needs every field")
                if unclear is None:
                    items = pc.list_flatten(data)
                    owner = pc.list_parent_indices(data).to_numpy()
                    unclear = [
                        np.bincount(owner, pc.is_valid(_field(items, f)).to_numpy(False), n)
                        for f in ("text", "username")
                    ]
                if unclear[0][i] == length:
                    kind = "tweets"
                elif unclear[1][i] == length:
                    kind = "users"
                else:
                    raise _NotFast("a page of unclear kind")
            elif has_meta[i] or has_errors[i]:
                kind = "empty"
            else:
                raise _NotFast("a line that is not an API page")
        if kind != "skip":
            synthetic |= synth
        kinds.append(kind)
        accounts.append(account)
        observed.append(obs)

    kinds_np = np.array(kinds)
    rows_page = kinds_np != "skip"
    tweet_page = kinds_np == "tweets"
    user_page = np.isin(kinds_np, ["users", "followers", "following"])
    if data_kind is not None:
        other = user_page if data_kind == "tweets" else tweet_page
        if data_len[other].any():
            raise _OtherKind(f"pages whose data are not {data_kind}")
    observed_ts = _timestamps(observed)
    includes = col["includes"]
    tables: dict[str, pa.Table] = {}
    # data parsed as one kind holds none of the other
    tweet_data = pa.nulls(n, pa.list_(_TWEET)) if data_kind == "users" else data
    user_data = pa.nulls(n, pa.list_(_USER)) if data_kind == "tweets" else data

    parts = [
        _items(tweet_data, tweet_page, 0),
        _items(_field(includes, "tweets"), tweet_page, 1),
    ]
    made = [
        _tweet_tables(p[0], p[1], collected, observed_ts)
        for p, collected in zip(parts, (True, False), strict=True)
    ]
    tweet_rank = _page_ranks(*parts)
    ranks: dict[str, np.ndarray] = {"tweets": tweet_rank}
    for name in ("tweets", "hashtags", "mentions"):
        tables[name] = pa.concat_tables([m[0][name] for m in made])
    offset = len(parts[0][1])
    for name in ("hashtags", "mentions"):
        # page order: by tweet, then as listed in the tweet (flattening keeps that order)
        owner_rank = np.concatenate(
            [tweet_rank[m[1][name] + (offset if i else 0)] for i, m in enumerate(made)]
        )
        ranks[name] = _inverse(np.argsort(owner_rank, kind="stable"))

    parts = [_items(user_data, user_page, 0), _items(_field(includes, "users"), rows_page, 1)]
    tables["users"] = pa.concat_tables([_user_table(p[0], p[1], observed_ts) for p in parts])
    ranks["users"] = _page_ranks(*parts)

    follow_page = np.isin(kinds_np, ["followers", "following"])
    if follow_page.any():
        try:
            account = pa.array(
                [_int(a) if f else None for a, f in zip(accounts, follow_page, strict=True)], _I64
            )
        except ValueError as exc:
            raise _NotFast(str(exc)) from exc
        keep = follow_page & account.is_valid().to_numpy(zero_copy_only=False)
        items, parent, _ = _items(user_data, keep, 0)
        ids = _ids(_field(items, "id"), required=True)
        other = account.take(pa.array(parent))
        is_follower = pa.array(kinds_np[parent] == "followers")
        seen = observed_ts.take(pa.array(parent))
        tables["follows"] = pa.Table.from_arrays(
            [pc.if_else(is_follower, ids, other), pc.if_else(is_follower, other, ids), seen, seen],
            schema=CONTRACT["follows"].schema,
        )

    errors, parent, _ = _items(col["errors"], rows_page, 0)
    rid = _field(errors, "resource_id")
    rid = pc.if_else(pc.fill_null(pc.not_equal(rid, ""), False), rid, _field(errors, "value"))
    keep = rid.is_valid()
    tables["missing"] = pa.Table.from_arrays(
        [
            rid.filter(keep),
            *(_field(errors, f).filter(keep) for f in ("resource_type", "title", "detail", "type")),
            observed_ts.take(pa.array(parent)).filter(keep),
        ],
        schema=CONTRACT["missing"].schema,
    )
    pages_count = int(rows_page.sum())
    return _Chunk(tables, ranks, pages_count, n - pages_count, synthetic)


# --- reading files -------------------------------------------------------------------------


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _chunks(fh, size: int | None = None) -> Iterator[bytes]:
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


_ID_FIELD = re.compile(rb'"(?:[a-z_]*_)?ids?"\s*:\s*\[?\s*"?(\d{1,19})"?')
_ID_LIST = re.compile(rb'"?(\d{1,19})"?')
_USERNAME_FIELD = re.compile(rb'"(?:username|screen_name)"\s*:\s*"([A-Za-z0-9_]{1,50})"')
_CSV_CELL = re.compile(rb"(?:^|[,;\t])\s*\"?(\d{1,19})\"?\s*(?=[,;\t\r\n]|$)")


def quarantine_ids(line: bytes) -> list[int]:
    """The X ids a raw line names, read from it even when it is not valid JSON.

    Values of ``id`` and ``*_id`` fields (numbers or strings, and id lists) in
    JSON-like text, or the numeric cells of a CSV line; kept with each
    quarantine entry so that a purge matches entries on ids, never on substrings.

    Examples
    --------
    >>> quarantine_ids(b'{"data": [{"id": "20", "author_id": "12"}], "x": 1234')
    [12, 20]
    >>> quarantine_ids(b"783214,6253282")
    [783214, 6253282]
    """
    found: set[int] = set()
    if line.lstrip()[:1] in (b"{", b"["):
        for match in _ID_FIELD.finditer(line):
            found.add(int(match.group(1)))
        for match in re.finditer(rb'"(?:[a-z_]*_)?ids"\s*:\s*\[([^\]]*)', line):
            found.update(int(m.group(1)) for m in _ID_LIST.finditer(match.group(1)))
    else:
        found.update(int(m.group(1)) for m in _CSV_CELL.finditer(line.strip()))
    return sorted(i for i in found if 0 < i < 2**63)


def quarantine_usernames(line: bytes) -> list[str]:
    """The handles a raw line names in ``username``/``screen_name`` fields.

    Examples
    --------
    >>> quarantine_usernames(b'{"username": "Dr_Tortue", "name": "MG"')
    ['Dr_Tortue']
    """
    return sorted({m.group(1).decode() for m in _USERNAME_FIELD.finditer(line)})


class _Quarantine:
    """Bad lines, appended to the staging dataset's quarantine file as they are found.

    One entry per (file, line, reason): a file ingested again adds none twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.seen: set[tuple] | None = None

    def append(self, entry: dict) -> None:
        if self.seen is None:  # the entries of earlier runs, read once
            self.seen = set()
            if self.path.is_file():
                for line in self.path.read_bytes().splitlines():
                    with suppress(orjson.JSONDecodeError, AttributeError):
                        old = orjson.loads(line)
                        self.seen.add((old.get("file"), old.get("line"), old.get("reason")))
        key = (entry["file"], entry["line"], entry["reason"])
        self.count += 1
        if key in self.seen:
            return
        self.seen.add(key)
        with open(self.path, "ab") as fh:
            fh.write(orjson.dumps(entry) + b"\n")

    def __len__(self) -> int:
        return self.count


def _read_file(
    path: Path, rows: _Rows, quarantine: _Quarantine | list, strict: bool, bar=None
) -> FileReport:
    report = FileReport(path=str(path))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RawFormatError(f"cannot read {path}: {exc.strerror}; check the path.") from exc
    if size == 0:
        report.problem(f"{path}: empty file, nothing to ingest.")
        return report

    def bad(lineno: int, line: bytes, reason: str) -> None:
        message = f"{path}:{lineno}: {reason}"
        if strict:
            raise RawFormatError(f"{message}; fix or remove the line, or run without --strict.")
        report.bad_lines += 1
        report.problem(message)
        quarantine.append(
            {
                "file": str(path),
                "line": lineno,
                "reason": reason,
                "content": line.decode("utf-8", "replace").rstrip("\n"),
                # what purge matches on: never a substring of the content
                "ids": quarantine_ids(line),
                "usernames": quarantine_usernames(line),
            }
        )

    fmt = formats.detect_format(path)
    # foreign formats: converted to v2 pages by analysis.formats, read page by page
    # twarc2 pages are v2 pages with their own provenance: the fast path reads them too
    convert = formats.twarc2_page if fmt == formats.TWARC2_PAGES else None
    if convert is not None:
        report.format = fmt
    elif fmt not in (formats.V2_PAGES, formats.UNKNOWN):
        report.format = fmt
        for lineno, line, page, reason in formats.read_pages(path, fmt, _username_lookup(rows)):
            report.lines += 1
            if page is None:
                bad(lineno, line, reason)
                continue
            try:
                kind = add_page(rows, page)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                bad(lineno, line, f"{fmt} record with an unexpected shape ({exc})")
                continue
            if kind == "unknown":
                bad(lineno, line, f"{fmt} record without tweets or users")
            elif kind == "skip":
                report.skipped_pages += 1
            else:
                report.pages += 1
        if bar is not None:
            bar.update(size)
        return report

    if rows.sink is not None and _stream_whole_file(path, rows, report, convert, bar):
        return report
    lineno = 0
    try:
        for chunk, n_lines, pages in _parsed_chunks(path, rows.sink is not None):
            if pages is None or not _read_chunk_fast(pages, n_lines, rows, report, convert):
                _read_chunk_slow(chunk, lineno, rows, report, bad, convert)
            lineno += n_lines
            if bar is not None and path.suffix != ".gz":
                bar.update(len(chunk))
    except (OSError, EOFError) as exc:
        bad(lineno + 1, b"", f"unreadable ({exc}); the file may be truncated or not gzip")
    if bar is not None and path.suffix == ".gz":
        bar.update(size)
    if report.pages == 0 and report.bad_lines:
        report.format = "unknown"
        report.problem(
            f"{path}: no X API v2 page found in this file; check its format "
            "(`medtwitter ingest` reads JSONL of API v2 response pages)."
        )
    return report


def _username_lookup(rows: _Rows) -> formats.UsernameLookup:
    """Resolve a username (any case) against the accounts read so far in this ingest.

    The accounts are those held in ``rows`` and those already spilled to disk;
    the index is built on the first lookup (edge lists are read last).
    """
    index: dict[str, int] = {}

    def lookup(username: str) -> int | None:
        if not index:
            parts = [] if rows.sink is None else rows.sink.all_usernames()
            users = rows.cols["users"]
            held = pa.table({"username": users["username"], "user_id": users["user_id"]}, _NAMES)
            for part in [*parts, held]:
                ids = part.column("user_id").to_pylist()
                for name, uid in zip(part.column("username").to_pylist(), ids, strict=True):
                    if name:
                        index[name.casefold()] = uid
        return index.get(username.casefold())

    return lookup


def _stream_whole_file(path: Path, rows: _Rows, report: FileReport, convert, bar=None) -> bool:
    """Ingest a whole file with Arrow's streaming JSON reader; False if it must go in chunks.

    The fast way for files of API pages. The file is one spill segment: if the
    reader meets a line it cannot take (not JSON, not a page, a page of unclear
    kind, an id that is not a number...), the segment is rolled back and the
    caller reads the file again in chunks, line by line where needed, which
    names and sets aside each bad line. Pages whose ``data`` is not of the kind
    of the file's first page are read again as pages of any kind first.
    """
    if not _starts_with_object(path):  # e.g. a `null` first line, which Arrow cannot take
        return False
    first = _data_kind(path, convert)
    for kind in dict.fromkeys([first, None]):
        rows.flush()  # rows read before belong to the segments before
        rows.sink.begin()
        counts = (report.lines, report.pages, report.skipped_pages)
        shown = bar.n if bar is not None else 0
        stop = _stream_file(path, rows, report, convert, kind, bar)
        if stop is None:
            return True
        rows.sink.rollback()
        report.lines, report.pages, report.skipped_pages = counts
        if bar is not None:
            bar.n = shown
            bar.refresh()
        if stop != "kind":
            return False
    return False


def _starts_with_object(path: Path) -> bool:
    """Whether the first thing in a file (after blanks) opens a JSON object."""
    try:
        with _open(path) as fh:
            head = fh.read(1 << 16).lstrip()
    except (OSError, EOFError):
        return False
    return head.startswith(b"{")


def _stream_file(
    path: Path, rows: _Rows, report: FileReport, convert, kind, bar=None
) -> str | None:
    """Ingest a file's pages with Arrow's streaming JSON reader, ``data`` parsed as ``kind``.

    A reader thread parses blocks (on all cores) ahead of the flattening,
    which takes about :data:`CHUNK_BYTES` of pages at a time. Returns None when
    the whole file is in, ``"bad"`` at a line it cannot take, ``"kind"`` at
    pages whose ``data`` is not of ``kind`` (what was read before stays spilled).
    """
    source = pa.OSFile(str(path))
    stream = pa.CompressedInputStream(source, "gzip") if path.suffix == ".gz" else source
    seen = 0
    groups = _read_ahead(_page_groups(stream, kind), "ingest-parser")
    try:
        for group in _guarded(groups):
            if group is None:
                return "bad"  # the chunk reader names the line
            pages = pa.Table.from_batches(group)
            ok = _read_chunk_fast(pages, pages.num_rows, rows, report, convert, kind)
            if not ok:
                return "bad" if ok is False else "kind"
            if bar is not None and path.suffix != ".gz":
                now = source.tell()
                bar.update(max(0, now - seen))
                seen = now
    finally:
        stream.close()
    return None


def _guarded(groups: Iterator) -> Iterator:
    """The groups, then None if reading or parsing failed (a bad line, a damaged file)."""
    try:
        yield from groups
    except (pa.ArrowException, OSError, EOFError):
        yield None


def _page_groups(source, kind: str | None) -> Iterator[list[pa.RecordBatch]]:
    """Parsed pages of ``source`` in groups of about :data:`CHUNK_BYTES`.

    A parse error is raised after the groups before it (each whole).
    """
    reader = pa_json.open_json(
        source,
        read_options=pa_json.ReadOptions(block_size=BLOCK_BYTES),
        parse_options=_PARSE[kind],
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


def _read_ahead(items: Iterator, name: str) -> Iterator:
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


def _data_kind(path: Path, convert=None) -> str | None:
    """What the first page of a file holds in ``data`` ('tweets', 'users'), None if unclear."""
    try:
        with _open(path) as fh:
            page = orjson.loads(fh.readline(CHUNK_BYTES))
        endpoint = _provenance(convert(page) if convert else page)[0]
    except (OSError, EOFError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None
    kind = _kind_from_endpoint(endpoint)
    return "tweets" if kind == "tweets" else "users" if kind in USER_ENDPOINTS else None


def _parse_chunk(chunk: bytes, n_lines: int, kind: str | None = None) -> pa.Table | None:
    """A chunk's pages as an Arrow table (one row a line), or None if Arrow cannot take it.

    ``kind`` ('tweets', 'users' or None for either) says what ``data`` is parsed as.
    """
    if not chunk.lstrip().startswith(b"{"):  # Arrow cannot take a chunk opening with `null`...
        return None
    try:
        pages = pa_json.read_json(
            io.BytesIO(chunk),
            read_options=pa_json.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=_PARSE[kind],
        )
    except pa.ArrowException:
        return None
    # blank lines: let the line-by-line path number them
    return pages if pages.num_rows == n_lines else None


def _parsed_chunks(path: Path, parse: bool) -> Iterator[tuple[bytes, int, pa.Table | None]]:
    """(chunk, lines, parsed pages or None) of a file, read and parsed one chunk ahead."""

    def chunks() -> Iterator[tuple[bytes, int, pa.Table | None]]:
        with _open(path) as fh:
            for chunk in _chunks(fh):
                n_lines = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
                yield chunk, n_lines, _parse_chunk(chunk, n_lines) if parse else None

    return _read_ahead(chunks(), "ingest-reader")


def _read_chunk_fast(
    pages: pa.Table, n_lines: int, rows: _Rows, report: FileReport, convert=None, kind=None
) -> bool | None:
    """Ingest parsed pages; False (nothing done) if the chunk needs the line-by-line path.

    None (nothing done) if ``data`` was parsed as ``kind`` and some page's does not fit.
    """
    try:
        out = _extract_chunk(pages, convert, kind)
    except _OtherKind:
        return None
    except (pa.ArrowException, _NotFast):
        return False
    rows.flush()
    for name in _SPILLED:
        if name in out.tables:
            rows.sink.write(name, out.tables[name], out.ranks.get(name))
    rows.synthetic |= out.synthetic
    report.lines += n_lines
    report.pages += out.pages
    report.skipped_pages += out.skipped
    return True


def _read_chunk_slow(
    chunk: bytes, first: int, rows: _Rows, report: FileReport, bad, convert=None
) -> None:
    """Ingest a chunk line by line through :func:`add_page`, setting bad lines aside.

    ``convert`` turns a line's page into a v2 page first (twarc2 pages); the
    messages then follow :mod:`analysis.formats`' wording for that format.
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
            page = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad(lineno, line, "truncated last line" if offset == last else "not valid JSON")
            continue
        if not isinstance(page, dict):
            bad(lineno, line, "valid JSON but not an " + ("object" if convert else "API page (not an object)"))  # fmt: skip
            continue
        try:
            kind = add_page(rows, convert(page) if convert else page)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            what = f"{fmt} record" if convert else "API page"
            bad(lineno, line, f"{what} with an unexpected shape ({type(exc).__name__}: {exc})")
            continue
        if kind == "unknown":
            bad(lineno, line, f"{fmt} record without tweets or users" if convert else
                "valid JSON but not an X API page (no tweets or users in `data`)")  # fmt: skip
        elif kind == "skip":
            report.skipped_pages += 1
        else:
            report.pages += 1


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
) -> IngestReport:
    """Ingest raw JSONL files into a dataset's Parquet tables (created or extended).

    Memory stays bounded whatever the input size: pages are parsed and
    flattened in groups, rows are spilled to disk, and the merge holds only
    keys in memory (see the module docstring). Appending costs time in
    proportion to the new files. The dataset folder is replaced atomically.

    Parameters
    ----------
    paths : files or folders (a folder contributes its ``*.jsonl`` and ``*.jsonl.gz``)
    dataset : dataset name; tables go to ``<data root>/processed/<dataset>/``
    strict : make the first bad line an error instead of quarantining it
    synthetic : mark the dataset synthetic (default: read from the pages' provenance)
    progress : show a progress bar (bytes read)
    replace : rebuild the dataset from these files only, ignoring its existing tables
        (one overwrite commit per table; earlier versions stay readable until compacted)
    command : what the dataset's version history records as the command that wrote it

    Examples
    --------
    >>> report = ingest_files(["data/raw/demo"], "demo")  # doctest: +SKIP
    >>> report.counts["tweets"]  # doctest: +SKIP
    """
    files = _expand(paths)
    # pyarrow imports pandas when it first converts a Python value (a fill value, a
    # scalar); importing it meanwhile, while the first pages are parsed, saves ~0.2 s
    threading.Thread(target=_import_pandas, name="import-pandas", daemon=True).start()
    if not dataset or "/" in dataset or dataset.startswith("."):
        raise UsageError(f"bad dataset name {dataset!r}; use letters, digits, '-' or '_'.")
    report = IngestReport(dataset=dataset)
    target = settings.processed_dir(dataset)
    spill = None
    with store.c_allocator(), store.DatasetWriter(target, command) as writer:
        try:
            staging = writer.staging()
            old_meta = {} if replace else (writer.latest_meta() or {})
            quarantine = _Quarantine(staging / QUARANTINE_FILE)
            if not replace and (target / QUARANTINE_FILE).is_file():
                shutil.copyfile(target / QUARANTINE_FILE, quarantine.path)
            total = sum(p.stat().st_size for p in files)
            edge_lists = any(formats.detect_format(p) == formats.EDGE_CSV for p in files)
            spill = _Spill(staging / ".spill", merge.bucket_count(total), usernames=edge_lists)
            rows = _Rows(sink=spill)
            with tqdm(
                total=total, desc="ingest", unit="B", unit_scale=True, disable=not progress
            ) as bar:
                for path in files:
                    report.files.append(_read_file(path, rows, quarantine, strict, bar))
            rows.flush()
            spill.finish()
            _merge_all(writer, spill, replace)
        finally:  # the spill's writer thread stops before its folder goes
            if spill is not None:
                spill.close()
        meta = _meta(dataset, old_meta, report, rows, synthetic, writer)
        # the quarantine goes in before the manifest, which records its length: a run
        # killed in between has its lines cut off by the next writer
        if quarantine.path.is_file():
            os.replace(quarantine.path, target / QUARANTINE_FILE)
        elif replace:
            (target / QUARANTINE_FILE).unlink(missing_ok=True)
        version = writer.commit(files=[_display_path(f.path) for f in report.files], meta=meta)
        report.counts.update(store.version_entry(writer.manifest)["rows"])
        report.version = version
    return report


def _import_pandas() -> None:
    import pandas  # noqa: F401


def _merge_all(writer: store.DatasetWriter, spill: _Spill, replace: bool) -> None:
    """Commit every table: the spilled rows merged into the existing ones (or replacing them)."""
    # MERGE_THREADS tables at a time (Arrow and delta-rs release the GIL), the largest first
    order = ["tweets", "user_snapshots", "users", "hashtags", "mentions", "follows", "missing"]
    with ThreadPoolExecutor(MERGE_THREADS) as pool:
        list(pool.map(lambda name: merge.merge_table(name, writer, spill, replace=replace), order))


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
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
            "no raw files to ingest (a folder contributes its *.jsonl and *.jsonl.gz)."
        )
    return sorted(files, key=formats.read_order)  # edge lists last: their usernames resolve


def _meta(dataset, old_meta, report, rows, synthetic, writer: store.DatasetWriter) -> dict:
    sources = {s["path"]: s for s in old_meta.get("sources", [])}
    for f in report.files:
        sources[_display_path(f.path)] = {
            "path": _display_path(f.path),
            "format": f.format,
            "lines": f.lines,
            "pages": f.pages,
            "bad_lines": f.bad_lines,
        }
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


def _display_path(path: str) -> str:
    p = Path(path).resolve()
    try:
        return str(p.relative_to(settings.data_dir()))
    except ValueError:
        return str(p)


# --- purge support (issue 9): removing accounts and tweets from raw pages -----------------------


def filter_page(page: dict, user_ids: set[int], tweet_ids: set[int]) -> dict | None:
    """A raw page without the given accounts and tweets, or ``None`` if the whole page goes.

    Used by :mod:`analysis.purge` (deletion requests, compliance): removes tweets
    by those accounts, the listed tweets and retweets of them, the accounts' user
    objects (in ``data`` and ``includes``), errors about them, and whole pages
    fetched for one of the accounts (its timeline, its followers or following).
    Everything else of the page is kept as collected.

    Examples
    --------
    >>> page = {"data": [{"id": "1", "author_id": "7", "text": "a"},
    ...                  {"id": "2", "author_id": "8", "text": "b"}],
    ...         "meta": {"result_count": 2}}
    >>> [t["id"] for t in filter_page(page, {7}, set())["data"]]
    ['2']
    """
    _, params, _, _ = _provenance(page)
    owner = _int(params.get("user_id") or params.get("id"))
    if owner in user_ids:
        return None
    users = {str(u) for u in user_ids}

    def tweet_gone(tw: dict) -> bool:
        if _int(tw.get("id")) in tweet_ids or _int(tw.get("author_id")) in user_ids:
            return True
        refs = tw.get("referenced_tweets") or ()
        return any(r.get("type") == "retweeted" and _int(r.get("id")) in tweet_ids for r in refs)

    def keep(item) -> bool:
        if not isinstance(item, dict):
            return True
        if "text" in item:
            return not tweet_gone(item)
        return str(item.get("id")) not in users

    def unmention(item):  # others' tweets keep their text, not the link to the account
        if isinstance(item, dict) and str(item.get("in_reply_to_user_id")) in users:
            item = {k: v for k, v in item.items() if k != "in_reply_to_user_id"}
        mentions = (item.get("entities") or {}).get("mentions") if isinstance(item, dict) else None
        if not mentions or not any(str(m.get("id")) in users for m in mentions):
            return item
        kept = [m for m in mentions if str(m.get("id")) not in users]
        return {**item, "entities": {**item["entities"], "mentions": kept}}

    out = dict(page)
    data = page.get("data")
    if isinstance(data, list):
        out["data"] = [unmention(i) for i in data if keep(i)]
    elif isinstance(data, dict) and not keep(data):
        out.pop("data")
    if isinstance(page.get("includes"), dict):
        out["includes"] = {
            k: [unmention(i) for i in v if keep(i)] if isinstance(v, list) else v
            for k, v in page["includes"].items()
        }
    if isinstance(page.get("errors"), list):
        gone = users | {str(t) for t in tweet_ids}
        out["errors"] = [
            e for e in page["errors"]
            if not (isinstance(e, dict) and str(e.get("resource_id") or e.get("value")) in gone)
        ]  # fmt: skip
    if isinstance(params.get("ids"), str):  # a users lookup page names the ids it asked for
        ids = ",".join(i for i in params["ids"].split(",") if i not in users)
        out["__medtwitter"] = {**page["__medtwitter"], "params": {**params, "ids": ids}}
    if isinstance(page.get("meta"), dict) and isinstance(out.get("data"), list):
        meta = dict(page["meta"])
        if "result_count" in meta:
            meta["result_count"] = len(out["data"])
        for key in ("newest_id", "oldest_id"):
            if _int(meta.get(key)) in tweet_ids:
                meta.pop(key)
        out["meta"] = meta
    return out
