"""Purge, raw files: every format ingest reads, cleaned of an account or refused.

See :mod:`analysis.purge` for what a purge removes and how it stays atomic.

The module is long because it holds one cleaner per raw format ingest reads (v2 and
twarc2 pages, flattened tweets, the v1.1 shapes, academictwitteR, edge lists, X
archives), each refusing a file it cannot clean rather than leaving the account in it.
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import io
import json
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from analysis import formats, formats_v1, rawfile, settings
from analysis.contract import x_link
from analysis.errors import UsageError
from analysis.formats import iter_lines
from analysis.ingest import edges, filter_page, quarantine_ids, quarantine_usernames
from analysis.ingest import expand as expand_paths
from analysis.purge.report import PurgeReport
from analysis.tables import META_FILE, load_arrow


def raw_files(dataset: str) -> list[Path]:
    """Every raw file ingest reads for a dataset, as resolved paths.

    The files its raw folder contributes (as :func:`analysis.ingest.ingest_files`
    expands a folder: JSONL, academictwitteR, CSV edge lists, X archive parts),
    the sources its ``meta.json`` lists (relative to the data root, or absolute),
    and the academictwitteR ``users_`` files read with their ``data_`` files.

    Parameters
    ----------
    dataset : str
        The dataset's name; its raw folder ``raw/<dataset>/`` and the sources of its
        ``meta.json`` are looked at.

    Returns
    -------
    list of pathlib.Path
        The files that exist, resolved and sorted, without repeats.

    Examples
    --------
    >>> raw_files("demo")[:1]  # doctest: +SKIP
    [PosixPath('.../data/raw/demo/follows.jsonl')]
    """
    files: set[Path] = set()
    folder = settings.raw_dir(dataset)
    if folder.is_dir():
        with suppress(UsageError):  # a raw folder with nothing ingest reads
            files |= {p.resolve() for p in expand_paths([folder])}
    meta_path = settings.processed_dir(dataset) / META_FILE
    if meta_path.is_file():
        for source in json.loads(meta_path.read_text(encoding="utf-8")).get("sources", []):
            path = Path(source["path"])
            path = path if path.is_absolute() else settings.data_dir() / path
            if path.is_file():
                files.add(path.resolve())
    files |= {users for p in files if (users := formats.academic_users_file(p)) is not None}
    return sorted(files)


def _write_temp(path: Path, chunks: Iterable[bytes]) -> Path:
    """Write ``chunks`` to a new temporary file beside ``path`` (gzip if it ends in .gz)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            fh = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.suffix == ".gz" else raw
            for chunk in chunks:
                fh.write(chunk)
            if fh is not raw:
                fh.close()
        os.chmod(tmp, path.stat().st_mode & 0o777)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _write_atomic_bytes(path: Path, lines: Iterable[bytes]) -> None:
    tmp = _write_temp(path, lines)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- raw files: what names the account ----------------------------------------------------------


def _as_int(value: object) -> int | None:
    """Return an id given as an int or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


_TOKEN = re.compile(rb"[A-Za-z0-9_]{1,50}")


@dataclass(frozen=True)
class _Gone:
    """What a purge removes from raw files: account ids, tweet ids and handles (casefolded)."""

    user_ids: frozenset[int]
    tweet_ids: frozenset[int]
    handles: frozenset[str] = frozenset()

    def user(self, value: object) -> bool:
        """Whether an id (int or string) is one of the accounts.

        Parameters
        ----------
        value : object
            An id from a raw record: an int or a string of ASCII digits (anything else never matches).

        Returns
        -------
        bool
            True if it is one of the purged accounts' ids.
        """
        return _as_int(value) in self.user_ids

    def tweet(self, value: object) -> bool:
        """Whether an id (int or string) is one of the tweets.

        Parameters
        ----------
        value : object
            An id from a raw record: an int or a string of ASCII digits (anything else never matches).

        Returns
        -------
        bool
            True if it is one of the removed tweets' ids.
        """
        return _as_int(value) in self.tweet_ids

    def handle(self, value: object) -> bool:
        """Whether a username (``@`` optional, any case) is one of the accounts' handles.

        Parameters
        ----------
        value : object
            A username from a raw record; anything but a string never matches.

        Returns
        -------
        bool
            True if it is a current or former handle of a purged account.
        """
        return isinstance(value, str) and value.strip().lstrip("@").casefold() in self.handles

    @cached_property
    def _ids(self) -> frozenset[int]:
        return self.user_ids | self.tweet_ids

    @cached_property
    def _texts(self) -> tuple[frozenset[str], frozenset[str]]:
        """The account and tweet ids as the strings v2 pages give them."""
        return frozenset(map(str, self.user_ids)), frozenset(map(str, self.tweet_ids))

    def in_line(self, line: bytes) -> bool:
        """Return whether a raw line that ingest sets aside names the account.

        As its quarantine entry would (:func:`analysis.ingest.quarantine_ids`,
        :func:`analysis.ingest.quarantine_usernames`).

        Parameters
        ----------
        line : bytes
            A raw line ingest would set aside (not JSON, not a page...).

        Returns
        -------
        bool
            True if the ids or usernames its quarantine entry would record name a purged
            account or tweet.
        """
        return not self._ids.isdisjoint(quarantine_ids(line)) or any(
            self.handle(u) for u in quarantine_usernames(line)
        )

    def in_text(self, text: bytes) -> bool:
        """Whether a file ingest cannot parse names the account: an id, or a handle as a word.

        Parameters
        ----------
        text : bytes
            The content of a raw file in no format ingest reads.

        Returns
        -------
        bool
            True if it holds a purged account's id or handle as a whole word, or a removed tweet's id.
        """
        words = {w.decode().casefold() for w in _TOKEN.findall(text)}
        return (
            self.in_line(text)
            or bool(words & self.handles)
            or any(_as_int(w) in self.user_ids for w in words)
        )

    def in_page(self, page: dict) -> bool:
        """Whether a v2 page would still give a row of the account or tweets (ids, errors).

        User objects are matched by id, not username: a former handle may be another's now.

        Parameters
        ----------
        page : dict
            A page as ingest reads it (X API v2 shape).

        Returns
        -------
        bool
            True if ingest would still get from it a row, error or request about a purged
            account or tweet.
        """
        names = formats.page_names(page)
        users, tweets = self._texts
        return bool(
            names.user_ids & users
            or names.tweet_ids & tweets
            or names.resources & (users | tweets | self.handles)
        )


class _Refusal(Exception):
    """A raw file purge cannot clean reliably: why, and what the user should remove."""

    def __init__(self, reason: str, remove: str = "that file") -> None:
        super().__init__(reason)
        self.reason = reason
        self.remove = remove


@dataclass
class _Counts:
    changed: int = 0
    dropped: int = 0


def _kept(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\n"


# --- raw files: cleaners, one per format ---------------------------------------------------------


def _json_lines(
    path: Path,
    gone: _Gone,
    counts: _Counts,
    clean: Callable[[dict], dict | None],
    convert: Callable[[dict], dict | None],
) -> Iterator[bytes]:
    """Yield a JSONL file's lines, each record cleaned (kept, rewritten or dropped) and checked.

    ``clean(record)`` returns the record without the account (None: drop it);
    ``convert(record)`` makes the v2 page ingest would read from it, which must
    then name none of the account's ids. Lines ingest cannot read are dropped
    when they name the account, else kept as they are.
    """
    for lineno, line in iter_lines(path):
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict):  # ingest sets it aside in quarantine
            if gone.in_line(line):
                counts.dropped += 1
            else:
                yield _kept(line)
            continue
        new = clean(record)
        if new is None:
            counts.dropped += 1
            continue
        text = _kept(line) if new == record else orjson.dumps(new) + b"\n"
        try:
            page = convert(new)
        except (KeyError, TypeError, ValueError, AttributeError):
            page = None
        if page is None and gone.in_line(text):  # a record ingest sets aside
            counts.dropped += 1
            continue
        if page is not None and gone.in_page(page):
            raise _Refusal(f"line {lineno} still names the account after cleaning")
        if new != record:
            counts.changed += 1
        yield text


def _without_mentions(tw: dict, gone: _Gone, key: str = "mentions") -> dict:
    """Return a tweet without the account among its mentions (v2 ``mentions``, v1.1 ``user_mentions``)."""
    entities = tw.get("entities")
    if not isinstance(entities, dict) or not isinstance(mentions := entities.get(key), list):
        return tw
    kept = [m for m in mentions if not (isinstance(m, dict) and gone.user(_v1_id(m, "id")))]
    return tw if len(kept) == len(mentions) else {**tw, "entities": {**entities, key: kept}}


def _without_names(value: object, gone: _Gone) -> object:
    """Return a list (or comma-separated string) of ids or usernames without the account's."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    kept = [i for i in items if not (gone.user(i) or gone.handle(i))]
    if len(kept) == len(items):
        return value
    return ",".join(map(str, kept)) if isinstance(value, str) else kept


def _without_url_names(url: str, gone: _Gone) -> str:
    """Return a request URL whose ``ids``/``usernames`` query no longer names the account."""
    parsed = urlparse(url)
    query = parse_qsl(parsed.query, keep_blank_values=True)
    new = [(k, _without_names(v, gone) if k in ("ids", "usernames") else v) for k, v in query]
    return url if new == query else urlunparse(parsed._replace(query=urlencode(new, safe=",")))


def _clean_provenance(page: dict, gone: _Gone) -> dict:
    """Return a page whose request parameters (lookup ids and usernames) no longer name the account."""
    out = page
    meta = page.get("__medtwitter")
    params = meta.get("params") if isinstance(meta, dict) else None
    if isinstance(meta, dict) and isinstance(params, dict):
        lookup = ("ids", "usernames")
        new = {k: _without_names(v, gone) if k in lookup else v for k, v in params.items()}
        if new != params:
            out = {**out, "__medtwitter": {**meta, "params": new}}
    twarc = page.get("__twarc")
    if isinstance(twarc, dict) and isinstance(twarc.get("url"), str):
        url = _without_url_names(twarc["url"], gone)
        if url != twarc["url"]:
            out = {**out, "__twarc": {**twarc, "url": url}}
    return out


def _fetched_for(record: dict, gone: _Gone) -> bool:
    """Whether a twarc2 record was fetched for the account (its followers, timeline...)."""
    twarc = record.get("__twarc")
    url = twarc.get("url") if isinstance(twarc, dict) else None
    return isinstance(url, str) and gone.user(formats.twarc_endpoint(url)[1].get("user_id"))


def _clean_v2_page(page: dict, gone: _Gone) -> dict | None:
    """Return an API v2 (or twarc2) page without the account.

    :func:`analysis.ingest.filter_page`, then errors naming its handle and request parameters
    naming it.
    """
    if _fetched_for(page, gone):
        return None
    out = filter_page(page, set(gone.user_ids), set(gone.tweet_ids), gone.handles)
    if out is None:
        return None
    if isinstance(out.get("errors"), list):  # errors of a lookup by username name the handle

        def about_account(error: object) -> bool:
            """Tell whether a page error is about one of the purged handles.

            Parameters
            ----------
            error : object
                One item of the page's ``errors`` (a dict for well-formed pages).

            Returns
            -------
            bool
                True if its ``resource_id`` or ``value`` is a purged account's handle.
            """
            return isinstance(error, dict) and gone.handle(
                error.get("resource_id") or error.get("value")
            )

        out["errors"] = [e for e in out["errors"] if not about_account(e)]
    return _clean_provenance(out, gone)


def _v1_id(obj: dict, key: str) -> object:
    """Return a v1.1 id field (``<key>_str`` first), as found."""
    value = obj.get(f"{key}_str")
    return value if value not in (None, "") else obj.get(key)


def _v1_gone(tw: dict, gone: _Gone) -> bool:
    """Whether a v1.1 tweet goes: one of the tweets, by the account, or a retweet of such."""
    user = tw.get("user")
    if gone.tweet(_v1_id(tw, "id")) or (isinstance(user, dict) and gone.user(_v1_id(user, "id"))):
        return True
    retweeted = tw.get("retweeted_status")
    return isinstance(retweeted, dict) and _v1_gone(retweeted, gone)


def _scrub_v1(tw: dict, gone: _Gone) -> dict:
    """Return a kept v1.1 tweet without the account.

    Its quoted tweet (the reference kept as an id), the account it replies to and its mentions,
    in the tweet and the tweets it embeds.
    """
    out = dict(tw)
    if gone.user(_v1_id(tw, "in_reply_to_user_id")):  # a reply keeps the tweet it answers
        for key in ("in_reply_to_user_id", "in_reply_to_user_id_str", "in_reply_to_screen_name"):
            out.pop(key, None)
    quoted = tw.get("quoted_status")
    if isinstance(quoted, dict) and _v1_gone(quoted, gone):
        del out["quoted_status"]
        out.pop("quoted_status_permalink", None)
        if _v1_id(tw, "quoted_status_id") in (None, "") and _v1_id(quoted, "id") is not None:
            out["quoted_status_id_str"] = str(_v1_id(quoted, "id"))
    elif isinstance(quoted, dict):
        out["quoted_status"] = _scrub_v1(quoted, gone)
    if isinstance(tw.get("retweeted_status"), dict):  # not the account's, or the tweet would go
        out["retweeted_status"] = _scrub_v1(tw["retweeted_status"], gone)
    if isinstance(tw.get("extended_tweet"), dict):
        out["extended_tweet"] = _without_v1_names(tw["extended_tweet"], gone)
    return _without_v1_names(out, gone)


def _v1_link_gone(entity: object, gone: _Gone) -> bool:
    """Whether a v1.1 link (or media) entity points to the account's X profile or a purged tweet."""
    if not isinstance(entity, dict):
        return False
    for link in (entity.get("expanded_url"), entity.get("url")):
        handle, tweet = x_link(link) if isinstance(link, str) else (None, None)
        if gone.tweet(tweet) or gone.handle(handle):
            return True
    return False


def _without_v1_names(tw: dict, gone: _Gone) -> dict:
    """Return a v1.1 tweet (or its ``extended_tweet``) without mentions of the account.

    Links to its profile or to purged tweets go too, in ``entities`` and ``extended_entities``.
    """
    out = _without_mentions(tw, gone, "user_mentions")
    for key, lists in (("entities", ("urls", "media")), ("extended_entities", ("media",))):
        entities = out.get(key)
        if not isinstance(entities, dict):
            continue
        new = {
            k: [e for e in v if not _v1_link_gone(e, gone)]
            if k in lists and isinstance(v, list)
            else v
            for k, v in entities.items()
        }
        if new != entities:
            out = {**out, key: new}
    return out


def _clean_v1_record(record: dict, gone: _Gone) -> dict | None:
    """Return a v1.1 line without the account.

    Delete notices about it, its tweets and retweets of them go; other notices (withheld,
    scrub_geo...), which ingest sets aside, go if they name it.
    """
    delete = record.get("delete")
    if isinstance(delete, dict):
        status = s if isinstance(s := delete.get("status"), dict) else {}
        if gone.tweet(_v1_id(status, "id")) or gone.user(_v1_id(status, "user_id")):
            return None
        return record
    if _v1_id(record, "id") is None:
        return None if gone.in_line(orjson.dumps(record)) else record
    return None if _v1_gone(record, gone) else _scrub_v1(record, gone)


def _flat_gone(tw: dict, gone: _Gone) -> bool:
    """Whether a twarc2-flattened tweet goes: one of the tweets, the account's, or a retweet of such."""
    author = tw.get("author")
    if gone.tweet(tw.get("id")) or gone.user(tw.get("author_id")):
        return True
    if isinstance(author, dict) and gone.user(author.get("id")):
        return True
    return any(
        isinstance(ref, dict) and ref.get("type") == "retweeted" and _flat_gone(ref, gone)
        for ref in tw.get("referenced_tweets") or ()
    )


def _scrub_flat(tw: dict, gone: _Gone) -> dict:
    """Return a kept flattened tweet without the account.

    The account it replies to (id and embedded user), embedded tweets of it (kept as
    ``{type, id}`` references, as in v2 pages) and its mentions.
    """
    out = dict(tw)
    replied = tw.get("in_reply_to_user")
    if gone.user(tw.get("in_reply_to_user_id")) or (
        isinstance(replied, dict) and gone.user(replied.get("id"))
    ):  # a reply keeps the tweet it answers, not the account
        out.pop("in_reply_to_user_id", None)
        out.pop("in_reply_to_user", None)
    refs = tw.get("referenced_tweets")
    if isinstance(refs, list):
        out["referenced_tweets"] = [_scrub_flat_ref(r, gone) for r in refs]
    return _without_mentions(out, gone)


def _scrub_flat_ref(ref: object, gone: _Gone) -> object:
    """Return a referenced tweet of a flattened tweet: a tweet of the account becomes ``{type, id}``."""
    if not isinstance(ref, dict) or not ("text" in ref or "author" in ref):
        return ref  # already a reference
    if _flat_gone(ref, gone):
        return {"type": ref.get("type"), "id": ref.get("id")}
    return _scrub_flat(ref, gone)


def _clean_flat_record(record: dict, gone: _Gone) -> dict | None:
    """Return a twarc2-flattened line (a tweet or a user) without the account."""
    if _fetched_for(record, gone):
        return None
    if "text" not in record:  # a user line
        return None if gone.user(record.get("id")) else _clean_provenance(record, gone)
    return None if _flat_gone(record, gone) else _clean_provenance(_scrub_flat(record, gone), gone)


def _clean_v1_user(user: dict, gone: _Gone) -> dict | None:
    """Return a v1.1 user without the account.

    The account goes; another's embedded latest ``status`` goes if it is a purged tweet (or a
    retweet of one), else loses its mentions and links.
    """
    if gone.user(_v1_id(user, "id")):
        return None
    status = user.get("status")
    if not isinstance(status, dict):
        return user
    if _v1_gone(status, gone):
        return {k: v for k, v in user.items() if k != "status"}
    scrubbed = _scrub_v1(status, gone)
    return user if scrubbed == status else {**user, "status": scrubbed}


def _clean_v1_item(item: object, gone: _Gone) -> object | None:
    """Return a v1.1 status, user or notice without the account, or None if it goes.

    It goes if it is the account's, or a record ingest sets aside (with its ids in the
    quarantine) that names it.
    """
    new: object | None
    if isinstance(item, dict) and formats_v1.v1_kind(item) == "user":
        new = _clean_v1_user(item, gone)
    elif isinstance(item, dict):
        new = _clean_v1_record(item, gone)
    else:
        new = item
    if new is None:
        return None
    set_aside = any(p is None for _, _, p, _ in formats_v1.body_pages(new, None, formats.V1_BODIES))
    return None if set_aside and gone.in_line(orjson.dumps(new)) else new


def _clean_v1_items(items: list, gone: _Gone, counts: _Counts) -> list:
    """Return a list of v1.1 statuses or users without the account's (counted as dropped)."""
    kept = []
    for item in items:
        new = _clean_v1_item(item, gone)
        if new is None:
            counts.dropped += 1
        else:
            kept.append(new)
    return kept


def _clean_search_metadata(meta: object, gone: _Gone) -> object:
    """Return a search envelope's ``search_metadata`` without the purged tweets' ids.

    These are in ``max_id``, ``since_id`` and the query strings holding them.
    """
    if not isinstance(meta, dict):
        return meta
    named = {
        str(_v1_id(meta, key)) for key in ("max_id", "since_id") if gone.tweet(_v1_id(meta, key))
    }
    if not named:
        return meta
    return {
        k: v
        for k, v in meta.items()
        if not (
            k in ("max_id", "max_id_str", "since_id", "since_id_str")
            and str(v) in named
            or isinstance(v, str)
            and any(f"_id={i}" in v for i in named)
        )
    }


def _clean_v1_body(body: object, gone: _Gone, counts: _Counts, owner_gone: bool) -> object | None:
    """Return a v1.1 body without the account, or None if it all goes.

    The body has any shape of :mod:`analysis.formats_v1`. ``owner_gone``: the file's id
    and users pages are the account's own follow lists (every one of their records is an
    edge with the account: they go whole).
    """
    if isinstance(body, list):
        return _clean_v1_items(body, gone, counts)
    if not isinstance(body, dict):
        return _clean_v1_item(body, gone)
    if isinstance(body.get("statuses"), list):  # a search envelope
        return {
            **body,
            "statuses": _clean_v1_items(body["statuses"], gone, counts),
            "search_metadata": _clean_search_metadata(body.get("search_metadata"), gone),
        }
    key = "ids" if "ids" in body else "users" if isinstance(body.get("users"), list) else None
    if key is not None and owner_gone:
        return None
    if key == "ids":
        ids = body["ids"]
        kept = [i for i in ids if not gone.user(i)] if isinstance(ids, list) else ids
        return body if kept == ids else {**body, "ids": kept}
    if key == "users":
        return {**body, "users": _clean_v1_items(body["users"], gone, counts)}
    return _clean_v1_item(body, gone)


def _check_v1_body(body: object, about: tuple[str, str] | None, gone: _Gone, where: str) -> None:
    """Refuse a cleaned v1.1 body that ingest would still read a row of the account from."""
    for number, item, page, _ in formats_v1.body_pages(body, about, formats.V1_BODIES):
        named = gone.in_page(page) if page is not None else gone.in_line(orjson.dumps(item))
        if named:
            item_at = f", item {number}" if number else ""
            raise _Refusal(f"{where}{item_at} still names the account after cleaning")


def _clean_v1_lines(
    path: Path, gone: _Gone, counts: _Counts, follows: tuple[str, str] | None = None
) -> Iterator[bytes]:
    """Yield the lines of a JSONL file of v1.1 bodies without the account.

    One body a line: statuses, delete notices, id and users pages, arrays... The account's own
    follow lists (by the file's owner: ``follows`` as ingested, else its name) go whole.
    """
    about = formats_v1.file_owner(path, follows)
    owner_gone = about is not None and gone.user(about[1])
    for lineno, line in iter_lines(path):
        try:
            body, _ = rawfile.loads(line)
        except orjson.JSONDecodeError:  # ingest sets it aside in quarantine
            body = None
        if body is None:
            if gone.in_line(line):
                counts.dropped += 1
            else:
                yield _kept(line)
            continue
        new = _clean_v1_body(body, gone, counts, owner_gone)
        if new is None:
            counts.dropped += 1
            continue
        _check_v1_body(new, about, gone, f"line {lineno}")
        if new == body:
            yield _kept(line)
        else:
            counts.changed += 1
            yield orjson.dumps(new) + b"\n"


def _clean_v1_document(
    path: Path, gone: _Gone, counts: _Counts, follows: tuple[str, str] | None = None
) -> Iterator[bytes]:
    """Yield a file holding one whole v1.1 body, without the account.

    It is written back as it was laid out, indented or not (emptied if the whole body goes:
    one of the account's statuses, or one of its own follow lists).
    """
    about = formats_v1.file_owner(path, follows)
    raw, body = _document(path, gone)
    if body is None:  # not JSON, and not naming the account: ingest cannot read it either
        yield raw
        return
    new = _clean_v1_body(body, gone, counts, about is not None and gone.user(about[1]))
    if new is None:
        counts.dropped += 1
        return
    _check_v1_body(new, about, gone, "the body")
    if new == body:
        yield raw
        return
    counts.changed += 1
    yield _dump(new, raw)


def _document(path: Path, gone: _Gone) -> tuple[bytes, object]:
    """Return a whole-file JSON document (academictwitteR) without the account.

    Or a refusal if it is damaged and names the account (ingest cannot read it, nor can purge
    clean it).
    """
    raw = rawfile.read_bytes(path)
    try:
        return raw, orjson.loads(raw)
    except orjson.JSONDecodeError:
        if gone.in_text(raw):
            raise _Refusal("not valid JSON, and it names the account") from None
        return raw, None


def _dump(content: object, like: bytes) -> bytes:
    """JSON of a rewritten document, indented if the original was."""
    indented = b"\n " in like[:4096]
    return orjson.dumps(content, option=orjson.OPT_INDENT_2 if indented else 0)


def _filter_unfetched(page: dict, gone: _Gone) -> dict:
    """Return :func:`analysis.ingest.filter_page` of a page without provenance.

    Only a page fetched for one of the accounts goes whole; one without provenance never does.
    """
    new = filter_page(page, set(gone.user_ids), set(gone.tweet_ids), gone.handles)
    assert new is not None, "a page without provenance is never dropped whole"
    return new


def _clean_academic(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
    """AcademictwitteR ``data_`` (a list of v2 tweets) or ``users_`` (v2 includes) file."""
    raw, content = _document(path, gone)
    if path.name.startswith("users_") and isinstance(content, dict):
        new = _filter_unfetched({"includes": content}, gone)["includes"]
        page = {"includes": new}  # read as includes, or its users as data: the same users
    elif isinstance(content, list):
        new = _filter_unfetched({"data": content}, gone)["data"]
        page = {"data": new}
    else:  # ingest cannot read it either
        if content is not None and gone.in_text(raw):
            raise _Refusal("a shape ingest does not read, naming the account")
        yield raw
        return
    if gone.in_page(page):
        raise _Refusal("it still names the account after cleaning")
    if new == content:
        yield raw
        return
    counts.changed += 1
    yield _dump(new, raw)


def _clean_edge_csv(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
    """Yield a ``follower,followed`` CSV without the rows naming the account (by id or handle)."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    # the columns ingest reads (csv.DictReader: the last of a repeated name)
    cols = [max(i for i, h in enumerate(header) if h == key) for key in ("follower", "followed")]

    def names(cell: str) -> bool:
        """Tell whether an edge list cell names a purged account.

        Parameters
        ----------
        cell : str
            A ``follower`` or ``followed`` cell: an id in digits or a handle (``@`` optional).

        Returns
        -------
        bool
            True if it is a purged account's id or handle.
        """
        value = cell.strip().lstrip("@")
        return gone.user(value) if value.isdigit() else gone.handle(value)

    kept = rows[:1]
    for row in rows[1:]:
        if any(c < len(row) and names(row[c]) for c in cols):
            counts.dropped += 1
        else:
            kept.append(row)
    if not counts.dropped:
        yield raw
        return
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(kept)
    yield (codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b"") + out.getvalue().encode()


def _clean_edge_parquet(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
    """Yield a Parquet edge list without the rows naming the account (by id or handle)."""
    data, counts.dropped = edges.without_accounts(path, gone.user_ids, gone.handles)
    yield data


def _archive_owner_gone(path: Path, gone: _Gone) -> bool:
    account = formats.archive_account(path.parent)
    if not account:
        return False
    return gone.user(account.get("accountId")) or gone.handle(account.get("username"))


def _clean_archive(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
    """Yield an X archive part of another account, without the account.

    The account's follow entries, the owner's tweets among the purged ones, and mentions of the
    account, removed.
    """
    raw = path.read_bytes()
    try:
        prefix, kind, content = formats.split_archive_js(raw)
    except orjson.JSONDecodeError:
        if gone.in_text(raw):
            raise _Refusal(
                "not valid JSON after its window.YTD prefix, and it names the account"
            ) from None
        content, kind = None, None
    if not isinstance(content, list) or kind not in ("tweets", "tweet", "follower", "following"):
        yield raw  # parts ingest does not read
        return
    owner = (formats.archive_account(path.parent) or {}).get("accountId")
    new: list = []
    for item in content:
        if kind in ("follower", "following"):
            entry = item.get(kind) if isinstance(item, dict) else None
            if isinstance(entry, dict) and gone.user(entry.get("accountId")):
                counts.dropped += 1
                continue
            new.append(item)
            continue
        tw = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tw, dict):
            new.append(item)
            continue
        if _v1_gone(tw, gone):
            counts.dropped += 1
            continue
        scrubbed = _scrub_v1(tw, gone)
        if gone.in_page({"data": [formats_v1.v1_tweet(scrubbed, [], [], author_id=owner)]}):
            raise _Refusal(f"tweet {_v1_id(tw, 'id')} still names the account after cleaning")
        if scrubbed != tw:
            counts.changed += 1
            item = {**item, "tweet": scrubbed} if "tweet" in item else scrubbed
        new.append(item)
    if counts.changed or counts.dropped:
        yield prefix + orjson.dumps(new, option=orjson.OPT_INDENT_2) + b"\n"
    else:
        yield raw


def _check_unknown(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
    """Yield a file in no format ingest knows: left as it is, refused if it names the account."""
    if gone.in_text(path.read_bytes()):
        raise _Refusal("a format ingest does not know, and it names the account")
    yield from ()


_Cleaner = Callable[[Path, _Gone, _Counts], Iterator[bytes]]


class _V1Cleaner(Protocol):
    """A v1.1 format's cleaner: it also takes the file's ``follows`` (``--owner``)."""

    def __call__(
        self, path: Path, gone: _Gone, counts: _Counts, follows: tuple[str, str] | None = None
    ) -> Iterator[bytes]: ...


def _lines_of(
    clean: Callable[[dict, _Gone], dict | None], convert: Callable[[dict], dict | None] = dict
) -> _Cleaner:
    """Return the cleaner of a JSONL format: ``clean`` per record, ``convert`` to the page ingest reads."""

    def run(path: Path, gone: _Gone, counts: _Counts) -> Iterator[bytes]:
        """Clean one JSONL file of the format, record by record.

        Parameters
        ----------
        path : pathlib.Path
            The raw file.
        gone : _Gone
            The accounts, tweets and handles to remove.
        counts : _Counts
            Tallies of lines changed and dropped, updated as the file is read.

        Returns
        -------
        Iterator of bytes
            The cleaned file's content, in pieces.
        """
        return _json_lines(path, gone, counts, lambda r: clean(r, gone), convert)

    return run


#: The cleaners of :data:`analysis.formats.V1_FORMATS`.
_V1_CLEANERS: dict[str, _V1Cleaner] = {
    formats.V1_TWEETS: _clean_v1_lines,
    formats.V1_IDS: _clean_v1_lines,
    formats.V1_BODIES: _clean_v1_lines,
    formats.V1_DOCUMENT: _clean_v1_document,
}
#: The cleaner of each format :func:`analysis.formats.detect_format` names.
_CLEANERS: dict[str, _Cleaner] = {
    formats.V2_PAGES: _lines_of(_clean_v2_page),
    formats.TWARC2_PAGES: _lines_of(_clean_v2_page, formats.twarc2_page),
    formats.TWARC2_FLAT: _lines_of(_clean_flat_record, formats.twarc2_flat_record),
    **_V1_CLEANERS,
    formats.ACADEMICTWITTER: _clean_academic,
    formats.EDGE_CSV: _clean_edge_csv,
    formats.EDGE_PARQUET: _clean_edge_parquet,
    formats.X_ARCHIVE: _clean_archive,
    formats.UNKNOWN: _check_unknown,
}

_UNREADABLE = (EOFError, UnicodeDecodeError, csv.Error, zlib.error, gzip.BadGzipFile)


def _refuse(path: Path, fmt: str, reason: str, remove: str = "that file") -> UsageError:
    return UsageError(
        f"cannot remove the account from raw file {path} (format {fmt}: {reason}); remove "
        f"{remove} from the dataset's raw folder or sources, then run the purge again."
    )


def _raw_format(path: Path, gone: _Gone) -> str:
    """Return a raw file's format, or a refusal that needs no cleaning to see (read before any write)."""
    try:
        fmt = formats.detect_format(path)
    except _UNREADABLE as exc:
        raise _refuse(path, "unknown", f"unreadable ({exc})") from exc
    if fmt == formats.X_ARCHIVE and _archive_owner_gone(path, gone):
        reason = "it is the account's own X archive, which holds more than ingest reads"
        raise _refuse(path, fmt, reason, f"the whole archive {path.parent}")
    return fmt


def source_follows(dataset: str) -> dict[Path, tuple[str, str]]:
    """Return the raw files ingested with ``--owner``/``--relation``: (relation, account id) by path.

    Read from the sources of the dataset's ``meta.json`` (as :func:`raw_files` reads them).

    Parameters
    ----------
    dataset : str
        The dataset's name.

    Returns
    -------
    dict of pathlib.Path to tuple of (str, str)
        Each resolved source path to its (relation, owner account id); empty if the
        dataset has no ``meta.json``.
    """
    meta_path = settings.processed_dir(dataset) / META_FILE
    if not meta_path.is_file():
        return {}
    found = {}
    for source in json.loads(meta_path.read_text(encoding="utf-8")).get("sources", []):
        if source.get("owner") and source.get("relation"):
            path = Path(source["path"])
            path = path if path.is_absolute() else settings.data_dir() / path
            found[path.resolve()] = (source["relation"], str(source["owner"]))
    return found


def _purge_raw_file(
    path: Path, fmt: str, gone: _Gone, report: PurgeReport, follows: tuple[str, str] | None = None
) -> Path | None:
    """Write a raw file's cleaned copy beside it; its path, or None if nothing changes.

    ``follows``: the (relation, account id) a v1.1 file was ingested with (``--owner``).
    """
    counts = _Counts()
    clean = _CLEANERS[fmt]
    if fmt in formats.V1_FORMATS:
        clean = functools.partial(_V1_CLEANERS[fmt], follows=follows)
    try:
        tmp = _write_temp(path, clean(path, gone, counts))
    except _Refusal as exc:
        raise _refuse(path, fmt, exc.reason, exc.remove) from None
    except _UNREADABLE as exc:
        raise _refuse(path, fmt, f"unreadable to its end ({exc})") from exc
    report.raw_files += 1
    report.raw_lines_changed += counts.changed
    report.raw_pages_dropped += counts.dropped
    if counts.changed or counts.dropped:
        return tmp
    tmp.unlink()
    return None


def _raw_handles(dataset: str, user_ids: set[int], handles: set[str]) -> frozenset[str]:
    """Return the accounts' handles (casefolded), current and former (user snapshots).

    Less those another account of the dataset holds now.
    """
    ids = pa.array(sorted(user_ids), pa.int64())
    snaps = load_arrow(dataset, "user_snapshots", ["user_id", "username"])
    former = pc.filter(snaps["username"], pc.is_in(snaps["user_id"], value_set=ids)).to_pylist()
    users = load_arrow(dataset, "users", ["user_id", "username"])
    others = pc.filter(users["username"], pc.invert(pc.is_in(users["user_id"], value_set=ids)))
    taken = {h.casefold() for h in others.to_pylist() if h}
    former_free = {h.casefold() for h in former if h} - taken
    return frozenset(former_free | {h.casefold() for h in handles})


def _purge_raw(
    dataset: str, user_ids: set[int], tweet_ids: set[int], handles: set[str], report: PurgeReport
) -> None:
    """Clean every raw file of the dataset, or refuse before changing any.

    Each file's cleaned copy is written beside it first; the copies are renamed over
    the originals only once all are written, so a refusal (:class:`UsageError`)
    leaves every file as it was.
    """
    all_handles = _raw_handles(dataset, user_ids, handles) if user_ids else frozenset()
    gone = _Gone(frozenset(user_ids), frozenset(tweet_ids), all_handles)
    paths = raw_files(dataset)
    follows = source_follows(dataset)
    plan = [(path, _raw_format(path, gone)) for path in paths]  # refusals seen without cleaning
    ready: list[tuple[Path, Path]] = []
    try:
        for path, fmt in plan:
            tmp = _purge_raw_file(path, fmt, gone, report, follows.get(path))
            if tmp is not None:
                ready.append((tmp, path))
        while ready:
            os.replace(*ready[0])
            ready.pop(0)
    finally:
        for tmp, _ in ready:
            tmp.unlink(missing_ok=True)
