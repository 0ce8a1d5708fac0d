"""Remove an account's data (or given tweets) from a dataset's raw and processed files.

Raw pages are otherwise never edited; deletion is the documented exception. A
person may ask to be removed from a study (GDPR art. 17, and X's developer terms
require honouring deletions), and :mod:`analysis.compliance` removes what the API
reports deleted, suspended or protected. :func:`purge` then:

* rewrites every raw file of the dataset (its ``raw/<dataset>/`` folder and the
  sources listed in its ``meta.json``) without the account's tweets, retweets
  of them, user objects, errors about it and pages fetched for it
  (:func:`analysis.ingest.filter_page`);
* removes the same rows from the processed tables (tweets, hashtags and
  mentions of those tweets, the user row, follow links either way, ``missing``
  rows) and the quarantine lines naming it.

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

from analysis import settings, store
from analysis.errors import UsageError
from analysis.ingest import filter_page, iter_lines
from analysis.tables import META_FILE, TABLE_NAMES, check_table, dataset_dir


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


def _tweets_to_remove(folder: Path, user_ids: set[int], tweet_ids: set[int]) -> set[int]:
    """The given tweets, the accounts' tweets, and retweets of any of them."""
    tw = store.read_table(folder, "tweets", ["tweet_id", "author_id", "retweet_of_tweet_id"])
    ids = pa.array(sorted(user_ids), pa.int64())
    own = pc.fill_null(pc.is_in(tw["author_id"], value_set=ids), False)
    gone = set(tweet_ids) | set(pc.filter(tw["tweet_id"], own).to_pylist())
    rts = pc.fill_null(
        pc.is_in(tw["retweet_of_tweet_id"], value_set=pa.array(sorted(gone), pa.int64())), False
    )
    return gone | set(pc.filter(tw["tweet_id"], rts).to_pylist())


def _purge_processed(folder: Path, user_ids: set[int], tweet_ids: set[int], handles: set[str],
                     report: PurgeReport) -> None:  # fmt: skip
    users = pa.array(sorted(user_ids), pa.int64())
    tweets = pa.array(sorted(tweet_ids), pa.int64())
    gone_ids = pa.array(sorted({str(i) for i in user_ids | tweet_ids} | handles), pa.string())

    def hit(table: pa.Table, column: str, values: pa.Array):
        return pc.fill_null(pc.is_in(table[column], value_set=values), False)

    for name in TABLE_NAMES:
        if not store.part_files(folder, name):  # a table added to the contract after the dataset
            continue
        table = store.read_table(folder, name)
        drop = pa.array([False] * table.num_rows, pa.bool_())
        rules = {
            "tweets": [("tweet_id", tweets), ("author_id", users)],
            "users": [("user_id", users)],
            "user_snapshots": [("user_id", users)],
            "follows": [("follower_id", users), ("followed_id", users)],
            "hashtags": [("tweet_id", tweets)],
            "mentions": [("tweet_id", tweets), ("user_id", users)],
            "missing": [("resource_id", gone_ids)],
        }[name]
        for column, values in rules:
            drop = pc.or_(drop, hit(table, column, values))
        removed = pc.sum(drop).as_py() or 0
        report.rows_removed[name] = removed
        if removed:
            kept = table.filter(pc.invert(drop))
            check_table(name, kept)
            store.replace_table(folder, name, kept)
    quarantine = folder / "quarantine.jsonl"
    if quarantine.is_file():
        needles = [str(i).encode() for i in user_ids] + [h.encode() for h in handles]
        lines = quarantine.read_bytes().splitlines(keepends=True)
        kept_lines = [line for line in lines if not any(n in line for n in needles)]
        if len(kept_lines) != len(lines):
            _write_atomic_bytes(quarantine, kept_lines)
    meta_path = folder / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["counts"] = {
        n: store.num_rows(folder, n) for n in TABLE_NAMES if store.part_files(folder, n)
    }
    meta["purged"] = int(meta.get("purged", 0)) + 1  # how many purges ran; never who
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".meta.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, meta_path)


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
    users = store.read_table(folder, "users", ["user_id", "username"])
    known = pc.is_in(users["user_id"], value_set=pa.array(sorted(user_ids), pa.int64()))
    handles = {h for h in pc.filter(users["username"], known).to_pylist() if h}
    tweet_ids = _tweets_to_remove(folder, user_ids, tweet_ids)
    report = PurgeReport(dataset, sorted(user_ids), tweet_ids=len(tweet_ids))
    for path in raw_files(dataset):
        _purge_raw_file(path, user_ids, tweet_ids, report)
    _purge_processed(folder, user_ids, tweet_ids, handles, report)
    return report
