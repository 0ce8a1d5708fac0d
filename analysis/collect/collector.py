"""The collector: runs jobs resumably, waits out rate limits, retries, counts what it misses."""

from __future__ import annotations

import logging
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
import requests
import tweepy
from tqdm import tqdm  # not tqdm.auto: no widget warning when a notebook imports this
from urllib3.exceptions import ReadTimeoutError

from analysis import __version__, settings
from analysis.collect import api
from analysis.collect.api import (
    _ACCESS_HINT,
    ENDPOINTS,
    TWEET_EXPANSIONS,
    TWEET_FIELDS,
    USER_EXPANSIONS,
    USER_FIELDS,
    AccessError,
    CollectError,
    StoppedEarly,
    TokenError,
    _first_message,
    _json,
    _NotJSON,
    _page,
    _Unavailable,
    use_timeouts,
)
from analysis.collect.jobs import CollectionResult, Job, _is_id, _utc_now
from analysis.collect.state import (
    _add_items,
    _empty_coverage,
    _error_reason,
    _find_unfinished,
    _new_output,
    _Position,
    _write_state,
    read_state,
    recover_output,
)
from analysis.errors import UsageError
from analysis.outputs import check_out_file

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- collector


class Collector:
    """Runs :class:`Job` objects against the X API v2, resumably and politely.

    Every request has a connect and a read timeout (:data:`~analysis.collect.api.CONNECT_TIMEOUT`,
    :data:`~analysis.collect.api.READ_TIMEOUT`). A 5xx, a connection error, a timeout and a
    2xx whose body is not JSON are retried with back-off, ``max_retries`` times, then stop
    the run with :class:`StoppedEarly` (what was written is kept; a rerun resumes). A 429
    waits for ``x-rate-limit-reset``, capped at the endpoint's 15-minute window when the
    reset is further away, missing or not a number. A pagination token the API sends a
    second time for the same unit stops the run before any duplicate page is written.

    Parameters
    ----------
    client : tweepy.Client
        A :class:`tweepy.Client` (see :func:`make_client`); one made elsewhere is given
        the timeouts (:func:`~analysis.collect.api.use_timeouts`).
    wait_on_rate_limit : bool, default True
        Wait for the window's reset on 429 (else stop, resumable).
    max_retries : int, default 5
        Retries on 5xx, connection errors, timeouts and bodies that are not JSON.
    backoff : float, default 2.0
        First back-off delay, in seconds (it grows at each retry).
    max_backoff : float, default 300.0
        Largest back-off delay, in seconds.
    seed : int or None, optional
        Seed of the back-off jitter (None: :data:`analysis.settings.SEED`, read now).
    sleep : callable or None, optional
        Waits the given seconds (None: time.sleep); injectable for tests.
    clock : callable, default time.time
        Returns the time in seconds since the epoch; injectable for tests.
    progress : bool, default True
        Show tqdm bars (the rate-limit countdown included).
    """

    def __init__(
        self,
        client: tweepy.Client,
        *,
        wait_on_rate_limit: bool = True,
        max_retries: int = 5,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        seed: int | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        progress: bool = True,
    ) -> None:
        self.client = use_timeouts(client)
        self.wait_on_rate_limit = wait_on_rate_limit
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rng = random.Random(settings.SEED if seed is None else seed)
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))  # looked up at call time
        self.clock = clock
        self.progress = progress
        self.remaining: str | None = None  # requests left in the window, from the last response
        self._last_request = float("-inf")

    def __repr__(self) -> str:  # never show the client (it holds the token)
        """Show the settings, never the client (it holds the token)."""
        return f"Collector(wait_on_rate_limit={self.wait_on_rate_limit}, max_retries={self.max_retries})"

    # ---- HTTP with rate limits and retries

    def _notice(self, message: str) -> None:
        if self.progress:
            tqdm.write(message, file=sys.stderr)
        log.info(message)

    def _wait_for_reset(self, endpoint: str, reset: str | None, coverage: dict) -> None:
        now = self.clock()
        window = ENDPOINTS[endpoint].rate_window
        reset_at = _reset_time(reset)
        coverage["rate_limit_waits"] += 1
        if reset_at is None or reset_at - now > window:
            wait = window
            until = datetime.fromtimestamp(now + wait, UTC).strftime("%H:%M:%S UTC")
            self._notice(
                f"rate limit reached; the X API sent {_describe_reset(reset, reset_at)}: "
                f"waiting the endpoint's {window // 60}-minute window instead, {wait} s, "
                f"until {until}"
            )
        else:
            wait = max(0, int(reset_at - now)) + 1
            until = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
            self._notice(f"rate limit reached: waiting {wait} s, until {until}")
        if not self.progress:
            self.sleep(wait)
            return
        with tqdm(
            total=wait,
            desc="rate limit: waiting",
            unit="s",
            leave=False,
            bar_format="{desc} {remaining} left |{bar}|",
        ) as bar:
            for _ in range(wait):
                self.sleep(1)
                bar.update(1)

    def _call(self, endpoint: str, params: dict, coverage: dict) -> dict:
        """One page of ``endpoint``, as the JSON object the API returned, retried as needed."""
        spec = ENDPOINTS[endpoint]
        attempt = 0
        while True:
            coverage["requests"] += 1
            gap = spec.min_interval - (self.clock() - self._last_request)
            if gap > 0:
                self.sleep(gap)
            self._last_request = self.clock()
            try:
                response = getattr(self.client, spec.method)(**params)
                self.remaining = response.headers.get("x-rate-limit-remaining")
                return _page(response)
            except tweepy.TooManyRequests as exc:
                reset = exc.response.headers.get("x-rate-limit-reset")
                if not self.wait_on_rate_limit:
                    coverage["stopped_early"] = "rate-limited (not waiting for the reset)"
                    raise StoppedEarly(
                        "rate limit reached and --no-wait given; rerun the same command after "
                        "the window resets to continue where it stopped."
                    ) from None
                self._wait_for_reset(endpoint, reset, coverage)
            except _RETRIED as exc:
                what, stop, fix = _retry_reason(exc)
                if attempt >= self.max_retries:
                    coverage["stopped_early"] = f"{what} after {attempt} retries"
                    raise StoppedEarly(
                        f"{stop} after {attempt} retries; {fix} to continue where it stopped."
                    ) from None
                delay = min(self.max_backoff, self.backoff * 2**attempt)
                delay *= 0.5 + self.rng.random()  # jitter: 0.5x to 1.5x
                attempt += 1
                coverage["retries"] += 1
                self._notice(f"{what}: retry {attempt}/{self.max_retries} in {delay:.0f} s")
                self.sleep(delay)
            except tweepy.Unauthorized:
                coverage["stopped_early"] = "401 Unauthorized"
                raise TokenError(
                    "the X API refused the bearer token (401 Unauthorized); check that "
                    "X_BEARER_TOKEN holds your App's current bearer token."
                ) from None
            except tweepy.Forbidden as exc:
                body = _json(exc.response)
                kind = str(body.get("type", "")).rsplit("/", 1)[-1]
                if kind == "not-authorized-for-resource":
                    raise _Unavailable("protected", _first_message(exc)) from None
                coverage["stopped_early"] = "403 Forbidden"
                lacks = _ACCESS_HINT.get(endpoint, f"the {endpoint} endpoint")
                raise AccessError(
                    f"the X API refused {endpoint} (403 Forbidden: {_first_message(exc)}); "
                    f"your token's access level may lack {lacks}: check the App's plan."
                ) from None
            except tweepy.NotFound as exc:
                raise _Unavailable("not_found", _first_message(exc)) from None
            except tweepy.BadRequest as exc:
                coverage["stopped_early"] = "400 Bad Request"
                raise UsageError(
                    f"the X API rejected the request (400: {_first_message(exc)}); "
                    "check the query, dates and accounts."
                ) from None

    # ---- jobs

    def _params(self, job: Job, unit: dict, token: str | None, items: int) -> dict:
        spec = ENDPOINTS[job.endpoint]
        params: dict = {}
        if spec.kind == "tweets":
            params.update(
                expansions=TWEET_EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS
            )
        elif spec.kind == "users":
            params.update(
                expansions=USER_EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS
            )
        if job.endpoint in ("followers", "following", "timeline"):
            params["id"] = unit["user_id"]
        else:
            params.update({k: v for k, v in unit.items() if k != "account"})
        if _too_recent(params.get("end_time"), self.clock()):
            del params["end_time"]  # the API wants end_time 10 s in the past; none means "now"
        if spec.page_size:
            size = spec.page_size
            if job.max_items:
                size = max(spec.min_page_size, min(size, job.max_items - items))
            params["max_results"] = size
        if token:
            params[spec.token_param] = token
        return params

    def _resolve(self, job: Job, state: dict) -> None:
        """Turn the accounts of a followers/following/timeline job into user ids (once)."""
        if state.get("units") is not None:
            return
        accounts = [u["account"] for u in job.units]
        names = [a for a in accounts if not _is_id(a)]
        ids: dict[str, str] = {}
        size = settings.USERS_BATCH_SIZE
        for i in range(0, len(names), size):
            batch = names[i : i + size]
            try:
                body = self._call(
                    "users", {"usernames": batch, "user_fields": ["id"]}, state["coverage"]
                )
            except _Unavailable:
                continue
            for u in body.get("data") or ():
                ids[u["username"].lower()] = u["id"]
            self._count_errors(body, state["coverage"])
        units = []
        for a in accounts:
            uid = a if _is_id(a) else ids.get(a.lower())
            if uid is None:
                state["coverage"]["skipped_units"].append(
                    {"account": a, "reason": "not found or suspended (username lookup)"}
                )
                continue
            units.append({"account": a, "user_id": uid})
        state["units"] = units

    def _count_errors(self, page: dict, coverage: dict) -> None:
        for err in page.get("errors") or ():
            if not isinstance(err, dict):
                continue
            reason = _error_reason(err)
            coverage["errors_in_pages"][reason] = coverage["errors_in_pages"].get(reason, 0) + 1
            rid = err.get("resource_id") or err.get("value")
            if rid is not None and err.get("resource_type") in ("user", None):
                ids = set(coverage["unavailable"].get(reason, ()))
                ids.add(str(rid))
                coverage["unavailable"][reason] = sorted(ids)

    def run(
        self, job: Job, out_dir: Path | None = None, *, output: Path | None = None
    ) -> CollectionResult:
        """Run (or resume) a job; return its output file and state with the coverage summary.

        Parameters
        ----------
        job : Job
            What to collect.
        out_dir : pathlib.Path or None, optional
            Folder of the raw files (default: resume an unfinished file of the same
            job there, else start a new dated file).
        output : pathlib.Path or None, optional
            An explicit output file (resumed if unfinished; a finished one is refused).

        Returns
        -------
        CollectionResult
            The output file, its state (status, coverage) and whether the run resumed a file.
        """
        if output is not None:
            path = check_out_file(output)  # not a folder; its folder exists (never created)
            old = read_state(path)
            if old and old.get("status") == "complete":
                raise UsageError(f"{path} holds a finished collection; choose a new output file.")
        else:
            out_dir = Path(out_dir) if out_dir else settings.raw_dir("collected")
            out_dir.mkdir(parents=True, exist_ok=True)
            path = _find_unfinished(out_dir, job.key()) or _new_output(out_dir, job)
        state = read_state(path)
        resumed = state is not None or path.exists()
        if state is None or state.get("key") != job.key():
            state = {
                "key": job.key(),
                "endpoint": job.endpoint,
                "job": job.units,
                "max_items": job.max_items,
                "output": path.name,
                "status": "running",
                "started_at": _utc_now(),
                "coverage": _empty_coverage(),
                "units": None
                if job.endpoint in ("followers", "following", "timeline")
                else job.units,
            }
        coverage = state["coverage"]
        coverage["sessions"] += 1
        coverage["stopped_early"] = None
        state["status"] = "running"
        pos, dropped = recover_output(path)
        coverage["half_written_lines_dropped"] += dropped
        # what the file holds, whatever the last state could record (a full disk...)
        coverage["pages"], coverage["items"] = pos.pages, pos.counts
        if dropped:
            self._notice(f"{path.name}: dropped a half-written last line; continuing after it")
        _write_state(path, state)
        try:
            self._resolve(job, state)
            _write_state(path, state)
            self._run_units(job, state, path, pos)
            state["status"] = "complete"
        except (CollectError, UsageError):
            state["status"] = "stopped"
            raise
        except KeyboardInterrupt:
            state["status"] = "stopped"
            coverage["stopped_early"] = "interrupted"
            raise
        finally:
            _write_state(path, state)
        return CollectionResult(path, state, resumed)

    def _run_units(self, job: Job, state: dict, path: Path, pos: _Position) -> None:
        units = state["units"]
        coverage = state["coverage"]
        token_param = ENDPOINTS[job.endpoint].token_param
        bar = tqdm(
            desc=f"{job.endpoint}",
            unit="page",
            disable=not self.progress,
            initial=coverage["pages"],
        )
        with open(path, "ab") as out, bar:
            for index in range(pos.unit, len(units)):
                unit = units[index]
                token = pos.token if index == pos.unit else None
                items = pos.items[index]
                sent = set(pos.tokens.get(index, ()))  # tokens of this unit's stored pages
                while True:
                    params = self._params(job, unit, token, items)
                    if token:
                        sent.add(token)
                    try:
                        page = self._call(job.endpoint, params, coverage)
                    except _Unavailable as exc:
                        who = unit.get("account") or unit.get("query") or index
                        coverage["skipped_units"].append({"account": who, "reason": exc.reason})
                        ids = set(coverage["unavailable"].get(exc.reason, ()))
                        ids.add(str(unit.get("user_id", who)))
                        coverage["unavailable"][exc.reason] = sorted(ids)
                        break
                    meta = m if isinstance(m := page.get("meta"), dict) else {}
                    next_token = meta.get("next_token") if token_param else None
                    n = len(page["data"]) if isinstance(page.get("data"), list) else 0
                    items += n
                    cut = bool(job.max_items and items >= job.max_items and next_token)
                    if next_token in sent and not cut:
                        who = unit.get("account") or unit.get("query") or index
                        shown = repr(str(next_token)[:40])
                        coverage["stopped_early"] = f"pagination token {shown} repeated"
                        raise StoppedEarly(
                            f"the X API sent the pagination token {shown} a second time ({who}); "
                            "stopped instead of writing duplicate pages (the pages written are "
                            "kept); rerun the same command later to try again."
                        )
                    page["__medtwitter"] = {
                        "endpoint": job.endpoint,
                        "params": _provenance_params(job, unit, params),
                        "unit": index,
                        "collected_at": _utc_now(),
                        "tool_version": __version__,
                        **({"last_of_unit": True} if cut else {}),
                    }
                    out.write(orjson.dumps(page) + b"\n")
                    out.flush()
                    os.fsync(out.fileno())
                    coverage["pages"] += 1
                    _add_items(coverage["items"], job.endpoint, page)
                    self._count_errors(page, coverage)
                    state["position"] = {"unit": index, "next_token": next_token}
                    _write_state(path, state)
                    bar.update(1)
                    bar.set_postfix(_postfix(coverage, self.remaining), refresh=False)
                    if cut:
                        coverage["cut_by_max_tweets"].append(
                            {"unit": unit.get("account") or unit.get("query"), "collected": items}
                        )
                    if not next_token or cut:
                        break
                    token = next_token


#: Errors retried with back-off, within the retry budget.
_RETRIED = (
    tweepy.TwitterServerError,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # the connection cut in the middle of a body
    _NotJSON,
)
_LATER = "rerun the same command later"
_NETWORK = "check the network connection, then rerun the same command"


def _retry_reason(exc: Exception) -> tuple[str, str, str]:
    """Return a retried error as (short reason, for notices and the state; the last line's start; fix).

    A timeout says how long the API was waited for: the connect or the read timeout.

    Examples
    --------
    >>> _retry_reason(_NotJSON("an HTML page"))[1]
    'the X API answered 200 with an HTML page instead of JSON,'
    """
    if isinstance(exc, tweepy.TwitterServerError):
        what = f"server error {exc.response.status_code}"
        return what, f"{what} persisted", _LATER
    if isinstance(exc, _NotJSON):  # an HTML page at 200 is often a proxy's or a Wi-Fi login's
        return (
            f"not JSON ({exc.what})",
            f"the X API answered {exc.status} with {exc.what} instead of JSON,",
            _NETWORK if exc.what == "an HTML page" else _LATER,
        )
    connect, read = api.request_timeouts()
    if isinstance(exc, requests.ConnectTimeout):
        return (
            f"no answer in {connect:g} s",
            f"the X API did not answer in {connect:g} s (connect timeout),",
            _NETWORK,
        )
    if isinstance(exc, requests.Timeout) or _read_timed_out(exc):
        return f"no answer in {read:g} s", f"the X API did not answer in {read:g} s,", _NETWORK
    return "connection error", "connection error persisted", _NETWORK


def _read_timed_out(exc: Exception) -> bool:
    """Return True for a read timeout in the middle of a body (requests wraps it in ConnectionError)."""
    return any(isinstance(arg, ReadTimeoutError) for arg in exc.args)


def _reset_time(reset: str | None) -> float | None:
    """``x-rate-limit-reset`` as epoch seconds; ``None`` when missing or not a number.

    Examples
    --------
    >>> _reset_time("1700000900"), _reset_time("abc"), _reset_time("1e400"), _reset_time(None)
    (1700000900.0, None, None, None)
    """
    text = (reset or "").strip()
    return float(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _describe_reset(reset: str | None, reset_at: float | None) -> str:
    """Return what the server sent as ``x-rate-limit-reset``, for the one line saying it was capped.

    Examples
    --------
    >>> _describe_reset("4102444800", 4102444800.0)
    'x-rate-limit-reset 4102444800 (2100-01-01 00:00 UTC)'
    >>> _describe_reset("abc", None), _describe_reset(None, None)
    ("x-rate-limit-reset 'abc' (not a time)", 'no x-rate-limit-reset')
    """
    if reset is None:
        return "no x-rate-limit-reset"
    if reset_at is None:
        return f"x-rate-limit-reset {reset[:40]!r} (not a time)"
    when = datetime.fromtimestamp(reset_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"x-rate-limit-reset {reset.strip()} ({when})"


def _too_recent(end_time: str | None, now: float) -> bool:
    """Return True when an ``end_time`` is less than 30 s before ``now`` (or after it)."""
    if not end_time:
        return False
    return datetime.fromisoformat(end_time.replace("Z", "+00:00")).timestamp() > now - 30


def _provenance_params(job: Job, unit: dict, params: dict) -> dict:
    """Return the request's parameters as stored with the page (fields lists left out)."""
    keep = {k: v for k, v in params.items() if not k.endswith("_fields") and k != "expansions"}
    if "id" in keep and job.endpoint in ("followers", "following", "timeline"):
        keep["user_id"] = str(keep.pop("id"))
        keep["account"] = unit.get("account")
    return keep


def _postfix(coverage: dict, remaining: str | None) -> dict:
    items = coverage["items"]
    post = {k: v for k, v in items.items() if v and k != "included_tweets"}
    if remaining is not None:
        post["left"] = remaining
    return post
