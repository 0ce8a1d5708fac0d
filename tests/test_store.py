"""Tables as Delta Lake tables tied by a manifest: outside readers, versions, one writer at a
time, crashes at any point, compaction, migration of the earlier layouts, schema evolution."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import orjson
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from analysis import ingest, merge, settings, store
from analysis.cli import main
from analysis.errors import ContractError, DatasetBusyError, UnknownDatasetError, UsageError
from analysis.ingest import ingest_files
from analysis.tables import (
    CONTRACT,
    TABLE_NAMES,
    dataset_versions,
    load_dataset,
    load_meta,
    load_table,
    sql,
)
from tests.conftest import page_at_a_time, write_jsonl
from tests.pages import followers_page, following_page, search_page

ROOT = Path(__file__).resolve().parent.parent


def _search(i: int, *, likes: int = 2, collected_at: str | None = None) -> dict:
    """Search page ``i``: its own two tweets (ids shifted by i), the shared original and users."""
    page = search_page()
    for tw in page["data"]:
        tw["id"] = str(int(tw["id"]) + i * 10_000)
        tw["public_metrics"]["like_count"] = likes
    page["__medtwitter"]["collected_at"] = collected_at or f"2024-05-01T10:{i % 60:02d}:00.000Z"
    return page


def _frames(dataset: str, version: int | None = None) -> dict[str, pd.DataFrame]:
    return dict(load_dataset(dataset, version=version))


def _assert_same(a: str, b: str) -> None:
    fa, fb = _frames(a), _frames(b)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(fa[name], fb[name], obj=name)


def _same_frames(a: dict, b: dict) -> bool:
    try:
        for name in TABLE_NAMES:
            pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    except AssertionError:
        return False
    return True


def _path(dataset: str, name: str) -> Path:
    return store.table_path(settings.processed_dir(dataset), name)


def _delta_dataset(dataset: str, name: str):
    """A table as any Delta reader sees it: deltalake, no medtwitter code in between."""
    path = _path(dataset, name)
    return DeltaTable(str(path)).to_pyarrow_dataset(filesystem=store.local_filesystem(path))


def _updated_dataset(tmp_data: Path) -> None:
    """Dataset 't': three search pages, then the same tweets re-observed with more likes."""
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    ingest_files([first], "t", progress=False)
    again = [_search(i, likes=40 + i, collected_at="2024-06-01T00:00:00.000Z") for i in range(2)]
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [*again, _search(7)])], "t", progress=False)


# --- outside readers ---------------------------------------------------------------------------


def test_deltalake_duckdb_and_polars_read_exactly_the_current_rows_after_updates(tmp_data):
    _updated_dataset(tmp_data)
    for name in TABLE_NAMES:
        ours = load_table("t", name)
        key = list(CONTRACT[name].key)
        assert not ours.duplicated(key).any(), name
        # deltalake / pyarrow
        arrow = _delta_dataset("t", name).to_table()
        assert arrow.num_rows == len(ours), name
        # DuckDB over the pyarrow dataset (no extension to download)
        con = duckdb.connect()
        con.register("tbl", _delta_dataset("t", name))
        (count,) = con.execute("select count(*) from tbl").fetchone()
        assert count == len(ours), name
        # Polars, with its own Delta reader
        frame = pl.read_delta(str(_path("t", name)))
        assert frame.height == len(ours), name
        assert frame.select(key).is_duplicated().sum() == 0, name
    likes = int(load_table("t", "tweets")["like_count"].sum())
    assert likes == pl.read_delta(str(_path("t", "tweets")))["like_count"].sum()
    con = duckdb.connect()
    con.register("tweets", _delta_dataset("t", "tweets"))
    assert con.execute("select sum(like_count) from tweets").fetchone()[0] == likes
    # the re-observed tweets carry their newest metrics for every reader
    newest = pl.read_delta(str(_path("t", "tweets"))).filter(pl.col("like_count") >= 40)
    assert newest.height == 4


def test_sql_and_pandas_through_deltalake_agree_with_load_dataset(tmp_data):
    _updated_dataset(tmp_data)
    path = _path("t", "tweets")
    df = DeltaTable(str(path)).to_pandas(filesystem=store.local_filesystem(path))
    assert len(df) == len(load_table("t", "tweets"))
    counts = sql("t", "select count(*) as n, count(distinct tweet_id) as k from tweets")
    assert counts.n.iloc[0] == counts.k.iloc[0] == len(df)


# --- versions ----------------------------------------------------------------------------------


def test_each_ingest_is_a_dataset_version_and_older_versions_stay_readable(tmp_data, capsys):
    _updated_dataset(tmp_data)
    versions = dataset_versions("t")
    assert versions["version"].tolist() == [0, 1]
    assert versions.columns[:4].tolist() == ["version", "time", "command", "files"]
    assert versions["command"].tolist() == ["ingest", "ingest"]
    first = load_dataset("t", version=0)
    latest = load_dataset("t")
    assert first.meta["version"] == 0 and latest.meta["version"] == 1
    seen_again = [int(tw["id"]) for i in range(2) for tw in _search(i)["data"]]
    likes = {
        v.meta["version"]: v.tweets.set_index("tweet_id").loc[seen_again, "like_count"]
        for v in (first, latest)
    }
    assert likes[0].tolist() == [2, 2, 2, 2] and likes[1].tolist() == [40, 40, 41, 41]
    assert len(first.tweets) < len(latest.tweets)
    assert int(versions.loc[1, "tweets"]) == len(latest.tweets)
    assert main(["info", "t", "--versions"]) == 0
    out = capsys.readouterr().out
    assert "version" in out and "command" in out and "tweets" in out
    assert main(["info", "t"]) == 0
    assert "version 1" in capsys.readouterr().out


def test_an_unknown_version_is_one_line_naming_the_fix(tmp_data, capsys):
    _updated_dataset(tmp_data)
    with pytest.raises(UsageError, match=r"no version 5 \(versions: 0 to 1\).*--versions"):
        load_dataset("t", version=5)
    assert main(["report", "--dataset", "t", "--version", "5"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "medtwitter info t --versions" in err


def test_a_reader_never_mixes_tables_of_two_versions(tmp_data, monkeypatch):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0)])], "t", progress=False)
    before = _frames("t")
    # a writer has committed a table of a new ingest, not yet the manifest, then fails
    with (
        pytest.raises(KeyboardInterrupt),
        store.DatasetWriter(settings.processed_dir("t"), "ingest") as writer,
    ):
        extra = store.conform("tweets", _delta_dataset("t", "tweets").to_table().slice(0, 1))
        extra = extra.set_column(0, "tweet_id", pa.array([1], pa.int64()))
        writer.append("tweets", extra)
        assert _delta_dataset("t", "tweets").count_rows() == len(before["tweets"]) + 1
        assert _same_frames(_frames("t"), before)  # readers still see version 0 whole
        assert load_meta("t")["version"] == 0
        monkeypatch.setattr(store, "write_json_atomic", _raise_interrupt)
        writer.commit()
    monkeypatch.undo()
    assert _same_frames(_frames("t"), before)
    # the failed writer rolled the table back: outside readers see version 0's rows too
    assert _delta_dataset("t", "tweets").count_rows() == len(before["tweets"])


def _raise_interrupt(*args, **kwargs):
    raise KeyboardInterrupt


# --- one writer at a time ----------------------------------------------------------------------

_MEDTWITTER = [sys.executable, "-m", "analysis"]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


class _Stderr:
    """A child's stderr read line by line in a thread, to wait for a line without a fixed sleep."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._seen = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line)
            if "waiting for dataset" in line:
                self._seen.set()

    def wait_for_waiting(self, timeout: float = 120) -> None:
        assert self._seen.wait(timeout), "".join(self.lines)

    def text(self) -> str:
        self._thread.join(timeout=300)
        return "".join(self.lines)


def test_three_concurrent_ingests_equal_the_three_run_one_after_another(tmp_data):
    files = [
        write_jsonl(
            tmp_data / f"f{i}.jsonl",
            [
                _search(i, likes=i, collected_at=f"2024-05-0{i + 1}T00:00:00.000Z"),
                followers_page(12, [11, 13 + i]),
            ],
        )
        for i in range(3)
    ]
    for f in files:
        ingest_files([f], "sequential", progress=False)
    # the three start while the dataset is held, so that they do contend for it
    command = [*_MEDTWITTER, "--data-dir", str(tmp_data), "ingest", "--dataset", "t", "--quiet"]
    with store.dataset_lock(settings.processed_dir("t"), "test"):
        procs = [
            subprocess.Popen(
                [*command, str(f)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_env(),
                cwd=tmp_data,
                text=True,
            )
            for f in files
        ]
        errs = [_Stderr(p) for p in procs]
        for err in errs:  # every one has reached the lock and said it waits (no fixed sleep)
            err.wait_for_waiting()
    for p in procs:
        p.wait(timeout=300)
    stderr = [err.text() for err in errs]
    assert [p.returncode for p in procs] == [0, 0, 0], stderr
    assert all("waiting for dataset 't'" in err for err in stderr)
    _assert_same("t", "sequential")
    assert dataset_versions("t")["version"].tolist() == [0, 1, 2]
    tweets = set(load_dataset("t").tweets["tweet_id"])
    hashtags, mentions = load_dataset("t").hashtags, load_dataset("t").mentions
    assert set(hashtags["tweet_id"]) <= tweets and set(mentions["tweet_id"]) <= tweets


def test_a_second_writer_waits_and_says_so_then_proceeds(tmp_data):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0)])], "t", progress=False)
    raw = write_jsonl(tmp_data / "b.jsonl", [_search(1)])
    with store.dataset_lock(settings.processed_dir("t"), "test"):
        proc = subprocess.Popen(
            [
                *_MEDTWITTER,
                "--data-dir",
                str(tmp_data),
                "ingest",
                str(raw),
                "--dataset",
                "t",
                "--quiet",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            text=True,
        )
        stderr = _Stderr(proc)
        stderr.wait_for_waiting()
        assert proc.poll() is None  # still waiting
    proc.wait(timeout=120)
    err = stderr.text()
    assert proc.returncode == 0, err
    assert f"waiting for dataset 't' (being written by pid {os.getpid()}" in err
    assert load_meta("t")["version"] == 1


@pytest.mark.parametrize("timeout", ["0", "0.5"])
def test_lock_timeout_gives_up_with_one_line_naming_the_writer(tmp_data, timeout):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0)])], "t", progress=False)
    raw = write_jsonl(tmp_data / "b.jsonl", [_search(1)])
    with store.dataset_lock(settings.processed_dir("t"), "ingest"):
        run = subprocess.run(
            [
                *_MEDTWITTER,
                "--data-dir",
                str(tmp_data),
                "ingest",
                str(raw),
                "--dataset",
                "t",
                "--quiet",
                "--lock-timeout",
                timeout,
            ],
            capture_output=True,
            env=_env(),
            text=True,
            timeout=120,
        )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == (1 if timeout == "0" else 2)  # 0: the error at once, no waiting line
    last = lines[-1]
    assert last.startswith("medtwitter: error: dataset 't' is being written by pid ")
    assert "--lock-timeout" in last
    assert load_meta("t")["version"] == 0  # nothing changed


def test_lock_timeout_in_process_raises_and_a_negative_one_is_a_usage_error(tmp_data, capsys):
    folder = settings.processed_dir("t")
    holder = threading.Event()
    done = threading.Event()

    def hold():
        with store.dataset_lock(folder, "test"):
            holder.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holder.wait(10)
    try:
        with pytest.raises(DatasetBusyError), store.dataset_lock(folder, "test", timeout=0):
            pass
    finally:
        done.set()
        thread.join()
    assert main(["ingest", "x.jsonl", "--dataset", "t", "--lock-timeout", "-1"]) == 2
    assert "--lock-timeout -1 is negative" in capsys.readouterr().err


# --- crashes -----------------------------------------------------------------------------------

_KILLER = """
import os, signal, sys
from analysis import settings, store
from analysis.ingest import ingest_files

point, nth, root, raw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
settings.set_data_dir(root)
seen = [0]

def kill_at(owner, name, after):
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        if not after:
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if after:
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, wrapped)

if point == "commit":  # after the nth table commit (append, merge or overwrite)
    kill_at(store.DatasetWriter, "_write", True)
    kill_at(store.DatasetWriter, "upsert", True)
elif point == "json":  # before the nth atomic JSON write (manifest, then meta.json)
    kill_at(store, "write_json_atomic", False)
elif point == "replace":  # between a JSON file's temporary copy and its rename
    kill_at(os, "replace", False)
elif point == "restore":  # in the middle of a recovery: after its first table
    import deltalake

    kill_at(deltalake.DeltaTable, "restore", True)
ingest_files([raw], "t", progress=False)
"""


def _killed_ingest(root: Path, raw: Path, point: str, nth: int) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _KILLER, point, str(nth), str(root), str(raw)],
        capture_output=True,
        env=_env(),
        timeout=300,
    )
    return run.returncode


CRASH_POINTS = [
    ("commit", 1),  # after the first table's commit
    ("commit", 3),
    ("commit", 6),  # every table but one committed
    ("json", 1),  # every table committed, the manifest not written
    ("json", 2),  # the manifest written, meta.json not
    ("replace", 1),  # the quarantine moved in, the manifest not written
    ("replace", 2),  # the manifest's temporary file written, not renamed
    ("replace", 3),  # meta.json's temporary file written, not renamed
]


@pytest.mark.parametrize(("point", "nth"), CRASH_POINTS)
def test_kill_9_at_any_point_leaves_the_previous_or_the_new_version_and_the_next_run_recovers(
    tmp_data, point, nth
):
    a = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    b_pages = [_search(i, likes=50, collected_at="2024-06-01T00:00:00.000Z") for i in (1, 5)]
    # a bad line too: the run ends by moving the quarantine file in
    b = write_jsonl(tmp_data / "b.jsonl", [*b_pages, "{cut", followers_page(12, [11, 13])])
    ingest_files([a, b], "whole", progress=False)
    ingest_files([a], "t", progress=False)
    before, after = _frames("t"), _frames("whole")
    assert _killed_ingest(tmp_data, b, point, nth) == -9
    now = _frames("t")  # readable, and one of the two versions
    assert _same_frames(now, before) or _same_frames(now, after)
    ingest_files([b], "t", progress=False)  # the next run recovers and finishes the job
    _assert_same("t", "whole")
    # the bad line is in the quarantine once: never lost, never twice
    assert [(e["file"], e["line"]) for e in _entries("t")] == [(str(b), 3)]
    for name in TABLE_NAMES:  # outside readers agree once the next writer has run
        assert _delta_dataset("t", name).count_rows() == len(after[name]), name
    leftovers = [p.name for p in settings.processed_dir("t").iterdir() if p.name.startswith(".")]
    assert leftovers == [".lock"], leftovers


def test_a_kill_during_recovery_is_recovered_by_the_next_writer(tmp_data):
    a = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    b = write_jsonl(tmp_data / "b.jsonl", [_search(i, likes=9) for i in (1, 4)])
    ingest_files([a], "t", progress=False)
    before = _frames("t")
    assert _killed_ingest(tmp_data, b, "json", 1) == -9  # tables committed, no manifest
    assert _killed_ingest(tmp_data, b, "restore", 1) == -9  # killed while rolling back
    assert _same_frames(_frames("t"), before)
    ingest_files([b], "t", progress=False)
    ingest_files([a, b], "whole", progress=False)
    _assert_same("t", "whole")


def test_a_crash_in_the_first_ingest_leaves_no_dataset_and_the_next_run_builds_it(tmp_data):
    a = write_jsonl(tmp_data / "a.jsonl", [_search(0), followers_page(12, [11])])
    assert _killed_ingest(tmp_data, a, "commit", 2) == -9
    with pytest.raises(UnknownDatasetError, match="unknown dataset 't'"):
        load_dataset("t")
    ingest_files([a], "t", progress=False)
    ingest_files([a], "whole", progress=False)
    _assert_same("t", "whole")


# --- appends: the cost follows the new file ----------------------------------------------------


def _operations(dataset: str, name: str) -> list[str]:
    return [h["operation"] for h in reversed(DeltaTable(str(_path(dataset, name))).history())]


def test_an_append_of_new_tweets_is_an_append_commit_that_keeps_the_old_files(tmp_data):
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    ingest_files([first], "t", progress=False)
    old_files = set(DeltaTable(str(_path("t", "tweets"))).file_uris())
    later = _search(50, collected_at="2024-09-01T00:00:00.000Z")
    later["includes"]["tweets"] = []  # no old tweet seen again: only newer ids
    for tw in later["data"]:
        tw["id"] = str(int(tw["id"]) + 2 * 10**18)  # above every id of the first file
        tw.pop("referenced_tweets", None)
    second = write_jsonl(tmp_data / "b.jsonl", [later])
    ingest_files([second], "t", progress=False)
    table = DeltaTable(str(_path("t", "tweets")))
    assert old_files < set(table.file_uris())  # nothing rewritten
    assert table.history(1)[0]["operationParameters"]["mode"] == "Append"
    ingest_files([first, second], "whole", progress=False)
    _assert_same("t", "whole")


def test_an_update_rewrites_only_the_files_holding_updated_rows(tmp_data):
    pages = [_search(i) for i in range(6)]
    for page in pages[1:]:
        page["includes"]["tweets"] = []  # each page's tweets are its own
    for i, page in enumerate(pages):  # collected over time: one data file per ingest
        ingest_files([write_jsonl(tmp_data / f"{i}.jsonl", [page])], "t", progress=False)
    files = len(DeltaTable(str(_path("t", "tweets"))).file_uris())
    assert files == 6
    recent = copy.deepcopy(pages[5])
    recent["__medtwitter"]["collected_at"] = "2024-08-01T00:00:00.000Z"
    for tw in recent["data"]:
        tw["public_metrics"]["like_count"] = 77
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [recent])], "t", progress=False)
    table = DeltaTable(str(_path("t", "tweets")))
    last = table.history(1)[0]
    assert last["operation"] == "MERGE"
    metrics = last["operationMetrics"]
    assert metrics["num_target_rows_updated"] == 2
    assert metrics["num_target_files_removed"] == 1  # the other files were not rewritten
    assert (load_table("t", "tweets")["like_count"] == 77).sum() == 2


def test_hash_buckets_give_the_same_tables_as_one_bucket(tmp_data, monkeypatch):
    pages = [
        *(_search(i) for i in range(12)),
        followers_page(12, [11, 13]),
        following_page(12, [11]),
    ]
    raw = write_jsonl(tmp_data / "a.jsonl", pages)
    again = write_jsonl(
        tmp_data / "b.jsonl", [_search(3, likes=9, collected_at="2024-07-01T00:00:00Z")]
    )
    ingest_files([raw], "one", progress=False)
    ingest_files([again], "one", progress=False)
    monkeypatch.setattr(merge, "BUCKET_BYTES", 2_000)  # a few kB a bucket: many buckets
    assert merge.bucket_count(raw.stat().st_size) > 4
    ingest_files([raw], "many", progress=False)
    ingest_files([again], "many", progress=False)
    _assert_same("one", "many")


def test_dedup_rules_in_memory():
    ts = pa.timestamp("us", tz="UTC")
    users = pa.table(
        {
            **{
                c: pa.nulls(3, f.type)
                for c, f in zip(CONTRACT["users"].names, CONTRACT["users"].schema, strict=False)
            },
            "user_id": pa.array([7, 7, 7], pa.int64()),
            "description": pa.array(["old bio", None, None]),
            "followers_count": pa.array([1, 5, None], pa.int64()),
            "observed_at": pa.array([1, 3, 2], ts),
            "platform": pa.array(["x"] * 3),
            "_seq": pa.array([0, 1, 2], pa.int64()),
        }
    )
    row = merge.dedup("users", users).to_pylist()[0]
    # the newest snapshot (observed 3) wins; the bio it lacks comes from the newest that has one
    assert row["followers_count"] == 5 and row["description"] == "old bio"
    assert row["observed_at"].microsecond == 3


def test_a_null_key_value_matches_itself_in_an_update(tmp_data):
    page = followers_page(12, [11])
    del page["__medtwitter"]["collected_at"]  # snapshots without an observation time
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [page])], "t", progress=False)
    # the same snapshots (same key, null time) with a changed count: a MERGE, not a skip
    page["data"][0]["public_metrics"] = {"followers_count": 4242}
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [page])], "t", progress=False)
    history = DeltaTable(str(_path("t", "user_snapshots"))).history(1)[0]
    assert history["operation"] == "MERGE"
    snapshots = load_table("t", "user_snapshots")
    assert len(snapshots) == len(snapshots.drop_duplicates("user_id"))
    assert snapshots.set_index("user_id").loc[11, "followers_count"] == 4242


# --- the streaming reader and its fallbacks ----------------------------------------------------


def test_a_bad_line_mid_stream_costs_only_itself(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest.stream, "CHUNK_BYTES", 6_000)  # pages flattened a few at a time
    monkeypatch.setattr(ingest.stream, "GROUP_BYTES", 6_000)
    pages = [_search(i) for i in range(30)]
    lines = [*pages[:7], "{not json", *pages[7:20], '{"hello": "world"}', *pages[20:]]
    raw = write_jsonl(tmp_data / "a.jsonl", lines)
    report = ingest_files([raw], "fast", progress=False)
    assert report.files[0].problems == [
        f"{raw}:8: not valid JSON",
        f"{raw}:22: valid JSON but not an X API page (no tweets or users in `data`)",
    ]
    assert report.pages == 30 and report.bad_lines == 2
    with pytest.MonkeyPatch.context() as mp:
        page_at_a_time(mp)
        ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")


@pytest.mark.parametrize(
    "cut",
    [
        b'{"data": [{"id": "5", "text": "trunc',  # a collection killed mid-line
        b'{"data": [{"id": "5"}], "includes": {"us',
        b"{",
        b'{"data": [{"id": "\xff\xfe',  # cut inside invalid UTF-8
    ],
    ids=["in-text", "in-includes", "brace", "bad-bytes"],
)
def test_a_last_line_cut_short_costs_only_itself(tmp_data, monkeypatch, cut):
    pages = [_search(i) for i in range(20)]
    raw = write_jsonl(tmp_data / "a.jsonl", pages)
    with open(raw, "ab") as fh:
        fh.write(cut)
    assert ingest.stream.whole_lines(raw) == raw.stat().st_size - len(cut)

    def chunked(*args, **kwargs):
        raise AssertionError("the lines before a cut last line are streamed, not read again")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest.stream, "parsed_chunks", chunked)
        report = ingest_files([raw], "fast", progress=False)
    assert report.files[0].problems == [f"{raw}:21: truncated last line"]
    assert report.pages == 20 and report.bad_lines == 1 and report.files[0].lines == 21
    assert [e["line"] for e in _entries("fast")] == [21]
    page_at_a_time(monkeypatch)
    ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")
    assert _entries("fast") == _entries("slow")


@pytest.mark.parametrize(
    "tail",
    [b"", b"\n", b"   ", b'{"data": []}', b"no newline at all"],
    ids=["ends-with-newline", "blank-line", "blanks", "whole-last-line", "one-line"],
)
def test_whole_lines_is_none_unless_the_last_line_is_cut(tmp_path, tail):
    raw = tmp_path / "a.jsonl"
    raw.write_bytes((b'{"data": []}\n' if tail != b"no newline at all" else b"") + tail)
    assert ingest.stream.whole_lines(raw) is None


def test_a_file_mixing_tweets_and_followers_pages_streams_both(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest.stream, "CHUNK_BYTES", 6_000)
    monkeypatch.setattr(ingest.stream, "GROUP_BYTES", 6_000)
    pages = [_search(i) for i in range(10)]
    mixed = [*pages[:5], followers_page(12, [11, 13]), *pages[5:], following_page(12, [11])]
    raw = write_jsonl(tmp_data / "a.jsonl", [copy.deepcopy(p) for p in mixed])
    slow = ingest.read.read_chunk_slow
    monkeypatch.setattr(ingest.read, "read_chunk_slow", None)  # no line-by-line reading needed
    ingest_files([raw], "fast", progress=False)
    monkeypatch.setattr(ingest.read, "read_chunk_slow", slow)
    page_at_a_time(monkeypatch)
    ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")
    assert len(load_dataset("fast").follows) == 3


def _entries(dataset: str) -> list[dict]:
    path = settings.processed_dir(dataset) / ingest.QUARANTINE_FILE
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _quarantined(dataset: str) -> list[int]:
    path = settings.processed_dir(dataset) / ingest.QUARANTINE_FILE
    return [orjson.loads(line)["line"] for line in path.read_bytes().splitlines()]


def test_two_pages_on_one_line_before_a_bad_line_lose_nothing_silently(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest.stream, "BLOCK_BYTES", 4096)  # Arrow's reader in many small blocks
    monkeypatch.setattr(ingest.stream, "CHUNK_BYTES", 6_000)
    monkeypatch.setattr(ingest.stream, "GROUP_BYTES", 6_000)
    pages = [orjson.dumps(_search(i)).decode() for i in range(20)]
    double = pages[5] + pages[6]  # what `cat a b` gives when a lacks its last newline
    lines = [*pages[:5], double, *pages[7:15], "{broken", *pages[15:]]
    raw = write_jsonl(tmp_data / "a.jsonl", lines)
    report = ingest_files([raw], "fast", progress=False)
    assert _quarantined("fast") == [6, 15] and report.bad_lines == 2
    with pytest.MonkeyPatch.context() as mp:
        page_at_a_time(mp)
        ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")
    ids = set(load_dataset("fast").tweets.tweet_id)
    assert all(int(_search(i)["data"][1]["id"]) in ids for i in (*range(5), *range(7, 20)))


def test_a_line_longer_than_a_parsed_block_is_read_whole_and_kept(tmp_data, monkeypatch):
    """A whole file is parsed GROUP_BYTES at a time; a longer line goes the chunked way, whole."""
    monkeypatch.setattr(ingest.stream, "GROUP_BYTES", 8_000)  # several blocks, each handed over
    pages = [_search(i) for i in range(12)]
    long = copy.deepcopy(pages[6])
    long["data"][0]["text"] = "Garde aux urgences, " + "très longue note. " * 1_000
    lines = [orjson.dumps(p).decode() for p in [*pages[:6], long, *pages[7:]]]
    assert len(lines[6]) > 8_000 > max(len(line) for line in lines[:6] + lines[7:])
    raw = write_jsonl(tmp_data / "a.jsonl", lines)
    blocks = []
    groups = ingest.stream.page_groups
    monkeypatch.setattr(
        ingest.stream,
        "page_groups",
        lambda *a, **k: (blocks.append(b) or b for b in groups(*a, **k)),
    )
    report = ingest_files([raw], "fast", progress=False)
    assert report.bad_lines == 0 and report.pages == 12
    assert len(blocks) > 1 and all(b.num_rows < 6 for b in blocks)  # blocks before the long line
    with pytest.MonkeyPatch.context() as mp:
        page_at_a_time(mp)
        ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")
    tweets = load_dataset("fast").tweets.set_index("tweet_id")
    assert tweets.loc[int(long["data"][0]["id"]), "text"] == long["data"][0]["text"]


def test_a_null_line_first_is_set_aside_not_a_crash(tmp_data):
    raw = write_jsonl(tmp_data / "a.jsonl", ["null", _search(0), "null", _search(1)])
    report = ingest_files([raw], "t", progress=False)
    assert report.pages == 2 and _quarantined("t") == [1, 3]


def test_quarantine_entries_keep_the_ids_and_handles_parsed_from_their_line(tmp_data):
    broken = (
        '{"data": [{"id": "1460323737035677698", "author_id": "783214", "username": "Dr_Tortue"'
    )
    raw = write_jsonl(tmp_data / "a.jsonl", [_search(0), broken])
    ingest_files([raw], "t", progress=False)
    path = settings.processed_dir("t") / ingest.QUARANTINE_FILE
    (entry,) = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert entry["ids"] == [783214, 1460323737035677698]
    assert entry["usernames"] == ["Dr_Tortue"]


def test_an_interrupted_merge_leaves_the_dataset_as_it_was(tmp_data, monkeypatch):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0)])], "t", progress=False)
    before = _frames("t")
    calls = []
    original = merge.merge_table

    def fail_on_second(name, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(name, *args, **kwargs)

    monkeypatch.setattr(merge, "merge_table", fail_on_second)
    with pytest.raises(OSError):
        ingest_files(
            [write_jsonl(tmp_data / "b.jsonl", [_search(1, likes=9)])], "t", progress=False
        )
    for name, frame in _frames("t").items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
        assert _delta_dataset("t", name).count_rows() == len(before[name]), name
    inside = [p.name for p in settings.processed_dir("t").iterdir() if p.name.startswith(".")]
    assert inside == [".lock"]  # no staging folder left behind


# --- compaction --------------------------------------------------------------------------------


def _parquet_files_on_disk(dataset: str, name: str) -> set[str]:
    return {p.name for p in _path(dataset, name).glob("*.parquet")}


def test_compact_merges_small_files_and_changes_no_row(tmp_data, capsys):
    for i in range(4):
        raw = write_jsonl(tmp_data / f"{i}.jsonl", [_search(i, likes=i)])
        ingest_files([raw], "t", progress=False)
    before = _frames("t")
    assert len(DeltaTable(str(_path("t", "hashtags"))).file_uris()) == 4
    assert main(["compact", "t"]) == 0
    out = capsys.readouterr().out
    assert "hashtags: 4 files -> 1" in out and "version 4" in out
    assert len(DeltaTable(str(_path("t", "hashtags"))).file_uris()) == 1
    assert _same_frames(_frames("t"), before)
    # versions younger than the retention stay readable (citable)
    assert len(load_dataset("t", version=0).tweets) == 3
    assert not dataset_versions("t")["dropped"].astype(bool).any()


def test_compact_with_zero_retention_deletes_old_files_and_marks_old_versions_dropped(
    tmp_data, capsys
):
    for i in range(3):
        raw = write_jsonl(
            tmp_data / f"{i}.jsonl",
            [_search(0, likes=i, collected_at=f"2024-05-0{i + 1}T00:00:00Z")],
        )
        ingest_files([raw], "t", progress=False)
    before = _frames("t")
    assert main(["compact", "t", "--retain-days", "0"]) == 0
    for name in TABLE_NAMES:
        current = {u.rsplit("/", 1)[-1] for u in DeltaTable(str(_path("t", name))).file_uris()}
        assert _parquet_files_on_disk("t", name) == current, name
    assert _same_frames(_frames("t"), before)
    versions = dataset_versions("t")
    assert versions["dropped"].astype(bool).tolist() == [True, True, True, False]
    with pytest.raises(UsageError, match="version 0 of dataset 't' was dropped"):
        load_dataset("t", version=0)
    capsys.readouterr()
    assert main(["info", "t", "--versions"]) == 0
    assert "version 0: dropped, files removed by `medtwitter compact" in capsys.readouterr().out
    assert main(["compact", "t", "--retain-days", "-2"]) == 2


def test_compact_keeps_recent_versions_readable_in_a_folder_named_with_spaces_and_accents(
    tmp_path,
):
    root = tmp_path / "Données de thèse"
    settings.set_data_dir(root)
    try:
        for i in range(2):
            raw = write_jsonl(tmp_path / f"{i}.jsonl", [_search(i, likes=i)])
            ingest_files([raw], "t", progress=False)
        assert main(["--data-dir", str(root), "compact", "t"]) == 0
        assert not dataset_versions("t")["dropped"].astype(bool).any()
        assert len(load_dataset("t", version=0).tweets) == 3
    finally:
        settings.set_data_dir(None)


# --- the earlier layouts -----------------------------------------------------------------------


def _write_old_layout(dataset: str, frames: dict[str, pa.Table], parts: bool) -> Path:
    """A dataset in an earlier layout: one Parquet file per table, or folders of parts.

    With ``parts``, every table is split in two parts; the first copy of the last row is
    repeated in part 0 with stale values and listed in part 0's deletions file, as appends
    used to leave them. ``user_snapshots`` is left out (datasets from before it).
    """
    folder = settings.processed_dir(dataset)
    folder.mkdir(parents=True)
    meta = {"name": dataset, "synthetic": False, "sources": [], "counts": {}}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for name, table in frames.items():
        if name == "user_snapshots":
            continue
        if not parts:
            pq.write_table(table, folder / f"{name}.parquet")
            continue
        path = folder / f"{name}.parquet"
        path.mkdir()
        half = table.num_rows // 2
        first, second = table.slice(0, half), table.slice(half)
        if second.num_rows:  # a stale copy of a row that part 1 replaced
            first = pa.concat_tables([first, second.slice(0, 1)])
            pq.write_table(
                pa.table({"row": pa.array([half], pa.int64())}), path / "_part-00000.deleted"
            )
        pq.write_table(first, path / "part-00000.parquet")
        pq.write_table(second, path / "part-00001.parquet")
    return folder


@pytest.mark.parametrize("parts", [False, True], ids=["one-file-per-table", "parts-with-deletions"])
def test_an_earlier_layout_is_converted_by_compact_losing_nothing(tmp_data, parts, capsys):
    raw = write_jsonl(
        tmp_data / "a.jsonl", [_search(i) for i in range(4)] + [followers_page(12, [11, 13])]
    )
    ingest_files([raw], "reference", progress=False)
    reference = {n: store.read_table(settings.processed_dir("reference"), n) for n in TABLE_NAMES}
    folder = _write_old_layout("old", reference, parts)
    with pytest.raises(
        ContractError, match="earlier layout; convert it with `medtwitter compact old`"
    ):
        load_dataset("old")
    assert main(["compact", "old"]) == 0
    converted = _frames("old")
    expected = _frames("reference")
    for name in TABLE_NAMES:
        if name == "user_snapshots":  # from before snapshots: the users were the snapshots
            pd.testing.assert_frame_equal(converted[name], expected["users"], obj=name)
        else:
            pd.testing.assert_frame_equal(converted[name], expected[name], obj=name)
    assert not list(folder.glob("*.parquet"))  # the old files are gone
    assert dataset_versions("old")["version"].tolist() == [0, 1]  # converted, then compacted


def test_a_migration_killed_after_its_commit_leaves_no_old_file_behind(tmp_data, monkeypatch):
    raw = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(2)])
    ingest_files([raw], "reference", progress=False)
    reference = {n: store.read_table(settings.processed_dir("reference"), n) for n in TABLE_NAMES}
    folder = _write_old_layout("old", reference, parts=False)
    monkeypatch.setattr(store, "remove_old_layout", _raise_interrupt)
    with pytest.raises(KeyboardInterrupt):
        store.compact(folder)
    monkeypatch.undo()
    assert list(folder.glob("*.parquet"))  # converted and committed, old files still there
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [_search(7)])], "old", progress=False)
    assert not list(folder.glob("*.parquet"))  # the next writer removed them


def test_a_dataset_left_only_as_its_backup_by_the_earlier_swap_is_put_back_not_deleted(tmp_data):
    """The earlier layout renamed a dataset to `.<d>.old` before renaming the new one in."""
    a = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    b = write_jsonl(tmp_data / "b.jsonl", [_search(5)])
    ingest_files([a], "reference", progress=False)
    reference = {n: store.read_table(settings.processed_dir("reference"), n) for n in TABLE_NAMES}
    folder = _write_old_layout("old", reference, parts=True)
    # killed between the two renames: only the backup is left, and a staging folder
    os.replace(folder, folder.parent / ".old.old")
    (folder.parent / ".old.x1y2z3").mkdir()
    ingest_files([b], "old", progress=False)
    ingest_files([b], "reference", progress=False)
    got, want = _frames("old"), _frames("reference")
    for name in TABLE_NAMES:
        if name != "user_snapshots":
            pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["old", "reference"]


# --- columns added later -----------------------------------------------------------------------


def test_a_column_the_table_predates_reads_as_null_and_is_added_by_the_next_ingest(tmp_data):
    a = write_jsonl(tmp_data / "a.jsonl", [_search(0)])
    ingest_files([a], "t", progress=False)
    folder = settings.processed_dir("t")
    # rewrite `tweets` as an older contract wrote it: without `quote_count`
    old = store.read_table(folder, "tweets").drop_columns(["quote_count"])
    write_deltalake(str(_path("t", "tweets")), old, mode="overwrite", schema_mode="overwrite")
    manifest = store.read_manifest(folder)
    manifest["versions"][-1]["tables"]["tweets"] = DeltaTable(str(_path("t", "tweets"))).version()
    store.write_json_atomic(folder / store.MANIFEST_FILE, manifest)
    tweets = load_table("t", "tweets")
    assert tweets.columns.tolist() == CONTRACT["tweets"].names
    assert tweets["quote_count"].isna().all()
    later = _search(9, collected_at="2024-08-01T00:00:00Z")
    later["includes"]["tweets"] = []
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [later])], "t", progress=False)
    tweets = load_table("t", "tweets").set_index("tweet_id")
    new_ids = [int(tw["id"]) for tw in later["data"]]
    assert tweets.loc[new_ids, "quote_count"].notna().all()
    assert "quote_count" in pl.read_delta(str(_path("t", "tweets"))).columns


# --- purge -------------------------------------------------------------------------------------


def _values(array: pa.Array, out: list) -> None:
    """Every leaf value of an Arrow array (structs, lists and maps walked), into ``out``."""
    t = array.type
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            _values(array.field(i), out)
    elif pa.types.is_map(t):
        _values(array.keys, out)
        _values(array.items, out)
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        _values(array.flatten(), out)
    else:
        out.extend(array.to_pylist())


def test_purge_leaves_no_trace_in_any_file_and_a_reingest_does_not_bring_it_back(tmp_data):
    from analysis.demo import build_demo
    from analysis.purge import purge

    build_demo("small", accounts=80, seed=7, progress=False)
    tables = load_dataset("small")
    uid = int(tables.tweets["author_id"].value_counts().index[0])
    handle = tables.users.set_index("user_id").loc[uid, "username"]
    # a bad line about someone else whose ids contain the account's digits, and one about it
    other = f'{{"data": [{{"id": "1{uid}", "author_id": "{uid}1", "text": "cut'
    about = f'{{"data": [{{"id": "77", "author_id": "{uid}", "text": "cut'
    bad = write_jsonl(tmp_data / f"about_{uid}.jsonl", [other, about])  # a name with the id
    ingest_files([settings.raw_dir("small"), bad], "small", progress=False)  # a second version
    purge("small", user_ids=[uid])
    (kept,) = _entries("small")  # matched on parsed ids, not on substrings
    assert kept["line"] == 1 and kept["ids"] == sorted([int(f"1{uid}"), int(f"{uid}1")])
    folder = settings.processed_dir("small")
    for name in TABLE_NAMES:  # only the current version's data files are left
        current = {u.rsplit("/", 1)[-1] for u in DeltaTable(str(_path("small", name))).file_uris()}
        assert _parquet_files_on_disk("small", name) == current, name
    for path in folder.rglob("*.parquet"):  # data files and log checkpoints
        values: list = []
        for column in pq.read_table(path).columns:
            _values(column.combine_chunks(), values)
        assert uid not in values, path
        assert handle not in values, path
        assert not any(isinstance(v, str) and str(uid) in v for v in values), path
    for path in folder.rglob("*"):
        assert str(uid) not in path.name and handle not in path.name, path
        if path.is_file() and path.suffix != ".parquet":
            text = path.read_bytes()
            if path.name == "quarantine.jsonl":  # the kept entry names ids containing its digits
                text = text.replace(f"1{uid}".encode(), b"").replace(f"{uid}1".encode(), b"")
            assert str(uid).encode() not in text, path
            assert handle.encode() not in text, path
    versions = dataset_versions("small")
    assert versions["dropped"].astype(bool).tolist() == [True, True, False]
    assert "purge" in versions["dropped"].iloc[0]
    # the raw pages were cleaned too: ingesting them again does not bring the account back
    ingest_files([settings.raw_dir("small")], "small", progress=False)
    again = load_dataset("small")
    assert uid not in set(again.users["user_id"]) and uid not in set(again.tweets["author_id"])
    assert not (again.follows[["follower_id", "followed_id"]] == uid).any().any()


# --- fixtures written by the earlier code ------------------------------------------------------

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"


@pytest.mark.parametrize("layout", ["parts", "single"])
@pytest.mark.parametrize("how", ["compact", "ingest"])
def test_datasets_written_by_the_earlier_code_are_converted_losing_nothing(tmp_data, layout, how):
    import shutil

    raw = tmp_data / "raw"
    shutil.copytree(LAYOUTS / "raw", raw)
    shutil.copytree(LAYOUTS / layout, settings.processed_dir("legacy"))
    ingest_files([raw / "a.jsonl"], "reference", progress=False)
    ingest_files([raw / "b.jsonl"], "reference", progress=False)
    if how == "compact":
        assert main(["compact", "legacy"]) == 0
    else:  # the next ingest converts first; the file is already in: nothing changes
        ingest_files([raw / "b.jsonl"], "legacy", progress=False)
        ingest_files([raw / "b.jsonl"], "reference", progress=False)
    got, want = _frames("legacy"), _frames("reference")
    for name in TABLE_NAMES:
        if name == "user_snapshots" and layout == "single":  # its users were its snapshots
            if how == "compact":
                pd.testing.assert_frame_equal(got[name], want["users"], obj=name)
            else:  # and the file ingested again adds the snapshots the layout did not keep
                keys = ["user_id", "observed_at"]
                kept = got[name].merge(want["users"][keys], on=keys)
                assert len(kept) == len(want["users"]), name
        else:
            pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    folder = settings.processed_dir("legacy")
    assert not list(folder.glob("*.parquet")) and not list(folder.glob("*/_part-*"))
    assert got["tweets"].set_index("tweet_id")["like_count"].max() == 9  # the append's update
    assert dataset_versions("legacy")["version"].iloc[0] == 0
