"""Deletion compliance: ask X which of a dataset's tweets and accounts are gone, and remove them.

X's developer terms require datasets to reflect what users did after collection:
deleted tweets and accounts, suspended accounts, accounts turned protected.
The X API v2 **batch compliance** endpoints answer that for up to millions of
ids in five steps, which :func:`analysis.collect.compliance.run_compliance_job`
follows (the only part that talks to the network, in :mod:`analysis.collect`):

1. create a job (``POST /2/compliance/jobs`` with ``type`` ``tweets`` or
   ``users``), through tweepy's ``Client.create_compliance_job``;
2. upload the ids, one per line, as plain text with ``PUT`` to the job's signed
   ``upload_url`` (no Authorization header: the URL carries its own signature);
3. poll ``GET /2/compliance/jobs/:id`` (``Client.get_compliance_job``) until the
   status is ``complete`` (``failed`` or ``expired`` stop with an error);
4. download the results from the signed ``download_url``: one JSON object a line,
   ``{"id", "action", "created_at", "redacted_at", "reason"}``, only for ids that
   need an action;
5. act on them: :func:`apply_compliance` removes the tweets and accounts whose
   reason is ``deleted``, ``deactivated``, ``suspended`` or ``protected`` with
   :func:`analysis.purge.purge` (``scrub_geo`` needs nothing: no geo is stored).

The results are kept in ``<data root>/compliance/<dataset>/results.jsonl``
(git-ignored, no token in it). The bearer token comes from ``X_BEARER_TOKEN``
(or ``.env``, as for collection) and is only ever sent to the API host by tweepy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pandas as pd

from analysis import settings
from analysis.collect.compliance import ComplianceError, make_client, run_compliance_job
from analysis.outputs import write_atomic
from analysis.purge import PurgeReport, purge
from analysis.tables import load_dataset

if TYPE_CHECKING:  # the requests themselves are made in analysis.collect.compliance
    import requests
    import tweepy

#: Reasons the compliance results give, and those that make medtwitter remove the data.
REASONS = ("deleted", "deactivated", "suspended", "protected", "scrub_geo")
REMOVE_REASONS = frozenset({"deleted", "deactivated", "suspended", "protected"})
RESULT_COLUMNS = ["kind", "id", "action", "reason", "created_at", "redacted_at"]


@dataclass
class ComplianceReport:
    """Tweets and accounts X reports as needing an action, and where the results were saved."""

    dataset: str
    results: pd.DataFrame
    path: Path | None = None

    def to_remove(self) -> tuple[list[int], list[int]]:
        """(user ids, tweet ids) whose reason means the data must go."""
        r = self.results[self.results["reason"].isin(REMOVE_REASONS)]
        users = sorted(int(i) for i in r.loc[r["kind"] == "users", "id"])
        tweets = sorted(int(i) for i in r.loc[r["kind"] == "tweets", "id"])
        return users, tweets

    def summary(self) -> pd.DataFrame:
        """Count the records per kind and reason."""
        if self.results.empty:
            return pd.DataFrame(columns=["kind", "reason", "count"])
        return (
            self.results.groupby(["kind", "reason"])
            .size()
            .reset_index(name="count")
            .sort_values(["kind", "reason"], ignore_index=True)
        )


def results_path(dataset: str) -> Path:
    """Return where a dataset's latest compliance results are kept (name checked).

    Parameters
    ----------
    dataset : str
        The dataset's name (1 to 64 ASCII letters, digits, ``-`` or ``_``).

    Returns
    -------
    pathlib.Path
        ``<data root>/compliance/<dataset>/results.jsonl`` (it may not exist yet).

    Raises
    ------
    analysis.errors.UsageError
        If ``dataset`` is not a valid dataset name.
    """
    return (
        settings.data_dir() / "compliance" / settings.check_dataset_name(dataset) / "results.jsonl"
    )


def check_compliance(
    dataset: str,
    client: tweepy.Client | None = None,
    *,
    session: requests.Session | None = None,
    poll_every: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] | None = None,
) -> ComplianceReport:
    """Run a tweets job and a users job over every id of ``dataset``; save and return the results.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    client : tweepy.Client, optional
        The X API client; :func:`analysis.collect.api.make_client` if ``None``.
    session : requests.Session, optional
        The session that uploads the ids and downloads the results (a new one if ``None``).
    poll_every : float
        Seconds between two polls of a job's status.
    sleep : callable
        Waits between polls (replaced in tests).
    log : callable, optional
        Called with a line on each step.

    Returns
    -------
    ComplianceReport
        The results, one row per id the API reports, and the file they were saved to.
    """
    tables = load_dataset(dataset)
    client = client or make_client()
    rows = []
    for kind, ids in (
        ("tweets", sorted(tables.tweets["tweet_id"].astype("int64").unique())),
        ("users", sorted(tables.users["user_id"].astype("int64").unique())),
    ):
        if not len(ids):
            continue
        for r in run_compliance_job(
            client,
            kind,
            ids,
            name=f"medtwitter-{dataset}-{kind}",
            poll_every=poll_every,
            sleep=sleep,
            session=session,
            log=log,
        ):
            rows.append({"kind": kind, **{c: r.get(c) for c in RESULT_COLUMNS[1:]}})
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS).sort_values(
        ["kind", "id"], ignore_index=True
    )
    path = results_path(dataset)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        """Write the results to ``tmp`` as JSON Lines, one row a line.

        Parameters
        ----------
        tmp : pathlib.Path
            The temporary file :func:`write_atomic` renames over the results file.
        """
        with open(tmp, "wb") as fh:
            for row in results.to_dict("records"):
                fh.write(orjson.dumps(row) + b"\n")

    write_atomic(path, write)
    return ComplianceReport(dataset, results, path)


def load_compliance(dataset: str) -> ComplianceReport:
    """Return the saved results of the last compliance check of ``dataset``.

    Parameters
    ----------
    dataset : str
        The dataset's name.

    Returns
    -------
    ComplianceReport
        The results :func:`check_compliance` saved.

    Raises
    ------
    ComplianceError
        When the dataset has never been checked.
    """
    path = results_path(dataset)
    if not path.is_file():
        raise ComplianceError(
            f"no compliance results for dataset {dataset!r}; run `medtwitter compliance {dataset}`."
        )
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    return ComplianceReport(dataset, pd.DataFrame(rows, columns=RESULT_COLUMNS), path)


def apply_compliance(report: ComplianceReport) -> PurgeReport | None:
    """Remove from the dataset what the compliance results say must go.

    Parameters
    ----------
    report : ComplianceReport
        The results (:func:`check_compliance` or :func:`load_compliance`).

    Returns
    -------
    PurgeReport or None
        What the purge removed; ``None`` when nothing must go.
    """
    users, tweets = report.to_remove()
    if not users and not tweets:
        return None
    return purge(report.dataset, user_ids=users, tweet_ids=tweets)
