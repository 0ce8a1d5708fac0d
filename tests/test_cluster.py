"""analysis.cluster: the --scheduler address, the client it opens, and Dask missing."""

from __future__ import annotations

import sys

import pytest

from analysis import cluster
from analysis.errors import UsageError


@pytest.mark.parametrize(
    "address",
    [
        "",
        "local",
        "local:",
        "local:0",
        "local:-1",
        "local:two",
        "local:2:3",
        "http://host:8786",
        "tcp://host",
        "tcp://:8786",
        "tcp://host:99999",
        "host",
        "tcp://host:8786/path",
        "missing-scheduler.json",
    ],
)
def test_bad_address_is_one_line_naming_it_and_the_accepted_forms(address):
    with pytest.raises(UsageError) as info:
        cluster.parse_address(address)
    message = str(info.value)
    assert "\n" not in message
    assert repr(address) in message
    assert "local:N" in message and "tcp://HOST:PORT" in message


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("local:1", ("local", 1)),
        ("local:16", ("local", 16)),
        ("tcp://10.0.0.5:8786", ("scheduler", "tcp://10.0.0.5:8786")),
        ("tls://node-1.cluster:8786", ("scheduler", "tls://node-1.cluster:8786")),
        ("node1:8786", ("scheduler", "node1:8786")),
        ("tcp://[::1]:8786", ("scheduler", "tcp://[::1]:8786")),
    ],
)
def test_good_addresses_are_told_apart(address, expected):
    assert cluster.parse_address(address) == expected


def test_scheduler_file_is_accepted_when_it_exists(tmp_path):
    path = tmp_path / "scheduler.json"
    path.write_text("{}")
    assert cluster.parse_address(str(path)) == ("file", str(path))


def test_local_2_runs_tasks_on_two_worker_processes_and_closes_them():
    with cluster.dask_client("local:2") as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        assert all(w["nthreads"] == 1 for w in workers.values())
        pids = set(client.run(lambda: __import__("os").getpid()).values())
        assert len(pids) == 2 and __import__("os").getpid() not in pids
        assert client.submit(sum, [1, 2, 3]).result() == 6
    assert client.status == "closed"


def test_an_open_client_is_used_and_left_open():
    with cluster.dask_client("local:1") as outer:
        with cluster.dask_client(outer) as inner:
            assert inner is outer
        assert outer.status == "running"


def test_unreachable_scheduler_is_one_line():
    with pytest.raises(UsageError) as info, cluster.dask_client("tcp://127.0.0.1:1", timeout=1):
        pass
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("could not reach the Dask scheduler at tcp://127.0.0.1:1")


@pytest.mark.parametrize("module", ["distributed", "dask"])
def test_without_dask_the_error_names_the_extra(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` raises ImportError
    with pytest.raises(cluster.DaskMissingError) as info, cluster.dask_client("local:2"):
        pass
    message = str(info.value)
    assert "\n" not in message
    assert "pip install 'medtwitter[dask]'" in message
    assert info.value.exit_code != 0


def test_local_workers_start_with_the_ingest_modules_imported():
    with cluster.dask_client("local:2") as client:
        # a worker's modules before any task of ours ran (a lambda is sent by value)
        found = client.run(
            lambda names: [n for n in names if n in sys.modules], cluster.LOCAL_PRELOAD
        )
    assert list(found.values()) == [list(cluster.LOCAL_PRELOAD)] * 2


def test_local_workers_are_forked_without_dasks_malloc_trim_threshold():
    import dask

    with cluster._forked_workers():
        assert dask.config.get("distributed.worker.multiprocessing-method") == "forkserver"
        environ = dask.config.get("distributed.nanny.pre-spawn-environ")
        assert "MALLOC_TRIM_THRESHOLD_" not in environ and environ["OMP_NUM_THREADS"] == 1
    assert dask.config.get("distributed.worker.multiprocessing-method") == "spawn"
    trim = dask.config.get("distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_")
    assert trim == cluster.DASK_TRIM_THRESHOLD


def test_a_start_method_the_user_configured_is_kept():
    import dask

    with (
        dask.config.set({"distributed.worker.multiprocessing-method": "fork"}),
        cluster._forked_workers(),
    ):
        assert dask.config.get("distributed.worker.multiprocessing-method") == "fork"
        trim = dask.config.get("distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_")
        assert trim == cluster.DASK_TRIM_THRESHOLD
