"""X API v2 through tweepy -> raw JSONL pages (the only module that talks to the network).

Every response page is appended to a JSONL file exactly as the API returned it,
plus a ``__medtwitter`` block: ``endpoint`` (the names :mod:`analysis.ingest`
understands: ``search_recent``, ``search_all``, ``timeline``, ``users``,
``followers``, ``following``, ``counts_recent``, ``counts_all``), the request
``params`` (followers/following pages carry ``user_id``), ``unit`` (which
account or batch of the job the page belongs to), ``collected_at`` and
``tool_version``.

What holds under real conditions:

* **Resumable.** A job's output ``<endpoint>-<label>-<UTC stamp>.jsonl`` has a
  state file beside it (``.state.json``). Each page is written and flushed to
  disk before the state is updated; on a rerun of the same command the file
  itself says where to continue (the last complete page's unit and
  ``meta.next_token``), and a half-written last line is cut off first. So a run
  stopped at any point continues with no gap and no duplicate page.
* **Snapshots.** A completed job is never reopened: running the same
  ``followers`` command again writes a new dated file beside the old ones.
* **Rate limits.** On 429 the collector waits until ``x-rate-limit-reset`` (with
  a countdown) and carries on; on 5xx and connection errors it retries with
  exponential back-off and jitter, a bounded number of times; on 401/403 it
  stops at once with one line saying what the token or access level lacks.
* **Partial errors.** ``errors`` arrays are kept in the pages and counted; an
  account that is protected, suspended or gone is skipped, never the run.
* **Coverage.** Every run ends with a summary of what it could not get and why,
  stored in the state file (:func:`coverage_lines` prints it).
* **The token** comes from ``X_BEARER_TOKEN`` / ``TWITTER_BEARER_TOKEN`` or a
  ``.env`` file and is never printed, logged or written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pandas as pd
import requests
import tweepy
from tqdm import tqdm  # not tqdm.auto: no widget warning when a notebook imports this

from analysis import __version__, settings
from analysis.errors import MedtwitterError, UsageError
from analysis.query import build_query, check_query

log = logging.getLogger(__name__)

TOKEN_VARIABLES = ("X_BEARER_TOKEN", "TWITTER_BEARER_TOKEN")

#: Fields and expansions asked for, so that authors, referenced tweets, entities,
#: public metrics, conversation ids and reply targets all arrive in the pages.
TWEET_FIELDS = [
    "attachments", "author_id", "context_annotations", "conversation_id", "created_at",
    "entities", "geo", "id", "in_reply_to_user_id", "lang", "possibly_sensitive",
    "public_metrics", "referenced_tweets", "reply_settings", "source", "text", "withheld",
]  # fmt: skip
USER_FIELDS = [
    "created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id",
    "profile_image_url", "protected", "public_metrics", "url", "username", "verified",
    "withheld",
]  # fmt: skip
TWEET_EXPANSIONS = [
    "author_id", "entities.mentions.username", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id",
]  # fmt: skip
USER_EXPANSIONS = ["pinned_tweet_id"]


@dataclass(frozen=True)
class Endpoint:
    """How one X API v2 endpoint is called through :class:`tweepy.Client`."""

    method: str  # tweepy.Client method
    kind: str  # what `data` holds: tweets, users or counts
    token_param: str | None = None  # pagination parameter, None when the endpoint has none
    page_size: int | None = None  # max_results asked for
    min_page_size: int = 1
    min_interval: float = 0.0  # seconds between requests (full-archive search: 1 a second)


ENDPOINTS: dict[str, Endpoint] = {
    "search_recent": Endpoint("search_recent_tweets", "tweets", "next_token",
                              settings.SEARCH_PAGE_SIZE, 10),
    "search_all": Endpoint("search_all_tweets", "tweets", "next_token",
                           settings.SEARCH_PAGE_SIZE, 10, min_interval=1.0),
    "timeline": Endpoint("get_users_tweets", "tweets", "pagination_token",
                         settings.SEARCH_PAGE_SIZE, 5),
    "users": Endpoint("get_users", "users"),
    "followers": Endpoint("get_users_followers", "users", "pagination_token",
                          settings.FOLLOWS_PAGE_SIZE),
    "following": Endpoint("get_users_following", "users", "pagination_token",
                          settings.FOLLOWS_PAGE_SIZE),
    "counts_recent": Endpoint("get_recent_tweets_count", "counts"),
    "counts_all": Endpoint("get_all_tweets_count", "counts", "next_token"),
}  # fmt: skip

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


class AccessError(CollectError):
    """The token's access level lacks an endpoint (403)."""


class StoppedEarly(CollectError):
    """Rate-limited without waiting, or server errors beyond the retries."""


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


def load_token(environ: dict[str, str] | None = None, dotenv: Path | None = None) -> str:
    """Return the X API bearer token from the environment or a ``.env`` file.

    ``X_BEARER_TOKEN`` wins over ``TWITTER_BEARER_TOKEN``; the environment wins
    over ``.env`` (the current folder's, else the project's). The token is never
    printed, logged or written anywhere.

    Examples
    --------
    >>> load_token({"TWITTER_BEARER_TOKEN": "abc"}, dotenv=Path("/nonexistent"))
    'abc'
    """
    environ = os.environ if environ is None else environ
    candidates = [dotenv] if dotenv else [Path.cwd() / ".env", settings.data_dir().parent / ".env"]
    sources = [environ, *(_read_dotenv(p) for p in candidates)]
    for source in sources:
        for name in TOKEN_VARIABLES:
            if source.get(name, "").strip():
                return source[name].strip()
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
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<redacted>"), ()
        return True


def make_client(token: str | None = None) -> tweepy.Client:
    """A :class:`tweepy.Client` for app-only (bearer token) access returning raw responses.

    The collector handles rate limits itself (``wait_on_rate_limit=False``) so it
    can show a countdown and store coverage; tweepy's debug log is redacted.
    """
    token = token or load_token()
    tweepy_log = logging.getLogger("tweepy.client")
    tweepy_log.filters = [f for f in tweepy_log.filters if not isinstance(f, _RedactToken)]
    tweepy_log.addFilter(_RedactToken(token))
    return tweepy.Client(bearer_token=token, return_type=requests.Response,
                         wait_on_rate_limit=False)  # fmt: skip


# --------------------------------------------------------------------------- jobs


@dataclass
class Job:
    """One collection: an endpoint and its units (one query, one account or one batch each)."""

    endpoint: str
    units: list[dict]
    max_items: int | None = None  # per unit: tweets for searches and timelines
    label: str = ""

    def key(self) -> str:
        spec = {"endpoint": self.endpoint, "units": self.units, "max_items": self.max_items}
        return hashlib.sha256(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


@dataclass
class CollectionResult:
    """What one run of a job did: output file, state (with coverage), and whether it resumed."""

    path: Path
    state: dict
    resumed: bool = False

    @property
    def coverage(self) -> dict:
        return self.state["coverage"]

    @property
    def complete(self) -> bool:
        return self.state["status"] == "complete"


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _slug(text: str, width: int = 40) -> str:
    slug = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower()
    return slug[:width].strip("-") or "x"


def _api_time(value: str | date | datetime | None, *, end: bool = False) -> str | None:
    """``2024-01-31`` or an ISO time -> the API's ``YYYY-MM-DDTHH:mm:ssZ``.

    Examples
    --------
    >>> _api_time("2024-01-31"), _api_time("2024-01-31", end=True)
    ('2024-01-31T00:00:00Z', '2024-02-01T00:00:00Z')
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    else:
        try:
            stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"bad date {value!r}; use YYYY-MM-DD or an ISO 8601 time.") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    date_only = isinstance(value, date) and not isinstance(value, datetime)
    date_only |= isinstance(value, str) and len(value.strip()) == 10
    if end and date_only:  # --until is inclusive of the whole day
        stamp = stamp + (datetime(2000, 1, 2) - datetime(2000, 1, 1))
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_job(
    query: str,
    *,
    archive: bool = False,
    since: str | date | None = None,
    until: str | date | None = None,
    max_tweets: int | None = None,
    query_limit: int | None = None,
) -> Job:
    """A recent (or full-archive) search job.

    Examples
    --------
    >>> job = search_job("#docstoctoc lang:fr", since="2024-01-01", max_tweets=500)
    >>> job.endpoint, job.units[0]["start_time"], job.max_items
    ('search_recent', '2024-01-01T00:00:00Z', 500)
    """
    query = check_query(query, archive=archive, limit=query_limit)
    unit = {"query": query}
    if start := _api_time(since):
        unit["start_time"] = start
    if end := _api_time(until, end=True):
        unit["end_time"] = end
    endpoint = "search_all" if archive else "search_recent"
    return Job(endpoint, [unit], max_items=max_tweets, label=_slug(query))


def counts_job(
    query: str,
    *,
    archive: bool = False,
    since: str | date | None = None,
    until: str | date | None = None,
    granularity: str = "day",
    query_limit: int | None = None,
) -> Job:
    """A tweet-counts job: the volume a search would return, per day (or hour/minute)."""
    if granularity not in ("day", "hour", "minute"):
        raise UsageError(f"bad granularity {granularity!r}; use day, hour or minute.")
    job = search_job(query, archive=archive, since=since, until=until, query_limit=query_limit)
    job.units[0]["granularity"] = granularity
    return Job("counts_all" if archive else "counts_recent", job.units, label=job.label)


def _is_id(value: str) -> bool:
    return value.isdigit()


def read_accounts(values: Iterable[str], files: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Accounts from arguments (usernames, ``@`` optional, or numeric ids) and files of them.

    A file lists one account a line (``#`` starts a comment; a CSV's first column is
    used, a ``username``/``id`` header skipped). Duplicates (any case) are dropped.

    Examples
    --------
    >>> read_accounts(["@Dr_Tortue", "12345", "dr_tortue"])
    ['Dr_Tortue', '12345']
    """
    accounts = [v.strip().removeprefix("@") for v in values if v.strip().removeprefix("@")]
    for file in files:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(
                f"cannot read the accounts file {file}: {exc.strerror}; check the path."
            ) from exc
        items = [ln.split("#")[0].split(",")[0].strip().removeprefix("@") for ln in lines]
        accounts.extend(
            i for i in items if i and i.lower() not in ("user", "username", "id", "user_id")
        )
    seen: set[str] = set()
    unique = []
    for a in accounts:
        if a.lower() not in seen:
            seen.add(a.lower())
            unique.append(a)
    if not unique:
        raise UsageError("no accounts given; pass usernames, ids or a file of them.")
    return unique


def users_job(accounts: Iterable[str], files: Iterable[str | os.PathLike[str]] = ()) -> Job:
    """A users-lookup job in batches of 100 (ids and usernames in separate batches).

    Examples
    --------
    >>> [sorted(u) for u in users_job(["12", "dr_tortue"]).units]
    [['ids'], ['usernames']]
    """
    accounts = read_accounts(accounts, files)
    ids = [a for a in accounts if _is_id(a)]
    names = [a for a in accounts if not _is_id(a)]
    size = settings.USERS_BATCH_SIZE
    units = [{"ids": ids[i : i + size]} for i in range(0, len(ids), size)]
    units += [{"usernames": names[i : i + size]} for i in range(0, len(names), size)]
    return Job("users", units, label=_accounts_label(accounts))


def _accounts_label(accounts: list[str]) -> str:
    return _slug(accounts[0]) if len(accounts) == 1 else f"{len(accounts)}-accounts"


def account_job(
    endpoint: str,
    accounts: Iterable[str],
    files: Iterable[str | os.PathLike[str]] = (),
    *,
    max_tweets: int | None = None,
) -> Job:
    """A followers, following or timeline job, one unit per account.

    Usernames are resolved to ids when the job first runs (the ids are kept in
    its state, so a resumed run does not look them up again).
    """
    if endpoint not in ("followers", "following", "timeline"):
        raise UsageError(f"unknown account endpoint {endpoint!r}.")
    accounts = read_accounts(accounts, files)
    units = [{"account": a} for a in accounts]
    return Job(endpoint, units, max_items=max_tweets if endpoint == "timeline" else None,
               label=_accounts_label(accounts))  # fmt: skip


# --------------------------------------------------------------------------- files and state


def _state_path(path: Path) -> Path:
    return path.with_name(path.name + ".state.json")


def read_state(path: Path) -> dict | None:
    """The state of a job's output file (``None`` if it has none or it is unreadable)."""
    try:
        return orjson.loads(_state_path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _write_state(path: Path, state: dict) -> None:
    state["updated_at"] = _utc_now()
    target = _state_path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(orjson.dumps(state, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    os.replace(tmp, target)


def _find_unfinished(out_dir: Path, key: str) -> Path | None:
    for state_file in sorted(out_dir.glob("*.jsonl.state.json")):
        try:
            state = orjson.loads(state_file.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if state.get("key") == key and state.get("status") != "complete":
            return state_file.with_name(state_file.name.removesuffix(".state.json"))
    return None


def _new_output(out_dir: Path, job: Job) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{job.endpoint}-{job.label or 'job'}-{stamp}"
    path = out_dir / f"{base}.jsonl"
    n = 1
    while path.exists() or _state_path(path).exists():
        n += 1
        path = out_dir / f"{base}-{n}.jsonl"
    return path


def _empty_coverage() -> dict:
    return {
        "requests": 0,
        "pages": 0,
        "items": {"tweets": 0, "included_tweets": 0, "users": 0, "edges": 0, "count_buckets": 0},
        "unavailable": {},  # reason -> sorted ids/usernames the API would not serve
        "errors_in_pages": {},  # reason -> how many errors-array entries
        "cut_by_max_tweets": [],
        "skipped_units": [],
        "rate_limit_waits": 0,
        "retries": 0,
        "half_written_lines_dropped": 0,
        "stopped_early": None,
        "sessions": 0,
    }


@dataclass
class _Position:
    unit: int = 0
    token: str | None = None
    items: Counter = field(default_factory=Counter)  # unit -> items collected so far


def recover_output(path: Path) -> tuple[_Position, int]:
    """Cut a half-written last line off a job's output; return where to continue.

    Returns the position (unit index, pagination token, items per unit) after the
    last complete page, and how many half-written lines were dropped (0 or 1).
    """
    pos = _Position()
    if not path.exists():
        return pos, 0
    dropped = 0
    good_end = 0
    last: dict | None = None
    with open(path, "r+b") as fh:
        for line in iter(fh.readline, b""):
            page = None
            if line.endswith(b"\n"):
                try:
                    page = orjson.loads(line)
                except orjson.JSONDecodeError:
                    page = None
            if not isinstance(page, dict):
                dropped += 1
                break
            good_end += len(line)
            last = page
            meta = page.get("__medtwitter") or {}
            pos.items[meta.get("unit", 0)] += _count_items(page)[0]
        if dropped:
            fh.truncate(good_end)
            fh.flush()
            os.fsync(fh.fileno())
    if last is not None:
        meta = last.get("__medtwitter") or {}
        token = (last.get("meta") or {}).get("next_token")
        pos.unit = meta.get("unit", 0)
        if token and not meta.get("last_of_unit"):
            pos.token = token
        else:
            pos.unit += 1
    return pos, dropped


def _count_items(page: dict) -> tuple[int, int]:
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    included = len((page.get("includes") or {}).get("tweets") or ())
    return len(items), included


def _error_reason(err: dict) -> str:
    """protected, suspended, not_found, withheld or other, from an errors-array entry."""
    kind = str(err.get("type", "")).rsplit("/", 1)[-1]
    detail = str(err.get("detail", "")).lower()
    if "suspended" in detail:
        return "suspended"
    if kind == "not-authorized-for-resource" or "not authorized" in detail:
        return "protected"
    if "withheld" in detail or "withheld" in kind:
        return "withheld"
    if kind == "resource-not-found" or "could not find" in detail:
        return "not_found"
    return "other"


# --------------------------------------------------------------------------- collector


class Collector:
    """Runs :class:`Job` objects against the X API v2, resumably and politely.

    Parameters
    ----------
    client : a :class:`tweepy.Client` (see :func:`make_client`)
    wait_on_rate_limit : wait for the window's reset on 429 (else stop, resumable)
    max_retries : retries on 5xx and connection errors before stopping
    backoff, max_backoff : first and largest back-off delay, in seconds
    seed : seed of the back-off jitter
    sleep, clock : injectable for tests
    progress : show tqdm bars (the rate-limit countdown included)
    """

    def __init__(
        self,
        client: tweepy.Client,
        *,
        wait_on_rate_limit: bool = True,
        max_retries: int = 5,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        seed: int | None = settings.SEED,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        progress: bool = True,
    ) -> None:
        self.client = client
        self.wait_on_rate_limit = wait_on_rate_limit
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rng = random.Random(seed)
        self.sleep = sleep
        self.clock = clock
        self.progress = progress
        self.remaining: str | None = None  # requests left in the window, from the last response
        self._last_request = float("-inf")

    def __repr__(self) -> str:  # never show the client (it holds the token)
        return f"Collector(wait_on_rate_limit={self.wait_on_rate_limit}, max_retries={self.max_retries})"

    # ---- HTTP with rate limits and retries

    def _notice(self, message: str) -> None:
        if self.progress:
            tqdm.write(message, file=sys.stderr)
        log.info(message)

    def _wait_for_reset(self, reset: str | None, coverage: dict) -> None:
        now = self.clock()
        reset_at = float(reset) if reset else now + 60.0
        wait = max(0, int(reset_at - now)) + 1
        coverage["rate_limit_waits"] += 1
        until = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
        self._notice(f"rate limit reached: waiting {wait} s, until {until}")
        if not self.progress:
            self.sleep(wait)
            return
        with tqdm(total=wait, desc="rate limit: waiting", unit="s", leave=False,
                  bar_format="{desc} {remaining} left |{bar}|") as bar:  # fmt: skip
            for _ in range(wait):
                self.sleep(1)
                bar.update(1)

    def _call(self, endpoint: str, params: dict, coverage: dict) -> requests.Response:
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
                return response
            except tweepy.TooManyRequests as exc:
                reset = exc.response.headers.get("x-rate-limit-reset")
                if not self.wait_on_rate_limit:
                    coverage["stopped_early"] = "rate-limited (not waiting for the reset)"
                    raise StoppedEarly(
                        "rate limit reached and --no-wait given; rerun the same command after "
                        "the window resets to continue where it stopped."
                    ) from None
                self._wait_for_reset(reset, coverage)
            except (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout) as exc:
                what = (f"server error {exc.response.status_code}"
                        if isinstance(exc, tweepy.TwitterServerError) else "connection error")  # fmt: skip
                if attempt >= self.max_retries:
                    coverage["stopped_early"] = f"{what} after {attempt} retries"
                    raise StoppedEarly(
                        f"{what} persisted after {attempt} retries; rerun the same command "
                        "later to continue where it stopped."
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
            params.update(expansions=TWEET_EXPANSIONS, tweet_fields=TWEET_FIELDS,
                          user_fields=USER_FIELDS)  # fmt: skip
        elif spec.kind == "users":
            params.update(expansions=USER_EXPANSIONS, tweet_fields=TWEET_FIELDS,
                          user_fields=USER_FIELDS)  # fmt: skip
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
                response = self._call("users", {"usernames": batch, "user_fields": ["id"]},
                                      state["coverage"])  # fmt: skip
            except _Unavailable:
                continue
            body = _json(response)
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
        job : what to collect
        out_dir : folder of the raw files (default: resume an unfinished file of the same
            job there, else start a new dated file)
        output : an explicit output file (resumed if unfinished; a finished one is refused)
        """
        if output is not None:
            path = Path(output)
            old = read_state(path)
            if old and old.get("status") == "complete":
                raise UsageError(f"{path} holds a finished collection; choose a new output file.")
        else:
            out_dir = Path(out_dir) if out_dir else settings.raw_dir("collected")
            out_dir.mkdir(parents=True, exist_ok=True)
            path = _find_unfinished(out_dir, job.key()) or _new_output(out_dir, job)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = read_state(path)
        resumed = state is not None or path.exists()
        if state is None or state.get("key") != job.key():
            state = {"key": job.key(), "endpoint": job.endpoint, "job": job.units,
                     "max_items": job.max_items, "output": path.name, "status": "running",
                     "started_at": _utc_now(), "coverage": _empty_coverage(),
                     "units": None if job.endpoint in ("followers", "following", "timeline")
                     else job.units}  # fmt: skip
        coverage = state["coverage"]
        coverage["sessions"] += 1
        coverage["stopped_early"] = None
        state["status"] = "running"
        pos, dropped = recover_output(path)
        coverage["half_written_lines_dropped"] += dropped
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
        kind = ENDPOINTS[job.endpoint].kind
        token_param = ENDPOINTS[job.endpoint].token_param
        bar = tqdm(desc=f"{job.endpoint}", unit="page", disable=not self.progress,
                   initial=coverage["pages"])  # fmt: skip
        with open(path, "ab") as out, bar:
            for index in range(pos.unit, len(units)):
                unit = units[index]
                token = pos.token if index == pos.unit else None
                items = pos.items[index]
                while True:
                    params = self._params(job, unit, token, items)
                    try:
                        response = self._call(job.endpoint, params, coverage)
                    except _Unavailable as exc:
                        who = unit.get("account") or unit.get("query") or index
                        coverage["skipped_units"].append({"account": who, "reason": exc.reason})
                        ids = set(coverage["unavailable"].get(exc.reason, ()))
                        ids.add(str(unit.get("user_id", who)))
                        coverage["unavailable"][exc.reason] = sorted(ids)
                        break
                    page = orjson.loads(response.content)
                    next_token = (page.get("meta") or {}).get("next_token") if token_param else None
                    n, included = _count_items(page)
                    items += n
                    cut = bool(job.max_items and items >= job.max_items and next_token)
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
                    self._tally(coverage, kind, job.endpoint, n, included, page)
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

    def _tally(self, coverage: dict, kind: str, endpoint: str, n: int, included: int,
               page: dict) -> None:  # fmt: skip
        counts = coverage["items"]
        if kind == "tweets":
            counts["tweets"] += n
            counts["included_tweets"] += included
        elif kind == "users":
            counts["users"] += n
            if endpoint in ("followers", "following"):
                counts["edges"] += n
        else:
            counts["count_buckets"] += n
        self._count_errors(page, coverage)


def _too_recent(end_time: str | None, now: float) -> bool:
    """True when an ``end_time`` is less than 30 s before ``now`` (or after it)."""
    if not end_time:
        return False
    return datetime.fromisoformat(end_time.replace("Z", "+00:00")).timestamp() > now - 30


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _first_message(exc: tweepy.HTTPException) -> str:
    text = exc.api_messages[0] if exc.api_messages else str(exc).splitlines()[0]
    return " ".join(str(text).split()).rstrip(".")


def _provenance_params(job: Job, unit: dict, params: dict) -> dict:
    """The request's parameters as stored with the page (fields lists left out)."""
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


# --------------------------------------------------------------------------- coverage


def coverage_lines(result: CollectionResult) -> list[str]:
    """The coverage summary of a run as short lines: what it got, what it could not and why."""
    cov = result.coverage
    items = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cov["items"].items() if v)
    lines = [f"{result.path.name}: {result.state['status']}, {cov['pages']} pages, "
             f"{cov['requests']} requests" + (f", {items}" if items else "")]  # fmt: skip
    for reason, ids in sorted(cov["unavailable"].items()):
        lines.append(f"  not collected ({reason.replace('_', ' ')}): {len(ids)} account(s)")
    for reason, n in sorted(cov["errors_in_pages"].items()):
        lines.append(f"  errors in pages ({reason.replace('_', ' ')}): {n}")
    for cut in cov["cut_by_max_tweets"]:
        lines.append(f"  cut off by --max-tweets after {cut['collected']} tweets: {cut['unit']}")
    if cov["rate_limit_waits"]:
        lines.append(f"  waited for the rate-limit reset {cov['rate_limit_waits']} time(s)")
    if cov["retries"]:
        lines.append(f"  retried {cov['retries']} time(s) after server or connection errors")
    if cov["half_written_lines_dropped"]:
        lines.append(f"  dropped {cov['half_written_lines_dropped']} half-written line(s)")
    if cov["stopped_early"]:
        lines.append(f"  stopped early: {cov['stopped_early']} (rerun the same command to resume)")
    return lines


# --------------------------------------------------------------------------- configured collections


def load_config(path: str | os.PathLike[str]) -> dict:
    """Read and check a collection's TOML config (see the README's example)."""
    path = Path(path)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the config {path}: {exc.strerror}; check the path.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML ({exc}); fix the line it names.") from exc
    known = {"dataset", "search", "accounts", "counts"}
    if unknown := sorted(set(config) - known):
        raise UsageError(f"{path}: unknown section(s) {unknown}; use {sorted(known)}.")
    follows = config.get("accounts", {}).get("follows", "followers")
    if follows not in ("followers", "following", "both", "none"):
        raise UsageError(
            f"{path}: accounts.follows is {follows!r}; use followers, following, both or none."
        )
    return config


def config_queries(config: dict) -> list[str]:
    """The search queries a config describes (written out, or built from term lists).

    Examples
    --------
    >>> config_queries({"search": {"queries": [{"hashtags": ["docstoctoc", "sante"],
    ...                                         "languages": ["fr"]}]}})
    ['(#docstoctoc OR #sante) lang:fr -is:retweet']
    """
    search = config.get("search", {})
    archive = bool(search.get("archive"))
    limit = search.get("query_limit")
    queries = []
    for q in search.get("queries", ()):
        if isinstance(q, str):
            queries.append(check_query(q, archive=archive, limit=limit))
        else:
            queries.append(
                build_query(q.get("hashtags", ()), q.get("keywords", ()), q.get("accounts", ()),
                            q.get("languages", ()), exclude_retweets=q.get("exclude_retweets", True),
                            extra=q.get("extra", ""), archive=archive, limit=limit)
            )  # fmt: skip
    return queries


def config_jobs(config: dict, *, base: Path | None = None) -> Iterator[tuple[str, Job]]:
    """The first-hop jobs of a config: searches, seed lookup, seed timelines and follows."""
    search = config.get("search", {})
    for query in config_queries(config):
        yield "search", search_job(query, archive=bool(search.get("archive")),
                                   since=search.get("since"), until=search.get("until"),
                                   max_tweets=search.get("max_tweets"),
                                   query_limit=search.get("query_limit"))  # fmt: skip
    accounts = config.get("accounts", {})
    seeds = list(accounts.get("seeds", ()))
    files = []
    if accounts.get("seeds_file"):
        seeds_file = Path(accounts["seeds_file"])
        files.append(base / seeds_file if base and not seeds_file.is_absolute() else seeds_file)
    if not seeds and not files:
        return
    if accounts.get("lookup", True):
        yield "users", users_job(seeds, files)
    if accounts.get("timelines", False):
        yield "timeline", account_job("timeline", seeds, files,
                                      max_tweets=accounts.get("max_tweets_per_account"))  # fmt: skip
    for endpoint in _follow_endpoints(accounts):
        yield endpoint, account_job(endpoint, seeds, files)


def _follow_endpoints(accounts: dict) -> list[str]:
    follows = accounts.get("follows", "followers")
    return {"none": [], "both": ["followers", "following"]}.get(follows, [follows])


def next_hop_accounts(paths: Iterable[Path], exclude: set[str], limit: int) -> list[str]:
    """Accounts found in follow pages, most-linked first, for the next hop.

    Accounts linked to the most already-collected accounts come first (ties by
    id), so a capped hop keeps the community's core rather than a random fringe.
    """
    seen: Counter = Counter()
    for path in paths:
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    page = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                for u in page.get("data") or ():
                    if isinstance(u, dict) and "id" in u:
                        seen[str(u["id"])] += 1
    ranked = sorted((uid for uid in seen if uid not in exclude), key=lambda u: (-seen[u], int(u)))
    return ranked[:limit]


def run_config(
    path: str | os.PathLike[str],
    collector: Collector,
    *,
    dataset: str | None = None,
    on_result: Callable[[str, CollectionResult], None] | None = None,
) -> list[CollectionResult]:
    """Run every job a TOML config describes, hop by hop; a rerun resumes unfinished jobs.

    Follow hops: hop 1 collects the follow links of the seeds; each further hop
    (``accounts.hops``) those of the ``accounts.max_accounts_per_hop`` accounts
    most linked to in the previous hop.
    """
    config = load_config(path)
    dataset = dataset or config.get("dataset")
    if not dataset:
        raise UsageError('no dataset: set `dataset = "name"` in the config or pass --dataset.')
    out_dir = settings.raw_dir(dataset)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the run's own state: which jobs it finished, so a rerun after a stop skips them
    key = hashlib.sha256(orjson.dumps(config, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    run_state_path = out_dir / f"config-{_slug(Path(path).stem)}.state.json"
    try:
        run_state = orjson.loads(run_state_path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        run_state = {}
    if run_state.get("key") != key or run_state.get("status") == "complete":
        run_state = {"key": key, "config": str(path), "status": "running",
                     "started_at": _utc_now(), "finished_jobs": {}}  # fmt: skip
    results: list[CollectionResult] = []

    def save() -> None:
        run_state["updated_at"] = _utc_now()
        tmp = run_state_path.with_name(run_state_path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(run_state, option=orjson.OPT_INDENT_2))
        os.replace(tmp, run_state_path)

    def run(name: str, job: Job) -> CollectionResult:
        finished = run_state["finished_jobs"].get(job.key())
        if finished and read_state(out_dir / finished):
            result = CollectionResult(out_dir / finished, read_state(out_dir / finished), True)
        else:
            result = collector.run(job, out_dir)
            run_state["finished_jobs"][job.key()] = result.path.name
            save()
        results.append(result)
        if on_result:
            on_result(name, result)
        return result

    save()
    accounts = config.get("accounts", {})
    follow_files: list[Path] = []
    for name, job in config_jobs(config, base=Path(path).parent):
        result = run(name, job)
        if name in ("followers", "following"):
            follow_files.append(result.path)
    done = {u["user_id"] for r in results if r.state.get("endpoint") in ("followers", "following")
            for u in r.state["units"] or ()}  # fmt: skip
    for _hop in range(2, int(accounts.get("hops", 1)) + 1):
        nxt = next_hop_accounts(follow_files, done, int(accounts.get("max_accounts_per_hop", 100)))
        if not nxt:
            break
        done.update(nxt)
        follow_files = [run(endpoint, account_job(endpoint, nxt)).path
                        for endpoint in _follow_endpoints(accounts)]  # fmt: skip
    run_state["status"] = "complete"
    save()
    return results


# --------------------------------------------------------------------------- notebook helpers


def example_config_path() -> Path:
    """The example collection config shipped with the package (a French medical community)."""
    return Path(__file__).with_name("collection_example.toml")


def collection_plan(config: dict) -> pd.DataFrame:
    """What a config would collect, one row per job (no request is made).

    Examples
    --------
    >>> collection_plan({"accounts": {"seeds": ["12"], "follows": "followers"}})[["step", "endpoint"]]
           step   endpoint
    0  accounts      users
    1     hop 1  followers
    """
    rows = []
    for name, job in config_jobs(config):
        if name == "search":
            what = job.units[0]["query"]
        else:
            names = [a for u in job.units for a in u.get("ids", []) + u.get("usernames", [])]
            what = ", ".join(names or [u["account"] for u in job.units])
        step = {"search": "search", "users": "accounts", "timeline": "accounts"}.get(name, "hop 1")
        limit = f"{job.max_items} tweets" + (" per account" if name == "timeline" else "")
        rows.append({"step": step, "endpoint": job.endpoint, "what": what,
                     "limit": limit if job.max_items else ""})  # fmt: skip
    accounts = config.get("accounts", {})
    for hop in range(2, int(accounts.get("hops", 1)) + 1):
        for endpoint in _follow_endpoints(accounts):
            rows.append({"step": f"hop {hop}", "endpoint": endpoint,
                         "what": f"the {accounts.get('max_accounts_per_hop', 100)} accounts most "
                                 f"linked in hop {hop - 1}", "limit": ""})  # fmt: skip
    return pd.DataFrame(rows, columns=["step", "endpoint", "what", "limit"])


def token_status() -> tuple[bool, str]:
    """Whether a bearer token is available, and a sentence saying so (never the token)."""
    try:
        load_token()
    except TokenError:
        return False, "No X API bearer token found (X_BEARER_TOKEN, TWITTER_BEARER_TOKEN or .env)"
    return True, "A bearer token is set (not shown)"


@dataclass
class NotebookCollection:
    """What :func:`collect_for_notebook` did: the dataset to analyse and a sentence saying why."""

    dataset: str
    message: str
    results: list[CollectionResult] = field(default_factory=list)

    def __repr__(self) -> str:
        return self.message


def collect_for_notebook(
    config_file: str | os.PathLike[str] | None,
    *,
    dataset: str,
    collect_now: bool = False,
) -> NotebookCollection:
    """Run a configured collection from a notebook when a token is set and ``collect_now``.

    Otherwise nothing is collected and the notebook analyses ``dataset`` (the demo data by
    default). After a collection the raw files are ingested into the config's dataset.
    """
    has_token, status = token_status()
    if not has_token or not collect_now:
        why = "" if not has_token else " (collect_now = False)"
        return NotebookCollection(
            dataset, f"{status}: nothing is collected{why}; analysing the dataset {dataset!r}."
        )
    from analysis.ingest import ingest_files

    path = Path(config_file) if config_file else example_config_path()
    collector = Collector(make_client(), progress=False)
    results = run_config(path, collector)
    name = load_config(path).get("dataset") or dataset
    ingest_files([settings.raw_dir(name)], name, progress=False)
    lines = [line for r in results for line in coverage_lines(r)]
    return NotebookCollection(name, "\n".join([f"Collected into {name!r}:", *lines]), results)


def raw_files_summary(dataset: str) -> pd.DataFrame:
    """A dataset's raw files: the format ingest reads each as, records, and collection status."""
    from analysis.formats import detect_format, folder_files, iter_lines

    raw = settings.raw_dir(dataset)
    files = sorted({*raw.glob("*.jsonl"), *raw.glob("*.jsonl.gz"), *folder_files(raw)})
    rows = []
    for path in files:
        state = read_state(path)
        lines = sum(1 for _ in iter_lines(path))
        rows.append({"file": path.name, "format": detect_format(path), "lines": lines,
                     "collection": state["status"] if state else "no collection state"})  # fmt: skip
    return pd.DataFrame(rows, columns=["file", "format", "lines", "collection"])


def coverage_table(dataset: str) -> pd.DataFrame:
    """The stored coverage summaries of a dataset's collections, one row per output file."""
    rows = []
    for state_file in sorted(settings.raw_dir(dataset).glob("*.jsonl.state.json")):
        state = orjson.loads(state_file.read_bytes())
        cov = state["coverage"]
        missing = {k: len(v) for k, v in cov["unavailable"].items()}
        rows.append({
            "file": state["output"], "status": state["status"], "pages": cov["pages"],
            **{k: cov["items"][k] for k in ("tweets", "users", "edges")},
            "not collected": ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(missing.items())),
            "cut by --max-tweets": len(cov["cut_by_max_tweets"]),
            "stopped early": cov["stopped_early"] or "",
        })  # fmt: skip
    columns = ["file", "status", "pages", "tweets", "users", "edges", "not collected",
               "cut by --max-tweets", "stopped early"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
