"""Bluesky and Mastodon collections, with the X collector's files, state, resume and coverage.

A :class:`Source` (:mod:`analysis.collect.bluesky`, :mod:`analysis.collect.mastodon`)
makes one request and says what came back; :class:`PlatformCollector` runs a
:class:`~analysis.collect.jobs.Job` with it exactly as the X collector does
(:mod:`analysis.collect.state`): each response is appended whole to the job's JSONL
file with a ``__medtwitter`` block (``platform``, ``endpoint``, ``params``, ``unit``,
``collected_at``, ``tool_version``, ``next_cursor``, ``items``, ``kind``), flushed
before the state file is updated, so a rerun of the same command continues after
the last complete page; rate limits wait for the platform's reset header; timeouts,
5xx and connection errors are retried with back-off, then stop the run with one
line (resumable); an account that is gone is skipped and counted in the coverage.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import orjson
from tqdm import tqdm

from analysis import __version__, settings
from analysis.collect.api import StoppedEarly, _read_dotenv
from analysis.collect.collector import Collector, _reset_time
from analysis.collect.jobs import Job, _utc_now
from analysis.collect.state import _Position, _write_state


@dataclass
class Fetched:
    """One response: its body (a JSON object), headers, the next page's cursor, items, kind.

    ``partial`` says why a list is incomplete (an instance that sees only part of a
    remote account's followers), for the coverage summary.
    """

    body: dict
    headers: dict
    next_cursor: str | None
    items: int
    kind: str
    params: dict = field(default_factory=dict)
    partial: str | None = None


class RateLimited(Exception):
    """A 429: ``reset`` is the reset header's value as sent (epoch seconds), or None."""

    def __init__(self, reset: str | None) -> None:
        super().__init__(reset)
        self.reset = reset


class Retryable(Exception):
    """A timeout, a 5xx or a connection error: retried with back-off."""


class Unavailable(Exception):
    """An account or post the platform will not serve (not found, suspended): the unit is skipped."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Source(Protocol):
    """One platform's requests (see :mod:`analysis.collect.bluesky`)."""

    platform: str
    #: the platform's name in messages, the reset header's name, the longest wait (s)
    label: str
    reset_header: str
    window: int

    def fetch(self, endpoint: str, unit: dict, cursor: str | None) -> Fetched:
        """Return one page of ``endpoint`` for ``unit`` after ``cursor`` (``None``: the first).

        Parameters
        ----------
        endpoint : str
            The job's endpoint on the platform.
        unit : dict
            One unit of the job.
        cursor : str or None
            The cursor of the previous response; None for the first page.

        Returns
        -------
        Fetched
            The response and what the collector needs to store it and go on.

        Raises
        ------
        RateLimited
            On a rate limit.
        Retryable
            On an error worth retrying.
        Unavailable
            When the unit's account or post is not served.
        """
        ...


class PlatformCollector(Collector):
    """Runs Bluesky or Mastodon jobs resumably; see the module docstring.

    :meth:`~analysis.collect.collector.Collector.run` (output file, state, resume after
    the last complete page, coverage) is the X collector's; the requests are the source's.

    Parameters
    ----------
    source : Source
        The platform's requests.
    wait_on_rate_limit : bool, default True
        Wait for the reset on 429 (else stop, resumable).
    max_retries : int, default 5
        Retries of timeouts, 5xx and connection errors.
    backoff : float, default 2.0
        First back-off delay, in seconds.
    max_backoff : float, default 300.0
        Largest back-off delay, in seconds.
    sleep : callable or None, optional
        Waits the given seconds (None: time.sleep); injectable for tests.
    clock : callable, default time.time
        Returns the time in seconds since the epoch; injectable for tests.
    progress : bool, default True
        Show tqdm bars.
    """

    def __init__(
        self,
        source: Source,
        *,
        wait_on_rate_limit: bool = True,
        max_retries: int = 5,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        progress: bool = True,
    ) -> None:
        self.source = source
        self.wait_on_rate_limit = wait_on_rate_limit
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rng = random.Random(settings.SEED)
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.clock = clock
        self.progress = progress

    def __repr__(self) -> str:  # never show the source (it may hold credentials)
        """Show the platform, never the source (it may hold credentials)."""
        return f"PlatformCollector({self.source.platform})"

    def _wait(self, reset: str | None, coverage: dict) -> None:
        now = self.clock()
        reset_at = _reset_time(reset)
        coverage["rate_limit_waits"] += 1
        header = self.source.reset_header
        if reset_at is None or reset_at - now > self.source.window:
            wait = self.source.window
            sent = f"{header} {reset[:40]!r}" if reset else f"no {header}"
            self._notice(
                f"rate limit reached; {self.source.label} sent {sent}: waiting {wait} s instead"
            )
        else:
            wait = max(0, int(reset_at - now)) + 1
            until = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
            self._notice(f"rate limit reached: waiting {wait} s, until {until}")
        self.sleep(wait)

    def _fetch(self, endpoint: str, unit: dict, cursor: str | None, coverage: dict) -> Fetched:
        attempt = 0
        while True:
            coverage["requests"] += 1
            try:
                return self.source.fetch(endpoint, unit, cursor)
            except RateLimited as exc:
                if not self.wait_on_rate_limit:
                    coverage["stopped_early"] = "rate-limited (not waiting for the reset)"
                    raise StoppedEarly(
                        f"{self.source.label} rate limit reached and --no-wait given; rerun the "
                        "same command after the reset to continue where it stopped."
                    ) from None
                self._wait(exc.reset, coverage)
            except Retryable as exc:
                if attempt >= self.max_retries:
                    coverage["stopped_early"] = f"{exc} after {attempt} retries"
                    raise StoppedEarly(
                        f"{self.source.label}: {exc} persisted after {attempt} retries; rerun "
                        "the same command later to continue where it stopped."
                    ) from None
                delay = min(self.max_backoff, self.backoff * 2**attempt)
                delay *= 0.5 + self.rng.random()
                attempt += 1
                coverage["retries"] += 1
                self._notice(f"{exc}: retry {attempt}/{self.max_retries} in {delay:.0f} s")
                self.sleep(delay)

    def _resolve(self, job: Job, state: dict) -> None:
        """Units are handles, queries or accounts as given: the platform resolves them per request."""
        if state.get("units") is None:
            state["units"] = job.units
        state["platform"] = self.source.platform
        state["coverage"].setdefault("partial", [])

    def _run_units(self, job: Job, state: dict, path: Path, pos: _Position) -> None:
        units = state["units"]
        coverage = state["coverage"]
        bar = tqdm(
            desc=job.endpoint, unit="page", disable=not self.progress, initial=coverage["pages"]
        )
        with open(path, "ab") as out, bar:
            for index in range(pos.unit, len(units)):
                unit = units[index]
                cursor = pos.token if index == pos.unit else None
                items = pos.items[index]
                sent = set(pos.tokens.get(index, ()))
                while True:
                    if cursor:
                        sent.add(cursor)
                    try:
                        got = self._fetch(job.endpoint, unit, cursor, coverage)
                    except Unavailable as exc:
                        who = unit.get("account") or unit.get("query") or index
                        coverage["skipped_units"].append({"account": who, "reason": exc.reason})
                        ids = set(coverage["unavailable"].get(exc.reason, ()))
                        ids.add(str(who))
                        coverage["unavailable"][exc.reason] = sorted(ids)
                        break
                    items += got.items
                    nxt = got.next_cursor
                    cut = bool(job.max_items and items >= job.max_items and nxt)
                    if nxt in sent and not cut:
                        shown = repr(str(nxt)[:40])
                        coverage["stopped_early"] = f"pagination cursor {shown} repeated"
                        raise StoppedEarly(
                            f"{self.source.label} sent the cursor {shown} a second time; stopped "
                            "instead of writing duplicate pages (the pages written are kept)."
                        )
                    page = dict(got.body)
                    page["__medtwitter"] = {
                        "platform": self.source.platform,
                        "endpoint": job.endpoint,
                        "params": {**got.params, **({"cursor": cursor} if cursor else {})},
                        "unit": index,
                        "collected_at": _utc_now(),
                        "tool_version": __version__,
                        "next_cursor": nxt,
                        "items": got.items,
                        "kind": got.kind,
                        **({"last_of_unit": True} if cut else {}),
                    }
                    out.write(orjson.dumps(page) + b"\n")
                    out.flush()
                    os.fsync(out.fileno())
                    coverage["pages"] += 1
                    counts = coverage["items"]
                    key = "tweets" if got.kind == "tweets" else "users"
                    counts[key] += got.items
                    if got.kind in ("followers", "following"):
                        counts["edges"] += got.items
                    if got.partial and not any(
                        p["account"] == unit.get("account") for p in coverage["partial"]
                    ):
                        coverage["partial"].append(
                            {"account": unit.get("account"), "reason": got.partial}
                        )
                    state["position"] = {"unit": index, "next_token": nxt}
                    _write_state(path, state)
                    bar.update(1)
                    if cut:
                        coverage["cut_by_max_tweets"].append(
                            {"unit": unit.get("account") or unit.get("query"), "collected": items}
                        )
                    if not nxt or cut:
                        break
                    cursor = nxt


def read_env(
    names: tuple[str, ...], environ: dict | None = None, dotenv: Path | None = None
) -> dict:
    """Return the variables ``names`` from the environment, else from ``.env`` (values never printed).

    Parameters
    ----------
    names : tuple of str
        The variables wanted (e.g. ``("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD")``).
    environ : dict or None, optional
        The variables to read; None (default) reads ``os.environ``.
    dotenv : pathlib.Path or None, optional
        The ``.env`` file read for the variables missing from the environment; None (default)
        reads ``.env`` in the current folder.

    Returns
    -------
    dict
        Name -> stripped value of the variables found (blank ones count as missing).
    """
    env = os.environ if environ is None else environ
    found = {n: env[n].strip() for n in names if env.get(n, "").strip()}
    missing = [n for n in names if n not in found]
    if missing:
        path = dotenv if dotenv is not None else Path(".env")
        values = _read_dotenv(path) if path.is_file() else {}
        found.update({n: values[n].strip() for n in missing if values.get(n, "").strip()})
    return found
