"""Data collected elsewhere -> X API v2-shaped pages that :func:`analysis.ingest.add_page` reads.

:func:`detect_format` names a file's format from its name and first bytes (its first record,
or the start of a whole-file JSON body: :func:`analysis.formats_v1.json_format`);
:func:`read_pages` turns each record into a v2 page (``data``, ``includes``,
``errors`` and a ``__medtwitter`` provenance block) or says why it could not.
Formats:

==========================  ==============================================================
``x-api-v2-pages``          JSONL of v2 response pages (medtwitter collect, demo): read as is
``twarc2-pages``            twarc2's raw pages (``__twarc`` request URL tells the endpoint and,
                            for followers/following, the account); filtered-stream captures,
                            whose ``data`` is one tweet, included
``twarc2-flat``             twarc2 ``flatten`` output: one tweet (or user) a line, with
                            ``author``, referenced tweets and mentioned users embedded
``v1.1-tweets``             API v1.1 tweet JSON, one a line (twarc1, older archives):
                            ``extended_tweet``, ``retweeted_status``, ``quoted_status``,
                            embedded ``user``; ``delete`` notices become missing tweets
``v1.1-ids``                v1.1 follower/friend id pages (``ids``, ``next_cursor``), one a
                            line; the account and direction come from ``--owner``/``--relation``
                            or the file name, e.g. ``followers_12345.jsonl``, ``12345_friends.json``
``v1.1-bodies``             other v1.1 response bodies, one a line: arrays of statuses or
                            users, search envelopes, users, ``{"users": [...]}`` pages
``v1.1-json``               one whole v1.1 response body in the file, pretty-printed or not
                            (any of the shapes above: :mod:`analysis.formats_v1`)
``academictwitter``         academictwitteR's ``data_<id>.json`` (read with the matching
                            ``users_<id>.json`` as its includes)
``edge-list-csv``           CSV with a ``follower,followed`` header: ids, or usernames known
                            from the accounts read in the same ingest (ingest reads it with
                            Arrow: :mod:`analysis.ingest.edges`; :func:`read_pages` gives
                            its links as pages, the reading it is checked against)
``edge-list-parquet``       Parquet with ``follower`` and ``followed`` columns (ingest only)
``x-archive``               an X account archive: ``data/tweets.js``, ``data/follower.js``,
                            ``data/following.js`` (``window.YTD... =`` prefix), the owner
                            read from ``data/account.js``
``bluesky-xrpc``            Bluesky AppView responses as ``medtwitter collect bluesky`` keeps
                            them (:mod:`analysis.formats_bluesky`)
``mastodon-api``            Mastodon API responses as ``medtwitter collect mastodon`` keeps
                            them (:mod:`analysis.formats_mastodon`)
==========================  ==============================================================

Pages of endpoints that carry nothing for the tables (counts, lists, compliance,
spaces) are recognised and passed on as skipped, not as errors.

The module is long because it holds one reader per format in the table above, with the
detection that chooses between them; the larger families have their own modules
(:mod:`analysis.formats_v1`, :mod:`analysis.formats_bluesky`, :mod:`analysis.formats_mastodon`).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import orjson

from analysis import rawfile
from analysis.contract import InvalidIdError, parse_id
from analysis.formats_bluesky import bluesky_page
from analysis.formats_mastodon import mastodon_page

V2_PAGES = "x-api-v2-pages"
TWARC2_PAGES = "twarc2-pages"
TWARC2_FLAT = "twarc2-flat"
V1_TWEETS = "v1.1-tweets"
V1_IDS = "v1.1-ids"
V1_BODIES = "v1.1-bodies"
V1_DOCUMENT = "v1.1-json"
#: The formats of API v1.1 bodies (:mod:`analysis.formats_v1`), which may name a follow owner.
V1_FORMATS = (V1_TWEETS, V1_IDS, V1_BODIES, V1_DOCUMENT)
ACADEMICTWITTER = "academictwitter"
EDGE_CSV = "edge-list-csv"
EDGE_PARQUET = "edge-list-parquet"
X_ARCHIVE = "x-archive"
BLUESKY = "bluesky-xrpc"
MASTODON = "mastodon-api"
UNKNOWN = "unknown"

#: Looks up a username (any case) among the accounts already read; returns its id or None.
UsernameLookup = Callable[[str], "int | None"]

_ARCHIVE_FILES = ("tweets.js", "follower.js", "following.js", "account.js")
_ACADEMIC = re.compile(r"^(data|users)_(.+)\.json$")


# --------------------------------------------------------------------------- files and detection


def folder_files(folder: Path) -> list[Path]:
    """Return the files of known foreign formats in a folder (besides its ``*.jsonl``).

    These are academictwitteR ``data_*.json``, CSV edge lists, and an X archive's ``.js`` files
    (in ``folder`` or ``folder/data``), and API v1.1 bodies saved as ``*.json`` (``.gz``), told
    by their start.

    Parameters
    ----------
    folder : pathlib.Path
        A dataset's raw folder.

    Returns
    -------
    list of pathlib.Path
        The files, sorted, each once.
    """
    found = [
        *folder.glob("data_*.json"),
        *folder.glob("*.csv"),
        *folder.glob("*.csv.gz"),
        *folder.glob("*.parquet"),
    ]
    for base in (folder, folder / "data"):
        found += [base / name for name in _ARCHIVE_FILES[:3] if (base / name).is_file()]
    for path in [*folder.glob("*.json"), *folder.glob("*.json.gz")]:
        if detect_format(path) in V1_FORMATS:
            found.append(path)
    return sorted(set(found))


def academic_users_file(path: Path) -> Path | None:
    """Return the academictwitteR ``users_<id>.json`` read with a ``data_<id>.json`` file, if it exists.

    Parameters
    ----------
    path : pathlib.Path
        An academictwitteR file (``data_<id>.json`` or any other name).

    Returns
    -------
    pathlib.Path or None
        The ``users_<id>.json`` beside a ``data_<id>.json``; None for other names or when it is
        missing.

    Examples
    --------
    >>> academic_users_file(Path("data_1.json")) is None  # no users_1.json beside it
    True
    """
    m = _ACADEMIC.match(path.name)
    if not m or m.group(1) != "data":
        return None
    users = path.parent / f"users_{m.group(2)}.json"
    return users if users.is_file() else None


def _first_record(path: Path) -> object:
    try:
        for _, line in iter_lines(path):
            return orjson.loads(line)
    except (orjson.JSONDecodeError, OSError, EOFError):  # a bad line, a damaged gzip
        return None
    return None


def detect_format(path: Path) -> str:
    r"""Name a file's format from its name and first bytes (see the module docstring).

    Parameters
    ----------
    path : pathlib.Path
        A raw file (``.gz`` read transparently).

    Returns
    -------
    str
        One of the format names of this module (``x-api-v2-pages``, ``v1.1-tweets``,
        ``edge-list-csv``...), ``unknown`` when none fits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "old.jsonl"
    >>> _ = p.write_text('{"id_str": "1", "text": "hi", "user": {"id_str": "2"}}\n')
    >>> detect_format(p)
    'v1.1-tweets'
    """
    name = path.name.lower()
    if name.endswith(".js"):
        with open(path, "rb") as fh:
            head = fh.read(64)
        return X_ARCHIVE if head.lstrip().startswith(b"window.YTD.") else UNKNOWN
    if name.endswith((".csv", ".csv.gz")):
        return EDGE_CSV if _csv_header(path) is not None else UNKNOWN
    if name.endswith(".parquet"):
        # Imported here: analysis.ingest imports this module (a cycle at module level).
        from analysis.ingest.edges import is_parquet_edge_list

        return EDGE_PARQUET if is_parquet_edge_list(path) else UNKNOWN
    from analysis import formats_v1  # imported here: it builds on (imports) this module

    fmt = formats_v1.json_format(path)
    if _ACADEMIC.match(path.name) and not name.endswith(".jsonl") and fmt not in V1_FORMATS:
        return ACADEMICTWITTER  # data_<id>.json, users_<id>.json (not users_show.json of v1.1)
    return fmt


def _first_line(path: Path) -> str:
    try:
        with rawfile.open_raw(path) as fh:
            return fh.readline(1 << 16).decode("utf-8", "replace")
    except (OSError, EOFError):  # a gzip damaged before the first line's end
        return ""


def _csv_header(path: Path) -> list[str] | None:
    """Return an edge list's column names (lower case), or None if its first line is not such a header."""
    header = [h.strip().lower() for h in next(csv.reader([_first_line(path)]), [])]
    names = set(header)
    ok = {"follower", "followed"} <= names or {"follower_id", "followed_id"} <= names
    return header if ok else None


def header_problem(path: Path) -> str | None:
    r"""For a ``.csv`` file, why it is not an edge list ingest can read (one line), else None.

    Parameters
    ----------
    path : pathlib.Path
        Any raw file; only ``.csv`` and ``.csv.gz`` files are checked.

    Returns
    -------
    str or None
        The problem and its fix in one line, or None for an edge list or a file of another kind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "follows.csv"
    >>> _ = p.write_text("11,12\n13,12\n")
    >>> header_problem(p)  # doctest: +ELLIPSIS
    "...follows.csv: no `follower,followed` header (its first line is '11,12'); make ..."
    """
    if not path.name.lower().endswith((".csv", ".csv.gz")) or _csv_header(path) is not None:
        return None
    first = _first_line(path).strip()
    shown = first if len(first) <= 60 else first[:57] + "..."
    return (
        f"{path}: no `follower,followed` header (its first line is {shown!r}); make "
        "`follower,followed` its first line (account ids or usernames, one link a line)."
    )


def _record_format(record: dict) -> str:
    platform = record.get("__medtwitter")
    platform = platform.get("platform") if isinstance(platform, dict) else None
    if platform in ("bluesky", "mastodon") and "data" not in record:  # a raw response, not a page
        return BLUESKY if platform == "bluesky" else MASTODON
    if {"data", "includes", "meta", "errors"} & set(record) and "id" not in record:
        return TWARC2_PAGES if "__twarc" in record else V2_PAGES
    cursor = "next_cursor" in record or "next_cursor_str" in record
    if "ids" in record and cursor:
        return V1_IDS
    if isinstance(record.get("statuses"), list) or isinstance(record.get("users"), list) and cursor:
        return V1_BODIES
    if "screen_name" in record and "text" not in record:
        return V1_BODIES  # a v1.1 user
    if "id_str" in record or "delete" in record or isinstance(record.get("user"), dict):
        return V1_TWEETS
    if "id" in record and ("text" in record or "username" in record):
        return TWARC2_FLAT
    return V2_PAGES


# --------------------------------------------------------------------------- provenance


def _prov(endpoint: str, fmt: str, collected_at: str | None = None, **params: object) -> dict:
    return {
        "endpoint": endpoint,
        "params": params,
        "collected_at": collected_at,
        "tool_version": None,
        "source_format": fmt,
    }


_TWARC_ROUTES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"/2/tweets/search/stream"), "stream"),
    (re.compile(r"/2/tweets/search/all"), "search_all"),
    (re.compile(r"/2/tweets/search/recent"), "search_recent"),
    (re.compile(r"/2/tweets/counts/all"), "counts_all"),
    (re.compile(r"/2/tweets/counts/recent"), "counts_recent"),
    (re.compile(r"/2/tweets/sample"), "stream"),
    (re.compile(r"/2/users/(\d+)/followers"), "followers"),
    (re.compile(r"/2/users/(\d+)/following"), "following"),
    (re.compile(r"/2/users/(\d+)/mentions"), "mentions"),
    (re.compile(r"/2/users/(\d+)/(tweets|liked_tweets|timelines)"), "timeline"),
    (re.compile(r"/2/tweets/\d+/(liking_users|retweeted_by)"), "users_only"),
    (re.compile(r"/2/tweets/\d+/quote_tweets"), "tweets"),
    (re.compile(r"/2/users(/by)?/?$"), "users"),
    (re.compile(r"/2/tweets/?$"), "tweets"),
    (re.compile(r"/2/(lists|spaces|compliance|users/\d+/(owned_lists|followed_lists|list_memberships))"), "lists"),
]  # fmt: skip


def twarc_endpoint(url: str) -> tuple[str | None, dict]:
    """(endpoint, params) of a twarc2 request URL.

    Parameters
    ----------
    url : str
        The request URL twarc2 saved in a page's ``__twarc`` (may be empty).

    Returns
    -------
    tuple of (str or None, dict)
        The endpoint name (``followers``, ``search_recent``...; None if the URL is not one
        ingest reads) and its parameters (e.g. ``user_id``).

    Examples
    --------
    >>> twarc_endpoint("https://api.twitter.com/2/users/12/followers?max_results=1000")
    ('followers', {'user_id': '12'})
    >>> twarc_endpoint("https://api.twitter.com/2/tweets/counts/recent?query=x")[0]
    'counts_recent'
    """
    endpoint, params = _twarc_route(url or "")
    return endpoint, dict(params)


@functools.lru_cache(maxsize=4096)
def _twarc_route(url: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """:func:`twarc_endpoint`, cached: the pages of one collection share their URL."""
    parsed = urlparse(url)
    for pattern, endpoint in _TWARC_ROUTES:
        m = pattern.search(parsed.path)
        if m:
            params: dict = {}
            if endpoint in ("followers", "following", "mentions", "timeline"):
                params["user_id"] = m.group(1)
            query = parse_qs(parsed.query).get("query")
            if query:
                params["query"] = query[0]
            return endpoint, tuple(params.items())
    return None, ()


# --------------------------------------------------------------------------- converters


def twarc2_page(page: dict) -> dict:
    """Return a twarc2 raw page with its endpoint in ``__medtwitter`` (stream tweets made a list).

    Parameters
    ----------
    page : dict
        One line of a twarc2 raw output file (an API response with ``__twarc``).

    Returns
    -------
    dict
        A copy with ``data`` a list and, when the URL is known, ``__medtwitter`` provenance.
    """
    twarc = page.get("__twarc") or {}
    endpoint, params = twarc_endpoint(twarc.get("url", ""))
    if endpoint == "users_only":  # likers/retweeters: accounts, no follow edge
        endpoint = "users"
    out = dict(page)
    if isinstance(out.get("data"), dict):
        out["data"] = [out["data"]]
    if endpoint:
        out["__medtwitter"] = _prov(endpoint, TWARC2_PAGES, twarc.get("retrieved_at"), **params)
    return out


def _strip_flat_tweet(tw: dict, users: list[dict], tweets: list[dict]) -> dict:
    """Undo twarc2's flattening of one tweet, moving embedded objects to includes."""
    tw = dict(tw)
    tw.pop("__twarc", None)
    tw.pop("matching_rules", None)
    for key in ("author", "in_reply_to_user"):
        if isinstance(tw.get(key), dict):
            users.append(tw.pop(key))
    if isinstance(tw.get("author_id"), dict):  # never flattened this way, but be safe
        tw["author_id"] = tw["author_id"].get("id")
    refs = []
    for ref in tw.get("referenced_tweets") or ():
        if not isinstance(ref, dict):
            continue
        if "text" in ref or "author" in ref:  # a whole tweet embedded: keep it as an include
            inner = {k: v for k, v in ref.items() if k != "type"}
            tweets.append(_strip_flat_tweet(inner, users, tweets))
        refs.append({"type": ref.get("type"), "id": ref.get("id")})
    if refs:
        tw["referenced_tweets"] = refs
    entities = tw.get("entities")
    if isinstance(entities, dict) and entities.get("mentions"):
        mentions = []
        for m in entities["mentions"]:
            if isinstance(m, dict) and "name" in m and "id" in m:  # a whole user merged in
                users.append({k: v for k, v in m.items() if k not in ("start", "end")})
            mentions.append({k: m[k] for k in ("start", "end", "username", "id") if k in m})
        tw["entities"] = {**entities, "mentions": mentions}
    return tw


def twarc2_flat_record(record: dict) -> dict:
    """One twarc2-flattened tweet (or user) line -> a v2 page.

    Parameters
    ----------
    record : dict
        One line of a ``twarc2 flatten`` file: a tweet with its expansions inline, or a user.

    Returns
    -------
    dict
        A v2 page holding that tweet (with ``includes``) or user, with ``__medtwitter``
        provenance.
    """
    twarc = record.get("__twarc") or {}
    endpoint, params = twarc_endpoint(twarc.get("url", ""))
    collected_at = twarc.get("retrieved_at")
    if "text" not in record and "username" in record:
        user = {k: v for k, v in record.items() if k not in ("__twarc", "pinned_tweet")}
        endpoint = endpoint if endpoint in ("followers", "following") else "users"
        return {
            "data": [user],
            "__medtwitter": _prov(endpoint, TWARC2_FLAT, collected_at, **params),
        }
    users: list[dict] = []
    tweets: list[dict] = []
    tweet = _strip_flat_tweet(record, users, tweets)
    if endpoint not in ("search_recent", "search_all", "timeline", "mentions", "tweets", "stream"):
        endpoint = "tweets"
    return {
        "data": [tweet],
        "includes": {"users": users, "tweets": tweets},
        "__medtwitter": _prov(endpoint, TWARC2_FLAT, collected_at, **params),
    }


def _edge_page(
    endpoint: str, account: str, ids: list[str], fmt: str, collected_at: str | None = None
) -> dict:
    return {
        "data": [{"id": str(i)} for i in ids],
        "__medtwitter": _prov(endpoint, fmt, collected_at, user_id=str(account)),
    }


# --------------------------------------------------------------------------- reading


Record = tuple
"""(line or record number, raw text, v2 page or None, reason it is None[, invalid UTF-8
sequences replaced by U+FFFD in it])."""


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line) of a JSONL file, ``.gz`` read transparently.

    Parameters
    ----------
    path : pathlib.Path
        A raw file (``.gz`` read transparently).

    Yields
    ------
    tuple of (int, bytes)
        The 1-based line number and the line's bytes (newline kept); blank lines are skipped.
    """
    with rawfile.open_raw(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                yield lineno, line


def parsed_lines(path: Path) -> Iterator[tuple[int, bytes, object, str, int]]:
    """Yield each line of a JSONL file, parsed.

    Each item is (line number, line, parsed value, why it is not JSON or "", invalid UTF-8
    sequences replaced).

    Parameters
    ----------
    path : pathlib.Path
        A raw file (``.gz`` read transparently).

    Yields
    ------
    tuple of (int, bytes, object, str, int)
        Line number, raw line, parsed JSON value (None when it is not JSON), the reason it is
        not ("truncated last line", "not valid JSON" or ""), and the number of invalid UTF-8
        sequences replaced.
    """
    for lineno, line in iter_lines(path):
        try:
            value, replaced = rawfile.loads(line)
        except orjson.JSONDecodeError:
            truncated = not line.endswith(b"\n")
            yield lineno, line, None, "truncated last line" if truncated else "not valid JSON", 0
            continue
        yield lineno, line, value, "", replaced


def _json_lines(path: Path, convert: Callable[[dict], dict | None]) -> Iterator[Record]:
    for lineno, line, record, problem, replaced in parsed_lines(path):
        if problem:
            yield lineno, line, None, problem
            continue
        if not isinstance(record, dict):
            yield lineno, line, None, "valid JSON but not an object"
            continue
        try:
            page = convert(record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            page, reason = None, f"unexpected shape ({type(exc).__name__}: {exc})"
        else:
            reason = "" if page is not None else "not a record of this file's format"
        yield lineno, line, page, reason, replaced


def _academic_records(path: Path) -> Iterator[Record]:
    m = _ACADEMIC.match(path.name)
    raw = rawfile.read_bytes(path)
    try:
        content = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield 1, raw[:200], None, "not valid JSON (truncated academictwitteR file?)"
        return
    if m and m.group(1) == "users":
        users = content.get("users") if isinstance(content, dict) else None
        if (path.parent / f"data_{m.group(2)}.json").is_file():
            yield 1, b"", {"__medtwitter": _prov("lists", ACADEMICTWITTER)}, ""  # read with data_
        elif isinstance(users, list):
            yield 1, b"", {"data": users, "__medtwitter": _prov("users", ACADEMICTWITTER)}, ""
        else:
            yield 1, raw[:200], None, "academictwitteR users file without a `users` list"
        return
    if not isinstance(content, list):
        yield 1, raw[:200], None, "academictwitteR data file that is not a list of tweets"
        return
    includes = {}
    users_file = path.parent / f"users_{m.group(2)}.json" if m else None
    if users_file and users_file.is_file():
        try:
            loaded = orjson.loads(rawfile.read_bytes(users_file))
            includes = loaded if isinstance(loaded, dict) else {}
        except orjson.JSONDecodeError:
            includes = {}
    page = {
        "data": content,
        "includes": includes,
        "__medtwitter": _prov("search_all", ACADEMICTWITTER),
    }
    yield 1, b"", page, ""


#: An X handle: letters, digits and underscores (older accounts have up to 20 characters).
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,50}")


def edge_end(value: str, lookup: UsernameLookup | None) -> tuple[str | None, str]:
    """(account id, "") for one end of an edge (a CSV cell), or (None, why not).

    Parameters
    ----------
    value : str
        A cell of a CSV edge list: an X id (digits) or a username (with or without ``@``).
    lookup : callable or None
        Gives the id of a username among the accounts read so far (None if unknown); None
        resolves no username.

    Returns
    -------
    tuple of (str or None, str)
        The account id as text and "", or None and why the cell cannot be read.
    """
    value = value.strip()
    if not value:
        return None, "an empty follower or followed"
    if value.isascii() and value.isdigit():
        try:
            return str(parse_id(value)), ""
        except InvalidIdError as exc:
            return None, str(exc)
    name = value.removeprefix("@")
    if not _HANDLE.fullmatch(name):
        return None, (
            f"{value[:40]!r} is neither an X id (ASCII digits, 1 to 2^63-1) nor a username "
            "(letters, digits, _)"
        )
    found = lookup(name) if lookup else None
    if found is None:
        return None, (
            f"username {value!r} is not among the accounts read so far; give ids, "
            "or ingest a users file with this edge list"
        )
    return str(found), ""


def _edge_csv_records(path: Path, lookup: UsernameLookup | None) -> Iterator[Record]:
    """Edge-list lines -> one followers page per followed account; bad lines with their number."""
    raw = rawfile.read_bytes(path)
    lines = raw.splitlines(keepends=True)
    text, replaced = rawfile.decode(raw)
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip().lower() for h in next(reader, [])]
    at = {
        key: header.index(key) if key in header else header.index(f"{key}_id")
        for key in ("follower", "followed")
    }
    by_followed: dict[str, list[str]] = {}
    start = reader.line_num
    for row in reader:
        lineno, line = start + 1, b"".join(lines[start : reader.line_num])
        start = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        ends, reason = [], ""
        for key in ("follower", "followed"):
            cell = row[at[key]] if at[key] < len(row) else ""
            end, reason = edge_end(cell, lookup)
            if end is None:
                break
            ends.append(end)
        if reason:
            yield lineno, line, None, reason
            continue
        by_followed.setdefault(ends[1], []).append(ends[0])
    first = True
    for followed, followers in by_followed.items():
        yield 0, b"", _edge_page("followers", followed, followers, EDGE_CSV), "", replaced * first
        first = False


_YTD = re.compile(rb"^\s*window\.YTD\.(\w+)\.part\d+\s*=\s*")


def split_archive_js(raw: bytes) -> tuple[bytes, str | None, object]:
    """(``window.YTD...=`` prefix, kind, parsed content) of an X archive ``.js`` file's bytes.

    The kind and content are None without the prefix; content that is not JSON raises
    :class:`orjson.JSONDecodeError`.

    Parameters
    ----------
    raw : bytes
        The whole content of an archive ``.js`` file.

    Returns
    -------
    tuple of (bytes, str or None, object)
        The ``window.YTD.<kind>.partN = `` prefix (b"" without one), the kind (``tweets``,
        ``follower``...) and the parsed JSON.

    Raises
    ------
    orjson.JSONDecodeError
        If the content after the prefix is not JSON.

    Examples
    --------
    >>> split_archive_js(b'window.YTD.follower.part0 = [{"follower": {"accountId": "13"}}]')
    (b'window.YTD.follower.part0 = ', 'follower', [{'follower': {'accountId': '13'}}])
    """
    m = _YTD.match(raw)
    if not m:
        return b"", None, None
    return raw[: m.end()], m.group(1).decode(), orjson.loads(raw[m.end() :])


def _archive_js(path: Path) -> tuple[str | None, object]:
    _, kind, content = split_archive_js(rawfile.read_bytes(path))
    return kind, content


def archive_account(folder: Path) -> dict | None:
    """Return the ``account`` entry of an X archive's ``account.js`` in ``folder`` (its owner), or None.

    Parameters
    ----------
    folder : pathlib.Path
        The archive's ``data`` folder (or wherever its ``account.js`` is).

    Returns
    -------
    dict or None
        The owner's ``account`` object (``accountId``, ``username``...); None when the file is
        missing or unreadable.
    """
    account_file = folder / "account.js"
    if not account_file.is_file():
        return None
    try:
        _, content = _archive_js(account_file)
    except orjson.JSONDecodeError:
        return None
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("account")
    return None


def _archive_records(path: Path) -> Iterator[Record]:
    from analysis.formats_v1 import v1_tweet  # imported here: it builds on (imports) this module

    try:
        kind, content = _archive_js(path)
    except orjson.JSONDecodeError as exc:
        yield 1, b"", None, f"X archive file that is not valid JSON after its prefix ({exc})"
        return
    account = archive_account(path.parent)
    owner = str(account.get("accountId")) if account else None
    if kind not in ("tweets", "tweet", "follower", "following") or not isinstance(content, list):
        yield 1, b"", {"__medtwitter": _prov("lists", X_ARCHIVE)}, ""  # other archive parts
        return
    if owner is None or account is None:
        yield (
            1,
            b"",
            None,
            "X archive without data/account.js beside this file: "
            "keep the archive's data/ folder together so the owner is known",
        )
        return
    owner_user = {
        "id": owner,
        "username": account.get("username"),
        "name": account.get("accountDisplayName"),
        "created_at": account.get("createdAt"),
    }
    if kind in ("follower", "following"):
        ids = [str(item[kind]["accountId"]) for item in content if kind in item]
        endpoint = "followers" if kind == "follower" else "following"
        page = _edge_page(endpoint, owner, ids, X_ARCHIVE)
        page["includes"] = {"users": [owner_user]}
        yield 1, b"", page, ""
        return
    for n, item in enumerate(content, start=1):
        tw = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tw, dict):
            yield n, b"", None, "archive entry without a tweet"
            continue
        users: list[dict] = [owner_user]
        tweets: list[dict] = []
        tweet = v1_tweet(tw, users, tweets, author_id=owner)
        yield (
            n,
            b"",
            {
                "data": [tweet],
                "includes": {"users": users, "tweets": tweets},
                "__medtwitter": _prov("timeline", X_ARCHIVE, user_id=owner),
            },
            "",
        )


def read_pages(
    path: Path,
    fmt: str,
    lookup: UsernameLookup | None = None,
    follows: tuple[str, str] | None = None,
) -> Iterator[Record]:
    """Yield (record number, raw text, v2 page or None, reason) for a file in a foreign format.

    ``lookup`` resolves usernames of a CSV edge list to ids (accounts read earlier);
    ``follows`` is (``followers`` or ``following``, account id): whose follower or
    friend lists v1.1 id and users pages are (else told by the file's name).

    Parameters
    ----------
    path : pathlib.Path
        A raw file (``.gz`` read transparently).
    fmt : str
        Its format, as :func:`detect_format` names it (not ``x-api-v2-pages``).
    lookup : callable or None, optional
        Gives the id of a username among the accounts read so far (None if unknown); None
        (default) resolves no username.
    follows : tuple of (str, str) or None, optional
        ``("followers" or "following", account id)`` for v1.1 id and user lists; None (default)
        tells them by the file's name.

    Yields
    ------
    tuple of (int, bytes, dict or None, str)
        Record number, raw text, the v2 page (None when the record cannot be read) and why not
        ("" when it can).

    Raises
    ------
    ValueError
        If ``fmt`` has no reader.
    """
    from analysis import formats_v1  # imported here: it builds on (imports) this module

    if fmt == TWARC2_PAGES:
        yield from _json_lines(path, twarc2_page)
    elif fmt == TWARC2_FLAT:
        yield from _json_lines(path, twarc2_flat_record)
    elif fmt in (V1_TWEETS, V1_IDS, V1_BODIES):
        yield from formats_v1.line_records(path, fmt, follows)
    elif fmt == V1_DOCUMENT:
        yield from formats_v1.document_records(path, follows)
    elif fmt == ACADEMICTWITTER:
        yield from _academic_records(path)
    elif fmt == EDGE_CSV:
        yield from _edge_csv_records(path, lookup)
    elif fmt == X_ARCHIVE:
        yield from _archive_records(path)
    elif fmt == BLUESKY:
        yield from _json_lines(path, bluesky_page)
    elif fmt == MASTODON:
        yield from _json_lines(path, mastodon_page)
    else:
        raise ValueError(f"no reader for format {fmt!r}")


def read_order(path: Path) -> int:
    """Sort key putting edge lists last, so usernames in them resolve against accounts read first.

    Parameters
    ----------
    path : pathlib.Path
        A raw file.

    Returns
    -------
    int
        1 for an edge list (CSV or Parquet), 0 for any other file.
    """
    return 1 if path.name.lower().endswith((".csv", ".csv.gz", ".parquet")) else 0


# --------------------------------------------------------------------------- what a page names


@dataclass(frozen=True)
class PageNames:
    """The accounts, tweets and error subjects a v2 page gives rows for (see :func:`page_names`)."""

    user_ids: frozenset[str]
    tweet_ids: frozenset[str]
    usernames: frozenset[str]
    resources: frozenset[str]


def _id_text(value: object) -> str | None:
    return str(value) if value not in (None, "") and not isinstance(value, dict | list) else None


def page_names(page: dict) -> PageNames:
    """Which accounts and tweets a v2 page gives rows for, read as ingest reads it.

    Account ids: users in ``data`` (items without ``text``) and ``includes.users``,
    tweets' authors, the accounts they reply to and mention, and the account a
    followers/following page is about (every item is an edge with it). Tweet ids:
    tweets in ``data`` and ``includes.tweets``, and the tweets they retweet (not those
    they reply to or quote). Usernames (casefolded): of those user objects.
    Resources: what the page's errors are about (``missing`` rows).

    Parameters
    ----------
    page : dict
        A v2 page (as collected, or converted by :func:`read_pages`).

    Returns
    -------
    PageNames
        The page's account ids, tweet ids, casefolded usernames and error resources.

    Examples
    --------
    >>> names = page_names({"data": [{"id": "5", "author_id": "7", "text": "hi"}],
    ...                     "includes": {"users": [{"id": "7", "username": "Dr_Tortue"}]}})
    >>> sorted(names.user_ids), sorted(names.tweet_ids), sorted(names.usernames)
    (['7'], ['5'], ['dr_tortue'])
    >>> sorted(page_names(_edge_page("followers", "300", ["11"], V1_IDS)).user_ids)
    ['11', '300']
    """
    users: set[str | None] = set()
    tweets: set[str | None] = set()
    names: set[str] = set()
    provenance = page.get("__medtwitter")
    if isinstance(provenance, dict):
        endpoint, params = provenance.get("endpoint"), provenance.get("params") or {}
    else:
        endpoint, params = twarc_endpoint(str((page.get("__twarc") or {}).get("url") or ""))
    if endpoint in ("followers", "following"):
        users.add(_id_text(params.get("user_id") or params.get("id")))

    def user(u: object) -> None:
        """Record an account object's id and casefolded username.

        Parameters
        ----------
        u : object
            A user object of the page; anything else than a dict is ignored.
        """
        if isinstance(u, dict):
            users.add(_id_text(u.get("id")))
            if isinstance(u.get("username"), str):
                names.add(u["username"].casefold())

    def tweet(tw: dict) -> None:
        """Record a tweet's id and the accounts and retweeted tweet it names.

        Parameters
        ----------
        tw : dict
            A tweet object of the page.
        """
        tweets.add(_id_text(tw.get("id")))
        users.add(_id_text(tw.get("author_id")))
        users.add(_id_text(tw.get("in_reply_to_user_id")))
        for ref in tw.get("referenced_tweets") or ():
            if isinstance(ref, dict) and ref.get("type") == "retweeted":
                tweets.add(_id_text(ref.get("id")))
        entities = tw.get("entities")
        for m in (entities.get("mentions") if isinstance(entities, dict) else None) or ():
            if isinstance(m, dict):
                users.add(_id_text(m.get("id")))

    data = page.get("data")
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict) and "text" in item:
            tweet(item)
        else:
            user(item)
    includes = i if isinstance(i := page.get("includes"), dict) else {}
    for u in includes.get("users") or ():
        user(u)
    for tw in includes.get("tweets") or ():
        if isinstance(tw, dict):
            tweet(tw)
    resources = {
        _id_text(e.get("resource_id") or e.get("value"))
        for e in page.get("errors") or ()
        if isinstance(e, dict)
    }
    return PageNames(
        frozenset(u for u in users if u is not None),
        frozenset(t for t in tweets if t is not None),
        frozenset(names),
        frozenset(r.casefold() for r in resources if r),
    )
