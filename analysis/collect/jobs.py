"""What to collect: jobs (an endpoint and its units) built from queries and accounts."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from analysis import settings
from analysis.errors import UsageError
from analysis.query import check_query

# --------------------------------------------------------------------------- jobs


@dataclass
class Job:
    """One collection: an endpoint and its units (one query, one account or one batch each)."""

    endpoint: str
    units: list[dict]
    max_items: int | None = None  # per unit: tweets for searches and timelines
    label: str = ""

    def key(self) -> str:
        """Return a short hash of what the job asks for (endpoint, units, limit)."""
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
        """What the job got and could not get, from its state."""
        return self.state["coverage"]

    @property
    def complete(self) -> bool:
        """Whether the job's state says it finished."""
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
    """Return a recent (or full-archive) search job.

    Parameters
    ----------
    query : str
        An X API v2 search query (:func:`analysis.query.build_query` writes one).
    archive : bool
        Search the full archive (``search_all``, academic or pro access) instead of the
        last seven days.
    since, until : str or date, optional
        ``YYYY-MM-DD`` or an ISO 8601 time; ``until`` as a date includes that whole day.
    max_tweets : int, optional
        Stop after this many tweets; all the API gives if ``None``.
    query_limit : int, optional
        The query length limit of the access level (:func:`analysis.query.check_query`).

    Returns
    -------
    Job
        One unit: the query and its time bounds.

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
    """Return a tweet-counts job: the volume a search would return, per day (or hour/minute).

    Parameters
    ----------
    query : str
        An X API v2 search query (:func:`analysis.query.build_query` writes one).
    archive : bool
        Search the full archive (``search_all``, academic or pro access) instead of the
        last seven days.
    since, until : str or date, optional
        ``YYYY-MM-DD`` or an ISO 8601 time; ``until`` as a date includes that whole day.
    granularity : {"day", "hour", "minute"}
        The counts' time bucket.
    query_limit : int, optional
        The query length limit of the access level.

    Returns
    -------
    Job
        A ``counts_recent`` (or ``counts_all``) job.
    """
    if granularity not in ("day", "hour", "minute"):
        raise UsageError(f"bad granularity {granularity!r}; use day, hour or minute.")
    job = search_job(query, archive=archive, since=since, until=until, query_limit=query_limit)
    job.units[0]["granularity"] = granularity
    return Job("counts_all" if archive else "counts_recent", job.units, label=job.label)


def _is_id(value: str) -> bool:
    return value.isdigit()


def read_accounts(values: Iterable[str], files: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Read accounts from arguments (usernames, ``@`` optional, or numeric ids) and files of them.

    A file lists one account a line (``#`` starts a comment; a CSV's first column is
    used, a ``username``/``id`` header skipped). Duplicates (any case) are dropped.

    Parameters
    ----------
    values : iterable of str
        Usernames or ids.
    files : iterable of path
        Files of accounts.

    Returns
    -------
    list of str
        The accounts, in order, without ``@``.

    Raises
    ------
    UsageError
        For an unreadable file, or when no account is given at all.

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
    """Return a users-lookup job in batches of 100 (ids and usernames in separate batches).

    Parameters
    ----------
    accounts : iterable of str
        Usernames or ids (:func:`read_accounts`).
    files : iterable of path
        Files of accounts.

    Returns
    -------
    Job
        A ``users`` job, one unit a batch.

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
    """Return a followers, following or timeline job, one unit per account.

    Usernames are resolved to ids when the job first runs (the ids are kept in
    its state, so a resumed run does not look them up again).

    Parameters
    ----------
    endpoint : {"followers", "following", "timeline"}
        What to collect for each account.
    accounts : iterable of str
        Usernames or ids (:func:`read_accounts`).
    files : iterable of path
        Files of accounts.
    max_tweets : int, optional
        For ``timeline``: stop after this many tweets an account.

    Returns
    -------
    Job
        One unit per account.
    """
    if endpoint not in ("followers", "following", "timeline"):
        raise UsageError(f"unknown account endpoint {endpoint!r}.")
    accounts = read_accounts(accounts, files)
    units = [{"account": a} for a in accounts]
    return Job(
        endpoint,
        units,
        max_items=max_tweets if endpoint == "timeline" else None,
        label=_accounts_label(accounts),
    )
