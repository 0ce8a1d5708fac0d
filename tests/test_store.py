"""Tables as folders of key-disjoint parts: appends, rewrites, compaction, buckets, streaming."""

from __future__ import annotations

import copy
import os

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import ingest, merge, settings, store
from analysis.cli import main
from analysis.ingest import ingest_files
from analysis.tables import CONTRACT, TABLE_NAMES, load_dataset
from tests.conftest import page_at_a_time, write_jsonl
from tests.pages import followers_page, following_page, search_page


def _search(i: int, *, likes: int = 2, collected_at: str | None = None) -> dict:
    """Search page ``i``: its own two tweets (ids shifted by i), the shared original and users."""
    page = search_page()
    for tw in page["data"]:
        tw["id"] = str(int(tw["id"]) + i * 10_000)
        tw["public_metrics"]["like_count"] = likes
    page["__medtwitter"]["collected_at"] = collected_at or f"2024-05-01T10:{i % 60:02d}:00.000Z"
    return page


def _frames(dataset: str) -> dict[str, pd.DataFrame]:
    return dict(load_dataset(dataset))


def _assert_same(a: str, b: str) -> None:
    fa, fb = _frames(a), _frames(b)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(fa[name], fb[name], obj=name)


def _parts(dataset: str, name: str) -> list[str]:
    return [p.name for p in store.part_files(settings.processed_dir(dataset), name)]


def _no_key_in_two_parts(dataset: str) -> None:
    folder = settings.processed_dir(dataset)
    for name in TABLE_NAMES:
        parts = [store.read_part(p) for p in store.part_files(folder, name)]
        live = pa.concat_tables(parts).to_pandas() if parts else pd.DataFrame()
        key = list(CONTRACT[name].key)
        assert live.empty or not live.duplicated(key).any(), name
        assert store.num_rows(folder, name) == len(live), name


def test_an_append_adds_one_part_and_keeps_untouched_parts_as_they_are(tmp_data):
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    ingest_files([first], "t", progress=False)
    folder = settings.processed_dir("t")
    inode = os.stat(store.part_files(folder, "hashtags")[0]).st_ino
    second = write_jsonl(tmp_data / "b.jsonl", [_search(i) for i in range(3, 5)])
    ingest_files([second], "t", progress=False)
    assert _parts("t", "tweets") == ["part-00000.parquet", "part-00001.parquet"]
    # the new tweets' hashtags share no key with the old ones: the old part is the same file
    assert os.stat(store.part_files(folder, "hashtags")[0]).st_ino == inode
    ingest_files([first, second], "whole", progress=False)
    _assert_same("t", "whole")
    _no_key_in_two_parts("t")


def test_rows_an_append_updates_move_out_of_their_old_part(tmp_data):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0, likes=2)])], "t", progress=False)
    newer = _search(0, likes=40, collected_at="2024-06-01T00:00:00.000Z")
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [newer])], "t", progress=False)
    _no_key_in_two_parts("t")
    tweets = load_dataset("t").tweets.set_index("tweet_id")
    assert tweets.loc[901, "like_count"] == 40  # the newest metrics won
    assert tweets.loc[900, "collected"] == False  # noqa: E712  (only ever in includes)
    users = load_dataset("t").users.set_index("user_id")
    assert users.loc[11, "description"] == "Médecin"  # an older snapshot still fills fields


def test_re_ingesting_the_same_file_leaves_one_row_per_key(tmp_data):
    raw = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(4)])
    ingest_files([raw], "t", progress=False)
    before = _frames("t")
    ingest_files([raw], "t", progress=False)
    _no_key_in_two_parts("t")
    for name, frame in _frames("t").items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def test_small_parts_are_merged_beyond_the_limit(tmp_data, monkeypatch):
    monkeypatch.setattr(store, "MAX_PARTS", 2)
    files = [write_jsonl(tmp_data / f"{i}.jsonl", [_search(i)]) for i in range(5)]
    for raw in files:
        ingest_files([raw], "t", progress=False)
        assert len(_parts("t", "tweets")) <= 2
    ingest_files(files, "whole", progress=False)
    _assert_same("t", "whole")


def test_compact_makes_one_part_per_table_and_changes_no_row(tmp_data, capsys):
    for i in range(3):
        ingest_files([write_jsonl(tmp_data / f"{i}.jsonl", [_search(i)])], "t", progress=False)
    before = _frames("t")
    assert main(["--data-dir", str(tmp_data), "compact", "t"]) == 0
    assert "tweets: 3 parts -> 1" in capsys.readouterr().out
    for name in TABLE_NAMES:
        assert len(_parts("t", name)) <= 1, name
        pd.testing.assert_frame_equal(_frames("t")[name], before[name], obj=name)


def test_a_dataset_with_one_file_per_table_is_read_and_extended(tmp_data):
    raw = write_jsonl(tmp_data / "a.jsonl", [_search(0)])
    ingest_files([raw], "t", progress=False)
    folder = settings.processed_dir("t")
    for name in TABLE_NAMES:  # the layout before parts: <name>.parquet is a file
        table = store.read_table(folder, name)
        store.replace_table(folder, name, table)
        part = store.part_files(folder, name)[0]
        os.replace(part, folder / ".single")
        os.rmdir(store.table_path(folder, name))
        os.replace(folder / ".single", store.table_path(folder, name))
    assert store.table_path(folder, "tweets").is_file()
    assert len(load_dataset("t").tweets) == 3
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [_search(1)])], "t", progress=False)
    assert store.table_path(folder, "tweets").is_dir()
    ingest_files([raw, tmp_data / "b.jsonl"], "whole", progress=False)
    _assert_same("t", "whole")


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
    _no_key_in_two_parts("many")


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
            "_seq": pa.array([0, 1, 2], pa.int64()),
        }
    )
    row = merge.dedup("users", users).to_pylist()[0]
    # the newest snapshot (observed 3) wins; the bio it lacks comes from the newest that has one
    assert row["followers_count"] == 5 and row["description"] == "old bio"
    assert row["observed_at"].microsecond == 3


def test_a_bad_line_mid_stream_costs_only_itself(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 6_000)  # pages flattened a few at a time
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


def test_a_file_mixing_tweets_and_followers_pages_streams_both(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 6_000)
    pages = [_search(i) for i in range(10)]
    mixed = [*pages[:5], followers_page(12, [11, 13]), *pages[5:], following_page(12, [11])]
    raw = write_jsonl(tmp_data / "a.jsonl", [copy.deepcopy(p) for p in mixed])
    slow = ingest._read_chunk_slow
    monkeypatch.setattr(ingest, "_read_chunk_slow", None)  # no line-by-line reading needed
    ingest_files([raw], "fast", progress=False)
    monkeypatch.setattr(ingest, "_read_chunk_slow", slow)
    page_at_a_time(monkeypatch)
    ingest_files([raw], "slow", progress=False)
    _assert_same("fast", "slow")
    assert len(load_dataset("fast").follows) == 3


def _quarantined(dataset: str) -> list[int]:
    path = settings.processed_dir(dataset) / ingest.QUARANTINE_FILE
    return [orjson.loads(line)["line"] for line in path.read_bytes().splitlines()]


def test_two_pages_on_one_line_before_a_bad_line_lose_nothing_silently(tmp_data, monkeypatch):
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 4096)  # Arrow's reader in many small blocks
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 6_000)
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


def test_a_null_line_first_is_set_aside_not_a_crash(tmp_data):
    raw = write_jsonl(tmp_data / "a.jsonl", ["null", _search(0), "null", _search(1)])
    report = ingest_files([raw], "t", progress=False)
    assert report.pages == 2 and _quarantined("t") == [1, 3]


def test_an_interrupted_merge_leaves_the_dataset_as_it_was(tmp_data, monkeypatch):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0)])], "t", progress=False)
    before = _frames("t")
    calls = []

    def fail_on_second(name, *args):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(name, *args)

    original = merge.merge_table
    monkeypatch.setattr(merge, "merge_table", fail_on_second)
    with pytest.raises(OSError):
        ingest_files(
            [write_jsonl(tmp_data / "b.jsonl", [_search(1, likes=9)])], "t", progress=False
        )
    for name, frame in _frames("t").items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
    leftovers = [p.name for p in settings.processed_dir("t").parent.iterdir() if p.name != "t"]
    assert leftovers == []  # no staging folder left behind


@pytest.fixture
def deletions_files(monkeypatch):
    """Never rewrite a part: every replaced row goes to the part's deletions file."""
    monkeypatch.setattr(merge, "REWRITE_ROWS", 0)
    monkeypatch.setattr(merge, "REWRITE_SHARE", 1.0)


def _sql_counts(dataset: str) -> dict[str, int]:
    from analysis.tables import sql

    return {n: int(sql(dataset, f"select count(*) as n from {n}").n.iloc[0]) for n in TABLE_NAMES}


def test_an_append_updating_old_rows_leaves_their_parts_untouched(tmp_data, deletions_files):
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(4)])
    ingest_files([first], "t", progress=False)
    folder = settings.processed_dir("t")
    inodes = {n: os.stat(store.part_files(folder, n)[0]).st_ino for n in ("tweets", "users")}
    # the same accounts and retweeted original again, with newer metrics
    later = _search(9, likes=40, collected_at="2024-06-01T00:00:00.000Z")
    newer = write_jsonl(tmp_data / "b.jsonl", [later])
    ingest_files([newer], "t", progress=False)
    for name, inode in inodes.items():
        part = store.part_files(folder, name)[0]
        assert os.stat(part).st_ino == inode, name  # the same file: nothing rewritten
        assert len(store.deleted_rows(part)) > 0, name  # its replaced rows are listed instead
    _no_key_in_two_parts("t")
    ingest_files([first, newer], "whole", progress=False)
    _assert_same("t", "whole")
    counts = {name: len(frame) for name, frame in _frames("t").items()}
    assert _sql_counts("t") == counts  # SQL leaves replaced rows out too


def test_compact_folds_deletions_in_so_plain_readers_see_one_row_per_key(tmp_data, deletions_files):
    for i, likes in enumerate((1, 5, 9)):
        page = _search(0, likes=likes, collected_at=f"2024-0{5 + i}-01T00:00:00.000Z")
        ingest_files([write_jsonl(tmp_data / f"{i}.jsonl", [page])], "t", progress=False)
    before = _frames("t")
    folder = settings.processed_dir("t")
    store.compact(folder)
    for name in TABLE_NAMES:
        plain = pq.read_table(store.table_path(folder, name)).to_pandas()  # as pandas would
        assert not plain.duplicated(list(CONTRACT[name].key)).any(), name
        assert not list(store.table_path(folder, name).glob("_*")), name
        pd.testing.assert_frame_equal(_frames("t")[name], before[name], obj=name)
    assert load_dataset("t").tweets.set_index("tweet_id").loc[901, "like_count"] == 9


def test_buckets_part_limits_and_deletions_files_agree_with_one_run(
    tmp_data, monkeypatch, deletions_files
):
    monkeypatch.setattr(merge, "BUCKET_BYTES", 2_000)
    monkeypatch.setattr(store, "MAX_PARTS", 3)
    files = []
    for i in range(6):
        page = _search(i % 3, likes=i, collected_at=f"2024-05-0{i + 1}T00:00:00.000Z")
        files.append(write_jsonl(tmp_data / f"{i}.jsonl", [page, followers_page(12, [11, 13 + i])]))
    for raw in files:
        ingest_files([raw], "t", progress=False)
        assert len(_parts("t", "tweets")) <= 3
    _no_key_in_two_parts("t")
    monkeypatch.setattr(merge, "BUCKET_BYTES", 4 << 30)
    ingest_files(files, "whole", progress=False)
    _assert_same("t", "whole")


def test_an_append_of_newer_tweets_reads_no_row_group_of_the_old_tweets(tmp_data, monkeypatch):
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    ingest_files([first], "t", progress=False)
    later = _search(50, collected_at="2024-09-01T00:00:00.000Z")
    later["includes"]["tweets"] = []  # no old tweet seen again: only newer ids
    for tw in later["data"]:
        tw["id"] = str(int(tw["id"]) + 2 * 10**18)  # above every id of the first file
        tw.pop("referenced_tweets", None)
    checks = []
    may_hold = merge._may_hold

    def spy(source, group, columns, new):
        checks.append((columns, may_hold(source, group, columns, new)))
        return checks[-1][1]

    monkeypatch.setattr(merge, "_may_hold", spy)
    second = write_jsonl(tmp_data / "b.jsonl", [later])
    ingest_files([second], "t", progress=False)
    by_tweet = [held for columns, held in checks if columns == ["tweet_id"]]
    assert by_tweet and not any(by_tweet)  # tweets, mentions: the old row groups were skipped
    ingest_files([first, second], "whole", progress=False)
    _assert_same("t", "whole")


def test_compact_turns_a_single_file_table_into_a_folder(tmp_data):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [_search(0), _search(1)])], "t", progress=False)
    folder = settings.processed_dir("t")
    before = _frames("t")
    single = store.table_path(folder, "tweets")
    part = store.part_files(folder, "tweets")[0]
    os.replace(part, folder / ".single")
    os.rmdir(single)
    os.replace(folder / ".single", single)  # tweets.parquet is one file, as before parts
    assert store.compact(folder)["tweets"] == 1
    assert single.is_dir() and [p.name for p in store.part_files(folder, "tweets")] == [
        "part-00000.parquet"
    ]
    pd.testing.assert_frame_equal(_frames("t")["tweets"], before["tweets"])
