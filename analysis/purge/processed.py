"""Purge, processed tables: the account's rows deleted in a new dataset version, older files vacuumed.

See :mod:`analysis.purge` for what a purge removes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from analysis.contract import x_link
from analysis.ingest import quarantine_ids
from analysis.purge.raw import _write_atomic_bytes
from analysis.purge.report import PurgeReport
from analysis.store import HIDDEN_NAME, QUARANTINE_FILE, DatasetWriter, name_pattern
from analysis.tables import load_arrow


def _tweets_to_remove(dataset: str, user_ids: set[int], tweet_ids: set[int]) -> set[int]:
    """Return the given tweets, the accounts' tweets, and retweets of any of them."""
    tw = load_arrow(dataset, "tweets", ["tweet_id", "author_id", "retweet_of_tweet_id"])
    ids = pa.array(sorted(user_ids), pa.int64())
    own = pc.fill_null(pc.is_in(tw["author_id"], value_set=ids), False)
    gone = set(tweet_ids) | set(pc.filter(tw["tweet_id"], own).to_pylist())
    rts = pc.fill_null(
        pc.is_in(tw["retweet_of_tweet_id"], value_set=pa.array(sorted(gone), pa.int64())), False
    )
    return gone | set(pc.filter(tw["tweet_id"], rts).to_pylist())


def _links_to(
    dataset: str, user_ids: set[int], tweet_ids: set[int], handles: set[str]
) -> list[tuple[int, int]]:
    """(tweet_id, position) of others' links to the accounts' X profiles or to the tweets."""
    urls = load_arrow(dataset, "urls", ["tweet_id", "position", "url", "expanded_url"])
    folded = {h.casefold() for h in handles}
    hits = []
    for tid, pos, url, expanded in zip(
        *(urls[c].to_pylist() for c in urls.column_names), strict=True
    ):
        for link in (expanded, url):
            handle, tweet = x_link(link)
            if (handle is not None and handle.casefold() in folded) or tweet in tweet_ids:
                hits.append((tid, pos))
                break
    return hits


def _in(column: str, values: Iterable) -> str | None:
    """Return an SQL ``column IN (...)`` for ids (integers) or strings (quoted), or None if empty."""
    items = sorted(values, key=str)
    if not items:
        return None
    if all(isinstance(v, int) for v in items):
        return f"{column} IN ({', '.join(str(int(v)) for v in items)})"
    return f"{column} IN ({', '.join(_quote(str(v)) for v in items)})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _predicates(
    user_ids: set[int],
    tweet_ids: set[int],
    handles: set[str],
    links: Iterable[tuple[int, int]] = (),
) -> dict[str, str]:
    """Per table, the SQL predicate of the rows to delete (``links``: ``urls`` rows by key)."""
    gone_ids = {str(i) for i in user_ids | tweet_ids} | handles
    rules = {
        "tweets": [_in("tweet_id", tweet_ids), _in("author_id", user_ids)],
        "users": [_in("user_id", user_ids)],
        "user_snapshots": [_in("user_id", user_ids)],
        "follows": [_in("follower_id", user_ids), _in("followed_id", user_ids)],
        "hashtags": [_in("tweet_id", tweet_ids)],
        "mentions": [
            _in("tweet_id", tweet_ids),
            _in("user_id", user_ids),
            _in("username", handles),
        ],
        "urls": [
            _in("tweet_id", tweet_ids),
            *(f"(tweet_id = {int(t)} AND position = {int(p)})" for t, p in sorted(links)),
        ],
        "missing": [_in("resource_id", gone_ids)],
    }
    return {name: " OR ".join(p for p in parts if p) for name, parts in rules.items() if any(parts)}


def _purge_processed(
    writer: DatasetWriter,
    user_ids: set[int],
    tweet_ids: set[int],
    handles: set[str],
    report: PurgeReport,
) -> None:
    """Delete the rows from every table, commit a version, then remove every older file.

    Delta deletes rewrite the files holding the rows; a vacuum with zero retention
    then deletes the files older versions used, and their log entries, so no file
    under the dataset holds the removed rows. Older versions are marked dropped.
    """
    links = _links_to(writer.dataset, user_ids, tweet_ids, handles)
    for name, predicate in _predicates(user_ids, tweet_ids, handles, links).items():
        report.rows_removed[name] = writer.delete(name, predicate)
    # others' replies to the account keep their text, not the link to it (as mentions do)
    unlinked = _in("reply_to_user_id", user_ids)
    if unlinked:
        writer.update("tweets", {"reply_to_user_id": "NULL"}, unlinked)
    quarantine = writer.folder / QUARANTINE_FILE
    if quarantine.is_file():
        lines = quarantine.read_bytes().splitlines(keepends=True)
        kept_lines = [line for line in lines if not _quarantine_hit(line, user_ids, handles)]
        named = name_pattern({str(u) for u in user_ids} | handles)
        kept_lines = [_hide_file_name(line, named) for line in kept_lines]
        if kept_lines != lines:
            _write_atomic_bytes(quarantine, kept_lines)
    meta = writer.latest_meta() or {}
    meta["purged"] = int(meta.get("purged", 0)) + 1  # how many purges ran; never who
    version = writer.commit(meta=meta, note="purge: rows of removed accounts deleted")
    writer.vacuum(0, drop_history=True)
    writer.redact_file_names({str(u) for u in user_ids} | handles)
    writer.drop_versions(
        "a purge removed an account's data; the files of earlier versions were deleted",
        before=version,
    )


def _hide_file_name(line: bytes, named: re.Pattern[str]) -> bytes:
    """Return a quarantine entry whose raw file is named after a removed account, without that name."""
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return line
    if not isinstance(entry, dict) or not named.search(str(entry.get("file", ""))):
        return line
    return orjson.dumps({**entry, "file": HIDDEN_NAME}) + b"\n"


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
