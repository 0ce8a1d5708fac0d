"""The data contract: the tables, columns, types, keys and meanings every analysis relies on.

:data:`CONTRACT` is the single place where tables, columns, types and meanings
are defined; ingest writes exactly these schemas and a test holds it to them.
It needs only pyarrow (ingest runs without pandas); :mod:`analysis.tables`
re-exports it with the functions that load tables as DataFrames.

Identifiers are 64-bit integers (X ids have up to 19 digits and do not fit a
float: never let them pass through ``float64``); only a JSON integer or a string
of ASCII digits from 1 to 2^63-1 is read as one (:func:`parse_id`). Bluesky and
Mastodon accounts and posts have negative keys derived from their native ids, which
``users.native_id`` and ``tweets.native_id`` keep exact (:mod:`analysis.platforms`).
Timestamps are UTC.
Follow links are **directed**: a row of ``follows`` runs from ``follower_id``
to ``followed_id`` (the follower follows the followed); a mutual follow is two
rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyarrow as pa

from analysis.errors import ContractError

TS = pa.timestamp("us", tz="UTC")
#: The largest X id the tables hold (ids are positive int64).
MAX_ID = 2**63 - 1


class InvalidIdError(ValueError):
    """A value that is not an X id (see :func:`parse_id`)."""


def parse_id(value: object) -> int:
    """Return an X id as the tables hold it: a JSON integer or ASCII digits, from 1 to 2^63-1.

    Anything else raises :class:`InvalidIdError`: a float (``1.2e18`` has lost
    its last digits), a negative or zero id, a sign, spaces, digits of other
    scripts (``"١٢٣"``, ``"²"``), or a number past int64.

    Parameters
    ----------
    value : object
        The id as a page holds it: a JSON integer or a string of ASCII digits.

    Returns
    -------
    int
        The id, from 1 to 2^63-1.

    Raises
    ------
    InvalidIdError
        If ``value`` is anything else.

    Examples
    --------
    >>> parse_id("1460323737035677698"), parse_id(12)
    (1460323737035677698, 12)
    >>> parse_id(1.2345678901234568e18)
    Traceback (most recent call last):
    ...
    analysis.contract.InvalidIdError: 1.2345678901234568e+18 is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1)
    """
    if type(value) is int:
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
    else:
        number = 0
    if not 0 < number <= MAX_ID:
        shown = repr(value) if isinstance(value, str) else str(value)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        raise InvalidIdError(
            f"{shown} is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1)"
        )
    return number


def normalise_tag(tag: str) -> str:
    """Return the contract's ``tag_norm``: case-folded (Unicode NFC), accents kept.

    Parameters
    ----------
    tag : str
        A hashtag as written, without the ``#``.

    Returns
    -------
    str
        The NFC-normalised, case-folded tag.

    Examples
    --------
    >>> normalise_tag("SANTÉ"), normalise_tag("Santé"), normalise_tag("sante")
    ('santé', 'santé', 'sante')
    """
    return unicodedata.normalize("NFC", tag).casefold()


def url_domain(url: str | None) -> str | None:
    """Return the contract's ``urls.domain``: the lower-case host of a link, without ``www.``.

    None when the link has no host that can be read (not a URL, a bad IPv6 address...).

    Parameters
    ----------
    url : str or None
        A link as found in a tweet (with or without a scheme).

    Returns
    -------
    str or None
        The lower-case host without ``www.`` and a trailing dot; None when there is none.

    Examples
    --------
    >>> url_domain("https://www.HAS-Sante.fr/jcms/c_2618389"), url_domain("nejm.org/doi/x")
    ('has-sante.fr', 'nejm.org')
    >>> url_domain("not a link") is None, url_domain("http://[::1") is None
    (True, True)
    """
    if not url or not isinstance(url, str):
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or " " in host:
        return None
    host = host.rstrip(".")
    return host.removeprefix("www.") or None


#: Hosts of X's own links (profiles, statuses): ``x.com/HANDLE``, ``twitter.com/HANDLE/status/ID``.
X_HOSTS = frozenset({"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com", "m.twitter.com"})
#: First path segments of X links that are pages of X, not accounts.
_X_PAGES = frozenset(
    {
        "i",
        "home",
        "search",
        "hashtag",
        "intent",
        "share",
        "explore",
        "settings",
        "messages",
        "notifications",
        "tos",
        "privacy",
        "login",
        "signup",
        "compose",
        "lists",
    }
)
_HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_STATUS_ID_RE = re.compile(r"^\d{1,19}$")


def x_link(url: str | None) -> tuple[str | None, int | None]:
    """(handle, tweet id) a link to an X profile or status names; (None, None) for other links.

    Used to keep handles out of anonymised ``urls`` rows and to remove links to
    purged accounts.

    Parameters
    ----------
    url : str or None
        Any link (with or without a scheme); None or a non-X link gives ``(None, None)``.

    Returns
    -------
    tuple of (str or None, int or None)
        The handle of a profile or status link (None for X's own pages) and the tweet id of a
        status link (None for a profile link).

    Examples
    --------
    >>> x_link("https://twitter.com/Dr_Tortue/status/1460323737035677698?s=20")
    ('Dr_Tortue', 1460323737035677698)
    >>> x_link("https://www.x.com/dr_tortue"), x_link("https://x.com/i/web/status/12")
    (('dr_tortue', None), (None, 12))
    >>> x_link("https://has-sante.fr/dr_tortue")
    (None, None)
    """
    domain = url_domain(url)
    if url is None or domain not in X_HOSTS:
        return None, None
    path = urlsplit(url if "//" in url else "//" + url).path
    parts = [p for p in path.split("/") if p]
    handle = parts[0] if parts and parts[0].lower() not in _X_PAGES else None
    if handle is not None and not _HANDLE_RE.match(handle):
        handle = None
    tweet = None
    for i, part in enumerate(parts[:-1]):
        if part.lower() in ("status", "statuses") and _STATUS_ID_RE.match(parts[i + 1]):
            number = int(parts[i + 1])
            tweet = number if 0 < number <= MAX_ID else None
            break
    return handle, tweet


@dataclass(frozen=True)
class Column:
    """One column of the contract: name, Arrow type, nullability and meaning.

    ``default``: the value of rows written before the column existed (else null).
    """

    name: str
    type: pa.DataType
    nullable: bool
    doc: str
    default: object = None


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its columns, primary key and meaning."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema ingest writes for this table."""
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]


def _c(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> Column:
    return Column(name, type_, nullable, doc)


def _platform(what: str) -> tuple[Column, Column]:
    """Return the ``platform`` and ``native_id`` columns of ``users`` and ``tweets`` (:mod:`analysis.platforms`)."""
    return (
        Column(
            "platform",
            STR,
            False,
            "x, bluesky or mastodon. Rows written before the column existed are x.",
            default="x",
        ),
        _c(
            "native_id",
            STR,
            f"The {what}'s own id, exact, where it is not an X id: a Bluesky "
            + ("DID (did:plc:...)" if what == "account" else "at:// post URI")
            + ", a Mastodon "
            + ("user@instance" if what == "account" else "instance/statuses/ID")
            + f"; the {what}'s key is derived from it (negative). Null for X.",
        ),
    )


I64, STR, BOOL = pa.int64(), pa.string(), pa.bool_()
#: A list of ids (``tweets.edit_ids``).
ID_LIST = pa.list_(I64)

_USER_COLUMNS: tuple[Column, ...] = (
    _c("user_id", I64, "User id (up to 19 digits).", nullable=False),
    _c("username", STR, "Handle without '@'."),
    _c("name", STR, "Display name."),
    _c("description", STR, "Bio (profile description)."),
    _c("location", STR, "Free-text location from the profile."),
    _c("created_at", TS, "Account creation (UTC)."),
    _c("protected", BOOL, "True if the account's tweets are protected."),
    _c("verified", BOOL, "Verified badge at observed_at."),
    _c("followers_count", I64, "Followers at observed_at (all of X, not the sample)."),
    _c("following_count", I64, "Accounts followed at observed_at."),
    _c("tweet_count", I64, "Tweets posted at observed_at."),
    _c("listed_count", I64, "Lists the account is on at observed_at."),
    _c("observed_at", TS, "When the latest snapshot was collected."),
    *_platform("account"),
)


def _snapshot_columns() -> tuple[Column, ...]:
    """Return the users columns, each describing one snapshot rather than the latest."""
    when = _c("observed_at", TS, "When the page carrying this snapshot was collected.")
    return tuple(when if c.name == "observed_at" else c for c in _USER_COLUMNS)


CONTRACT: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "tweets",
            "One row per tweet seen, de-duplicated by id; the newest public metrics win. An "
            "edited post is one row, its latest version seen: earlier versions (`edit_ids`) "
            "are not rows of their own.",
            (
                _c("tweet_id", I64, "Tweet id (up to 19 digits).", nullable=False),
                _c("author_id", I64, "User id of the author (null if the API did not say)."),
                _c("created_at", TS, "When the tweet was posted (UTC)."),
                _c(
                    "text",
                    STR,
                    "Full text (retweets start 'RT @'): a long post's whole text "
                    "(`note_tweet.text`), not the 280 characters of its `text`.",
                ),
                _c(
                    "short_text",
                    STR,
                    "A long post's truncated `text` as the API also returned it; null when "
                    "the tweet has no `note_tweet` (then `text` is all of it).",
                ),
                _c("lang", STR, "Language code detected by X (fr, en, und...)."),
                _c("conversation_id", I64, "Id of the tweet that started the conversation."),
                _c("reply_to_tweet_id", I64, "Tweet this one replies to, if any."),
                _c("reply_to_user_id", I64, "User this one replies to, if any."),
                _c("retweet_of_tweet_id", I64, "Tweet this one retweets, if a retweet."),
                _c("quote_of_tweet_id", I64, "Tweet this one quotes, if a quote."),
                _c(
                    "edit_ids",
                    ID_LIST,
                    "Ids of the post's earlier versions, oldest first (from "
                    "`edit_history_tweet_ids`): empty when never edited, null when the page "
                    "did not say (collected without that field).",
                ),
                _c("retweet_count", I64, "Public metric at observed_at (null if not returned)."),
                _c("reply_count", I64, "Public metric at observed_at."),
                _c("like_count", I64, "Public metric at observed_at."),
                _c("quote_count", I64, "Public metric at observed_at."),
                _c(
                    "impression_count",
                    I64,
                    "Views at observed_at (public metric since 2023; null if not returned).",
                ),
                _c(
                    "collected",
                    BOOL,
                    "True for tweets a collection asked for (a page's `data`), false for "
                    "tweets seen only in `includes` (e.g. the original of a retweet).",
                    nullable=False,
                ),
                _c("observed_at", TS, "When the page carrying these metrics was collected."),
                *_platform("post"),
            ),
            ("tweet_id",),
        ),
        TableSpec(
            "users",
            "One row per user: the latest snapshot seen, older snapshots filling fields it lacks.",
            _USER_COLUMNS,
            ("user_id",),
        ),
        TableSpec(
            "follows",
            "Directed follow links: follower_id follows followed_id. A mutual follow is two rows.",
            (
                _c("follower_id", I64, "The account that follows.", nullable=False),
                _c("followed_id", I64, "The account followed.", nullable=False),
                _c("first_seen_at", TS, "Earliest snapshot in which the link was seen."),
                _c("observed_at", TS, "Latest snapshot in which the link was seen."),
            ),
            ("follower_id", "followed_id"),
        ),
        TableSpec(
            "hashtags",
            "One row per hashtag occurrence in a tweet.",
            (
                _c("tweet_id", I64, "Tweet carrying the hashtag.", nullable=False),
                _c("tag", STR, "As written, without '#' (e.g. 'Santé').", nullable=False),
                _c(
                    "tag_norm",
                    STR,
                    "Case-folded, Unicode NFC; accents kept ('santé' and 'sante' differ).",
                    nullable=False,
                ),
                _c("position", I64, "0-based order of the hashtag in the tweet.", nullable=False),
            ),
            ("tweet_id", "position"),
        ),
        TableSpec(
            "mentions",
            "One row per @mention in a tweet.",
            (
                _c("tweet_id", I64, "Tweet carrying the mention.", nullable=False),
                _c("username", STR, "Handle mentioned, without '@'.", nullable=False),
                _c(
                    "user_id",
                    I64,
                    "Id of the mentioned user; null when the API did not resolve it.",
                ),
            ),
            ("tweet_id", "username"),
        ),
        TableSpec(
            "urls",
            "One row per link in a tweet (`entities.urls`, a long post's `note_tweet` "
            "entities): which sources a community shares.",
            (
                _c("tweet_id", I64, "Tweet carrying the link.", nullable=False),
                _c("position", I64, "0-based order of the link in the tweet.", nullable=False),
                _c("url", STR, "The link as written in the text (a t.co short link)."),
                _c("expanded_url", STR, "Where the link leads, as X expanded it."),
                _c(
                    "domain",
                    STR,
                    "Lower-case host of expanded_url (else url), without 'www.' "
                    "(e.g. 'has-sante.fr'); null if neither has a host.",
                ),
            ),
            ("tweet_id", "position"),
        ),
        TableSpec(
            "missing",
            "What the API reported in `errors` arrays: deleted, withheld, protected, not found.",
            (
                _c("resource_id", STR, "Id or username the error is about.", nullable=False),
                _c("resource_type", STR, "tweet, user, ..."),
                _c("title", STR, "Error title (e.g. 'Not Found Error', 'Authorization Error')."),
                _c("detail", STR, "Human-readable detail from the API."),
                _c("type", STR, "Problem type URI from the API."),
                _c("observed_at", TS, "When the page reporting it was collected."),
            ),
            ("resource_id", "resource_type", "title"),
        ),
        TableSpec(
            "user_snapshots",
            "Every snapshot of every user, one row per user and observation time, for "
            "follower-count and profile histories (`users` keeps only the latest).",
            _snapshot_columns(),
            ("user_id", "observed_at"),
        ),
    ]
}

#: Tables every dataset has, in the order they are documented.
TABLE_NAMES: tuple[str, ...] = tuple(CONTRACT)

META_FILE = "meta.json"
#: The dataset versions: every table's Delta version per dataset version (:mod:`analysis.store`).
MANIFEST_FILE = "manifest.json"


def empty_table(name: str) -> pa.Table:
    """Return an empty Arrow table with the contract's schema for ``name``.

    Parameters
    ----------
    name : str
        A contract table name (``tweets``, ``users``, ``follows``...).

    Returns
    -------
    pyarrow.Table
        A table with no rows and the table's contract schema.
    """
    return CONTRACT[name].schema.empty_table()


def check_table(name: str, table: pa.Table) -> None:
    """Raise :class:`ContractError` unless ``table`` matches the contract exactly.

    Parameters
    ----------
    name : str
        A contract table name (``tweets``, ``users``, ``follows``...).
    table : pyarrow.Table
        The table about to be written or just read.

    Raises
    ------
    analysis.errors.ContractError
        If its column names or types differ from the contract, or a non-nullable column has
        nulls.

    Examples
    --------
    >>> check_table("follows", empty_table("follows"))
    """
    expected = CONTRACT[name].schema
    if not table.schema.equals(expected, check_metadata=False):
        raise ContractError(
            f"table {name!r} does not match the data contract: expected {expected.names} "
            f"with types {[str(t) for t in expected.types]}, got {table.schema.names} with "
            f"types {[str(t) for t in table.schema.types]}; re-run `medtwitter ingest`."
        )
    for col in CONTRACT[name].columns:
        if not col.nullable and table.column(col.name).null_count:
            raise ContractError(f"column {name}.{col.name} has nulls; the contract forbids them.")
