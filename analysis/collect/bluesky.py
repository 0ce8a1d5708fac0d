"""Bluesky through the ``atproto`` package: posts, profiles, follows and feeds -> raw JSONL.

Requests go to the public AppView (``https://public.api.bsky.app``) without
credentials. When it refuses one (401/403: ``searchPosts`` may need a session),
the collector logs in with ``BLUESKY_HANDLE`` and ``BLUESKY_APP_PASSWORD``
(environment, else ``.env``; an app password, never the account's own; neither is
printed or stored) and asks again through the account's server. Each response is
kept whole (:mod:`analysis.collect.federated`); its ``cursor`` is the next page's.
Rate limits: a 429 waits until ``ratelimit-reset`` (epoch seconds), capped at
:data:`WINDOW`. The methods and their parameters are the documented XRPC ones:

=========================================  ====================================================
``collect bluesky search QUERY``           ``app.bsky.feed.searchPosts`` (q, since, until, lang,
                                           tag, sort=latest, limit 100)
``collect bluesky profiles HANDLE...``     ``app.bsky.actor.getProfiles`` (25 actors a request)
``collect bluesky followers HANDLE``       ``app.bsky.graph.getFollowers`` (limit 100)
``collect bluesky following HANDLE``       ``app.bsky.graph.getFollows`` (limit 100)
``collect bluesky feed HANDLE``            ``app.bsky.feed.getAuthorFeed`` (limit 100)
=========================================  ====================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.collect.api import TokenError
from analysis.collect.federated import Fetched, RateLimited, Retryable, Unavailable, read_env
from analysis.collect.jobs import Job, _api_time, _slug
from analysis.errors import UsageError
from analysis.platforms import BLUESKY

PUBLIC_APPVIEW = "https://public.api.bsky.app"
#: Where an app password logs in (the account's server answers app.bsky methods for it).
LOGIN_SERVICE = "https://bsky.social"
CREDENTIALS = ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD")
#: The longest rate-limit wait (s): Bluesky's windows are 5 minutes.
WINDOW = 300
SEARCH, PROFILES = "app.bsky.feed.searchPosts", "app.bsky.actor.getProfiles"
FOLLOWERS, FOLLOWING = "app.bsky.graph.getFollowers", "app.bsky.graph.getFollows"
FEED = "app.bsky.feed.getAuthorFeed"
#: Command word -> XRPC method, and the kind of page each makes.
METHODS = {
    "search": SEARCH,
    "profiles": PROFILES,
    "followers": FOLLOWERS,
    "following": FOLLOWING,
    "feed": FEED,
}
_KINDS = {
    SEARCH: "tweets",
    FEED: "tweets",
    PROFILES: "users",
    FOLLOWERS: "followers",
    FOLLOWING: "following",
}
_LISTS = {
    SEARCH: "posts",
    FEED: "feed",
    PROFILES: "profiles",
    FOLLOWERS: "followers",
    FOLLOWING: "follows",
}
#: XRPC error names meaning the account is not served, and the coverage's reason.
_GONE = {
    "ActorNotFound": "not_found",
    "NotFound": "not_found",
    "AccountTakedown": "suspended",
    "AccountDeactivated": "deactivated",
    "BlockedActor": "blocked",
    "BlockedByActor": "blocked",
}
PROFILES_BATCH = 25


def search_job(
    query: str,
    since: str | None = None,
    until: str | None = None,
    lang: str | None = None,
    tags: list[str] | None = None,
    max_posts: int | None = None,
) -> Job:
    """Return a Bluesky post search (``app.bsky.feed.searchPosts``), newest first.

    ``since``/``until``: ISO dates or times; ``until`` as a date includes that whole day.

    Parameters
    ----------
    query : str
        The search words or ``#tags``; not blank.
    since : str or None, optional
        Earliest post time, an ISO date or time; None (default) for no bound.
    until : str or None, optional
        Latest post time, an ISO date (the whole day included) or time; None (default) for no
        bound.
    lang : str or None, optional
        Language code the posts must have (``fr``); None (default) for any.
    tags : list of str or None, optional
        Hashtags every post must carry, without ``#``; None (default) for none.
    max_posts : int or None, optional
        Most posts collected; None (default) for no limit.

    Returns
    -------
    Job
        A one-unit ``app.bsky.feed.searchPosts`` job.

    Raises
    ------
    analysis.errors.UsageError
        If ``query`` is blank.

    Examples
    --------
    >>> search_job("#MedSky", since="2024-01-01").units
    [{'query': '#MedSky', 'since': '2024-01-01T00:00:00Z'}]
    """
    if not query.strip():
        raise UsageError("an empty Bluesky search; give words or #tags to search for.")
    unit = {
        "query": query,
        "since": _api_time(since),
        "until": _api_time(until, end=True),
        "lang": lang,
        "tags": list(tags or []) or None,
    }
    return Job(SEARCH, [{k: v for k, v in unit.items() if v is not None}], max_posts, _slug(query))


def accounts_job(what: str, handles: list[str], max_items: int | None = None) -> Job:
    """Return a profiles, followers, following or feed job for Bluesky handles (or DIDs).

    Parameters
    ----------
    what : str
        ``"profiles"``, ``"followers"``, ``"following"`` or ``"feed"``.
    handles : list of str
        Bluesky handles (``dr-a.bsky.social``, a leading ``@`` allowed) or DIDs.
    max_items : int or None, optional
        Most items collected per account; None (default) for no limit.

    Returns
    -------
    Job
        The job: profiles in batches of 25, the other methods one unit per account.

    Raises
    ------
    analysis.errors.UsageError
        If no handle is given.

    Examples
    --------
    >>> accounts_job("profiles", ["@dr-a.bsky.social"]).units
    [{'actors': ['dr-a.bsky.social']}]
    """
    names = [h.strip().lstrip("@") for h in handles if h.strip().lstrip("@")]
    if not names:
        raise UsageError(
            f"no Bluesky account given for {what}; name a handle such as dr-a.bsky.social or a DID."
        )
    method = METHODS[what]
    units: list[dict[str, object]]
    if method == PROFILES:
        units = [
            {"actors": names[i : i + PROFILES_BATCH]} for i in range(0, len(names), PROFILES_BATCH)
        ]
    else:
        units = [{"account": n} for n in names]
    label = _slug(names[0]) + (f"-and-{len(names) - 1}" if len(names) > 1 else "")
    return Job(method, units, max_items, label)


class BlueskySource:
    """Requests to Bluesky through an ``atproto`` client (see the module docstring).

    Parameters
    ----------
    client : atproto.Client or None, optional
        The client requests go through; None (default) makes one on the public AppView.
    environ : dict or None, optional
        The variables credentials are read from, when a method needs them (None: the environment).
    dotenv : pathlib.Path or None, optional
        The ``.env`` file read for the credentials missing from ``environ`` (None: ``./.env``).
    """

    platform = BLUESKY
    label = "Bluesky"
    reset_header = "ratelimit-reset"
    window = WINDOW

    def __init__(
        self, client: Any = None, environ: dict | None = None, dotenv: Path | None = None
    ) -> None:
        # Imported here: atproto takes 2 to 4 s to import, which X and Mastodon runs need not pay.
        from atproto import Client

        self._client = client or Client(base_url=PUBLIC_APPVIEW)
        self._environ, self._dotenv = environ, dotenv
        self._logged_in = False

    def __repr__(self) -> str:
        """Show the source without its credentials."""
        return "BlueskySource()"

    def _login(self) -> None:
        from atproto import Client  # imported here: see __init__ (2 to 4 s)
        from atproto_client.exceptions import AtProtocolError

        found = read_env(CREDENTIALS, self._environ, self._dotenv)
        if len(found) < 2:
            raise TokenError(
                "Bluesky asks for a login for this request: set BLUESKY_HANDLE and "
                "BLUESKY_APP_PASSWORD (an app password, from Settings > App passwords) in the "
                "environment or in .env."
            )
        client = Client(base_url=LOGIN_SERVICE)
        try:
            client.login(
                found["BLUESKY_HANDLE"], found["BLUESKY_APP_PASSWORD"], fetch_bsky_profile=False
            )
        except AtProtocolError:
            raise TokenError(
                "Bluesky refused the login of BLUESKY_HANDLE with BLUESKY_APP_PASSWORD; check "
                "both (an app password, not the account's password)."
            ) from None
        self._client, self._logged_in = client, True

    def _params(self, method: str, unit: dict, cursor: str | None) -> Any:
        from atproto import models  # imported here: see __init__ (2 to 4 s)

        if method == SEARCH:
            return models.AppBskyFeedSearchPosts.Params(
                q=unit["query"],
                sort="latest",
                since=unit.get("since"),
                until=unit.get("until"),
                lang=unit.get("lang"),
                tag=unit.get("tags"),
                limit=100,
                cursor=cursor,
            )
        if method == PROFILES:
            return models.AppBskyActorGetProfiles.Params(actors=unit["actors"])
        model = {
            FOLLOWERS: models.AppBskyGraphGetFollowers,
            FOLLOWING: models.AppBskyGraphGetFollows,
            FEED: models.AppBskyFeedGetAuthorFeed,
        }[method]
        return model.Params(actor=unit["account"], limit=100, cursor=cursor)

    def fetch(self, endpoint: str, unit: dict, cursor: str | None) -> Fetched:
        """One response of ``endpoint`` (an XRPC method) for ``unit``, from ``cursor``.

        Parameters
        ----------
        endpoint : str
            The XRPC method (``app.bsky.feed.searchPosts``...).
        unit : dict
            One unit of the job (its query, actors or account).
        cursor : str or None
            The cursor of the previous response; None for the first page.

        Returns
        -------
        Fetched
            The response body with provenance, its headers, next cursor, item count and kind.

        Raises
        ------
        RateLimited
            On a rate limit (with the reset time).
        Retryable
            On a network or server error.
        Unavailable
            When the account or post is not served.
        analysis.collect.api.TokenError
            When Bluesky refuses the logged-in account.
        analysis.errors.UsageError
            When Bluesky rejects the request (a bad query, date or handle).
        """
        from atproto_client import exceptions as ex  # imported here: see __init__ (2 to 4 s)

        params = self._params(endpoint, unit, cursor)
        try:
            response = self._client.invoke_query(endpoint, params=params)
        except ex.RateLimitExceededError as exc:
            raise RateLimited(_header(exc, "ratelimit-reset")) from None
        except ex.UnauthorizedError as exc:
            if self._logged_in:
                raise TokenError(
                    f"Bluesky refused {endpoint} for the logged-in account "
                    f"({_message(exc)}); check BLUESKY_HANDLE's access."
                ) from None
            self._login()
            return self.fetch(endpoint, unit, cursor)
        except ex.BadRequestError as exc:
            error = _error_name(exc)
            if error in _GONE or "not found" in _message(exc).lower():
                raise Unavailable(_GONE.get(error or "", "not_found")) from None
            raise UsageError(
                f"Bluesky rejected {endpoint} (400 {error}: {_message(exc)}); "
                "check the query, dates and handles."
            ) from None
        except (ex.InvokeTimeoutError, ex.NetworkError) as exc:
            raise Retryable(f"Bluesky network error ({_status(exc)})") from None
        except ex.RequestException as exc:
            status = _status(exc)
            if isinstance(status, int) and status >= 500:
                raise Retryable(f"Bluesky server error {status}") from None
            if status == 404:
                raise Unavailable("not_found") from None
            raise UsageError(
                f"Bluesky answered {status} to {endpoint} ({_message(exc)})."
            ) from None
        body = response.content
        if not isinstance(body, dict):
            raise Retryable(f"Bluesky answered {response.status_code} without a JSON object")
        listed = body.get(_LISTS[endpoint])
        kept = {k: v for k, v in unit.items() if k != "tags"} | (
            {"tag": unit["tags"]} if unit.get("tags") else {}
        )
        return Fetched(
            body=body,
            headers=dict(response.headers),
            next_cursor=body.get("cursor") or None,
            items=len(listed) if isinstance(listed, list) else 0,
            kind=_KINDS[endpoint],
            params=kept,
        )


def _response(exc: Exception) -> Any:
    return getattr(exc, "response", None)


def _status(exc: Exception) -> int | str:
    response = _response(exc)
    return getattr(response, "status_code", None) or "no answer"


def _header(exc: Exception, name: str) -> str | None:
    headers = getattr(_response(exc), "headers", None) or {}
    return headers.get(name)


def _error_name(exc: Exception) -> str | None:
    content = getattr(_response(exc), "content", None)
    return getattr(content, "error", None)


def _message(exc: Exception) -> str:
    content = getattr(_response(exc), "content", None)
    message = getattr(content, "message", None) or getattr(content, "error", None) or ""
    return str(message)[:200]
