"""Mastodon through ``Mastodon.py``: hashtag timelines, statuses, follows, accounts -> raw JSONL.

One instance is asked (``--instance URL``); ``MASTODON_ACCESS_TOKEN`` (environment,
else ``.env``; never printed or stored) is sent when set, for instances that want
one. Requests go through Mastodon.py's request helper (its session, timeouts,
bearer token and error classes), asked for the response object so that each body is
kept whole with its ``Link`` header (:mod:`analysis.collect.federated`). Pages
follow the ``Link: <...>; rel="next"`` header (its ``max_id``); a 429 waits until
``X-RateLimit-Reset`` as Mastodon.py read it. The documented endpoints:

===============================================  =============================================
``collect mastodon --instance URL tag TAG``      ``GET /api/v1/timelines/tag/:hashtag`` (40)
``… statuses ACCOUNT``                           ``GET /api/v1/accounts/:id/statuses`` (40)
``… followers ACCOUNT`` / ``following ACCOUNT``  ``GET /api/v1/accounts/:id/followers`` (80) /
                                                 ``…/following``
``… accounts ACCOUNT...``                        ``GET /api/v1/accounts/lookup?acct=``
===============================================  =============================================

An account is ``user@instance`` (or ``user``, on the instance asked) and is looked up
once a run (``/api/v1/accounts/lookup``). An instance knows only the followers of a
remote account that are known to it: such lists, and lists an account hides, are
marked partial in the coverage summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from analysis.collect.api import AccessError, TokenError
from analysis.collect.federated import Fetched, RateLimited, Retryable, Unavailable, read_env
from analysis.collect.jobs import Job, _slug
from analysis.errors import UsageError
from analysis.formats_mastodon import full_acct, instance_host
from analysis.platforms import MASTODON

TOKEN_VARIABLE = "MASTODON_ACCESS_TOKEN"
#: The longest rate-limit wait (s): Mastodon's windows are 5 minutes.
WINDOW = 300
_PAGE_SIZE = {"tag": 40, "statuses": 40, "followers": 80, "following": 80}
_KINDS = {
    "tag": "tweets",
    "statuses": "tweets",
    "accounts": "users",
    "followers": "followers",
    "following": "following",
}


def _instance(url: str) -> str:
    try:
        host = instance_host(url)
    except ValueError:
        raise UsageError(
            f"--instance {url!r} is not an instance URL; give one such as https://mastodon.social."
        ) from None
    return f"https://{host}"


def tag_job(instance: str, tag: str, max_items: int | None = None) -> Job:
    """Return the public timeline of a hashtag on ``instance``.

    Parameters
    ----------
    instance : str
        The instance's URL or host (``https://mastodon.social``, ``piaille.fr``).
    tag : str
        The hashtag, with or without ``#``; no spaces or ``/?#&``.
    max_items : int or None, optional
        Most statuses collected; None (default) for no limit.

    Returns
    -------
    Job
        A one-unit ``tag`` job.

    Raises
    ------
    analysis.errors.UsageError
        If ``tag`` is not a hashtag or ``instance`` not an instance URL.

    Examples
    --------
    >>> tag_job("mastodon.social", "#MedMastodon").units
    [{'instance': 'https://mastodon.social', 'tag': 'MedMastodon'}]
    """
    name = tag.strip().lstrip("#")
    if not name or any(c.isspace() or c in "/?#&" for c in name):
        raise UsageError(f"{tag!r} is not a hashtag; give one such as MedMastodon.")
    return Job("tag", [{"instance": _instance(instance), "tag": name}], max_items, _slug(name))


def accounts_job(
    instance: str, what: str, accounts: list[str], max_items: int | None = None
) -> Job:
    """Return a statuses, followers, following or accounts job (one unit an account).

    Parameters
    ----------
    instance : str
        The instance's URL or host (``https://mastodon.social``, ``piaille.fr``).
    what : str
        ``"statuses"``, ``"followers"``, ``"following"`` or ``"accounts"``.
    accounts : list of str
        Accounts as ``user@instance`` or ``user`` (local to ``instance``), ``@`` allowed.
    max_items : int or None, optional
        Most items collected per account; None (default) for no limit.

    Returns
    -------
    Job
        The job, one unit per account (``user@instance`` in full).

    Raises
    ------
    analysis.errors.UsageError
        If an account cannot be read, none is given, or ``instance`` is not an instance URL.

    Examples
    --------
    >>> accounts_job("https://piaille.fr", "followers", ["@dr_a"]).units
    [{'instance': 'https://piaille.fr', 'account': 'dr_a@piaille.fr'}]
    """
    url = _instance(instance)
    host = instance_host(url)
    units = []
    for account in accounts:
        try:
            units.append({"instance": url, "account": full_acct(account.strip(), host)})
        except ValueError:
            raise UsageError(
                f"{account!r} is not a Mastodon account; give user@instance or user."
            ) from None
    if not units:
        raise UsageError(f"no Mastodon account given for {what}.")
    label = _slug(units[0]["account"]) + (f"-and-{len(units) - 1}" if len(units) > 1 else "")
    return Job(what, units, max_items, label)


class MastodonSource:
    """Requests to one Mastodon instance through a ``Mastodon.py`` client.

    Parameters
    ----------
    instance : str
        The instance URL.
    client : mastodon.Mastodon or None, optional
        The client requests go through; None (default) makes one for ``instance``, with the
        token if set.
    environ : dict or None, optional
        The variables ``MASTODON_ACCESS_TOKEN`` is read from (None: the environment).
    dotenv : pathlib.Path or None, optional
        The ``.env`` file read when ``environ`` lacks the token (None: ``./.env``).
    """

    platform = MASTODON
    label = "Mastodon"
    reset_header = "X-RateLimit-Reset"
    window = WINDOW

    def __init__(
        self,
        instance: str,
        client: Any = None,
        environ: dict | None = None,
        dotenv: Path | None = None,
    ) -> None:
        # Imported here: Mastodon.py takes 0.2 to 0.4 s, which X and Bluesky runs need not pay.
        from mastodon import Mastodon

        self.instance = _instance(instance)
        self.host = instance_host(self.instance)
        token = read_env((TOKEN_VARIABLE,), environ, dotenv).get(TOKEN_VARIABLE)
        self.has_token = token is not None
        self._last: requests.Response | None = (
            None  # the last response (its X-RateLimit-Reset, on a 429)
        )
        session = requests.Session()
        session.hooks["response"].append(self._note_response)
        self._client: Any = client or Mastodon(  # or a test double
            api_base_url=self.instance,
            access_token=token,
            ratelimit_method="throw",
            request_timeout=60,
            version_check_mode="none",
            session=session,
        )
        self._accounts: dict[str, dict] = {}

    def __repr__(self) -> str:
        """Show the instance, never the access token."""
        return f"MastodonSource({self.instance!r})"

    def _note_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _get(self, path: str, params: dict) -> requests.Response:
        """One GET through Mastodon.py's request helper: the response object (body unparsed)."""
        from mastodon import errors as er  # imported here: see __init__

        request = self._client._Mastodon__api_request  # noqa: SLF001 (the raw response)
        try:
            return request("GET", path, dict(params), return_response_object=True)
        except er.MastodonRatelimitError:
            headers: Mapping[str, str] = self._last.headers if self._last is not None else {}
            raise RateLimited(_epoch(headers.get("X-RateLimit-Reset"))) from None
        except er.MastodonNotFoundError:
            raise Unavailable("not_found") from None
        except er.MastodonUnauthorizedError:
            raise TokenError(
                f"{self.host} refused the request (401): set {TOKEN_VARIABLE} to an access "
                "token of an account on that instance (Preferences > Development), in the "
                "environment or in .env."
                if not self.has_token
                else f"{self.host} refused {TOKEN_VARIABLE} (401); check the token."
            ) from None
        except (er.MastodonServerError, er.MastodonNetworkError, er.MastodonReadTimeout) as exc:
            raise Retryable(_short(exc)) from None
        except er.MastodonAPIError as exc:
            status = exc.args[1] if len(exc.args) > 1 else None
            if status == 410:
                raise Unavailable("suspended") from None
            if status == 403:
                raise AccessError(
                    f"{self.host} refused {path} (403: {_short(exc)}); the "
                    f"instance may require {TOKEN_VARIABLE}."
                ) from None
            raise UsageError(f"{self.host} rejected {path} ({status}: {_short(exc)}).") from None

    def _account(self, acct: str) -> dict:
        if acct not in self._accounts:
            response = self._get("/api/v1/accounts/lookup", {"acct": acct})
            self._accounts[acct] = _json_object(response)
        return self._accounts[acct]

    def fetch(self, endpoint: str, unit: dict, cursor: str | None) -> Fetched:
        """One response of ``endpoint`` for ``unit``, from ``cursor`` (a ``max_id``).

        Parameters
        ----------
        endpoint : str
            ``"tag"``, ``"statuses"``, ``"followers"``, ``"following"`` or ``"accounts"``.
        unit : dict
            One unit of the job (its ``tag`` or ``account``).
        cursor : str or None
            The ``max_id`` of the next page; None for the first page.

        Returns
        -------
        Fetched
            The response (with the account it is about), its headers, the next ``max_id``, the
            item count, kind and, for a partial follow list, why.

        Raises
        ------
        RateLimited
            On a rate limit (with the reset time).
        Retryable
            On a network or server error, or an answer without a JSON array.
        Unavailable
            When the account is not found or suspended.
        """
        params = {"instance": self.instance}
        if endpoint == "tag":
            params["tag"] = unit["tag"]
            subject, path = None, f"/api/v1/timelines/tag/{unit['tag']}"
        else:
            params["account"] = unit["account"]
            subject = self._account(unit["account"])
            if endpoint == "accounts":
                return Fetched({"response": subject}, {}, None, 1, "users", params)
            path = f"/api/v1/accounts/{subject['id']}/{endpoint}"
        query = {"limit": _PAGE_SIZE[endpoint], **({"max_id": cursor} if cursor else {})}
        response = self._get(path, query)
        try:
            body = response.json()
        except ValueError:
            raise Retryable(f"{self.host} answered {response.status_code} without JSON") from None
        if not isinstance(body, list):
            raise Retryable(f"{self.host} answered {path} without a JSON array")
        nxt = response.links.get("next", {}).get("url") if body else None
        max_ids = parse_qs(urlsplit(nxt).query).get("max_id") if nxt else None
        cursor_next = max_ids[0] if max_ids else None
        line = {
            "response": body,
            **({"subject": subject} if subject else {}),
            **({"link": response.headers["Link"]} if "Link" in response.headers else {}),
        }
        return Fetched(
            line,
            dict(response.headers),
            cursor_next,
            len(body),
            _KINDS[endpoint],
            params,
            self._partial(endpoint, subject, body, cursor),
        )

    def _partial(
        self, endpoint: str, subject: dict | None, body: list, cursor: str | None
    ) -> str | None:
        """Why a follower or following list from this instance is incomplete, if it is."""
        if endpoint not in ("followers", "following") or subject is None:
            return None
        acct = full_acct(subject.get("acct", "?"), self.host)
        if not acct.endswith("@" + self.host):
            return (
                f"{acct} is remote: {self.host} lists only the accounts it knows "
                f"(ask the account's own instance for the whole list)"
            )
        total = subject.get(f"{endpoint}_count")
        if not body and cursor is None and isinstance(total, int) and total > 0:
            return f"{acct} hides its {endpoint} (the profile counts {total})"
        return None


def _epoch(reset: str | None) -> str | None:
    """``X-RateLimit-Reset`` (an ISO 8601 time) as epoch seconds; the value itself if not a time.

    Examples
    --------
    >>> _epoch("2023-11-14T22:13:40.000Z"), _epoch("soon"), _epoch(None)
    ('1700000020', 'soon', None)
    """
    if reset is None:
        return None
    try:
        when = datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
    except ValueError:
        return reset
    return str(int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()))


def _json_object(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise Retryable("Mastodon answered without JSON") from None
    if not isinstance(body, dict):
        raise Retryable("Mastodon answered an account lookup without a JSON object")
    return body


def _short(exc: Exception) -> str:
    """Return the message of a Mastodon.py error (its last argument), one line."""
    args = [a for a in exc.args if a]
    return " ".join(str(args[-1]).split())[:200] if args else type(exc).__name__
