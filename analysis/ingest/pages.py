"""The page-at-a-time path: one X API v2 page (a dict) -> rows of the contract's tables.

This is the module that knows the X API v2 page shapes: provenance blocks
(``__medtwitter``, ``__twarc``), endpoints, tweets, users, ``errors``. Every page
the Arrow path (:mod:`analysis.ingest.arrow`) cannot take, and every page of a
foreign format (converted by :mod:`analysis.formats`), goes through :func:`add_page`;
both paths give the same rows. :func:`filter_page` removes accounts and tweets
from a raw page for :mod:`analysis.purge`.

The module is long because it is the one place that knows the API's page shapes: every
field of a tweet, a user and a provenance block is read and checked here.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from analysis.contract import (
    MAX_ID,
    InvalidIdError,
    normalise_tag,
    parse_id,
    url_domain,
    x_link,
)
from analysis.ingest.rows import Rows, parse_time
from analysis.ingest.schema import TWEET_METRICS
from analysis.platforms import X, check_platform, parse_key

#: Endpoints whose pages carry tweets in ``data``.
TWEET_ENDPOINTS = {"search_recent", "search_all", "timeline", "mentions", "tweets", "stream"}
#: Endpoints whose pages carry users in ``data``.
USER_ENDPOINTS = {"users", "followers", "following"}
#: Endpoints recognised but carrying nothing for the tables.
SKIPPED_ENDPOINTS = {"counts_recent", "counts_all", "lists", "compliance"}


class BadValueError(ValueError):
    """A field of a page whose value has the wrong type or range: the page is set aside."""


def to_id(value: object, platform: str = X) -> int | None:
    """Return an optional id field: None if absent, else :func:`analysis.contract.parse_id`.

    On a page of another platform, a derived key (:func:`analysis.platforms.parse_key`).

    Parameters
    ----------
    value : object
        The field as the page holds it: a JSON integer, a string of digits, None or ``""``.
    platform : str, optional
        The page's platform; default ``"x"``. Another platform's keys may be negative.

    Returns
    -------
    int or None
        The id (or derived key); None if the field is absent or empty.

    Raises
    ------
    analysis.contract.InvalidIdError
        If ``value`` is not a valid id of the platform.
    """
    if value is None or value == "":
        return None
    return parse_id(value) if platform == X else parse_key(value, platform)


def _id_or_none(value: object) -> int | None:
    """Return an id field read leniently (None if it is not an X id): for purges of raw pages."""
    try:
        return to_id(value)
    except InvalidIdError:
        return None


def page_account(params: dict, platform: str = X) -> int | None:
    """Return the account a followers/following page is about: its ``user_id`` (or ``id``) parameter.

    Parameters
    ----------
    params : dict
        The request parameters of the page's provenance block.
    platform : str, optional
        The page's platform; default ``"x"``.

    Returns
    -------
    int or None
        The account's id; None if neither parameter is given.

    Raises
    ------
    analysis.contract.InvalidIdError
        If the parameter is not a valid id.
    """
    value = params.get("user_id")
    return to_id(params.get("id") if value is None or value == "" else value, platform)


def page_platform(page: dict) -> str:
    """Return the platform a page is from: its provenance's ``platform`` (``x`` when it names none).

    Parameters
    ----------
    page : dict
        A raw page, with or without a ``__medtwitter`` block.

    Returns
    -------
    str
        One of :data:`analysis.platforms.PLATFORMS`.

    Raises
    ------
    ValueError
        If the page names an unknown platform.
    """
    meta = page.get("__medtwitter")
    return check_platform(meta.get("platform") if isinstance(meta, dict) else None)


def _register_keys(rows: Rows, page: dict, platform: str) -> None:
    """Record the native id of every key a converted page uses (``__medtwitter.native_ids``).

    :class:`analysis.platforms.KeyCollisionError` if two native ids share a key.
    """
    meta = page["__medtwitter"]
    native = _object(meta.get("native_ids"), "__medtwitter.native_ids")
    for key, native_id in native.items():
        rows.keys.add(parse_key(key, platform), platform, _text(native_id, "native_ids") or "")


def _json_type(value: object) -> str:
    """Return what a JSON value is, for messages: 'a string', 'a number', 'a list'..."""
    if isinstance(value, bool):
        return "a boolean"
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), "null")


def _text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadValueError(f"`{name}` is {_json_type(value)}, not a string")


def _object(value: object, name: str) -> dict:
    """Return an object field ({} if absent or null); :class:`BadValueError` if it is something else."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise BadValueError(f"`{name}` is {_json_type(value)}, not an object")


def _objects(value: object, name: str) -> list[dict]:
    """Return a list of objects ([] if absent or null); :class:`BadValueError` if it is something else."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadValueError(f"`{name}` is {_json_type(value)}, not a list")
    for item in value:
        if not isinstance(item, dict):
            raise BadValueError(f"an item of `{name}` is {_json_type(item)}, not an object")
    return value


def _check_provenance(page: dict) -> None:
    """:class:`BadValueError` if a provenance block, or a field of it, has the wrong type."""
    if page.get("__medtwitter") is not None:
        meta = _object(page["__medtwitter"], "__medtwitter")
        _text(meta.get("endpoint"), "__medtwitter.endpoint")
        _object(meta.get("params"), "__medtwitter.params")
        _flag(meta.get("synthetic"), "__medtwitter.synthetic")
    if page.get("__twarc") is not None:
        _text(_object(page["__twarc"], "__twarc").get("url"), "__twarc.url")


def _count(value: object, name: str) -> int | None:
    if value is None or (type(value) is int and 0 <= value <= MAX_ID):
        return value
    raise BadValueError(f"`{name}` is {str(value)[:40]}, not a count (an integer from 0)")


def _flag(value: object, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise BadValueError(f"`{name}` is {str(value)[:40]}, not true or false")


def _time(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parse_time(value)
            return value
        except ValueError:
            pass
    raise BadValueError(f"`{name}` is {str(value)[:40]!r}, not an ISO 8601 time")


def provenance(page: dict) -> tuple[str | None, dict, str | None, bool]:
    """(endpoint, params, collected_at, synthetic) from a page's provenance block.

    Parameters
    ----------
    page : dict
        A raw page, with a ``__medtwitter`` or ``__twarc`` block (or neither).

    Returns
    -------
    tuple of (str or None, dict, str or None, bool)
        The endpoint name (None if unknown), the request parameters, the collection
        time as written (ISO 8601, or None) and whether the page is synthetic.
        A twarc2 block gives the endpoint and account from its URL and is never synthetic.
    """
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


def kind_from_endpoint(endpoint: str | None) -> str | None:
    """Return the kind of page ``endpoint`` gives: ``tweets``, a users endpoint, ``skip``, or None.

    Parameters
    ----------
    endpoint : str or None
        An endpoint name from a provenance block (``search_recent``, ``followers``...).

    Returns
    -------
    str or None
        ``"tweets"``, ``"users"``, ``"followers"``, ``"following"``, ``"skip"``, or None
        for an unknown endpoint.
    """
    if endpoint in TWEET_ENDPOINTS:
        return "tweets"
    if endpoint in USER_ENDPOINTS:
        return endpoint
    if endpoint in SKIPPED_ENDPOINTS:
        return "skip"
    return None


def _page_kind(page: dict, endpoint: str | None) -> str:
    kind = kind_from_endpoint(endpoint)
    if kind is not None:
        return kind
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    if items and all(isinstance(i, dict) and "text" in i for i in items):
        return "tweets"
    if items and all(isinstance(i, dict) and "username" in i for i in items):
        return "users"
    if items and all(isinstance(i, dict) and {"start", "tweet_count"} <= i.keys() for i in items):
        return "skip"  # a /2/tweets/counts body saved without provenance: nothing for the tables
    if not items and ("meta" in page or "errors" in page):
        return "empty"
    return "unknown"


def _note(tw: dict) -> tuple[str | None, str | None, dict]:
    """(text, short_text, entities) of a tweet: a long post's from its ``note_tweet``.

    A tweet with a ``note_tweet`` text is a long post: its ``text`` holds only the
    first 280 characters (kept as ``short_text``), its hashtags, mentions and links
    are the note's entities.
    """
    note = _object(tw.get("note_tweet"), "note_tweet")
    text = _text(tw.get("text"), "text")
    note_entities = _object(note.get("entities"), "note_tweet.entities")
    entities = _object(tw.get("entities"), "entities")
    full = _text(note.get("text"), "note_tweet.text")
    if full is None:
        return text, None, entities
    return full, text, note_entities


def edit_ids(history: object, tweet_id: int) -> list[int] | None:
    """Return a tweet's earlier versions from its ``edit_history_tweet_ids`` (None if absent).

    The history lists every version's id, oldest first; ids grow with time, so
    the earlier versions are the ids below the tweet's own.

    Parameters
    ----------
    history : object
        The tweet's ``edit_history_tweet_ids`` field, a list of ids (None if absent).
    tweet_id : int
        The tweet's own id.

    Returns
    -------
    list of int or None
        The ids of the earlier versions, oldest first; None if there is no history.

    Examples
    --------
    >>> edit_ids(["10", "12", "15"], 15), edit_ids(["10", "12", "15"], 12), edit_ids(["9"], 9)
    ([10, 12], [10], [])
    """
    if history is None:
        return None
    if not isinstance(history, list):
        raise BadValueError(f"`edit_history_tweet_ids` is {_json_type(history)}, not a list")
    return [i for i in map(parse_id, history) if i < tweet_id]


def _native(rows: Rows, item: dict, key: int, platform: str) -> str | None:
    """Return an item's ``native_id`` (None on X pages), checked against its key."""
    if platform == X:
        return None
    native_id = _text(item.get("native_id"), "native_id")
    if not native_id:
        raise BadValueError(f"a {platform} item without `native_id`")
    rows.keys.add(key, platform, native_id)
    return native_id


def _add_tweet(
    rows: Rows, tw: dict, collected: bool, observed_at: str | None, platform: str = X
) -> None:
    referenced = _objects(tw.get("referenced_tweets"), "referenced_tweets")
    refs = {r.get("type"): r.get("id") for r in referenced}
    metrics = _object(tw.get("public_metrics"), "public_metrics")
    tweet_id = parse_key(tw["id"], platform)
    text, short_text, entities = _note(tw)
    rows.add(
        "tweets",
        tweet_id=tweet_id,
        author_id=to_id(tw.get("author_id"), platform),
        created_at=_time(tw.get("created_at"), "created_at"),
        text=text,
        short_text=short_text,
        lang=_text(tw.get("lang"), "lang"),
        conversation_id=to_id(tw.get("conversation_id"), platform),
        reply_to_tweet_id=to_id(refs.get("replied_to"), platform),
        reply_to_user_id=to_id(tw.get("in_reply_to_user_id"), platform),
        retweet_of_tweet_id=to_id(refs.get("retweeted"), platform),
        quote_of_tweet_id=to_id(refs.get("quoted"), platform),
        edit_ids=edit_ids(tw.get("edit_history_tweet_ids"), tweet_id) if platform == X else None,
        **{m: _count(metrics.get(m), m) for m in TWEET_METRICS},
        collected=collected,
        observed_at=observed_at,
        platform=platform,
        native_id=_native(rows, tw, tweet_id, platform),
    )
    for position, h in enumerate(_objects(entities.get("hashtags"), "entities.hashtags")):
        tag = _text(h.get("tag"), "tag") or ""
        rows.add(
            "hashtags", tweet_id=tweet_id, tag=tag, tag_norm=normalise_tag(tag), position=position
        )
    for m in _objects(entities.get("mentions"), "entities.mentions"):
        rows.add(
            "mentions",
            tweet_id=tweet_id,
            username=_text(m.get("username"), "username") or "",
            user_id=to_id(m.get("id"), platform),
        )
    for position, u in enumerate(_objects(entities.get("urls"), "entities.urls")):
        url = _text(u.get("url"), "url")
        expanded = _text(u.get("expanded_url"), "expanded_url")
        rows.add(
            "urls",
            tweet_id=tweet_id,
            position=position,
            url=url,
            expanded_url=expanded,
            domain=url_domain(expanded) or url_domain(url),
        )


def _add_user(rows: Rows, u: dict, observed_at: str | None, platform: str = X) -> None:
    metrics = _object(u.get("public_metrics"), "public_metrics")
    user_id = parse_key(u["id"], platform)
    rows.add(
        "users",
        user_id=user_id,
        username=_text(u.get("username"), "username"),
        name=_text(u.get("name"), "name"),
        description=_text(u.get("description"), "description"),
        location=_text(u.get("location"), "location"),
        created_at=_time(u.get("created_at"), "created_at"),
        protected=_flag(u.get("protected"), "protected"),
        verified=_flag(u.get("verified"), "verified"),
        followers_count=_count(metrics.get("followers_count"), "followers_count"),
        following_count=_count(metrics.get("following_count"), "following_count"),
        tweet_count=_count(metrics.get("tweet_count"), "tweet_count"),
        listed_count=_count(metrics.get("listed_count"), "listed_count"),
        observed_at=observed_at,
        platform=platform,
        native_id=_native(rows, u, user_id, platform),
    )


def add_page(rows: Rows, page: dict) -> str:
    """Add one API page's rows; return the page kind ('tweets', 'users', ... or 'skip').

    This is the page-at-a-time path: readers of other formats turn their input
    into v2-shaped pages and call it. A page that fails half-way (an item
    without an id...) adds nothing and raises.

    Parameters
    ----------
    rows : Rows
        The rows of the run, filled (and spilled when full).
    page : dict
        One page in the X API v2 shape, with its provenance block if any.

    Returns
    -------
    str
        The page kind: ``"tweets"``, ``"users"``, ``"followers"``, ``"following"``,
        ``"empty"``, ``"skip"`` or ``"unknown"`` (nothing added for the last two).

    Raises
    ------
    ValueError
        If a field has the wrong type or an id is invalid (:class:`BadValueError`,
        :class:`~analysis.contract.InvalidIdError`): the page is to be set aside.
    analysis.platforms.KeyCollisionError
        If two native ids of another platform's page share a key.
    """
    _check_provenance(page)
    endpoint, params, observed_at, synthetic = provenance(page)
    platform = page_platform(page)
    kind = _page_kind(page, endpoint)
    if kind in ("unknown", "skip"):
        return kind
    mark = rows.mark()
    try:
        if platform != X:
            _register_keys(rows, page, platform)
        _add_page_rows(rows, page, kind, params, _time(observed_at, "collected_at"), platform)
    except BaseException:
        rows.rollback(mark)
        raise
    rows.synthetic |= synthetic
    rows.maybe_flush()
    return kind


def _add_page_rows(
    rows: Rows, page: dict, kind: str, params: dict, observed_at, platform: str = X
) -> None:
    data = page.get("data")
    items = _objects([data] if isinstance(data, dict) else data, "data")
    includes = _object(page.get("includes"), "includes")
    if kind == "tweets":
        for tw in items:
            _add_tweet(rows, tw, True, observed_at, platform)
    else:
        account = page_account(params, platform) if kind in ("followers", "following") else None
        for u in items:
            _add_user(rows, u, observed_at, platform)
            if kind == "followers" and account is not None:
                rows.add(
                    "follows",
                    follower_id=parse_key(u["id"], platform),
                    followed_id=account,
                    first_seen_at=observed_at,
                    observed_at=observed_at,
                )
            elif kind == "following" and account is not None:
                rows.add(
                    "follows",
                    follower_id=account,
                    followed_id=parse_key(u["id"], platform),
                    first_seen_at=observed_at,
                    observed_at=observed_at,
                )
    # referenced tweets of tweet pages; pinned tweets of user pages (expansions=pinned_tweet_id)
    for tw in _objects(includes.get("tweets"), "includes.tweets"):
        _add_tweet(rows, tw, False, observed_at, platform)
    for u in _objects(includes.get("users"), "includes.users"):
        _add_user(rows, u, observed_at, platform)
    for err in _objects(page.get("errors"), "errors"):
        rid = err.get("resource_id") or err.get("value")
        if rid is None:
            continue
        if isinstance(rid, bool) or not isinstance(rid, str | int):
            raise BadValueError(f"an error's `resource_id` is {str(rid)[:40]}, not an id")
        rows.add(
            "missing",
            resource_id=str(rid),
            resource_type=_text(err.get("resource_type"), "resource_type"),
            title=_text(err.get("title"), "title"),
            detail=_text(err.get("detail"), "detail"),
            type=_text(err.get("type"), "type"),
            observed_at=observed_at,
        )


# --- purge support: removing accounts and tweets from raw pages -----------------------------------


def filter_page(
    page: dict, user_ids: set[int], tweet_ids: set[int], handles: Iterable[str] = ()
) -> dict | None:
    """Return a raw page without the given accounts and tweets, or ``None`` if the whole page goes.

    Used by :mod:`analysis.purge` (deletion requests, compliance): removes tweets
    by those accounts, the listed tweets and retweets of them, the accounts' user
    objects (in ``data`` and ``includes``), errors about them, and whole pages
    fetched for one of the accounts (its timeline, its followers or following).
    Others' tweets lose their mentions of the accounts and their links to the
    accounts' X profiles (by ``handles``) or to the tweets, in their entities and
    in a long post's ``note_tweet`` entities. Everything else of the page is kept
    as collected.

    Parameters
    ----------
    page : dict
        A raw page in the X API v2 shape; it is not modified.
    user_ids : set of int
        Ids of the accounts to remove.
    tweet_ids : set of int
        Ids of the tweets to remove.
    handles : Iterable of str, optional
        The accounts' handles, matched in links to X profiles in any case; default none.

    Returns
    -------
    dict or None
        A copy of the page without them; None if the page was fetched for one of the accounts.

    Examples
    --------
    >>> page = {"data": [{"id": "1", "author_id": "7", "text": "a"},
    ...                  {"id": "2", "author_id": "8", "text": "b"}],
    ...         "meta": {"result_count": 2}}
    >>> [t["id"] for t in filter_page(page, {7}, set())["data"]]
    ['2']
    """
    _, params, _, _ = provenance(page)
    owner = _id_or_none(params.get("user_id") or params.get("id"))
    if owner in user_ids:
        return None
    users = {str(u) for u in user_ids}

    def tweet_gone(tw: dict) -> bool:
        """Tell whether a tweet goes: one of the tweets, by one of the accounts, or a retweet of one.

        Parameters
        ----------
        tw : dict
            A tweet object of the page (``data`` or ``includes.tweets``).

        Returns
        -------
        bool
            True if the tweet is removed.
        """
        if _id_or_none(tw.get("id")) in tweet_ids or _id_or_none(tw.get("author_id")) in user_ids:
            return True
        refs = tw.get("referenced_tweets") or ()
        return any(
            r.get("type") == "retweeted" and _id_or_none(r.get("id")) in tweet_ids for r in refs
        )

    def keep(item) -> bool:
        """Tell whether an item of ``data`` or ``includes`` stays.

        Parameters
        ----------
        item : object
            A tweet or user object (anything else is kept as collected).

        Returns
        -------
        bool
            False for a removed tweet or a removed account's user object.
        """
        if not isinstance(item, dict):
            return True
        if "text" in item:
            return not tweet_gone(item)
        return str(item.get("id")) not in users

    folded = {h.casefold() for h in handles}

    def named(entity) -> bool:  # a mention of an account, a link to its profile or a tweet
        """Tell whether an entity names a removed account or tweet.

        Parameters
        ----------
        entity : object
            One item of an ``entities.mentions`` or ``entities.urls`` list.

        Returns
        -------
        bool
            True for a mention of a removed account, or a link to its profile or to a removed tweet.
        """
        if not isinstance(entity, dict):
            return False
        if "username" in entity:
            return str(entity.get("id")) in users
        for link in (entity.get("expanded_url"), entity.get("url")):
            handle, tweet = x_link(link) if isinstance(link, str) else (None, None)
            if tweet in tweet_ids or (handle is not None and handle.casefold() in folded):
                return True
        return False

    def scrub(entities):
        """Return a tweet's entities without the mentions and links naming removed accounts or tweets.

        Parameters
        ----------
        entities : object
            A tweet's (or long post's) ``entities`` object; anything but a dict is returned as is.

        Returns
        -------
        object
            The same object if nothing is removed, else a cleaned copy.
        """
        if not isinstance(entities, dict):
            return entities
        out = {}
        for key, value in entities.items():
            if key in ("mentions", "urls") and isinstance(value, list):
                value = [e for e in value if not named(e)]
            out[key] = value
        return out if out != entities else entities

    def unmention(item):  # others' tweets keep their text, not the link to the account
        """Return a kept tweet without its reply-to and entities naming the removed accounts.

        Parameters
        ----------
        item : object
            A kept item of ``data`` or ``includes.tweets``; anything but a dict is returned as is.

        Returns
        -------
        object
            The item, or a copy without ``in_reply_to_user_id`` of a removed account and
            with its entities scrubbed.
        """
        if not isinstance(item, dict):
            return item
        if str(item.get("in_reply_to_user_id")) in users:
            item = {k: v for k, v in item.items() if k != "in_reply_to_user_id"}
        if "entities" in item and scrub(item["entities"]) is not item["entities"]:
            item = {**item, "entities": scrub(item["entities"])}
        note = item.get("note_tweet")
        if isinstance(note, dict) and "entities" in note:
            entities = scrub(note["entities"])
            if entities is not note["entities"]:
                item = {**item, "note_tweet": {**note, "entities": entities}}
        return item

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
            e
            for e in page["errors"]
            if not (isinstance(e, dict) and str(e.get("resource_id") or e.get("value")) in gone)
        ]
    if isinstance(params.get("ids"), str):  # a users lookup page names the ids it asked for
        ids = ",".join(i for i in params["ids"].split(",") if i not in users)
        out["__medtwitter"] = {**page["__medtwitter"], "params": {**params, "ids": ids}}
    if isinstance(page.get("meta"), dict) and isinstance(out.get("data"), list):
        meta = dict(page["meta"])
        if "result_count" in meta:
            meta["result_count"] = len(out["data"])
        for key in ("newest_id", "oldest_id"):
            if _id_or_none(meta.get(key)) in tweet_ids:
                meta.pop(key)
        out["meta"] = meta
    return out
