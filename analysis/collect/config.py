"""Collections described in a TOML file: queries, seed accounts, hops of follow links."""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from analysis import settings
from analysis.collect.collector import Collector
from analysis.collect.jobs import (
    CollectionResult,
    Job,
    _slug,
    _utc_now,
    account_job,
    search_job,
    users_job,
)
from analysis.collect.state import read_state
from analysis.errors import UsageError
from analysis.query import build_query, check_query

# --------------------------------------------------------------------------- configured collections


def load_config(path: str | os.PathLike[str]) -> dict:
    """Read and check a collection's TOML config (see the README's example).

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file.

    Returns
    -------
    dict
        The config's sections (``dataset``, ``search``, ``accounts``, ``counts``).

    Raises
    ------
    UsageError
        For an unreadable file, invalid TOML, an unknown section or a bad ``accounts.follows``.
    """
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
    """Return the search queries a config describes (written out, or built from term lists).

    Parameters
    ----------
    config : dict
        A collection config; its ``search.queries`` are strings or tables of ``hashtags``,
        ``keywords``, ``accounts``, ``languages``...

    Returns
    -------
    list of str
        The checked X search queries, in the config's order.

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
                build_query(
                    q.get("hashtags", ()),
                    q.get("keywords", ()),
                    q.get("accounts", ()),
                    q.get("languages", ()),
                    exclude_retweets=q.get("exclude_retweets", True),
                    extra=q.get("extra", ""),
                    archive=archive,
                    limit=limit,
                )
            )
    return queries


def config_jobs(config: dict, *, base: Path | None = None) -> Iterator[tuple[str, Job]]:
    """Yield the first-hop jobs of a config: searches, seed lookup, seed timelines and follows.

    Parameters
    ----------
    config : dict
        A collection config (``search`` and ``accounts`` sections).
    base : pathlib.Path or None, optional
        The config's folder, against which a relative ``accounts.seeds_file`` is read; None
        (default) reads it against the current folder.

    Yields
    ------
    tuple of (str, Job)
        The job's name (``search``, ``users``, ``timeline``, ``followers``, ``following``) and
        the job.
    """
    search = config.get("search", {})
    for query in config_queries(config):
        yield (
            "search",
            search_job(
                query,
                archive=bool(search.get("archive")),
                since=search.get("since"),
                until=search.get("until"),
                max_tweets=search.get("max_tweets"),
                query_limit=search.get("query_limit"),
            ),
        )
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
        yield (
            "timeline",
            account_job(
                "timeline", seeds, files, max_tweets=accounts.get("max_tweets_per_account")
            ),
        )
    for endpoint in _follow_endpoints(accounts):
        yield endpoint, account_job(endpoint, seeds, files)


def _follow_endpoints(accounts: dict) -> list[str]:
    follows = accounts.get("follows", "followers")
    return {"none": [], "both": ["followers", "following"]}.get(follows, [follows])


def next_hop_accounts(paths: Iterable[Path], exclude: set[str], limit: int) -> list[str]:
    """Return the accounts found in follow pages, most-linked first, for the next hop.

    Accounts linked to the most already-collected accounts come first (ties by
    id), so a capped hop keeps the community's core rather than a random fringe.

    Parameters
    ----------
    paths : iterable of Path
        The raw follow pages of the previous hop (JSONL).
    exclude : set of str
        Ids already collected.
    limit : int
        The most accounts to return.

    Returns
    -------
    list of str
        Account ids.
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

    Parameters
    ----------
    path : str or os.PathLike
        The TOML config (:func:`load_config`).
    collector : Collector
        The collector that runs each job.
    dataset : str, optional
        The dataset the raw pages go to; the config's ``dataset`` if ``None``.
    on_result : callable, optional
        Called with each job's name and result as it finishes.

    Returns
    -------
    list of CollectionResult
        One result per job, in the order run.
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
        run_state = {
            "key": key,
            "config": str(path),
            "status": "running",
            "started_at": _utc_now(),
            "finished_jobs": {},
        }
    results: list[CollectionResult] = []

    def save() -> None:
        run_state["updated_at"] = _utc_now()
        tmp = run_state_path.with_name(run_state_path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(run_state, option=orjson.OPT_INDENT_2))
        os.replace(tmp, run_state_path)

    def run(name: str, job: Job) -> CollectionResult:
        """Run one job, or take its result from an earlier run that finished it.

        Parameters
        ----------
        name : str
            The job's name, passed to ``on_result``.
        job : Job
            The job.

        Returns
        -------
        CollectionResult
            The job's output file, state, and ``resumed`` (True for a job an earlier run finished).
        """
        finished = run_state["finished_jobs"].get(job.key())
        state = read_state(out_dir / finished) if finished else None
        if state:
            result = CollectionResult(out_dir / finished, state, True)
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
    done = {
        u["user_id"]
        for r in results
        if r.state.get("endpoint") in ("followers", "following")
        for u in r.state["units"] or ()
    }
    for _hop in range(2, int(accounts.get("hops", 1)) + 1):
        nxt = next_hop_accounts(follow_files, done, int(accounts.get("max_accounts_per_hop", 100)))
        if not nxt:
            break
        done.update(nxt)
        follow_files = [
            run(endpoint, account_job(endpoint, nxt)).path
            for endpoint in _follow_endpoints(accounts)
        ]
    run_state["status"] = "complete"
    save()
    return results
