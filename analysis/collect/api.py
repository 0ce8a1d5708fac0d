"""The X API v2 through tweepy: endpoints, fields, errors, the bearer token and the client."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests
import tweepy

from analysis import settings
from analysis.errors import MedtwitterError

log = logging.getLogger(__name__)

TOKEN_VARIABLES = ("X_BEARER_TOKEN", "TWITTER_BEARER_TOKEN")

#: Fields and expansions asked for, so that authors, referenced tweets, entities,
#: public metrics, conversation ids and reply targets all arrive in the pages; a long
#: post's whole text and entities (``note_tweet``: ``text`` stops at 280 characters), and
#: an edited post's versions (``edit_history_tweet_ids``, ``edit_controls``).
TWEET_FIELDS = [
    "attachments",
    "author_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "note_tweet",
    "possibly_sensitive",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "source",
    "text",
    "withheld",
]
USER_FIELDS = [
    "created_at",
    "description",
    "entities",
    "id",
    "location",
    "name",
    "pinned_tweet_id",
    "profile_image_url",
    "protected",
    "public_metrics",
    "url",
    "username",
    "verified",
    "withheld",
]
TWEET_EXPANSIONS = [
    "author_id",
    "entities.mentions.username",
    "in_reply_to_user_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
]
USER_EXPANSIONS = ["pinned_tweet_id"]

#: Seconds to wait for the API's server to accept a connection, and for each read of its
#: answer; read at each request, so they can be changed at any time. A request that times
#: out is retried like a server error (see :class:`~analysis.collect.Collector`).
CONNECT_TIMEOUT: float = 10
READ_TIMEOUT: float = 60


@dataclass(frozen=True)
class Endpoint:
    """How one X API v2 endpoint is called through :class:`tweepy.Client`."""

    method: str  # tweepy.Client method
    kind: str  # what `data` holds: tweets, users or counts
    token_param: str | None = None  # pagination parameter, None when the endpoint has none
    page_size: int | None = None  # max_results asked for
    min_page_size: int = 1
    min_interval: float = 0.0  # seconds between requests (full-archive search: 1 a second)
    rate_window: int = 15 * 60  # seconds of the rate-limit window (every v2 endpoint used: 15 min)


ENDPOINTS: dict[str, Endpoint] = {
    "search_recent": Endpoint(
        "search_recent_tweets", "tweets", "next_token", settings.SEARCH_PAGE_SIZE, 10
    ),
    "search_all": Endpoint(
        "search_all_tweets", "tweets", "next_token", settings.SEARCH_PAGE_SIZE, 10, min_interval=1.0
    ),
    "timeline": Endpoint(
        "get_users_tweets", "tweets", "pagination_token", settings.SEARCH_PAGE_SIZE, 5
    ),
    "users": Endpoint("get_users", "users"),
    "followers": Endpoint(
        "get_users_followers", "users", "pagination_token", settings.FOLLOWS_PAGE_SIZE
    ),
    "following": Endpoint(
        "get_users_following", "users", "pagination_token", settings.FOLLOWS_PAGE_SIZE
    ),
    "counts_recent": Endpoint("get_recent_tweets_count", "counts"),
    "counts_all": Endpoint("get_all_tweets_count", "counts", "next_token"),
}

#: What a plan lacks, by endpoint, for the one-line 403 message.
_ACCESS_HINT = {
    "search_all": "full-archive search (Pro or Academic access)",
    "counts_all": "full-archive counts (Pro or Academic access)",
    "followers": "follows lookup (not in every plan)",
    "following": "follows lookup (not in every plan)",
}


# --------------------------------------------------------------------------- errors


class CollectError(MedtwitterError):
    """A collection that cannot go on; what was written is kept and a rerun resumes."""


class TokenError(CollectError):
    """No bearer token, or one the API refuses."""


class TokenFormatError(TokenError):
    """A bearer token holding characters no token has (control, space, non-ASCII)."""


class AccessError(CollectError):
    """The token's access level lacks an endpoint (403)."""


class StoppedEarly(CollectError):
    """Rate-limited without waiting, or server errors beyond the retries."""


class _NotJSON(Exception):
    """A 2xx response whose body is not a JSON object (retried like a server error)."""

    def __init__(self, what: str, status: int = 200) -> None:
        super().__init__(what)
        self.what = what
        self.status = status


class _Unavailable(Exception):
    """One account or batch the API will not serve (protected, suspended, not found)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------- token


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def check_token(token: str, where: str) -> str:
    r"""Return ``token`` if it can be a bearer token: printable ASCII, no space.

    A token holding a line break, another control character (``\x00``...), a
    space or a non-ASCII character raises :class:`TokenFormatError`, one line
    naming ``where`` it was read (e.g. ``"X_BEARER_TOKEN (environment)"``) and
    the fix, never the token: sent as it is, the HTTP library's error would
    print it. Checked before any request.

    Parameters
    ----------
    token : str
        The candidate bearer token.
    where : str
        Where it was read, named in the error (e.g. ``"X_BEARER_TOKEN (environment)"``).

    Returns
    -------
    str
        ``token`` unchanged.

    Raises
    ------
    TokenFormatError
        If it holds a control character, a space or a non-ASCII character.

    Examples
    --------
    >>> check_token("AAAA%2Fabc", "X_BEARER_TOKEN (environment)")
    'AAAA%2Fabc'
    >>> check_token("AAAA\nabc", "X_BEARER_TOKEN (environment)")
    Traceback (most recent call last):
    ...
    analysis.collect.api.TokenFormatError: X_BEARER_TOKEN (environment) holds a line break, ...
    """
    bad = next((c for c in token if not "!" <= c <= "~"), None)
    if bad is None:
        return token
    if bad in "\r\n":
        what = "a line break"
    elif bad == " ":
        what = "a space"
    elif bad.isascii() or not bad.isprintable():
        what = "a control character"
    else:
        what = "a non-ASCII character"
    raise TokenFormatError(
        f"{where} holds {what}, which no bearer token has (it is printable ASCII, without "
        "spaces); set it again to the token alone, copied from your App's page in the X "
        "developer portal, without quotes or line breaks."
    )


def load_token(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> str:
    """Return the X API bearer token from the environment or a ``.env`` file.

    ``X_BEARER_TOKEN`` wins over ``TWITTER_BEARER_TOKEN``; the environment wins
    over ``.env`` (the current folder's, else the project's). Spaces and line
    breaks around the token are removed; one holding a control character, a
    space or a non-ASCII character inside raises :class:`TokenFormatError`
    (:func:`check_token`), naming the variable and where it was read. The
    token is never printed, logged or written anywhere.

    Parameters
    ----------
    environ : Mapping of str to str or None, optional
        The variables to read; None (default) reads ``os.environ``.
    dotenv : pathlib.Path or None, optional
        The ``.env`` file to read; None (default) tries the current folder's, then the
        project's.

    Returns
    -------
    str
        The token, stripped.

    Raises
    ------
    TokenFormatError
        If the token found holds a control character, a space or a non-ASCII character.
    TokenError
        If no token is found.

    Examples
    --------
    >>> load_token({"TWITTER_BEARER_TOKEN": "abc"}, dotenv=Path("/nonexistent"))
    'abc'
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    candidates = (
        [dotenv] if dotenv else [Path.cwd() / ".env", settings.notebooks_dir().parent / ".env"]
    )
    sources = [("environment", env), *((str(p), _read_dotenv(p)) for p in candidates)]
    for where, source in sources:
        for name in TOKEN_VARIABLES:
            if source.get(name, "").strip():
                return check_token(source[name].strip(), f"{name} ({where})")
    raise TokenError(
        "no X API bearer token: set X_BEARER_TOKEN in the environment or in a .env file "
        "(see .env.example)."
    )


class _RedactToken(logging.Filter):
    """tweepy logs request headers at DEBUG level: blank the token out of them."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the token in a log record's message by ``<redacted>``.

        Parameters
        ----------
        record : logging.LogRecord
            A tweepy log record.

        Returns
        -------
        bool
            Always True: the record is logged, redacted.
        """
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<redacted>"), ()
        return True


def request_timeouts() -> tuple[float, float]:
    """Return the ``(connect, read)`` timeouts of every request, in seconds, as set now.

    Examples
    --------
    >>> request_timeouts()
    (10, 60)
    """
    return CONNECT_TIMEOUT, READ_TIMEOUT


class _Session(requests.Session):
    """tweepy's HTTP session with a connect and read timeout on every request.

    tweepy sends none, so a server that accepts the connection and never answers
    would hang the run. A 429 whose ``x-rate-limit-reset`` is not an integer is
    raised here as :class:`tweepy.TooManyRequests` (tweepy's own parsing of it
    would raise a bare ``ValueError``).
    """

    def request(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send a request with :func:`request_timeouts` unless it names a timeout.

        Parameters
        ----------
        method : str
            The HTTP method.
        url : str or bytes
            The URL.
        *args : Any
            Passed to :meth:`requests.Session.request`.
        **kwargs : Any
            Passed to :meth:`requests.Session.request` (``timeout`` filled in if None).

        Returns
        -------
        requests.Response
            The response.

        Raises
        ------
        tweepy.TooManyRequests
            On a 429 whose ``x-rate-limit-reset`` header is not an integer.
        """
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = request_timeouts()
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 429:
            try:
                int(response.headers.get("x-rate-limit-reset", "0"))
            except ValueError:
                raise tweepy.TooManyRequests(response) from None
        return response


def use_timeouts(client: tweepy.Client) -> tweepy.Client:
    """Give ``client`` a session that sets :func:`request_timeouts` on every request.

    Done by :func:`make_client` and by :class:`~analysis.collect.Collector` for a
    client made elsewhere; a client that has it already is left as it is.

    Parameters
    ----------
    client : tweepy.Client
        A client, made here or elsewhere; its session is replaced in place.

    Returns
    -------
    tweepy.Client
        The same client.
    """
    if not isinstance(client.session, _Session):
        session = _Session()
        session.__dict__.update(client.session.__dict__)  # its adapters, proxies, headers...
        client.session = session
    return client


def make_client(token: str | None = None) -> tweepy.Client:
    """Return a :class:`tweepy.Client` for app-only (bearer token) access returning raw responses.

    The collector handles rate limits itself (``wait_on_rate_limit=False``) so it
    can show a countdown and store coverage; tweepy's debug log is redacted. The
    token is checked (:func:`check_token`) before the client exists, so before any
    request.

    Parameters
    ----------
    token : str or None, optional
        A bearer token; None (default) loads it with :func:`load_token`.

    Returns
    -------
    tweepy.Client
        The client, its requests with timeouts.

    Raises
    ------
    TokenError
        If no token is given or found, or it is malformed (:class:`TokenFormatError`).
    """
    token = check_token(token, "the bearer token given") if token else load_token()
    tweepy_log = logging.getLogger("tweepy.client")
    tweepy_log.filters = [f for f in tweepy_log.filters if not isinstance(f, _RedactToken)]
    tweepy_log.addFilter(_RedactToken(token))
    return use_timeouts(
        tweepy.Client(bearer_token=token, return_type=requests.Response, wait_on_rate_limit=False)
    )


def _page(response: requests.Response) -> dict:
    """Return the JSON object a response holds; :class:`_NotJSON` saying what it holds instead.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> _page(R(content=b'{"data": []}'))
    {'data': []}
    >>> try:
    ...     _page(R(content=b'{"data": ['))
    ... except _NotJSON as exc:
    ...     print(exc.what)
    JSON cut short
    """
    content = response.content or b""
    status = getattr(response, "status_code", 200)
    try:
        page = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        text = content.strip()
        if not text:
            what = "an empty body"
        elif text[:1] == b"<":
            what = "an HTML page"
        elif text[:1] in b"{[" and "unexpected end" in str(exc):
            what = "JSON cut short"
        else:
            what = "a body that is not JSON"
        raise _NotJSON(what, status) from None
    if not isinstance(page, dict):
        raise _NotJSON("JSON that is not an object", status)
    return page


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _first_message(exc: tweepy.HTTPException) -> str:
    text = exc.api_messages[0] if exc.api_messages else str(exc).splitlines()[0]
    return " ".join(str(text).split()).rstrip(".")
