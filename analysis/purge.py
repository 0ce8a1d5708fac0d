"""Remove an account's data (or given tweets) from a dataset's raw and processed files.

Raw pages are otherwise never edited; deletion is the documented exception. A
person may ask to be removed from a study (GDPR art. 17, and X's developer terms
require honouring deletions), and :mod:`analysis.compliance` removes what the API
reports deleted, suspended or protected. :func:`purge` then:

* rewrites every raw file of the dataset (its ``raw/<dataset>/`` folder and the
  sources listed in its ``meta.json``) without the account's tweets, retweets
  of them, user objects, errors about it and pages fetched for it
  (:func:`analysis.ingest.filter_page`);
* deletes the same rows from the processed Delta tables (tweets, hashtags and
  mentions of those tweets, the user row and snapshots, follow links either
  way, ``missing`` rows) in a new dataset version, then deletes every file and
  log entry of the older versions (vacuum with zero retention), which are
  marked dropped: no file under the dataset keeps the account;
* removes the quarantine entries whose parsed ids or handles name it.

Each file is rewritten to a temporary file beside it, then renamed over the
original, so an interruption leaves every file either as before or purged,
never half-written; running the purge again finishes the job. Others' tweets
that mention the account keep their text: they are the other authors' data.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from analysis import settings
from analysis.errors import UsageError
from analysis.ingest import filter_page, iter_lines, quarantine_ids
from analysis.store import DatasetWriter
from analysis.tables import META_FILE, dataset_dir, load_arrow


@dataclass
class PurgeReport:
    """What a purge removed: raw pages and items, and rows per processed table."""

    dataset: str
    user_ids: list[int]
    tweet_ids: int = 0
    raw_files: int = 0
    raw_pages_dropped: int = 0
    raw_lines_changed: int = 0
    rows_removed: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the command line."""
        rows = ", ".join(f"{n} {t}" for t, n in self.rows_removed.items() if n)
        return (
            f"purged {len(self.user_ids)} account(s) and {self.tweet_ids} tweet(s) from dataset "
            f"{self.dataset!r}: {self.raw_lines_changed} raw page(s) rewritten and "
            f"{self.raw_pages_dropped} dropped in {self.raw_files} file(s); processed rows removed: "
            f"{rows or 'none'}."
        )


def raw_files(dataset: str) -> list[Path]:
    """The raw files of a dataset: its raw folder and the sources its meta.json lists."""
    files = set()
    folder = settings.raw_dir(dataset)
    if folder.is_dir():
        files |= {p.resolve() for p in (*folder.glob("*.jsonl"), *folder.glob("*.jsonl.gz"))}
    meta_path = settings.processed_dir(dataset) / META_FILE
    if meta_path.is_file():
        for source in json.loads(meta_path.read_text(encoding="utf-8")).get("sources", []):
            path = Path(source["path"])
            path = path if path.is_absolute() else settings.data_dir() / path
            if path.is_file():
                files.add(path.resolve())
    return sorted(files)


def _write_atomic_bytes(path: Path, lines: Iterable[bytes]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.suffix == ".gz" else raw
            for line in lines:
                fh.write(line)
            if fh is not raw:
                fh.close()
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _purge_raw_file(path: Path, user_ids: set[int], tweet_ids: set[int], report: PurgeReport):
    out: list[bytes] = []
    changed = dropped = 0
    for _, line in iter_lines(path):
        try:
            page = orjson.loads(line)
        except orjson.JSONDecodeError:
            out.append(line if line.endswith(b"\n") else line + b"\n")  # kept for quarantine
            continue
        if not isinstance(page, dict):
            out.append(line if line.endswith(b"\n") else line + b"\n")
            continue
        new = filter_page(page, user_ids, tweet_ids)
        if new is None:
            dropped += 1
            continue
        if new != page:
            changed += 1
            out.append(orjson.dumps(new) + b"\n")
        else:
            out.append(line if line.endswith(b"\n") else line + b"\n")
    if changed or dropped:
        _write_atomic_bytes(path, out)
    report.raw_files += 1
    report.raw_lines_changed += changed
    report.raw_pages_dropped += dropped


def _tweets_to_remove(dataset: str, user_ids: set[int], tweet_ids: set[int]) -> set[int]:
    """The given tweets, the accounts' tweets, and retweets of any of them."""
    tw = load_arrow(dataset, "tweets", ["tweet_id", "author_id", "retweet_of_tweet_id"])
    ids = pa.array(sorted(user_ids), pa.int64())
    own = pc.fill_null(pc.is_in(tw["author_id"], value_set=ids), False)
    gone = set(tweet_ids) | set(pc.filter(tw["tweet_id"], own).to_pylist())
    rts = pc.fill_null(
        pc.is_in(tw["retweet_of_tweet_id"], value_set=pa.array(sorted(gone), pa.int64())), False
    )
    return gone | set(pc.filter(tw["tweet_id"], rts).to_pylist())


def _in(column: str, values: Iterable) -> str | None:
    """An SQL ``column IN (...)`` for ids (integers) or strings (quoted), or None if empty."""
    items = sorted(values, key=str)
    if not items:
        return None
    if all(isinstance(v, int) for v in items):
        return f"{column} IN ({', '.join(str(int(v)) for v in items)})"
    return f"{column} IN ({', '.join(_quote(str(v)) for v in items)})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _predicates(user_ids: set[int], tweet_ids: set[int], handles: set[str]) -> dict[str, str]:
    """Per table, the SQL predicate of the rows to delete."""
    gone_ids = {str(i) for i in user_ids | tweet_ids} | handles
    rules = {
        "tweets": [_in("tweet_id", tweet_ids), _in("author_id", user_ids)],
        "users": [_in("user_id", user_ids)],
        "user_snapshots": [_in("user_id", user_ids)],
        "follows": [_in("follower_id", user_ids), _in("followed_id", user_ids)],
        "hashtags": [_in("tweet_id", tweet_ids)],
        "mentions": [_in("tweet_id", tweet_ids), _in("user_id", user_ids)],
        "missing": [_in("resource_id", gone_ids)],
    }
    return {name: " OR ".join(p for p in parts if p) for name, parts in rules.items()
            if any(parts)}  # fmt: skip


def _purge_processed(writer: DatasetWriter, user_ids: set[int], tweet_ids: set[int],
                     handles: set[str], report: PurgeReport) -> None:  # fmt: skip
    """Delete the rows from every table, commit a version, then remove every older file.

    Delta deletes rewrite the files holding the rows; a vacuum with zero retention
    then deletes the files older versions used, and their log entries, so no file
    under the dataset holds the removed rows. Older versions are marked dropped.
    """
    for name, predicate in _predicates(user_ids, tweet_ids, handles).items():
        report.rows_removed[name] = writer.delete(name, predicate)
    quarantine = writer.folder / "quarantine.jsonl"
    if quarantine.is_file():
        lines = quarantine.read_bytes().splitlines(keepends=True)
        kept_lines = [line for line in lines if not _quarantine_hit(line, user_ids, handles)]
        if len(kept_lines) != len(lines):
            _write_atomic_bytes(quarantine, kept_lines)
    meta = writer.latest_meta() or {}
    meta["purged"] = int(meta.get("purged", 0)) + 1  # how many purges ran; never who
    version = writer.commit(meta=meta, note="purge: rows of removed accounts deleted")
    writer.vacuum(0)
    writer.drop_versions(
        "a purge removed an account's data; the files of earlier versions were deleted",
        before=version,
    )


def _quarantine_hit(line: bytes, user_ids: set[int], handles: set[str]) -> bool:
    """Whether a quarantine entry is about a removed account (its parsed ids or handles)."""
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    ids = entry.get("ids")
    if ids is None:  # an entry from before parsed ids: parse them now
        ids = quarantine_ids(str(entry.get("content", "")).encode("utf-8", "replace"))
    names = {str(u).casefold() for u in entry.get("usernames", [])}
    return bool(set(ids) & user_ids) or bool(names & {h.casefold() for h in handles})


def purge(dataset: str, user_ids: Iterable[int] = (), tweet_ids: Iterable[int] = ()) -> PurgeReport:
    """Remove accounts (all their data) and tweets from a dataset's raw and processed files.

    Examples
    --------
    >>> purge("demo", user_ids=[1460323737035677698])  # doctest: +SKIP
    """
    user_ids = {int(u) for u in user_ids}
    tweet_ids = {int(t) for t in tweet_ids}
    if not user_ids and not tweet_ids:
        raise UsageError("nothing to purge; give --user ID (or tweet ids from compliance).")
    folder = dataset_dir(dataset)
    with DatasetWriter(folder, "purge") as writer:
        users = load_arrow(dataset, "users", ["user_id", "username"])
        known = pc.is_in(users["user_id"], value_set=pa.array(sorted(user_ids), pa.int64()))
        handles = {h for h in pc.filter(users["username"], known).to_pylist() if h}
        tweet_ids = _tweets_to_remove(dataset, user_ids, tweet_ids)
        report = PurgeReport(dataset, sorted(user_ids), tweet_ids=len(tweet_ids))
        for path in raw_files(dataset):
            _purge_raw_file(path, user_ids, tweet_ids, report)
        _purge_processed(writer, user_ids, tweet_ids, handles, report)
    return report
