"""Raw API pages -> the Parquet tables of :mod:`analysis.tables`.

This is the only module that knows the X API's shapes. It reads JSONL files of
X API v2 response pages (one page a line: ``data``, ``includes``, ``meta``,
``errors``), as :mod:`analysis.collect`, ``medtwitter demo`` and twarc2 write
them, with their provenance block (``__medtwitter`` or ``__twarc``) telling the
endpoint, and turns them into the contract's tables. Files in other formats
(twarc2 flattened, API v1.1, academictwitteR, CSV edge lists, X archives) are
recognised per file and converted to v2 pages by :mod:`analysis.formats`;
``FileReport.format`` says which format each file was read as.

Guarantees:

* every good line is ingested; a bad line (not JSON, JSON but not an API page,
  a truncated last line) is set aside in ``quarantine.jsonl`` beside the
  tables, with its file and line number, and counted (``strict=True`` makes
  the first bad line an error instead);
* re-ingesting a file changes nothing: tweets, users and edges are
  de-duplicated by id (newest metrics and snapshots win);
* the dataset is replaced atomically: an interrupted ingest leaves it as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from analysis import __version__, formats, settings
from analysis.errors import RawFormatError, UsageError
from analysis.formats import iter_lines
from analysis.tables import CONTRACT, META_FILE, TABLE_NAMES, check_table, to_pandas

QUARANTINE_FILE = "quarantine.jsonl"

#: Endpoints whose pages carry tweets in ``data``.
TWEET_ENDPOINTS = {"search_recent", "search_all", "timeline", "mentions", "tweets", "stream"}
#: Endpoints whose pages carry users in ``data``.
USER_ENDPOINTS = {"users", "followers", "following"}
#: Endpoints recognised but carrying nothing for the tables.
SKIPPED_ENDPOINTS = {"counts_recent", "counts_all", "lists", "compliance"}


def normalise_tag(tag: str) -> str:
    """Case-fold a hashtag, keeping accents.

    Examples
    --------
    >>> normalise_tag("SANTÉ"), normalise_tag("Santé"), normalise_tag("sante")
    ('santé', 'santé', 'sante')
    """
    return unicodedata.normalize("NFC", tag).casefold()


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


@dataclass
class IngestReport:
    """What one ingest run did: per-file reports and the dataset's new table sizes."""

    dataset: str
    files: list[FileReport] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def bad_lines(self) -> int:
        return sum(f.bad_lines for f in self.files)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)


class _Rows:
    """Column lists for every table, filled page by page."""

    def __init__(self) -> None:
        self.cols: dict[str, dict[str, list]] = {
            name: {c: [] for c in CONTRACT[name].names} for name in TABLE_NAMES
        }
        self.synthetic = False

    def add(self, table: str, **values) -> None:
        cols = self.cols[table]
        for name, column in cols.items():
            column.append(values.get(name))

    def to_arrow(self, table: str) -> pa.Table:
        cols = dict(self.cols[table])
        schema = CONTRACT[table].schema
        arrays = []
        for f in schema:
            values = cols[f.name]
            if pa.types.is_timestamp(f.type):
                ts = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
                arrays.append(pa.array(ts, type=f.type, from_pandas=True))
            else:
                arrays.append(pa.array(values, type=f.type))
        return pa.Table.from_arrays(arrays, schema=schema)


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
        path = urlparse(twarc.get("url", "")).path.rstrip("/").split("/")
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


def _page_kind(page: dict, endpoint: str | None) -> str:
    if endpoint in TWEET_ENDPOINTS:
        return "tweets"
    if endpoint in USER_ENDPOINTS:
        return endpoint
    if endpoint in SKIPPED_ENDPOINTS:
        return "skip"
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
            "mentions", tweet_id=tweet_id, username=m.get("username"), user_id=_int(m.get("id"))
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
    """Add one API page's rows; return the page kind ('tweets', 'users', ... or 'skip')."""
    endpoint, params, observed_at, synthetic = _provenance(page)
    rows.synthetic |= synthetic
    kind = _page_kind(page, endpoint)
    if kind in ("unknown", "skip"):
        return kind
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
    return kind


def _read_file(path: Path, rows: _Rows, quarantine: list[dict], strict: bool) -> FileReport:
    report = FileReport(path=str(path))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RawFormatError(f"cannot read {path}: {exc.strerror}; check the path.") from exc
    if size == 0:
        report.problems.append(f"{path}: empty file, nothing to ingest.")
        return report

    def bad(lineno: int, line: bytes, reason: str) -> None:
        message = f"{path}:{lineno}: {reason}"
        if strict:
            raise RawFormatError(f"{message}; fix or remove the line, or run without --strict.")
        report.bad_lines += 1
        report.problems.append(message)
        quarantine.append(
            {
                "file": str(path),
                "line": lineno,
                "reason": reason,
                "content": line.decode("utf-8", "replace").rstrip("\n"),
            }
        )

    fmt = formats.detect_format(path)
    # foreign formats: converted to v2 pages by analysis.formats
    if fmt not in (formats.V2_PAGES, formats.UNKNOWN):
        report.format = fmt
        for lineno, line, page, reason in formats.read_pages(path, fmt, _username_lookup(rows)):
            report.lines += 1
            if page is None:
                bad(lineno, line, reason)
                continue
            try:
                kind = add_page(rows, page)
            except (KeyError, TypeError, ValueError) as exc:
                bad(lineno, line, f"{fmt} record with an unexpected shape ({exc})")
                continue
            if kind == "unknown":
                bad(lineno, line, f"{fmt} record without tweets or users")
            elif kind == "skip":
                report.skipped_pages += 1
            else:
                report.pages += 1
        return report

    try:
        for lineno, line in iter_lines(path):
            report.lines += 1
            try:
                page = orjson.loads(line)
            except orjson.JSONDecodeError:
                truncated = not line.endswith(b"\n")
                bad(lineno, line, "truncated last line" if truncated else "not valid JSON")
                continue
            if not isinstance(page, dict):
                bad(lineno, line, "valid JSON but not an API page (not an object)")
                continue
            try:
                kind = add_page(rows, page)
            except (KeyError, TypeError, ValueError) as exc:
                bad(
                    lineno, line, f"API page with an unexpected shape ({type(exc).__name__}: {exc})"
                )
                continue
            if kind == "unknown":
                bad(lineno, line, "valid JSON but not an X API page (no tweets or users in `data`)")
            elif kind == "skip":
                report.skipped_pages += 1
            else:
                report.pages += 1
    except (OSError, EOFError) as exc:
        bad(report.lines + 1, b"", f"unreadable ({exc}); the file may be truncated or not gzip")
    if report.pages == 0 and report.bad_lines:
        report.format = "unknown"
        report.problems.append(
            f"{path}: no X API v2 page found in this file; check its format "
            "(`medtwitter ingest` reads JSONL of API v2 response pages)."
        )
    return report


def _username_lookup(rows: _Rows) -> formats.UsernameLookup:
    """Resolve a username (any case) against the accounts read so far in this ingest."""
    index: dict[str, int] = {}

    def lookup(username: str) -> int | None:
        if not index:
            users = rows.cols["users"]
            for uid, name in zip(users["user_id"], users["username"], strict=True):
                if name:
                    index[name.casefold()] = uid
        return index.get(username.casefold())

    return lookup


def _dedupe(name: str, table: pa.Table) -> pa.Table:
    """De-duplicate a table on its key, keeping the newest observation."""
    df = to_pandas(table)
    key = list(CONTRACT[name].key)
    if df.empty:
        return table
    if name == "tweets":
        collected = df.groupby("tweet_id")["collected"].transform("any")
        df = df.assign(collected=collected, _m=df["retweet_count"].notna())
        df = df.sort_values(["_m", "observed_at"], kind="stable", na_position="first")
        df = df.drop(columns="_m")
    elif name == "users":
        df = df.sort_values("observed_at", kind="stable", na_position="first")
        # latest snapshot wins; fields it lacks come from older snapshots
        df = df.groupby("user_id", sort=False).last().reset_index()
    elif name == "follows":
        first = df.groupby(key)["first_seen_at"].transform("min")
        df = df.assign(first_seen_at=first).sort_values("observed_at", kind="stable")
    elif "observed_at" in df.columns:
        df = df.sort_values("observed_at", kind="stable", na_position="first")
    df = df.drop_duplicates(key, keep="last").sort_values(key, kind="stable")
    return pa.Table.from_pandas(
        df[CONTRACT[name].names], schema=CONTRACT[name].schema, preserve_index=False
    )


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")


def ingest_files(
    paths: Iterable[str | os.PathLike[str]],
    dataset: str,
    *,
    strict: bool = False,
    synthetic: bool | None = None,
    progress: bool = True,
) -> IngestReport:
    """Ingest raw JSONL files into a dataset's Parquet tables (created or extended).

    Parameters
    ----------
    paths : files or folders (a folder contributes its ``*.jsonl`` and ``*.jsonl.gz``)
    dataset : dataset name; tables go to ``<data root>/processed/<dataset>/``
    strict : make the first bad line an error instead of quarantining it
    synthetic : mark the dataset synthetic (default: read from the pages' provenance)

    Examples
    --------
    >>> report = ingest_files(["data/raw/demo"], "demo")  # doctest: +SKIP
    >>> report.counts["tweets"]  # doctest: +SKIP
    """
    files = _expand(paths)
    if not dataset or "/" in dataset or dataset.startswith("."):
        raise UsageError(f"bad dataset name {dataset!r}; use letters, digits, '-' or '_'.")
    rows = _Rows()
    quarantine: list[dict] = []
    report = IngestReport(dataset=dataset)
    for path in tqdm(files, desc="ingest", unit="file", disable=not progress):
        report.files.append(_read_file(path, rows, quarantine, strict))

    target = settings.processed_dir(dataset)
    old_meta = {}
    if (target / META_FILE).is_file():
        old_meta = json.loads((target / META_FILE).read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dataset}.", dir=target.parent))
    try:
        for name in TABLE_NAMES:
            new = rows.to_arrow(name)
            old_path = target / f"{name}.parquet"
            if old_path.is_file():
                old = pq.read_table(old_path).cast(CONTRACT[name].schema)
                new = pa.concat_tables([old, new])
            table = _dedupe(name, new)
            check_table(name, table)
            _write_parquet(table, staging / f"{name}.parquet")
            report.counts[name] = table.num_rows
        old_q = target / QUARANTINE_FILE
        if old_q.is_file():
            shutil.copyfile(old_q, staging / QUARANTINE_FILE)
        if quarantine:
            with open(staging / QUARANTINE_FILE, "ab") as fh:
                for entry in quarantine:
                    fh.write(orjson.dumps(entry) + b"\n")
        meta = _meta(dataset, old_meta, report, rows, synthetic, staging)
        (staging / META_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return report


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


def _meta(dataset, old_meta, report, rows, synthetic, staging) -> dict:
    sources = {s["path"]: s for s in old_meta.get("sources", [])}
    for f in report.files:
        sources[_display_path(f.path)] = {
            "path": _display_path(f.path),
            "format": f.format,
            "lines": f.lines,
            "pages": f.pages,
            "bad_lines": f.bad_lines,
        }
    tweets = pq.read_table(staging / "tweets.parquet", columns=["created_at"]).column(0)
    import pyarrow.compute as pc

    span = pc.min_max(tweets)
    is_synthetic = (
        rows.synthetic or bool(old_meta.get("synthetic")) if synthetic is None else synthetic
    )
    return {
        "name": dataset,
        "synthetic": is_synthetic,
        "tool_version": __version__,
        "contract": {n: CONTRACT[n].names for n in TABLE_NAMES},
        "counts": dict(report.counts),
        "span": [
            span["min"].as_py().isoformat() if span["min"].is_valid else None,
            span["max"].as_py().isoformat() if span["max"].is_valid else None,
        ],
        "sources": sorted(sources.values(), key=lambda s: s["path"]),
    }


def _display_path(path: str) -> str:
    p = Path(path).resolve()
    try:
        return str(p.relative_to(settings.data_dir()))
    except ValueError:
        return str(p)


def _swap(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames, so readers never see a half dataset."""
    backup = target.with_name(f".{target.name}.old")
    if backup.exists():
        shutil.rmtree(backup)
    if target.exists():
        os.replace(target, backup)
    os.replace(staging, target)
    if backup.exists():
        shutil.rmtree(backup)


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
