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
  a countdown) and carries on; a reset further away than the endpoint's
  15-minute window, missing or not a number is capped at the window, with one
  line saying what the server sent. On 401/403 it stops at once with one line
  saying what the token or access level lacks.
* **Never hangs.** Every request has a connect and a read timeout
  (:data:`~analysis.collect.api.CONNECT_TIMEOUT`, 10 s, and
  :data:`~analysis.collect.api.READ_TIMEOUT`, 60 s, read at each request). A
  timeout, a 5xx, a connection error and a 2xx whose body is not JSON are
  retried with exponential back-off and jitter, a bounded number of times, then
  stop the run with one line (resumable). A pagination token the API sends a
  second time stops the run before any duplicate page is written.
* **Partial errors.** ``errors`` arrays are kept in the pages and counted; an
  account that is protected, suspended or gone is skipped, never the run.
* **Coverage.** Every run ends with a summary of what it could not get and why,
  stored in the state file (:func:`coverage_lines` prints it); pages and items
  are counted from the output file itself (:func:`count_output`).
* **The token** comes from ``X_BEARER_TOKEN`` / ``TWITTER_BEARER_TOKEN`` or a
  ``.env`` file and is never printed, logged or written; one holding a control
  character, a space or a non-ASCII character is refused before any request
  (:func:`check_token`).

Modules: :mod:`~analysis.collect.api` (endpoints, fields, errors, token, tweepy
client), :mod:`~analysis.collect.jobs` (what to collect),
:mod:`~analysis.collect.state` (output files, resume position, coverage),
:mod:`~analysis.collect.collector` (the run loop, rate limits, retries),
:mod:`~analysis.collect.config` (TOML collections with follow hops) and
:mod:`~analysis.collect.summary` (plans and tables for notebooks).
"""

from analysis.collect.api import (
    ENDPOINTS,
    TOKEN_VARIABLES,
    AccessError,
    CollectError,
    StoppedEarly,
    TokenError,
    TokenFormatError,
    check_token,
    load_token,
    make_client,
)
from analysis.collect.collector import Collector
from analysis.collect.config import (
    config_jobs,
    config_queries,
    load_config,
    next_hop_accounts,
    run_config,
)
from analysis.collect.jobs import (
    CollectionResult,
    Job,
    account_job,
    counts_job,
    read_accounts,
    search_job,
    users_job,
)
from analysis.collect.state import count_output, coverage_lines, read_state, recover_output
from analysis.collect.summary import (
    NotebookCollection,
    collect_for_notebook,
    collection_plan,
    coverage_table,
    example_config_path,
    raw_files_summary,
    token_status,
)

__all__ = [
    "ENDPOINTS",
    "TOKEN_VARIABLES",
    "AccessError",
    "CollectError",
    "CollectionResult",
    "Collector",
    "Job",
    "NotebookCollection",
    "StoppedEarly",
    "TokenError",
    "TokenFormatError",
    "account_job",
    "check_token",
    "collect_for_notebook",
    "collection_plan",
    "config_jobs",
    "config_queries",
    "count_output",
    "counts_job",
    "coverage_lines",
    "coverage_table",
    "example_config_path",
    "load_config",
    "load_token",
    "make_client",
    "next_hop_accounts",
    "raw_files_summary",
    "read_accounts",
    "read_state",
    "recover_output",
    "run_config",
    "search_job",
    "token_status",
    "users_job",
]
