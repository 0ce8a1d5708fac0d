"""What a collection would do and did: plan, raw files, coverage tables, a notebook run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pandas as pd

from analysis import settings
from analysis.collect.api import TokenError, TokenFormatError, load_token, make_client
from analysis.collect.collector import Collector
from analysis.collect.config import _follow_endpoints, config_jobs, load_config, run_config
from analysis.collect.jobs import CollectionResult
from analysis.collect.state import count_output, coverage_lines, read_state
from analysis.formats import detect_format, folder_files, iter_lines

# --------------------------------------------------------------------------- notebook helpers


def example_config_path() -> Path:
    """Return the example collection config shipped with the package (a French medical community)."""
    return Path(__file__).parent.parent / "collection_example.toml"


def collection_plan(config: dict) -> pd.DataFrame:
    """Return what a config would collect, one row per job (no request is made).

    Parameters
    ----------
    config : dict
        A collection config as read from its TOML file (sections ``search``, ``accounts``...).

    Returns
    -------
    pandas.DataFrame
        Columns ``step`` (search, accounts or hop N), ``endpoint``, ``what`` (query or accounts)
        and ``limit`` (tweet cap, blank if none).

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
        rows.append(
            {
                "step": step,
                "endpoint": job.endpoint,
                "what": what,
                "limit": limit if job.max_items else "",
            }
        )
    accounts = config.get("accounts", {})
    for hop in range(2, int(accounts.get("hops", 1)) + 1):
        for endpoint in _follow_endpoints(accounts):
            rows.append(
                {
                    "step": f"hop {hop}",
                    "endpoint": endpoint,
                    "what": f"the {accounts.get('max_accounts_per_hop', 100)} accounts most "
                    f"linked in hop {hop - 1}",
                    "limit": "",
                }
            )
    return pd.DataFrame(rows, columns=["step", "endpoint", "what", "limit"])


def token_status() -> tuple[bool, str]:
    """Whether a bearer token is available, and a sentence saying so (never the token)."""
    try:
        load_token()
    except TokenFormatError as exc:  # names the variable, never the token
        return False, str(exc).rstrip(".")
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
        """Show the summary's message."""
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

    Parameters
    ----------
    config_file : str or os.PathLike or None
        The collection config (TOML); None uses the example config shipped with the package.
    dataset : str
        The dataset to analyse when nothing is collected.
    collect_now : bool, default False
        Actually collect (and ingest) when a token is set; False only reports the token status.

    Returns
    -------
    NotebookCollection
        The dataset to analyse (the config's dataset after a collection), a message, and the
        collection results.
    """
    has_token, status = token_status()
    if not has_token or not collect_now:
        why = "" if not has_token else " (collect_now = False)"
        return NotebookCollection(
            dataset, f"{status}: nothing is collected{why}; analysing the dataset {dataset!r}."
        )
    # Imported here: analysis.ingest (Delta Lake writer, about 0.2 s) is needed only when a
    # notebook ingests what it collected, not by `medtwitter collect`.
    from analysis.ingest import ingest_files

    path = Path(config_file) if config_file else example_config_path()
    collector = Collector(make_client(), progress=False)
    results = run_config(path, collector)
    name = load_config(path).get("dataset") or dataset
    ingest_files([settings.raw_dir(name)], name, progress=False)
    lines = [line for r in results for line in coverage_lines(r)]
    return NotebookCollection(name, "\n".join([f"Collected into {name!r}:", *lines]), results)


def raw_files_summary(dataset: str) -> pd.DataFrame:
    """Return a dataset's raw files: the format ingest reads each as, records, and collection status.

    Parameters
    ----------
    dataset : str
        Name of the dataset whose ``raw/`` folder is listed.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``format`` (as detected by ingest), ``lines`` and ``collection``
        (the collection state's status, or "no collection state").
    """
    raw = settings.raw_dir(dataset)
    files = sorted({*raw.glob("*.jsonl"), *raw.glob("*.jsonl.gz"), *folder_files(raw)})
    rows = []
    for path in files:
        state = read_state(path)
        lines = sum(1 for _ in iter_lines(path))
        rows.append(
            {
                "file": path.name,
                "format": detect_format(path),
                "lines": lines,
                "collection": state["status"] if state else "no collection state",
            }
        )
    return pd.DataFrame(rows, columns=["file", "format", "lines", "collection"])


def coverage_table(dataset: str) -> pd.DataFrame:
    """Return the stored coverage summaries of a dataset's collections, one row per output file.

    Pages, tweets, users and edges are counted from the output files themselves
    (:func:`~analysis.collect.state.count_output`), the rest from their state.

    Parameters
    ----------
    dataset : str
        Name of the dataset whose ``raw/`` folder holds the collection state files.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``status``, ``pages``, ``tweets``, ``users``, ``edges``,
        ``not collected``, ``cut by --max-tweets`` and ``stopped early``; no rows without state
        files.
    """
    rows = []
    for state_file in sorted(settings.raw_dir(dataset).glob("*.jsonl.state.json")):
        state = orjson.loads(state_file.read_bytes())
        cov = state["coverage"]
        pages, counts = count_output(state_file.with_name(state["output"]))
        missing = {k: len(v) for k, v in cov["unavailable"].items()}
        rows.append(
            {
                "file": state["output"],
                "status": state["status"],
                "pages": pages,
                **{k: counts[k] for k in ("tweets", "users", "edges")},
                "not collected": ", ".join(
                    f"{n} {k.replace('_', ' ')}" for k, n in sorted(missing.items())
                ),
                "cut by --max-tweets": len(cov["cut_by_max_tweets"]),
                "stopped early": cov["stopped_early"] or "",
            }
        )
    columns = [
        "file",
        "status",
        "pages",
        "tweets",
        "users",
        "edges",
        "not collected",
        "cut by --max-tweets",
        "stopped early",
    ]
    return pd.DataFrame(rows, columns=columns)
