"""X API v1.1 response bodies, as people stored them -> X API v2-shaped pages.

A v1.1 body is read from a file holding one whole response body (pretty-printed
over many lines or not: format ``v1.1-json``) or one body a line (``v1.1-tweets``
when the first line is a status, as twarc1 writes them; ``v1.1-ids`` when it is
an id page; ``v1.1-bodies`` for the other shapes). Every line or body may be any
of these shapes:

====================================================  ===========================================
shape                                                 endpoints
====================================================  ===========================================
a status                                              statuses/show, one status a line (twarc1)
a JSON array of statuses                              statuses/user_timeline, home_timeline,
                                                      lists/statuses, statuses/retweets
``{"statuses": [...], "search_metadata": {...}}``     search/tweets
a user, or a JSON array of users                      users/show; users/lookup, users/search
``{"users": [...], "next_cursor": ...}``              followers/list, friends/list, lists/members
``{"ids": [...], "next_cursor": ...}``                followers/ids, friends/ids
====================================================  ===========================================

The account an id page (or a followers/list, friends/list page) is about comes
from the options ``--owner ID --relation followers|following`` when given, else
from the file's name (``followers_<id>``, ``friends_<id>``: :func:`ids_account`).
Id pages without either are set aside in one entry saying so; users pages without
either give their users and no follow edge.

Statuses embedded in users (``status``), ``retweeted_status`` and ``quoted_status``
become tweets; links, hashtags and mentions (``entities``, ``extended_entities``,
``extended_tweet``) take the v2 shape (``entities.urls`` of ``start``, ``end``,
``url``, ``expanded_url``, ``display_url``). Ids are read exactly: ``id_str``
first, checked against ``id`` (a file whose numbers went through floating point
has them disagree above 2^53, and such a record is set aside).

The module is long because v1.1 has many body shapes and two file layouts: the object
converters, the owner of follow pages, the bodies-to-pages step and the detection of a
whole-file body from its first bytes each need the others' rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

from analysis import rawfile
from analysis.contract import InvalidIdError, parse_id
from analysis.errors import UsageError
from analysis.formats import (
    V1_BODIES,
    V1_DOCUMENT,
    V1_IDS,
    V1_TWEETS,
    V2_PAGES,
    Record,
    _edge_page,
    _first_record,
    _prov,
    _record_format,
    parsed_lines,
)

#: Bytes read from the start of a file to tell its format (a whole body is never read to tell it).
HEAD_BYTES = 1 << 18
#: Relations an id page (or followers/list, friends/list page) can have with its owner.
RELATIONS = ("followers", "following")

_IDS_NAME = re.compile(
    r"^(?:(followers|friends|following)[_-]([^_\-.]+)|([^_\-.]+)[_-](followers|friends|following))$",
    re.I,
)
_V1_TIME = "%a %b %d %H:%M:%S %z %Y"
#: Keys only a v1.1 status has (a v2 tweet has none of them).
_STATUS_KEYS = frozenset(
    {
        "full_text",
        "favorite_count",
        "retweet_count",
        "in_reply_to_status_id",
        "in_reply_to_status_id_str",
        "retweeted_status",
        "is_quote_status",
        "user",
        "delete",
    }
)
#: Keys only a v1.1 user has (a v2 user has none of them).
_USER_KEYS = frozenset({"screen_name", "followers_count", "friends_count", "statuses_count"})
#: Keys of v2 pages, tweets and users: a body with one of them is not v1.1.
_V2_KEYS = frozenset(
    {"data", "includes", "meta", "__twarc", "__medtwitter", "username", "author_id"}
)


class IdMismatchError(ValueError):
    """A v1.1 object whose number ``id`` and text ``id_str`` disagree."""


class NoOwnerError(ValueError):
    """An id page whose account (whose followers or friends the ids are) is not known."""


# --------------------------------------------------------------------------- objects


def v1_time(value: str | None) -> str | None:
    """Return a v1.1 ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) as ISO 8601 UTC.

    Parameters
    ----------
    value : str or None
        A v1.1 ``created_at``, or an ISO 8601 time; None or '' for none.

    Returns
    -------
    str or None
        The time as ``YYYY-MM-DDTHH:MM:SS.000Z``, or None.

    Examples
    --------
    >>> v1_time("Wed Oct 10 20:19:24 +0000 2018")
    '2018-10-10T20:19:24.000Z'
    """
    if not value:
        return None
    try:
        stamp = datetime.strptime(value, _V1_TIME)
    except ValueError:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _count(value: str | int | None) -> int | None:
    """Return a metric or an index as an int (X archives write them as strings)."""
    return int(value) if value not in (None, "") else None


def str_id(obj: dict, key: str) -> str | None:
    """Return an id field of a v1.1 object as text: ``<key>_str`` first, checked against ``<key>``.

    Raises :class:`IdMismatchError` when both are there and disagree (the number
    went through floating point, which rounds ids above 2^53).

    Parameters
    ----------
    obj : dict
        A v1.1 object (status, user, ``delete`` notice...).
    key : str
        The id field's name without ``_str`` (``id``, ``in_reply_to_status_id``...).

    Returns
    -------
    str or None
        The id as text, or None when the object has neither field.

    Raises
    ------
    IdMismatchError
        If ``<key>`` and ``<key>_str`` are both present and differ.

    Examples
    --------
    >>> str_id({"id": 1234567890123456789, "id_str": "1234567890123456789"}, "id")
    '1234567890123456789'
    >>> str_id({"id": 1234567890123456800, "id_str": "1234567890123456789"}, "id")
    Traceback (most recent call last):
    ...
    analysis.formats_v1.IdMismatchError: `id` 1234567890123456800 and `id_str` '1234567890123456789' disagree: the file's numbers went through floating point (which rounds ids above 2^53); export it again keeping ids exact
    """
    text, number = obj.get(f"{key}_str"), obj.get(key)
    if text in (None, ""):
        return str(number) if number not in (None, "") else None
    text = str(text)
    is_number = isinstance(number, int | float) and not isinstance(number, bool)
    if is_number and text.isascii() and text.isdigit() and number != int(text):
        raise IdMismatchError(
            f"`{key}` {number} and `{key}_str` {text!r} disagree: the file's numbers went "
            "through floating point (which rounds ids above 2^53); export it again keeping "
            "ids exact"
        )
    return text


def v1_user(u: dict) -> dict:
    """Return a v1.1 user object in v2 shape (its embedded ``status`` aside: :func:`body_pages`).

    Parameters
    ----------
    u : dict
        A v1.1 user object.

    Returns
    -------
    dict
        A v2 user: ``id``, ``username``, ``name``, ``description``, ``location``,
        ``created_at``, ``protected``, ``verified`` and ``public_metrics``.

    Raises
    ------
    IdMismatchError
        If its ``id`` and ``id_str`` disagree.
    """
    return {
        "id": str_id(u, "id"),
        "username": u.get("screen_name"),
        "name": u.get("name"),
        "description": u.get("description"),
        "location": u.get("location"),
        "created_at": v1_time(u.get("created_at")),
        "protected": u.get("protected"),
        "verified": u.get("verified"),
        "public_metrics": {
            "followers_count": _count(u.get("followers_count")),
            "following_count": _count(u.get("friends_count")),
            "tweet_count": _count(u.get("statuses_count")),
            "listed_count": _count(u.get("listed_count")),
        },
    }


def _span(entity: dict) -> dict:
    indices = entity.get("indices")
    start, end = indices[:2] if isinstance(indices, list) and len(indices) >= 2 else (None, None)
    return {"start": _count(start), "end": _count(end)}


def v1_entities(tw: dict) -> dict:
    """Return a v1.1 status's hashtags, mentions and links in the v2 ``entities`` shape.

    Read from ``extended_tweet`` when there is one (compatibility mode), else from
    the status (extended mode has ``full_text`` there). Links are ``entities.urls``
    and the media links (one per distinct link, as v2 lists them), ordered by position.

    Parameters
    ----------
    tw : dict
        A v1.1 status.

    Returns
    -------
    dict
        v2 ``entities``: ``hashtags``, ``mentions`` and ``urls``, each item with ``start`` and
        ``end`` offsets.

    Examples
    --------
    >>> v1_entities({"text": "x https://t.co/a", "entities": {"urls": [
    ...     {"url": "https://t.co/a", "expanded_url": "https://has-sante.fr/p",
    ...      "display_url": "has-sante.fr/p", "indices": [2, 16]}]}})["urls"]
    [{'start': 2, 'end': 16, 'url': 'https://t.co/a', 'expanded_url': 'https://has-sante.fr/p', 'display_url': 'has-sante.fr/p'}]
    """
    ext = e if isinstance(e := tw.get("extended_tweet"), dict) else {}
    source = ext or tw
    entities = source.get("entities") or tw.get("entities") or {}
    media = (source.get("extended_entities") or {}).get("media") or entities.get("media") or ()
    links = [*(entities.get("urls") or ()), *media]
    urls, seen = [], set()
    for link in links:
        if link.get("url") in seen:
            continue
        seen.add(link.get("url"))
        urls.append(
            {
                **_span(link),
                "url": link.get("url"),
                "expanded_url": link.get("expanded_url"),
                "display_url": link.get("display_url"),
            }
        )
    urls.sort(key=lambda u: (u["start"] is None, u["start"] or 0))
    return {
        "hashtags": [{**_span(h), "tag": h.get("text")} for h in entities.get("hashtags") or ()],
        "mentions": [
            {**_span(m), "username": m.get("screen_name"), "id": str_id(m, "id")}
            for m in entities.get("user_mentions") or ()
        ],
        "urls": urls,
    }


def v1_tweet(tw: dict, users: list[dict], tweets: list[dict], author_id: str | None = None) -> dict:
    """Return a v1.1 status in v2 shape; its user, retweeted and quoted statuses go to includes.

    ``author_id`` is the author of a status without ``user`` (one embedded in a user).

    Parameters
    ----------
    tw : dict
        A v1.1 status.
    users : list of dict
        Receives the v2 users met (its author, those of embedded statuses): the page's
        ``includes.users``.
    tweets : list of dict
        Receives the retweeted and quoted statuses, in v2 shape: the page's
        ``includes.tweets``.
    author_id : str or None, optional
        The author's id for a status without ``user``; None (default) otherwise.

    Returns
    -------
    dict
        The v2 tweet, its references (replied to, retweeted, quoted) in ``referenced_tweets``.

    Raises
    ------
    IdMismatchError
        If an id and its ``_str`` twin disagree.
    """
    ext = e if isinstance(e := tw.get("extended_tweet"), dict) else {}
    text = ext.get("full_text") or tw.get("full_text") or tw.get("text")
    user = tw.get("user")
    if isinstance(user, dict):
        users.append(v1_user(user))
        author_id = str_id(user, "id")
    refs: list[dict[str, str | None]] = []
    if reply := str_id(tw, "in_reply_to_status_id"):
        refs.append({"type": "replied_to", "id": reply})
    rt = tw.get("retweeted_status")
    if isinstance(rt, dict):
        refs.append({"type": "retweeted", "id": str_id(rt, "id")})
        tweets.append(v1_tweet(rt, users, tweets))
    qt = tw.get("quoted_status")
    if isinstance(qt, dict):
        refs.append({"type": "quoted", "id": str_id(qt, "id")})
        tweets.append(v1_tweet(qt, users, tweets))
    elif quoted := str_id(tw, "quoted_status_id"):
        refs.append({"type": "quoted", "id": quoted})
    out = {
        "id": str_id(tw, "id"),
        "author_id": author_id,
        "created_at": v1_time(tw.get("created_at")),
        "text": text,
        "lang": tw.get("lang"),
        "in_reply_to_user_id": str_id(tw, "in_reply_to_user_id"),
        "public_metrics": {
            "retweet_count": _count(tw.get("retweet_count")),
            "reply_count": _count(tw.get("reply_count")),
            "like_count": _count(tw.get("favorite_count")),
            "quote_count": _count(tw.get("quote_count")),
        },
        "entities": v1_entities(tw),
    }
    if refs:
        out["referenced_tweets"] = refs
    return out


def v1_record(record: dict, fmt: str = V1_TWEETS) -> dict:
    """One v1.1 status (or ``delete`` notice) -> a v2 page.

    Parameters
    ----------
    record : dict
        One v1.1 status, or a ``{"delete": ...}`` notice.
    fmt : str, default "v1.1-tweets"
        The file's format, recorded in the page's provenance.

    Returns
    -------
    dict
        A v2 page with the tweet and its includes, or with an error for a deleted tweet.
    """
    if isinstance(record.get("delete"), dict):
        status = record["delete"].get("status") or {}
        tid = str_id(status, "id")
        return {
            "errors": [
                {
                    "resource_id": tid,
                    "resource_type": "tweet",
                    "title": "Deleted",
                    "detail": f"Tweet {tid} was deleted (v1.1 delete notice).",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ],
            "__medtwitter": _prov("tweets", fmt),
        }
    users: list[dict] = []
    tweets: list[dict] = []
    tweet = v1_tweet(record, users, tweets)
    return {
        "data": [tweet],
        "includes": {"users": users, "tweets": tweets},
        "__medtwitter": _prov("tweets", fmt),
    }


def _user_pages(u: dict, about: tuple[str, str] | None, fmt: str) -> list[dict]:
    """Return a v1.1 user as v2 pages.

    The user's page (a followers/following page when ``about`` names the owner), and a page of
    its embedded latest ``status`` (and what that embeds) if it has one.
    """
    user = v1_user(u)
    endpoint, params = "users", {}
    if about is not None and about[1].isdigit():
        endpoint, params = about[0], {"user_id": about[1]}
    pages = [{"data": [user], "__medtwitter": _prov(endpoint, fmt, **params)}]
    status = u.get("status")
    if isinstance(status, dict):
        users: list[dict] = []
        tweets: list[dict] = []
        tweets.insert(0, v1_tweet(status, users, tweets, author_id=user["id"]))
        pages.append(
            {
                "data": [],
                "includes": {"users": users, "tweets": tweets},
                "__medtwitter": _prov("tweets", fmt),
            }
        )
    return pages


# --------------------------------------------------------------------------- follow owners


def ids_account(path: Path) -> tuple[str, str] | None:
    """(endpoint, account id) a v1.1 id or follower-list file is about, from its name.

    Parameters
    ----------
    path : pathlib.Path
        A raw file; only its name is read (``followers_<id>``, ``<id>-friends``...).

    Returns
    -------
    tuple of (str, str) or None
        ``("followers" or "following", account id)``, or None when the name says neither.

    Examples
    --------
    >>> ids_account(Path("followers_12345.jsonl")), ids_account(Path("12345-friends.json"))
    (('followers', '12345'), ('following', '12345'))
    """
    m = _IDS_NAME.match(path.name.split(".")[0])
    if not m:
        return None
    kind, account = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    endpoint = "followers" if kind.lower() == "followers" else "following"
    return endpoint, account


def follow_owner(owner: int | str | None, relation: str | None) -> tuple[str, str] | None:
    """Return the ``--owner ID --relation followers|following`` options as (relation, account id).

    None when neither is given; :class:`~analysis.errors.UsageError` when one comes
    without the other, the relation is not one of :data:`RELATIONS` or the owner is
    not an X id.

    Parameters
    ----------
    owner : int or str or None
        The ``--owner`` option: the account whose list the pages are.
    relation : str or None
        The ``--relation`` option: ``"followers"`` or ``"following"``.

    Returns
    -------
    tuple of (str, str) or None
        ``(relation, account id)``, or None when neither option is given.

    Raises
    ------
    analysis.errors.UsageError
        If only one is given, the relation is unknown or the owner is not an X id.

    Examples
    --------
    >>> follow_owner(1234567890123456789, "followers")
    ('followers', '1234567890123456789')
    >>> follow_owner(None, None) is None
    True
    """
    if owner is None and relation is None:
        return None
    if owner is None or relation is None:
        given, missing = (
            ("--owner", "--relation") if relation is None else ("--relation", "--owner")
        )
        raise UsageError(
            f"{given} needs {missing}: give both, e.g. --owner 12 --relation followers."
        )
    if relation not in RELATIONS:
        raise UsageError(
            f"--relation {relation!r} is not followers or following; give one of them."
        )
    try:
        account = parse_id(owner if isinstance(owner, int) else str(owner).strip())
    except InvalidIdError as exc:
        raise UsageError(f"--owner {exc}; give the account's numeric id.") from None
    return relation, str(account)


def _named_owner(path: Path) -> tuple[str, str] | None:
    named = ids_account(path)
    return named if named is not None and named[1].isascii() and named[1].isdigit() else None


def file_owner(path: Path, follows: tuple[str, str] | None = None) -> tuple[str, str] | None:
    """(relation, account id) of a file's id and follower-list pages, or None if not known.

    From the file's name (``followers_<id>``, ``friends_<id>``) or ``follows`` (the
    ``--owner``/``--relation`` options); None when they disagree (see :func:`owner_problem`).

    Parameters
    ----------
    path : pathlib.Path
        The raw file (its name may say whose list it is).
    follows : tuple of (str, str) or None, optional
        ``(relation, account id)`` from the ``--owner``/``--relation`` options; None (default)
        when they are not given.

    Returns
    -------
    tuple of (str, str) or None
        ``(relation, account id)``, or None when unknown or contradictory.

    Examples
    --------
    >>> file_owner(Path("followers_13.json")), file_owner(Path("ids.json"), ("following", "12"))
    (('followers', '13'), ('following', '12'))
    >>> file_owner(Path("followers_13.json"), ("following", "12")) is None
    True
    """
    named = _named_owner(path)
    if named is not None and follows is not None and named != follows:
        return None
    return named or follows


def owner_problem(path: Path, follows: tuple[str, str] | None = None) -> str:
    """Why a file's id pages have no owner (one line naming the fix).

    Parameters
    ----------
    path : pathlib.Path
        The raw file whose id pages have no owner.
    follows : tuple of (str, str) or None, optional
        ``(relation, account id)`` from the ``--owner``/``--relation`` options; None (default)
        when they are not given.

    Returns
    -------
    str
        :data:`NO_OWNER`, or the contradiction between the file's name and the options.
    """
    named = _named_owner(path)
    if named is None or follows is None or named == follows:
        return NO_OWNER
    return (
        f"its name says the {named[0]} of {named[1]}, --owner/--relation say the {follows[0]} "
        f"of {follows[1]}: ingest it in a run of its own, or rename it"
    )


def v1_ids_page(record: dict, about: tuple[str, str] | None, fmt: str = V1_IDS) -> dict | None:
    """One v1.1 id page -> a v2 followers/following page of the account ``about`` names.

    ``about`` is :func:`file_owner` of the file. None for a record without ``ids``;
    :class:`NoOwnerError` if ``about`` names no account id.

    Parameters
    ----------
    record : dict
        A v1.1 id page (``ids``, ``next_cursor``...).
    about : tuple of (str, str) or None
        ``(relation, account id)`` of the file (:func:`file_owner`).
    fmt : str, default "v1.1-ids"
        The file's format, recorded in the page's provenance.

    Returns
    -------
    dict or None
        A v2 ``followers`` or ``following`` page, or None without ``ids``.

    Raises
    ------
    NoOwnerError
        If ``about`` names no account id.
    TypeError
        If ``ids`` is not a list.

    Examples
    --------
    >>> v1_ids_page({"ids": [1234567890123456789], "next_cursor": 0}, ("followers", "300"))["data"]
    [{'id': '1234567890123456789'}]
    """
    if "ids" not in record:
        return None
    if about is None or not about[1].isdigit():
        raise NoOwnerError(NO_OWNER)
    if not isinstance(record["ids"], list):
        raise TypeError("`ids` is not a list")
    return _edge_page(about[0], about[1], record["ids"], fmt)


NO_OWNER = (
    "cannot tell whose follower or friend ids these are: name the file "
    "followers_<user id>.json or friends_<user id>.json, or pass --owner ID "
    "--relation followers|following"
)


# --------------------------------------------------------------------------- bodies -> pages


def v1_kind(keys: Iterable[str]) -> str | None:
    """``"status"``, ``"user"`` or None: what a v1.1 object with these keys is.

    Parameters
    ----------
    keys : Iterable of str
        The keys of a JSON object.

    Returns
    -------
    str or None
        ``"status"``, ``"user"``, or None (not v1.1, or a v2 object).

    Examples
    --------
    >>> v1_kind({"id_str", "text", "user"}), v1_kind({"id_str", "screen_name"}), v1_kind({"id", "text"})
    ('status', 'user', None)
    """
    keys = set(keys)
    if keys & _V2_KEYS:
        return None
    if keys & _STATUS_KEYS or {"id_str", "text"} <= keys:
        return "status"
    if keys & _USER_KEYS:
        return "user"
    return None


#: How messages name the item of each kind of list a body holds.
_WHERE = {"list": "the array", "statuses": "`statuses`", "users": "`users`"}


def _items(body: object) -> tuple[str | None, list]:
    """Return (what holds the body's records, the records).

    The records are a list, a search envelope's ``statuses``, a users page's ``users``, an id
    page, or one object.
    """
    if isinstance(body, list):
        return "list", body
    if not isinstance(body, dict):
        return None, []
    if isinstance(body.get("statuses"), list):
        return "statuses", body["statuses"]
    if "ids" in body:
        return "ids", [body]
    if isinstance(body.get("users"), list):
        return "users", body["users"]
    return "one", [body]


def _item_pages(
    item: object, container: str, about: tuple[str, str] | None, fmt: str
) -> list[dict]:
    if not isinstance(item, dict):
        return []
    if container == "ids":  # the item holds ``ids``: a page, never None
        page = v1_ids_page(item, about, fmt)
        return [] if page is None else [page]
    if isinstance(item.get("delete"), dict):
        return [v1_record(item, fmt)]
    kind = v1_kind(item)
    if kind == "status":
        return [v1_record(item, fmt)]
    if kind == "user":
        return _user_pages(item, about if container == "users" else None, fmt)
    return []


def body_pages(
    body: object, about: tuple[str, str] | None, fmt: str
) -> Iterator[tuple[int | None, object, dict | None, str]]:
    """Yield (item number, item, v2 page or None, why not) for each record of a v1.1 body.

    The item number is None for a body that is one record (a status, a user, an
    id page), else the 1-based position in its list. A record that fails gives
    None and the reason (:data:`NO_OWNER` for an id page without an owner); an
    empty body gives one page of no rows (skipped).

    Parameters
    ----------
    body : object
        A parsed v1.1 response: a status, user or id page, a list of them, or an object
        holding such a list (``statuses``, ``users``...).
    about : tuple of (str, str) or None
        ``(relation, account id)`` of the file's id pages (:func:`file_owner`), or None.
    fmt : str
        The file's format, recorded in the pages' provenance.

    Yields
    ------
    tuple of (int or None, object, dict or None, str)
        Item number, the item, its v2 page (None on failure) and why it failed ("" if not).

    Examples
    --------
    >>> [(n, p["data"][0]["id"]) for n, _, p, _ in body_pages(
    ...     [{"id_str": "5", "text": "a"}, {"id_str": "6", "text": "b"}], None, "v1.1-json")]
    [(1, '5'), (2, '6')]
    """
    container, items = _items(body)
    if container is None:
        yield None, body, None, "valid JSON but not a v1.1 status, user or id page"
        return
    if not items:  # an empty timeline or the last page of a list: nothing for the tables
        yield None, body, {"__medtwitter": _prov("lists", fmt)}, ""
        return
    for n, item in enumerate(items, start=1):
        number = n if container in _WHERE else None
        try:
            pages = _item_pages(item, container, about, fmt)
        except (IdMismatchError, NoOwnerError) as exc:
            yield number, item, None, str(exc)
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            yield number, item, None, f"unexpected shape ({type(exc).__name__}: {exc})"
            continue
        if not pages:
            yield number, item, None, "not a v1.1 status, user or id page"
        for page in pages:
            yield number, item, page, ""


def _body_records(
    body: object,
    lineno: int,
    raw: bytes,
    about: tuple[str, str] | None,
    fmt: str,
    replaced: int,
    line_of: Callable[[int | None], int],
    held: list[tuple[int, bytes]],
) -> Iterator[Record]:
    """Yield the records of one body: id pages without an owner go to ``held`` (reported once a file)."""
    where = _WHERE.get(_items(body)[0] or "")
    for number, item, page, reason in body_pages(body, about, fmt):
        at = lineno if number is None else line_of(number)
        item_raw = raw if number is None else orjson.dumps(item)
        if reason == NO_OWNER:
            held.append((at, item_raw))
            continue
        if page is None and number is not None:
            reason = f"item {number} of {where}: {reason}"
        yield at, item_raw, page, reason, replaced
        replaced = 0


def _no_owner(held: list[tuple[int, bytes]], path: Path, follows: tuple[str, str] | None) -> Record:
    """Return the one record setting aside a file's id pages that have no owner."""
    pages = "an id page" if len(held) == 1 else f"{len(held)} id pages"
    why = owner_problem(path, follows)
    return held[0][0], b"\n".join(raw for _, raw in held), None, f"{pages}: {why}"


def line_records(path: Path, fmt: str, follows: tuple[str, str] | None = None) -> Iterator[Record]:
    """Yield the records of a JSONL file of v1.1 bodies, one body a line (any shape).

    Parameters
    ----------
    path : pathlib.Path
        A JSONL file of v1.1 bodies (``.gz`` read transparently).
    fmt : str
        Its format (``v1.1-tweets``, ``v1.1-ids`` or ``v1.1-bodies``).
    follows : tuple of (str, str) or None, optional
        ``(relation, account id)`` from the ``--owner``/``--relation`` options; None (default)
        when they are not given.

    Yields
    ------
    tuple of (int, bytes, dict or None, str)
        Line number, raw text, the v2 page (None when the record cannot be read) and why not
        ("" when it can).
    """
    about = file_owner(path, follows)
    held: list[tuple[int, bytes]] = []
    for lineno, line, body, problem, replaced in parsed_lines(path):
        if problem:
            yield lineno, line, None, problem
            continue
        on_line = lambda _, n=lineno: n  # noqa: E731 (every record of the line is on it)
        yield from _body_records(body, lineno, line, about, fmt, replaced, on_line, held)
    if held:
        yield _no_owner(held, path, follows)


def _broken_body(raw: bytes, exc: orjson.JSONDecodeError) -> str:
    if exc.msg.startswith("unexpected end of data"):
        return (
            f"truncated JSON body (the file ends at line {exc.lineno} inside it): the download "
            "or copy stopped early; collect it again or restore the whole file"
        )
    return (
        f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); fix the file "
        "or collect it again"
    )


def item_lines(raw: bytes, body: object) -> list[int] | None:
    r"""Return the line each record of a whole-file body's list starts on, or None if it cannot be told.

    Told from the layout pretty-printers write: every record of the list starts a
    line at the first one's indentation (or all are on one line).

    Parameters
    ----------
    raw : bytes
        The whole file.
    body : object
        The file parsed as JSON.

    Returns
    -------
    list of int or None
        1-based line numbers, one per record of the list; None when the body holds no list or
        its layout does not tell.

    Examples
    --------
    >>> raw = b'[\n  {\n    "id_str": "5"\n  },\n  {\n    "id_str": "6"\n  }\n]\n'
    >>> item_lines(raw, orjson.loads(raw))
    [2, 5]
    """
    container, items = _items(body)
    if container not in _WHERE or not items:
        return None
    key = rb"\s*\[" if container == "list" else rb'"%s"\s*:\s*\[' % container.encode()
    m = re.compile(key).search(raw)
    if m is None:
        return None
    space = re.compile(rb"\s*").match(raw, m.end())
    first = m.end() if space is None else space.end()  # ``\s*`` always matches
    line = raw.count(b"\n", 0, first) + 1
    indent = raw[raw.rfind(b"\n", 0, first) + 1 : first]
    if len(items) == 1 or b"\n" not in raw[first:].rstrip():
        return [line] * len(items)
    if indent.strip():  # the first record shares its line with other text
        return None
    pattern = re.compile(b"\n" + re.escape(indent) + rb"[{\[]")
    starts = [first] + [s.start() + 1 for s in pattern.finditer(raw, first)]
    if len(starts) != len(items):
        return None
    lines, previous = [], first
    for start in starts:
        line += raw.count(b"\n", previous, start)
        previous = start
        lines.append(line)
    return lines


def document_records(path: Path, follows: tuple[str, str] | None = None) -> Iterator[Record]:
    """Yield the records of a file holding one whole v1.1 body (read once, whatever its layout).

    Parameters
    ----------
    path : pathlib.Path
        A file holding one v1.1 body, pretty-printed or not (``.gz`` read transparently).
    follows : tuple of (str, str) or None, optional
        ``(relation, account id)`` from the ``--owner``/``--relation`` options; None (default)
        when they are not given.

    Yields
    ------
    tuple of (int, bytes, dict or None, str)
        Line number, raw text, the v2 page (None when the record cannot be read) and why not
        ("" when it can).
    """
    about = file_owner(path, follows)
    raw = rawfile.read_bytes(path)
    try:
        body, replaced = rawfile.loads(raw)
    except orjson.JSONDecodeError as exc:
        yield 1, raw, None, _broken_body(raw, exc)
        return
    lines = item_lines(raw, body)
    held: list[tuple[int, bytes]] = []

    def line_of(number: int | None) -> int:
        """Return the file line a record of the body starts on (1 when unknown).

        Parameters
        ----------
        number : int or None
            The record's 1-based position in the body's list; None for a body that is one record.

        Returns
        -------
        int
            The 1-based line number.
        """
        return lines[number - 1] if lines and number else 1

    yield from _body_records(body, 1, raw, about, V1_DOCUMENT, replaced, line_of, held)
    if held:
        yield _no_owner(held, path, follows)


# --------------------------------------------------------------------------- detection


_TOKEN = re.compile(rb'"((?:[^"\\\n]|\\.)*)"|([{}\[\]:])')


def _head_keys(head: bytes) -> tuple[bytes | None, set[str], set[str]]:
    """Return (``{`` or ``[``, top-level keys, keys of the first record) of a JSON text's start.

    The start is read as far as ``head`` goes. The first record is the array's first object, or
    the first object of the top-level object's first list value (``statuses``, ``users``).
    """
    stack: list[bytes] = []
    top, keys, record, key = None, set(), set(), None
    record_depth = None  # the depth of the first record while it is open; 0 once it closed
    for m in _TOKEN.finditer(head):
        string, mark = m.groups()
        if string is not None:
            key = string
            continue
        if mark == b":" and key is not None and stack and stack[-1] == b"{":
            name = key.decode("utf-8", "replace")
            if len(stack) == 1:
                keys.add(name)
            elif len(stack) == record_depth:
                record.add(name)
        key = None
        if mark in (b"{", b"["):
            top = top or mark
            if mark == b"{" and record_depth is None and stack[-1:] == [b"["] and len(stack) <= 2:
                record_depth = len(stack) + 1
            stack.append(mark)
        elif mark in (b"}", b"]") and stack:
            if len(stack) == record_depth:
                record_depth = 0
            stack.pop()
            if not stack:
                break
    return top, keys, record


def _head_format(head: bytes) -> str | None:
    """Return the v1.1 line format a JSON text starting with ``head`` is in, or None if not v1.1."""
    top, keys, record = _head_keys(head)
    if top == b"[":
        return V1_BODIES if v1_kind(record) else None
    if "ids" in keys:
        return V1_IDS
    cursor = bool(keys & {"next_cursor", "next_cursor_str", "previous_cursor"})
    if "statuses" in keys and (v1_kind(record) == "status" or "search_metadata" in keys):
        return V1_BODIES
    if "users" in keys and (v1_kind(record) == "user" or not record and cursor):
        return V1_BODIES
    kind = v1_kind(keys)
    return None if kind is None else V1_TWEETS if kind == "status" else V1_BODIES


def _value_format(value: object) -> str:
    """Return the format of a file whose first line is the JSON ``value``."""
    if isinstance(value, dict):
        return _record_format(value)
    if isinstance(value, list) and value and isinstance(value[0], dict) and v1_kind(value[0]):
        return V1_BODIES
    return V2_PAGES


def _parses(line: bytes) -> bool:
    try:
        rawfile.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _head(path: Path) -> tuple[bytes, bool]:
    """Return (the first :data:`HEAD_BYTES` of a file, whether it ends there).

    A damaged gzip ends where the damage starts (the reader reports the damage).
    """
    blocks: list[bytes] = []
    size = 0
    try:
        with rawfile.open_raw(path) as fh:
            while size <= HEAD_BYTES:
                block = fh.read(min(1 << 16, HEAD_BYTES + 1 - size))
                if not block:
                    break
                blocks.append(block)
                size += len(block)
    except (OSError, EOFError):
        size = 0
    head = b"".join(blocks)
    return head[:HEAD_BYTES], size <= HEAD_BYTES


def json_format(path: Path) -> str:
    """Return the format of a JSON file, from its first :data:`HEAD_BYTES` at most.

    Past them only for a v2 page longer than that, read as before.

    A first line that is a JSON value names the format (one record or body a line);
    a first line that opens a v1.1 body it does not close, followed by a line that is
    not JSON either, is a whole-file body (``v1.1-json``).

    Parameters
    ----------
    path : pathlib.Path
        A ``.json``, ``.jsonl`` file (``.gz`` read transparently).

    Returns
    -------
    str
        ``x-api-v2-pages``, a twarc2 or v1.1 format name, or ``v1.1-json`` for a whole-file
        body.
    """
    head, ended = _head(path)
    head = head.lstrip()
    first, newline, rest = head.partition(b"\n")
    if not newline and not ended:  # a first line longer than the head
        fmt = _head_format(head)
        return fmt if fmt is not None else _record_format_of(_first_record(path))
    if _parses(first):
        return _value_format(rawfile.loads(first)[0])
    second, after, _ = rest.lstrip().partition(b"\n")
    if second and (after or ended) and _parses(second):  # JSON lines whose first is damaged
        return _value_format(rawfile.loads(second)[0])
    fmt = _head_format(head)
    if fmt is None or first.strip()[:1] not in (b"{", b"["):
        return V2_PAGES  # the reader says what is wrong, line by line
    return fmt if not newline else V1_DOCUMENT  # one line cut short, or a whole-file body


def _record_format_of(record: object) -> str:
    return _record_format(record) if isinstance(record, dict) else V2_PAGES
