"""Connecting to a Dask cluster from one address string (``--scheduler ADDRESS``).

The address is either

* ``local:N`` — a :class:`distributed.LocalCluster` of ``N`` worker processes on this
  machine (one thread each), started for the run and closed after it; the workers
  are forked from one process that imported :data:`LOCAL_PRELOAD` once (a
  ``forkserver``), so that their first task does not import them again, and
  keep the C library's memory trimming (not Dask's 64 kB threshold);
* the address of a running scheduler, as :class:`distributed.Client` takes it
  (``tcp://host:8786``, ``tls://host:8786``, ``host:8786``, ``ws://``, ``ucx://``...),
  e.g. one that ``dask-jobqueue`` started on a Slurm or PBS cluster; or
* the path of a scheduler file (``scheduler.json``, as ``dask scheduler
  --scheduler-file`` and ``dask-mpi`` write it).

:func:`dask_client` opens the client (and the local cluster) and closes what it
opened. Dask is an extra (``pip install 'medtwitter[dask]'``); without it every
function here raises :class:`DaskMissingError` in one line saying so.

Examples
--------
>>> parse_address("local:2")
('local', 2)
>>> parse_address("tcp://10.0.0.5:8786")
('scheduler', 'tcp://10.0.0.5:8786')
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from analysis.errors import MedtwitterError, UsageError

if TYPE_CHECKING:
    from distributed import Client

#: What the one-line errors list as the accepted forms of an address.
ADDRESS_FORMS = "local:N (N worker processes here), tcp://HOST:PORT or a scheduler file (.json)"
#: How to install what ``--scheduler`` needs.
INSTALL_HINT = "pip install 'medtwitter[dask]'"
#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT = 30
#: Modules the workers of a ``local:N`` cluster start with, imported once in the process
#: they are forked from (each worker's first ingest task imported them otherwise:
#: about 1.5 s of CPU a worker, measured on 1M tweets; pandas is what pyarrow imports
#: when it first converts a Python value).
LOCAL_PRELOAD = ("distributed", "pandas", "analysis.ingest")
#: Dask's default ``MALLOC_TRIM_THRESHOLD_`` for its workers, which local workers go without.
DASK_TRIM_THRESHOLD = 65536

_LOCAL = re.compile(r"local:(\d+)")
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


class DaskMissingError(UsageError):
    """Dask (``distributed``) is not installed: the ``dask`` extra installs it."""


class WorkerLostError(MedtwitterError):
    """A task whose workers died every time it ran (Dask's ``allowed-failures`` exhausted)."""


def task_result(future: Any) -> Any:
    """Return a Dask future's result; a task that killed its workers is a one-line error.

    Parameters
    ----------
    future : a :class:`distributed.Future`

    Returns
    -------
    object
        The task's result (its own exception, if it raised one, is raised as it is).

    Raises
    ------
    WorkerLostError
        The workers running the task died as many times as Dask allows.
    """
    from distributed import KilledWorker  # optional: the dask extra

    try:
        return future.result()
    except KilledWorker as exc:
        raise WorkerLostError(
            f"Dask workers died each time they ran task {future.key} ({exc}): out of memory or "
            "killed; give each worker more memory or run again; the dataset is unchanged."
        ) from None


def require_dask() -> ModuleType:
    """Return the ``distributed`` module, or raise :class:`DaskMissingError` in one line.

    Returns
    -------
    ModuleType
        ``distributed``, imported.

    Raises
    ------
    DaskMissingError
        When ``dask`` or ``distributed`` cannot be imported.
    """
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise DaskMissingError(
            f"--scheduler needs Dask, which is not installed ({exc.name or exc}); "
            f"install it with: {INSTALL_HINT}"
        ) from None
    return distributed


def parse_address(address: str) -> tuple[str, Any]:
    """Tell what kind of cluster an address names.

    Parameters
    ----------
    address : ``local:N``, a scheduler's address (``tcp://host:8786``) or a scheduler
        file's path

    Returns
    -------
    tuple
        ``("local", N)``, ``("scheduler", address)`` or ``("file", path)``.

    Raises
    ------
    UsageError
        One line naming the bad address and the accepted forms.

    Examples
    --------
    >>> parse_address("local:4")
    ('local', 4)
    >>> parse_address("localhost:8786")
    ('scheduler', 'localhost:8786')
    """
    text = str(address).strip()
    bad = f"bad --scheduler address {str(address)!r}"
    forms = f"use {ADDRESS_FORMS}."
    if not text:
        raise UsageError(f"{bad}: it is empty; {forms}")
    if text == "local" or text.startswith("local:"):
        match = _LOCAL.fullmatch(text)
        if match is None:
            raise UsageError(f"{bad}: local needs a number of workers; {forms}")
        n = int(match.group(1))
        if n < 1:
            raise UsageError(f"{bad}: local:N needs N >= 1 workers; {forms}")
        return "local", n
    if text.endswith(".json"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise UsageError(f"{bad}: no such scheduler file; check the path or {forms}")
        return "file", str(path)
    scheme, sep, location = text.partition("://")
    if not sep:
        scheme, location = "tcp", text
    schemes = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
    if scheme not in schemes:
        raise UsageError(
            f"{bad}: unknown protocol {scheme}:// (known: {', '.join(schemes)}); {forms}"
        )
    if scheme == "inproc":
        if not location:
            raise UsageError(f"{bad}: no location after inproc://; {forms}")
        return "scheduler", text
    match = _HOST_PORT.fullmatch(location)
    if match is None or not 0 < int(match.group(2)) < 65536:
        raise UsageError(
            f"{bad}: expected HOST:PORT after {scheme}:// (e.g. tcp://node1:8786); {forms}"
        )
    return "scheduler", text


@contextmanager
def dask_client(
    address: str | Client,
    *,
    threads_per_worker: int = 1,
    timeout: float | None = None,
    **cluster_options: Any,
) -> Iterator[Client]:
    """Open a Dask client for an address, and close what was opened on exit.

    Parameters
    ----------
    address : ``local:N``, a scheduler's address, a scheduler file, or a
        :class:`distributed.Client` already open (used as it is, and left open)
    threads_per_worker : threads of each local worker process (``local:N`` only)
    timeout : seconds to wait for a remote scheduler (default :data:`CONNECT_TIMEOUT`)
    **cluster_options : more keyword arguments for :class:`distributed.LocalCluster`
        (``memory_limit``, ``dashboard_address``...), ``local:N`` only

    Yields
    ------
    distributed.Client
        A client connected to the cluster.

    Raises
    ------
    UsageError
        A bad address, or a scheduler that does not answer (one line each).
    DaskMissingError
        Dask is not installed.

    Examples
    --------
    >>> with dask_client("local:2") as client:  # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    distributed = require_dask()
    if isinstance(address, distributed.Client):
        yield address
        return
    kind, where = parse_address(str(address))
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if kind == "local":
        options: dict[str, Any] = {"dashboard_address": ":0", "silence_logs": 40}
        options.update(cluster_options)
        with (
            _forked_workers(),
            distributed.LocalCluster(
                n_workers=where, threads_per_worker=threads_per_worker, processes=True, **options
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        if kind == "file":
            client = distributed.Client(scheduler_file=where, timeout=timeout)
        else:
            client = distributed.Client(where, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(
            f"could not reach the Dask scheduler at {address}: {reason}; "
            "check the address and that the scheduler is running."
        ) from None
    with client:
        yield client


@contextmanager
def _forked_workers() -> Iterator[None]:
    """Start local workers from a ``forkserver`` that imported :data:`LOCAL_PRELOAD` (if available).

    Dask's default start method (``spawn``) imports every module again in each worker.
    The workers also go without Dask's ``MALLOC_TRIM_THRESHOLD_`` (see the comment below).
    A start method set in Dask's configuration other than the default is kept, and so
    is ``spawn`` where ``forkserver`` does not exist (Windows). A worker Dask restarts
    while the client is open (after a crash) is forked the same way.
    """
    import dask  # optional: the dask extra (require_dask has checked it)
    from distributed.utils import get_mp_context

    key = "distributed.worker.multiprocessing-method"
    if (
        dask.config.get(key) != "spawn"
        or "forkserver" not in multiprocessing.get_all_start_methods()
    ):
        yield
        return
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    # Dask's 64 kB trim threshold makes glibc map and unmap each large buffer Arrow
    # allocates: measured, twice the system time of reading a piece of pages in a
    # worker (about 0.5 s of CPU more a 500 MB piece); the C library's default is kept
    if environ.get("MALLOC_TRIM_THRESHOLD_") == DASK_TRIM_THRESHOLD:
        del environ["MALLOC_TRIM_THRESHOLD_"]
    with dask.config.set({key: "forkserver", "distributed.nanny.pre-spawn-environ": environ}):
        # Dask sets its own list the first time; ours replaces it (until the server starts)
        get_mp_context().set_forkserver_preload(list(LOCAL_PRELOAD))
        yield
