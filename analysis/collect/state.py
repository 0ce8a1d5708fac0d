"""Output files and their state: resume position, half-written lines, coverage summary."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from analysis.collect.api import ENDPOINTS
from analysis.collect.jobs import CollectionResult, Job, _utc_now

# --------------------------------------------------------------------------- files and state


def _state_path(path: Path) -> Path:
    return path.with_name(path.name + ".state.json")


def read_state(path: Path) -> dict | None:
    """Return the state of a job's output file (``None`` if it has none or it is unreadable).

    Parameters
    ----------
    path : pathlib.Path
        A job's output file (``*.jsonl``); its state is the ``.state.json`` beside it.

    Returns
    -------
    dict or None
        The parsed state (``status``, ``coverage``...), or None.
    """
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


def _empty_items() -> dict[str, int]:
    return {"tweets": 0, "included_tweets": 0, "users": 0, "edges": 0, "count_buckets": 0}


def _empty_coverage() -> dict:
    return {
        "requests": 0,
        "pages": 0,
        "items": _empty_items(),
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
    tokens: dict[int, set[str]] = field(default_factory=dict)  # unit -> pagination tokens sent
    pages: int = 0  # complete pages the file holds
    counts: dict[str, int] = field(default_factory=_empty_items)  # what those pages hold


def recover_output(path: Path) -> tuple[_Position, int]:
    """Cut a half-written last line off a job's output; return where to continue.

    Returns the position (unit index, pagination token, items per unit, the
    tokens already sent for each unit, and what the file holds) after the last
    complete page, and how many half-written lines were dropped (0 or 1).

    Parameters
    ----------
    path : pathlib.Path
        A job's output file; it is truncated in place after its last complete page.

    Returns
    -------
    tuple of (_Position, int)
        Where to resume, and the number of lines dropped (0 or 1).
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
            unit = meta.get("unit", 0)
            pos.items[unit] += _count_items(page)[0]
            if sent := _sent_token(meta):
                pos.tokens.setdefault(unit, set()).add(sent)
            pos.pages += 1
            _add_items(pos.counts, meta.get("endpoint"), page)
        if dropped:
            fh.truncate(good_end)
            fh.flush()
            os.fsync(fh.fileno())
    if last is not None:
        meta = last.get("__medtwitter") or {}
        # X pages: meta.next_token; Bluesky and Mastodon pages: their provenance's next_cursor
        token = (last.get("meta") or {}).get("next_token") or meta.get("next_cursor")
        pos.unit = meta.get("unit", 0)
        if token and not meta.get("last_of_unit"):
            pos.token = token
        else:
            pos.unit += 1
    return pos, dropped


def _sent_token(meta: dict) -> str | None:
    """Return the pagination token a stored page was asked for with (``None`` for a first page)."""
    params = p if isinstance(p := meta.get("params"), dict) else {}
    token = params.get("next_token") or params.get("pagination_token") or params.get("cursor")
    return token if isinstance(token, str) else None


def _count_items(page: dict) -> tuple[int, int]:
    meta = page.get("__medtwitter")
    if "data" not in page and isinstance(meta, dict) and isinstance(meta.get("items"), int):
        return meta["items"], 0  # a Bluesky or Mastodon page says how many items it holds
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    includes = page.get("includes")
    tweets = includes.get("tweets") if isinstance(includes, dict) else None
    return len(items), len(tweets) if isinstance(tweets, list) else 0


def _add_items(counts: dict[str, int], endpoint: str | None, page: dict) -> tuple[int, int]:
    """Add what one page of ``endpoint`` holds to ``counts``; return its (data, included) lengths."""
    n, included = _count_items(page)
    kind = ENDPOINTS[endpoint].kind if endpoint in ENDPOINTS else None
    if kind is None and isinstance(page.get("__medtwitter"), dict):  # Bluesky and Mastodon pages
        kind = page["__medtwitter"].get("kind")
        if kind in ("followers", "following"):
            kind, endpoint = "users", kind
    if kind == "tweets":
        counts["tweets"] += n
        counts["included_tweets"] += included
    elif kind == "users":
        counts["users"] += n
        if endpoint in ("followers", "following"):
            counts["edges"] += n
    elif kind == "counts":
        counts["count_buckets"] += n
    return n, included


def count_output(path: Path) -> tuple[int, dict[str, int]]:
    """Return the complete pages a job's output file holds, and the items in their ``data``.

    Counted from the file itself, so a summary never says 70 tweets when the file
    holds 80 (a state update lost to a full disk, then a resume). Reading stops at
    a half-written last line, as a resume does; a missing file holds nothing.

    Parameters
    ----------
    path : pathlib.Path
        A job's output file.

    Returns
    -------
    tuple of (int, dict of str to int)
        The number of complete pages, and the items per kind (``tweets``, ``included_tweets``,
        ``users``, ``edges``, ``count_buckets``).

    Examples
    --------
    >>> count_output(Path("/nonexistent.jsonl"))
    (0, {'tweets': 0, 'included_tweets': 0, 'users': 0, 'edges': 0, 'count_buckets': 0})
    """
    pages, counts = 0, _empty_items()
    if not path.exists():
        return pages, counts
    with open(path, "rb") as fh:
        for line in fh:
            try:
                page = orjson.loads(line) if line.endswith(b"\n") else None
            except orjson.JSONDecodeError:
                page = None
            if not isinstance(page, dict):
                break
            pages += 1
            _add_items(counts, (page.get("__medtwitter") or {}).get("endpoint"), page)
    return pages, counts


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


# --------------------------------------------------------------------------- coverage


def coverage_lines(result: CollectionResult) -> list[str]:
    """Return the coverage summary of a run as short lines: what it got, what it could not and why.

    Pages and items are counted from the output file (:func:`count_output`), not from
    the state's running tallies: the summary says what the file holds.

    Parameters
    ----------
    result : CollectionResult
        A finished (or stopped) run: its output file and state.

    Returns
    -------
    list of str
        A first line with status, pages, requests and items, then one indented line per gap,
        error kind, cut, rate-limit wait or retry.
    """
    cov = result.coverage
    pages, counts = count_output(result.path)
    items = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v)
    lines = [
        f"{result.path.name}: {result.state['status']}, {pages} pages, "
        f"{cov['requests']} requests" + (f", {items}" if items else "")
    ]
    for reason, ids in sorted(cov["unavailable"].items()):
        lines.append(f"  not collected ({reason.replace('_', ' ')}): {len(ids)} account(s)")
    for reason, n in sorted(cov["errors_in_pages"].items()):
        lines.append(f"  errors in pages ({reason.replace('_', ' ')}): {n}")
    for partial in cov.get("partial", ()):
        lines.append(f"  partial: {partial['account']}: {partial['reason']}")
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
