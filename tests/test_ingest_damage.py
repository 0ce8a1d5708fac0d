"""Property test of issue 14: random damage in generated raw files never aborts a run.

A file of synthetic X API v2 pages (tweet pages and followers/following pages,
every id unique to its page, so each row tells which page it came from) is
damaged line by line with random kinds of damage (:data:`LINE_DAMAGE`), and as a
file (gzip, a byte-order mark, CRLF endings, blank lines, truncated mid-line,
a truncated gzip). For every example:

1. ``ingest_files`` never raises;
2. every undamaged page is ingested with exactly the rows of the same page ingested
   from the clean file, and no row of a page set aside is stored; a damaged page
   whose damage leaves it a valid page (a byte flipped inside a text, bad UTF-8
   replaced) is either whole, equal but for the damaged text, or set aside;
3. the quarantine holds one entry per line set aside, with its line number;
4. no stored string is invalid UTF-8, no id is below 1;
5. the Arrow fast path and the page-at-a-time path give the same tables and quarantine;

and with ``strict=True`` the run stops at the first line set aside, naming its file
and line, without writing a dataset version.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from analysis import settings, store
from analysis.errors import RawFormatError
from analysis.ingest import QUARANTINE_FILE, ingest_files, stream
from analysis.rawfile import BOM
from analysis.tables import TABLE_NAMES, load_dataset
from tests.conftest import page_at_a_time

# every id tells its page: page p holds tweets BASE_TWEET + p * SPAN + k, users BASE_USER + ...
SPAN = 1000
BASE_TWEET = 1_460_323_737_035_000_000  # 19 digits, beyond float64's exact integers
BASE_USER = 10**12
BASE_ACCOUNT = 2 * 10**12  # the account a followers/following page is about
BASE_MISSING = 3 * 10**12  # what a page's `errors` are about
TAGS = ["santé", "Santé", "FOAMed", "ß", "İstanbul"]
HUGE = 5 << 20  # past Arrow's block of 4 MB for chunks read from bytes (stream.BLOCK_BYTES)
DEEP = 5_000  # past orjson's 1,024 levels

#: Bytes put in or over a line by a byte flip: invalid UTF-8, control characters, bytes
#: that break JSON, escapes; never a digit (a flipped id is then never another valid id)
#: nor a newline (which makes two lines: the "split" damage).
FLIP_BYTES = [
    b"\xff",
    b"\xc3",
    b"\xc3(",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\x00",
    b"\x1f",
    b"\x7f",
    b"\x0c",
    b"\r",
    b"\t",
    b'"',
    b"\\",
    b"\\n",
    b"\\u00e9",
    b"\\ud800",
    b"\\u0000",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b" ",
    b"x",
    BOM,
    b"NaN",
    b"\xe2\x80\xa8",
]

#: Values of the wrong type or range: (where, value); each sets its page aside.
TWEET_WRONG = [
    ("id", 1.2345678901234568e18),
    ("id", -5),
    ("id", "-5"),
    ("id", 2**63),
    ("id", "9223372036854775808"),
    ("id", True),
    ("id", ["1"]),
    ("id", {"id": "1"}),
    ("id", 0),
    ("id", None),
    ("id", "١٢٣"),
    ("id", ""),
    ("author_id", 1.5),
    ("author_id", -1),
    ("author_id", False),
    ("author_id", ["1"]),
    ("conversation_id", 2**64),
    ("in_reply_to_user_id", "abc"),
    ("text", 5),
    ("text", 1.5),
    ("text", True),
    ("text", ["a"]),
    ("text", {"a": "b"}),
    ("lang", 5),
    ("public_metrics.like_count", "5"),
    ("public_metrics.like_count", 5.5),
    ("public_metrics.like_count", 5.0),
    ("public_metrics.like_count", -1),
    ("public_metrics.like_count", True),
    ("public_metrics.like_count", 2**63),
    ("public_metrics", [1]),
    ("public_metrics", "x"),
    ("public_metrics", []),
    ("created_at", "garbage"),
    ("created_at", "2024-04-31T08:00:00.000Z"),
    ("created_at", 20240430),
    ("created_at", True),
    ("entities.hashtags", {"tag": "x"}),
    ("entities.hashtags", {}),
    ("entities.hashtags", "x"),
    ("entities.hashtags", [5]),
    ("entities.hashtags", [{"tag": 5}]),
    ("entities.hashtags", [None]),
    ("entities.mentions", [{"username": 5}]),
    ("entities.mentions", [{"username": "a", "id": -1}]),
    ("entities.mentions", {"username": "a"}),
    ("entities", [1]),
    ("entities", []),
    ("entities", "x"),
    ("referenced_tweets", {"type": "retweeted", "id": "1"}),
    ("referenced_tweets", [{"type": "quoted", "id": 1.5}]),
    ("referenced_tweets", "x"),
    ("referenced_tweets", [None]),
    ("", "a tweet"),
    ("", 5),
    ("", None),
    ("", []),
    ("note_tweet", "x"),
    ("note_tweet", {"text": 5}),
    ("note_tweet", {"text": "a", "entities": []}),
    ("edit_history_tweet_ids", "1"),
    ("edit_history_tweet_ids", [1.5]),
    ("edit_history_tweet_ids", [None]),
    ("edit_history_tweet_ids", ["x"]),
    ("entities.urls", {"url": "x"}),
    ("entities.urls", [{"url": 5}]),
    ("entities.urls", [None]),
    ("entities.urls", [{"url": "a", "expanded_url": ["b"]}]),
    ("public_metrics.impression_count", -1),
    ("public_metrics.impression_count", "5"),
]
USER_WRONG = [
    ("id", 1.5),
    ("id", -5),
    ("id", 2**63),
    ("id", False),
    ("id", None),
    ("username", 5),
    ("name", ["x"]),
    ("protected", "yes"),
    ("verified", 1),
    ("created_at", "garbage"),
    ("public_metrics.followers_count", "10"),
    ("public_metrics.followers_count", -3),
    ("public_metrics", "x"),
    ("", "a user"),
    ("", None),
]
PAGE_WRONG = [
    ("includes", [{"users": []}]),
    ("includes", []),
    ("includes", "x"),
    ("includes", 5),
    ("includes.users", {"id": "1"}),
    ("includes.users", "abc"),
    ("includes.tweets", {"a": 1}),
    ("data", "abc"),
    ("data", ""),
    ("data", 5),
    ("data", True),
    ("errors", [{"resource_id": 1.5}]),
    ("errors", [{"resource_id": True}]),
    ("errors", [{"resource_id": "1", "title": 5}]),
    ("errors", ["x"]),
    ("errors", {"a": 1}),
    ("__medtwitter", "x"),
    ("__medtwitter", []),
    ("__medtwitter.endpoint", 5),
    ("__medtwitter.endpoint", ["followers"]),
    ("__medtwitter.params", "x"),
    ("__medtwitter.collected_at", "garbage"),
    ("__medtwitter.collected_at", 5),
    ("__medtwitter.synthetic", "yes"),
]
FOLLOW_WRONG = [
    ("__medtwitter.params.user_id", "abc"),
    ("__medtwitter.params.user_id", "-1"),
    ("__medtwitter.params.user_id", 1.5),
    ("__medtwitter.params.user_id", 0),
    ("__medtwitter.params.user_id", False),
    ("__medtwitter.params.user_id", []),
    ("__medtwitter.params.user_id", {"a": 1}),
    ("__medtwitter.params.user_id", "٣"),
    ("__medtwitter.params.user_id", 2**63),
]
#: Values of fields ingest does not read that orjson refuses and Arrow's reader takes: both
#: paths read such a page as Arrow does (ok), or set it aside when neither takes it (bad).
ODD_VALUES = [
    (b"NaN", "ok"),
    (b"Infinity", "ok"),
    (b"-Infinity", "ok"),
    (b"1" * 400, "ok"),
    (b"1e400", "bad"),
    (b"[" * DEEP + b"]" * DEEP, "ok"),
    (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "ok"),
    (b"[" * DEEP, "bad"),
]
#: Lines that are not API pages.
NOT_PAGES = [b"null", b"[1, 2]", b'"page"', b"{}", b'{"data": []}', b"42", b"true", b"\x00\x00"]
#: Lines of white space (``bytes.strip`` takes \x0b and \x0c as white space too).
BLANKS = [b"", b" ", b"\t", b"  \t ", b"\x0c"]

#: Damage done to a page's line (see :func:`damage_line`), and what ingest must make of it:
#: ``cut`` at a random byte (set aside); ``flip_text``, 1-3 bytes of :data:`FLIP_BYTES` put
#: in or over a tweet's text or a user's name (set aside if no longer JSON, else stored with
#: that text, bad UTF-8 replaced); ``flip_any``, the same anywhere in the line (set aside or
#: not: if stored, its rows are its page's); ``huge``, 5 MB of text in a tweet or in a field
#: ingest does not read (stored), or such a line cut short (set aside); ``odd_value``,
#: :data:`ODD_VALUES` in a field ingest does not read; ``deep_known``, 5,000 levels of
#: nesting in a field ingest reads (set aside); ``wrong_type``, :data:`TWEET_WRONG`,
#: :data:`USER_WRONG`, :data:`PAGE_WRONG`, :data:`FOLLOW_WRONG` (set aside); ``not_page``,
#: :data:`NOT_PAGES` (set aside); ``bom_line``, a byte-order mark opening the line (set aside
#: unless it opens the file); ``join``, the newline to the next page lost (both set aside);
#: ``split``, a newline put in (both halves set aside).
LINE_DAMAGE = [
    "cut",
    "flip_text",
    "flip_any",
    "huge",
    "odd_value",
    "deep_known",
    "wrong_type",
    "not_page",
    "bom_line",
    "join",
    "split",
]


# --- the pages -----------------------------------------------------------------------------


def _collected(p: int) -> str:
    return f"2024-05-01T10:{p // 60:02d}:{p % 60:02d}.000Z"


def _prov(p: int, endpoint: str, **params) -> dict:
    return {
        "endpoint": endpoint,
        "params": params,
        "collected_at": _collected(p),
        "tool_version": "test",
        "synthetic": True,
    }


def _user(p: int, k: int) -> dict:
    uid = BASE_USER + p * SPAN + k
    return {
        "id": str(uid),
        "username": f"u{p}_{k}",
        "name": f"Dr {p}.{k} é",
        "description": f"bio {p}.{k} 🩺",
        "location": "Lyon",
        "created_at": "2015-01-01T00:00:00.000Z",
        "protected": False,
        "verified": k % 2 == 0,
        "public_metrics": {
            "followers_count": p + k,
            "following_count": k,
            "tweet_count": 3,
            "listed_count": 0,
        },
    }


def _tweet(p: int, k: int, authors: list[int], refs: list[int]) -> dict:
    tid = BASE_TWEET + p * SPAN + k
    tags = [TAGS[(p + k + j) % len(TAGS)] for j in range((p + k) % 3)]
    author = authors[k % len(authors)] if authors else BASE_USER + p * SPAN + SPAN - 1
    tweet = {
        "id": str(tid),
        "author_id": str(author),
        "created_at": f"2024-04-{1 + (p + k) % 28:02d}T08:00:00.000Z",
        "text": f"synthetic tweet {p}.{k} é 🩺 " + " ".join(f"#{t}" for t in tags),
        "lang": ["fr", "en", "und"][k % 3],
        "conversation_id": str(tid),
        "entities": {
            "hashtags": [{"start": 0, "end": 1, "tag": t} for t in tags],
            "mentions": [
                {"start": 0, "end": 1, "username": f"u{p}_{j}", "id": str(BASE_USER + p * SPAN + j)}
                for j in range(k % 2)
            ],
        },
        "public_metrics": {
            "retweet_count": p,
            "reply_count": k,
            "like_count": p + k,
            "quote_count": 0,
        },
    }
    if k % 3 == 1:  # links (issue 16)
        tweet["entities"]["urls"] = [
            {
                "start": 0,
                "end": 1,
                "url": f"https://t.co/{p}x{k}{j}",
                "expanded_url": f"https://www.site{j}.example/{p}/{k}",
            }
            for j in range(1 + p % 2)
        ]
    if k % 4 == 2:  # a long post: the whole text and its entities in note_tweet
        tweet["note_tweet"] = {
            "text": tweet["text"] + " (suite) " + "é" * 300,
            "entities": {**tweet["entities"], "hashtags": []},
        }
    if p % 2 == 0:
        tweet["edit_history_tweet_ids"] = [str(tid)]
        tweet["public_metrics"]["impression_count"] = 10 * p + k
    if refs:
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(refs[k % len(refs)])}]
    return tweet


@st.composite
def page_kinds(draw):
    return draw(
        st.one_of(
            st.tuples(
                st.just("tweets"),
                st.integers(1, 3),  # data
                st.integers(0, 2),  # includes.tweets
                st.integers(0, 3),  # includes.users
                st.booleans(),  # errors
            ),
            st.tuples(st.sampled_from(["followers", "following", "users"]), st.integers(1, 3)),
        )
    )


def make_page(p: int, kind: tuple) -> dict:
    """Page ``p`` of the file: every id in it is its own."""
    if kind[0] != "tweets":
        account = str(BASE_ACCOUNT + p)
        return {
            "data": [_user(p, k) for k in range(kind[1])],
            "meta": {"result_count": kind[1]},
            "__medtwitter": _prov(p, kind[0], user_id=account),
        }
    _, n_data, n_incl, n_users, errors = kind
    authors = [BASE_USER + p * SPAN + k for k in range(n_users)]
    included = [_tweet(p, 100 + k, authors, []) for k in range(n_incl)]
    refs = [int(t["id"]) for t in included]
    page = {
        "data": [_tweet(p, k, authors, refs) for k in range(n_data)],
        "includes": {"users": [_user(p, k) for k in range(n_users)], "tweets": included},
        "meta": {"result_count": n_data, "next_token": "b26v89c19zqg8o3fpzbkk"},
        "__medtwitter": _prov(p, "search_recent", query="#santé"),
    }
    if errors:
        rid = str(BASE_MISSING + p)
        page["errors"] = [
            {
                "value": rid,
                "resource_id": rid,
                "resource_type": "tweet",
                "title": "Not Found Error",
                "detail": f"Could not find tweet {rid}.",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    return page


def dumps(value) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # integers past 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# --- what a damaged line should give ------------------------------------------------------


@dataclass
class Line:
    """A physical line of the damaged file and what ingest must make of it.

    ``expect``: "ok" (whole, as from the clean file, but for ``changes``), "bad" (set
    aside), "any" (set aside or not; if not, its rows are its page's), "blank".
    """

    content: bytes
    pages: list[int]
    expect: str
    damage: str = ""
    #: (table, key, column, value): the stored value differs from the clean file's
    changes: list[tuple] = field(default_factory=list)
    reason: str | None = None

    def __repr__(self) -> str:
        shown = self.content if len(self.content) < 300 else self.content[:300] + b"..."
        return f"Line({self.expect} {self.damage!r} pages={self.pages} {shown!r})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


def _set(obj: dict, where: str, value) -> None:
    *path, last = where.split(".")
    for part in path:
        obj = obj[part]
    obj[last] = value


def _json_oracle(line: bytes):
    """The line as a strict JSON reader takes it (bad UTF-8 replaced), or None."""

    def refuse(constant):
        raise ValueError(constant)

    try:
        value = json.loads(line.decode("utf-8", "replace"), parse_constant=refuse)
        orjson.dumps(value)  # lone surrogates are not text
    except (ValueError, RecursionError, TypeError, orjson.JSONEncodeError):
        return None
    return value


def _only_changed(parsed, clean: dict, column: str) -> bool:
    """Whether ``parsed`` is ``clean`` but for a string in ``data[0][column]``."""
    try:
        value = parsed["data"][0][column]
        rest = copy.deepcopy(parsed)
        rest["data"][0][column] = clean["data"][0][column]
    except (KeyError, IndexError, TypeError):
        return False
    return isinstance(value, str) and rest == clean


def _flip(data, raw: bytes, lo: int, hi: int) -> bytes:
    """``raw`` with 1-3 random edits (a byte replaced, bytes put in) between ``lo`` and ``hi``."""
    edits = data.draw(
        st.lists(
            st.tuples(st.integers(lo, max(lo, hi - 1)), st.booleans(), st.sampled_from(FLIP_BYTES)),
            min_size=1,
            max_size=3,
        ),
        label="edits",
    )
    for at, replace, piece in sorted(edits, reverse=True):
        raw = raw[:at] + piece + raw[at + replace :]
    return raw


def damage_line(data, p: int, page: dict, kind: tuple, how: str) -> list[Line]:
    """One page's line(s) with the damage ``how``."""
    clean = dumps(page)
    if how == "none":
        return [Line(clean, [p], "ok")]
    if how == "cut":
        at = data.draw(st.integers(1, len(clean) - 1), label="cut at")
        return [Line(clean[:at], [p], "bad", how, reason="not valid JSON")]
    if how == "split":  # a newline put in: two lines, neither a page
        at = data.draw(st.integers(1, len(clean) - 1), label="split at")
        return [Line(clean[:at], [p], "bad", how), Line(clean[at:], [], "bad", how)]
    if how == "bom_line":
        return [Line(BOM + clean, [p], "bad", how)]
    if how == "not_page":
        return [Line(data.draw(st.sampled_from(NOT_PAGES), label="line"), [p], "bad", how)]
    tweets = kind[0] == "tweets"
    item = page["data"][0]
    if how == "huge":  # one kind of damage in three costs 5 MB a run: one in the list
        how = data.draw(st.sampled_from(["huge_text", "huge_field", "huge_invalid"]), label="huge")
    key = int(item["id"])
    if how in ("flip_text", "huge_text"):
        column = "text" if tweets else "name"
        marker = "\x01MARK\x01"
        original = item[column]
        item[column] = marker
        head, tail = dumps(page).split(dumps(marker))
        item[column] = original
        if how == "huge_text":
            value = "x" * HUGE + " é"
            line = head + dumps(value) + tail
        else:
            inner = dumps(original)
            line = head + b'"' + _flip(data, inner[1:-1], 0, len(inner) - 2) + b'"' + tail
            parsed = _json_oracle(line)
            if parsed is None:
                return [Line(line, [p], "bad", how)]
            if not _only_changed(parsed, json.loads(clean), column):
                return [Line(line, [p], "any", how)]  # the flip changed more than the text
            value = parsed["data"][0][column]
        tables = ["tweets"] if tweets else ["users", "user_snapshots"]
        return [Line(line, [p], "ok", how, [(t, key, column, value) for t in tables])]
    if how == "flip_any":
        return [Line(_flip(data, clean, 0, len(clean)), [p], "any", how)]
    if how in ("huge_field", "huge_invalid"):
        target = data.draw(st.sampled_from([page, item]), label="where")
        target["junk"] = "y" * HUGE
        line = dumps(page)
        if how == "huge_field":
            return [Line(line, [p], "ok", how)]
        return [Line(line[:-1], [p], "bad", how)]
    if how == "odd_value":
        value, expect = data.draw(st.sampled_from(ODD_VALUES), label="value")
        how = f"odd_value {value[:12]!r}"
        target = data.draw(st.sampled_from([page, item]), label="where")
        target["junk"] = "\x01ODD\x01"
        line = dumps(page).replace(dumps("\x01ODD\x01"), value)
        return [Line(line, [p], expect, how)]
    if how == "deep_known":  # nesting past orjson's limit where ingest reads
        fields = ["text", "entities", "public_metrics"] if tweets else ["name", "public_metrics"]
        where = data.draw(st.sampled_from(fields), label="where")
        how = f"deep_known {where}"
        item[where] = "\x01DEEP\x01"
        return [
            Line(
                dumps(page).replace(dumps("\x01DEEP\x01"), b"[" * DEEP + b"]" * DEEP),
                [p],
                "bad",
                how,
            )
        ]
    assert how == "wrong_type"
    choices = [("page", w) for w in PAGE_WRONG]
    if tweets:
        choices += [("tweet", w) for w in TWEET_WRONG]
    else:  # the account of a users lookup page is not read
        choices += [("user", w) for w in USER_WRONG + FOLLOW_WRONG * (kind[0] != "users")]
    target, (where, value) = data.draw(st.sampled_from(choices), label="wrong")
    how = f"wrong_type {target} {where}={value!r}"
    if where.startswith("includes."):
        page.setdefault("includes", {})
    if where.startswith("__medtwitter.params.") or target == "page":
        _set(page, where, value)
    else:
        items = page["data"]
        if target == "tweet" and page["includes"]["tweets"]:
            items = data.draw(st.sampled_from([items, page["includes"]["tweets"]]), label="in")
        if where:
            _set(items[0], where, value)
        else:
            items[0] = value
    return [Line(dumps(page), [p], "bad", how)]


@dataclass
class Case:
    pages: list[dict]
    lines: list[Line]
    gz: bool
    bom: bool
    crlf: bool
    chunk_bytes: int | None
    gz_cut: int | None = None
    payload: bytes = b""
    raw: bytes = b""

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis shows this, not 20 MB
        printer.text(repr(self))

    def __repr__(self) -> str:
        return (
            f"Case({len(self.pages)} pages, gz={self.gz} bom={self.bom} crlf={self.crlf} "
            f"chunk={self.chunk_bytes} gz_cut={self.gz_cut}, lines=[\n  "
            + ",\n  ".join(map(repr, self.lines))
            + "])"
        )


@st.composite
def cases(draw):
    kinds = draw(st.lists(page_kinds(), min_size=1, max_size=7), label="pages")
    pages = [make_page(p, kind) for p, kind in enumerate(kinds)]
    lines: list[Line] = []
    damaged = [copy.deepcopy(page) for page in pages]
    damage = st.sampled_from(["none", *LINE_DAMAGE])
    hows = [draw(damage, label=f"damage {p}") for p in range(len(pages))]
    p = 0
    data = _Drawer(draw)
    while p < len(pages):
        how = hows[p]
        if how == "join" and p + 1 < len(pages):  # a newline lost: two pages on one line
            sep = draw(st.sampled_from([b"", b" ", b"\r"]), label="joined by")
            content = dumps(damaged[p]) + sep + dumps(damaged[p + 1])
            lines.append(Line(content, [p, p + 1], "bad", how))
            p += 2
            continue
        lines.extend(damage_line(data, p, damaged[p], kinds[p], "none" if how == "join" else how))
        p += 1
    # blank lines anywhere
    for _ in range(draw(st.integers(0, 3), label="blank lines")):
        at = draw(st.integers(0, len(lines)), label="blank at")
        lines.insert(at, Line(draw(st.sampled_from(BLANKS), label="blank"), [], "blank"))
    case = Case(
        pages=pages,
        lines=lines,
        gz=draw(st.booleans(), label="gzip"),
        bom=draw(st.booleans(), label="byte-order mark"),
        crlf=draw(st.booleans(), label="CRLF"),
        chunk_bytes=draw(st.sampled_from([None, 1500, 40_000]), label="chunk bytes"),
    )
    end = draw(st.sampled_from(["newline", "none", "truncated"]), label="file end")
    written = [i for i, line in enumerate(lines) if line.expect != "blank"]
    if end == "truncated" and written:  # the file stops inside a line
        last = draw(st.sampled_from(written), label="truncated line")
        del lines[last + 1 :]
        line = lines[last]
        at = draw(st.integers(1, len(line.content)), label="truncated at")
        if at < len(line.content):
            cut = line.content[:at]
            bad = _json_oracle(cut) is None
            lines[last] = Line(
                cut,
                line.pages,
                "bad" if bad else "any",
                line.damage + "+end",
                reason="truncated last line" if bad else None,
            )
    if end != "newline" and lines and lines[-1].reason == "not valid JSON":
        lines[-1].reason = "truncated last line"  # the file's last line, without its newline
    if lines and not case.bom and lines[0].content.startswith(BOM):  # the file's after all
        case.bom, first = True, lines[0]
        first.content = first.content.removeprefix(BOM)
        if first.damage == "bom_line":
            first.expect = "ok"
        elif not first.content.strip():
            first.expect, first.pages = "blank", []
    eol = b"\r\n" if case.crlf else b"\n"
    payload = eol.join(line.content for line in lines)
    if end == "newline" or not lines:
        payload += eol
    case.payload = (BOM if case.bom else b"") + payload
    case.raw = gzip.compress(case.payload, mtime=0) if case.gz else case.payload
    if case.gz and draw(st.booleans(), label="gzip damaged"):
        case.gz_cut = draw(st.integers(10, len(case.raw) - 1), label="gzip cut at")
        case.raw = case.raw[: case.gz_cut]
    return case


class _Drawer:
    """``st.data()``'s ``draw`` inside a composite strategy."""

    def __init__(self, draw) -> None:
        self._draw = draw

    def draw(self, strategy, label=None):
        return self._draw(strategy, label=label)


# --- checks -------------------------------------------------------------------------------


KEYS = {
    "tweets": ["tweet_id"],
    "users": ["user_id"],
    "follows": ["follower_id", "followed_id"],
    "hashtags": ["tweet_id", "position"],
    "mentions": ["tweet_id", "username"],
    "urls": ["tweet_id", "position"],
    "missing": ["resource_id", "resource_type", "title"],
    "user_snapshots": ["user_id", "observed_at"],
}


def page_of(name: str, row) -> int | None:
    """The page a row came from, told by its ids (None if no page of the file has it)."""
    if name in ("tweets", "hashtags", "mentions", "urls"):
        number, base = row.tweet_id, BASE_TWEET
    elif name in ("users", "user_snapshots"):
        number, base = row.user_id, BASE_USER
    elif name == "follows":
        number, base = min(row.follower_id, row.followed_id), BASE_USER
    else:
        try:
            return int(row.resource_id) - BASE_MISSING
        except ValueError:
            return None
    p = (int(number) - base) // SPAN
    return p if p >= 0 else None


def _sorted(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df.sort_values(KEYS[name]).reset_index(drop=True)


def _by_page(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    return {
        name: pd.Series([page_of(name, r) for r in df.itertuples()], index=df.index, dtype=object)
        for name, df in tables.items()
    }


def _ingest(name: str, path: Path, *, slow: bool = False, strict: bool = False, chunk=None):
    with pytest.MonkeyPatch.context() as mp:
        if chunk is not None:
            mp.setattr(stream, "CHUNK_BYTES", chunk)
            mp.setattr(stream, "GROUP_BYTES", chunk)
        if slow:
            page_at_a_time(mp)
        report = ingest_files([path], name, strict=strict, progress=False)
    tables = {n: _sorted(df, n) for n, df in load_dataset(name)}
    quarantine = settings.processed_dir(name) / QUARANTINE_FILE
    entries = []
    if quarantine.is_file():
        entries = [orjson.loads(x) for x in quarantine.read_bytes().splitlines()]
    return report, tables, entries


def _check_stored(name: str) -> None:
    """Every string valid UTF-8 (as every reader sees it), every id from 1."""
    folder = settings.processed_dir(name)
    for table in TABLE_NAMES:
        data = store.arrow_dataset(folder, table)
        if data is None:
            continue
        arrow = data.to_table()
        arrow.validate(full=True)
        for column in arrow.column_names:
            if column.endswith("_id") and arrow.schema.field(column).type == "int64":
                values = arrow.column(column).drop_null()
                assert len(values) == 0 or values.to_numpy().min() >= 1, (table, column)


def expected_pages(
    case: Case, payload_read: bytes | None
) -> tuple[dict[int, Line], list[Line], list[int]]:
    """(page -> its line, lines set aside, line numbers) given the bytes ingest could read."""
    readable_lines = None
    if payload_read is not None:  # a damaged gzip: the lines whole before the damage
        readable_lines = payload_read.removeprefix(BOM).count(b"\n")
    page_line: dict[int, Line] = {}
    numbers: dict[int, int] = {}
    for number, line in enumerate(case.lines, start=1):
        if readable_lines is not None and number > readable_lines:
            break
        numbers[id(line)] = number
        for p in line.pages:
            page_line[p] = line
    bad = [line for line in case.lines if id(line) in numbers and line.expect == "bad"]
    return page_line, bad, [numbers[id(line)] for line in bad]


PROPERTY = hsettings(
    # a deeper search: MEDTWITTER_DAMAGE_EXAMPLES=2000 .venv/bin/python -m pytest ...
    max_examples=int(os.environ.get("MEDTWITTER_DAMAGE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@PROPERTY
@given(case=cases())
def test_random_damage_never_aborts_and_keeps_every_undamaged_page(case: Case):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings.set_data_dir(root)
        try:
            _check_case(case, root)
        finally:
            settings.set_data_dir(None)


def _check_case(case: Case, root: Path) -> None:
    clean = root / "clean.jsonl"
    clean.write_bytes(b"".join(dumps(page) + b"\n" for page in case.pages))
    _, reference, _ = _ingest("reference", clean)
    path = root / ("damaged.jsonl.gz" if case.gz else "damaged.jsonl")
    path.write_bytes(case.raw)

    if not any(line.content.strip() for line in case.lines):
        with pytest.raises(RawFormatError, match="the file is empty|damaged gzip"):
            ingest_files([path], "fast", progress=False)
        return
    read = None
    if case.gz_cut is not None:
        read = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(case.raw)
        if not read.removeprefix(BOM).strip():  # nothing readable: the file is named, not read
            with pytest.raises(RawFormatError, match="damaged gzip"):
                ingest_files([path], "fast", progress=False)
            return
    page_line, bad, bad_numbers = expected_pages(case, read)

    # (1) never raises, on either path; (5) both paths agree
    report, fast, fast_entries = _ingest("fast", path, chunk=case.chunk_bytes)
    _, slow, slow_entries = _ingest("slow", path, slow=True, chunk=case.chunk_bytes)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(fast[name], slow[name], obj=f"fast vs slow {name}")
    assert [(e["line"], e["reason"]) for e in fast_entries] == [
        (e["line"], e["reason"]) for e in slow_entries
    ]
    # (4) nothing invalid stored
    _check_stored("fast")
    _check_stored("slow")

    # (3) one quarantine entry per line set aside, with its number
    entries = {e["line"]: e for e in fast_entries}
    assert len(entries) == len(fast_entries), "one entry per line"
    gz_entry = None
    if read is not None:
        gz_entry = entries.pop(read.removeprefix(BOM).count(b"\n") + 1)
        assert "truncated or damaged gzip" in gz_entry["reason"]
    any_numbers = {
        n
        for n, line in enumerate(case.lines, start=1)
        if line.expect == "any" and n not in bad_numbers
    }
    got_bad = set(entries) - any_numbers
    assert got_bad == set(bad_numbers), f"set aside {sorted(got_bad)}, expected {bad_numbers}"
    for number, line in zip(bad_numbers, bad, strict=True):
        entry = entries[number]
        content = line.content.rstrip(b"\r\n")
        assert (
            entry["bytes"] == len(content)
            and entry["sha256"] == hashlib.sha256(content).hexdigest()
        )
        assert entry.get("cut", False) == (len(content) > 1024)
        if line.reason:
            assert entry["reason"] == line.reason, (number, entry["reason"])
    set_aside = {p for n in entries for p in _line_at(case, n).pages}
    assert report.bad_lines == len(fast_entries)

    # (2) every page: whole, as from the clean file, or not at all
    got_pages = _by_page(fast)
    ref_pages = _by_page(reference)
    for name in TABLE_NAMES:
        df, ref = fast[name], reference[name]
        unknown = got_pages[name].isna()
        assert not unknown.any() or any(line.expect == "any" for line in case.lines), (
            f"{name}: rows of no page of the file:\n{df[unknown]}"
        )
        for p in range(len(case.pages)):
            line = page_line.get(p)
            mine = df[(got_pages[name] == p).to_numpy()].reset_index(drop=True)
            if line is None or line.expect == "bad" or (line.expect == "any" and p in set_aside):
                assert mine.empty, f"page {p} ({line and line.damage}) stored in {name}:\n{mine}"
                continue
            if line.expect == "any":
                continue
            want = ref[(ref_pages[name] == p).to_numpy()].reset_index(drop=True)
            for table, key, column, value in line.changes:
                if table == name:
                    want.loc[want[KEYS[name][0]] == key, column] = value
            # (another page's nulls make a column nullable: Int64 against int64)
            pd.testing.assert_frame_equal(
                mine, want, check_dtype=False, obj=f"page {p} ({line.damage}) in {name}"
            )

    # strict: the first line set aside stops the run, naming it; no version written
    first = min([*entries, *([gz_entry["line"]] if gz_entry else [])], default=None)
    if first is None:
        return
    with pytest.MonkeyPatch.context() as mp:
        if case.chunk_bytes is not None:
            mp.setattr(stream, "CHUNK_BYTES", case.chunk_bytes)
            mp.setattr(stream, "GROUP_BYTES", case.chunk_bytes)
        with pytest.raises(RawFormatError) as err:
            ingest_files([path], "strict", strict=True, progress=False)
    assert str(err.value).startswith(f"{path}:{first}: "), str(err.value)[:300]
    assert not (settings.processed_dir("strict") / store.MANIFEST_FILE).exists()


def _line_at(case: Case, number: int) -> Line:
    return case.lines[number - 1] if number <= len(case.lines) else Line(b"", [], "bad")
