"""The X API side of batch compliance: create a job, upload ids, poll, download the results.

:func:`run_compliance_job` follows the five documented steps (see
:mod:`analysis.compliance`, which decides what to do with the results). The
job calls go through tweepy's client (:func:`analysis.collect.api.make_client`);
the upload and the download go to the job's signed storage URLs with
``requests``, under the same connect and read timeouts as every other request
(:func:`analysis.collect.api.request_timeouts`), so a storage server that never
answers stops the job with one line instead of hanging.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import requests
import tweepy

from analysis.collect import api
from analysis.errors import MedtwitterError


class ComplianceError(MedtwitterError):
    """A compliance job that cannot run or did not complete."""


def make_client(token: str | None = None) -> tweepy.Client:
    """Return a tweepy v2 client: the token from ``token``, ``$X_BEARER_TOKEN`` or ``.env``.

    The same client as :mod:`analysis.collect` uses (its debug log never shows the token).

    Parameters
    ----------
    token : str or None, optional
        A bearer token; None (default) reads ``X_BEARER_TOKEN`` or ``.env``.

    Returns
    -------
    tweepy.Client
        The app-only client.
    """
    return api.make_client(token or api.load_token())


def _data(response: Any) -> dict:
    if hasattr(response, "json") and not isinstance(response, dict):  # a raw requests.Response
        try:
            response = response.json()
        except ValueError:
            response = {}
    data = response.get("data") if isinstance(response, dict) else getattr(response, "data", None)
    if not isinstance(data, dict):
        raise ComplianceError("the compliance endpoint returned no job; try again later.")
    return data


def _api(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
    try:
        return _data(call(*args, **kwargs))
    except tweepy.TooManyRequests as exc:
        raise ComplianceError(
            "the X API rate limit for compliance jobs is reached; wait 15 minutes and run again."
        ) from exc
    except tweepy.HTTPException as exc:
        status = getattr(exc.response, "status_code", "?")
        raise ComplianceError(
            f"the X API refused the compliance request (HTTP {status}); check that your App's "
            f"access level includes the batch compliance endpoints and that the token is current."
        ) from exc


def _transfer(
    method: Callable[..., requests.Response], url: str, job: dict, what: str, **kwargs: Any
) -> requests.Response:
    """Call ``method`` (a session's put or get) on a signed storage URL, with timeouts; one line on failure."""
    try:
        return method(url, timeout=api.request_timeouts(), **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        if isinstance(exc, requests.Timeout):
            connect, read = api.request_timeouts()
            kind = f"got no answer within {connect:g} s to connect or {read:g} s to read"
        else:
            kind = "lost its connection"
        raise ComplianceError(
            f"{what} of compliance job {job['id']} {kind} (storage server {url.split('/')[2]}); "
            "check the network and run the command again."
        ) from exc


def run_compliance_job(
    client: tweepy.Client,
    kind: str,
    ids: Iterable[int | str],
    *,
    name: str | None = None,
    poll_every: float = 30.0,
    timeout: float = 6 * 3600,
    sleep: Callable[[float], None] = time.sleep,
    session: requests.Session | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Run one batch compliance job (``kind``: ``tweets`` or ``users``); return its results.

    Parameters
    ----------
    client : tweepy.Client
        The X API client that creates and polls the job.
    kind : str
        ``"tweets"`` or ``"users"``: what the ids are.
    ids : Iterable of int or str
        The tweet or account ids to check.
    name : str or None, optional
        A name for the job on X's side; None (default) for none.
    poll_every : float, default 30.0
        Seconds between two polls of the job's status.
    timeout : float, default 21600
        Seconds to wait for the job to complete (6 hours).
    sleep : callable, default time.sleep
        Waits between polls (replaced in tests).
    session : requests.Session or None, optional
        The session that uploads the ids and downloads the results; None (default) for a new
        one.
    log : callable or None, optional
        Called with a line at each poll; None (default) for silence.

    Returns
    -------
    list of dict
        One result per id the API reports (``id``, ``action``, ``reason``...).

    Raises
    ------
    ComplianceError
        If ``kind`` is unknown, a transfer fails, or the job fails, expires or times out.

    Examples
    --------
    >>> results = run_compliance_job(make_client(), "tweets", [1460323737035677698])  # doctest: +SKIP
    """
    if kind not in ("tweets", "users"):
        raise ComplianceError(f"compliance job type {kind!r} is unknown; use tweets or users.")
    session = session or requests.Session()
    job = _api(client.create_compliance_job, type=kind, name=name)
    body = "".join(f"{i}\n" for i in ids).encode("ascii")
    up = _transfer(
        session.put,
        job["upload_url"],
        job,
        "uploading the ids",
        data=body,
        headers={"Content-Type": "text/plain"},
    )
    if not up.ok:
        raise ComplianceError(
            f"uploading the ids of compliance job {job['id']} failed (HTTP {up.status_code}); "
            f"the upload URL expires after 15 minutes, so run the command again."
        )
    waited = 0.0
    while True:
        job = _api(client.get_compliance_job, job["id"])
        status = job.get("status")
        if status == "complete":
            break
        if status in ("failed", "expired"):
            raise ComplianceError(
                f"compliance job {job['id']} is {status}; run the command again to start a new one."
            )
        if waited >= timeout:
            raise ComplianceError(
                f"compliance job {job['id']} still {status} after {timeout:.0f} s; run the "
                f"command again later (X keeps results for a week)."
            )
        if log:
            log(f"compliance job {job['id']} ({kind}): {status}, waited {waited:.0f} s")
        sleep(poll_every)
        waited += poll_every
    down = _transfer(session.get, job["download_url"], job, "downloading the results")
    if not down.ok:
        raise ComplianceError(
            f"downloading the results of compliance job {job['id']} failed (HTTP "
            f"{down.status_code}); the download URL expires after a week, run the command again."
        )
    results = []
    for line in down.content.splitlines():
        if line.strip():
            results.append(orjson.loads(line))
    return results
