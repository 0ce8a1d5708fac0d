"""Ingest at scale: streaming in chunks, the fast and page-at-a-time paths, snapshots, robustness."""

from __future__ import annotations

import gzip
import json
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import ingest, settings, store
from analysis.errors import RawFormatError
from analysis.ingest import add_page, ingest_files
from analysis.tables import CONTRACT, TABLE_NAMES, load_dataset, to_pandas
from tests.conftest import page_at_a_time, write_jsonl
from tests.pages import BIG, followers_page, following_page, search_page


def _tables(dataset: str) -> dict[str, pd.DataFrame]:
    return {name: df for name, df in load_dataset(dataset)}


def _assert_same_tables(a: str, b: str) -> None:
    ta, tb = _tables(a), _tables(b)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


def _pages(n: int) -> list[dict]:
    """n search pages with distinct tweets, plus followers and following pages."""
    pages = []
    for i in range(n):
        page = search_page()
        for tw in page["data"]:
            tw["id"] = str(int(tw["id"]) + i * 10_000)
        page["__medtwitter"]["collected_at"] = f"2024-05-01T10:{i % 60:02d}:00.000Z"
        pages.append(page)
    return [*pages, followers_page(12, [11, 13]), following_page(12, [11])]


@pytest.fixture
def slow_only(monkeypatch):
    """Force every chunk through the page-at-a-time path (add_page)."""
    page_at_a_time(monkeypatch)


def test_fast_path_and_page_at_a_time_path_give_identical_tables(tmp_data, monkeypatch):
    raw = write_jsonl(tmp_data / "p.jsonl", _pages(30))
    ingest_files([raw], "fast", progress=False)
    page_at_a_time(monkeypatch)
    ingest_files([raw], "slow", progress=False)
    _assert_same_tables("fast", "slow")
    assert len(load_dataset("fast").tweets) == 30 * 2 + 1


def test_small_chunks_and_spills_lose_nothing_and_keep_line_numbers(tmp_data, monkeypatch):
    pages = _pages(25)
    raw = write_jsonl(tmp_data / "p.jsonl", [*pages[:10], "{broken", *pages[10:]])
    ingest_files([raw], "whole", progress=False)
    monkeypatch.setattr(ingest.stream, "CHUNK_BYTES", 5000)  # a few pages a chunk
    monkeypatch.setattr(ingest.stream, "GROUP_BYTES", 5000)
    monkeypatch.setattr(ingest.rows, "FLUSH_ROWS", 7)  # the slow path spills often
    report = ingest_files([raw], "chunked", progress=False)
    _assert_same_tables("whole", "chunked")
    assert report.files[0].problems == [f"{raw}:11: not valid JSON"]


def test_slow_path_spills_in_bounded_batches(tmp_data, monkeypatch, slow_only):
    monkeypatch.setattr(ingest.rows, "FLUSH_ROWS", 5)
    raw = write_jsonl(tmp_data / "p.jsonl", _pages(20))
    written = []
    original = ingest.rows.Spill.write

    def spy(self, name, table, rank=None):
        written.append(table.num_rows)
        return original(self, name, table, rank)

    monkeypatch.setattr(ingest.rows.Spill, "write", spy)
    ingest_files([raw], "t", progress=False)
    assert max(written) < 30  # never the whole file at once
    assert len(load_dataset("t").tweets) == 41


def test_pages_of_other_formats_go_through_add_page_one_page_at_a_time(tmp_data):
    rows = ingest.rows.Rows()
    assert add_page(rows, search_page()) == "tweets"
    assert add_page(rows, followers_page(12, [11])) == "followers"
    assert add_page(rows, {"meta": {"result_count": 0}}) == "empty"
    assert add_page(rows, {"hello": "world"}) == "unknown"
    tweets = rows.to_arrow("tweets")
    assert tweets.schema.equals(CONTRACT["tweets"].schema)
    assert BIG in tweets.column("tweet_id").to_pylist()


def test_a_page_failing_half_way_adds_nothing(tmp_data):
    rows = ingest.rows.Rows()
    page = search_page()
    del page["includes"]["tweets"][0]["id"]  # the second part of the page is broken
    with pytest.raises(KeyError):
        add_page(rows, page)
    assert len(rows) == 0


def test_same_tweet_in_several_files_keeps_newest_metrics_and_is_collected(tmp_data):
    old, new = search_page(), search_page()
    new["__medtwitter"]["collected_at"] = "2024-06-01T00:00:00.000Z"
    new["data"][0]["public_metrics"]["retweet_count"] = 99
    only_included = search_page()  # tweet 900 is in includes only: collected stays false
    a = write_jsonl(tmp_data / "a.jsonl", [new])
    b = write_jsonl(tmp_data / "b.jsonl", [old, only_included])
    ingest_files([a], "t", progress=False)
    ingest_files([b], "t", progress=False)  # an older file appended later
    tw = load_dataset("t").tweets.set_index("tweet_id")
    assert len(tw) == 3
    assert tw.loc[BIG, "retweet_count"] == 99
    assert tw.loc[BIG, "observed_at"] == pd.Timestamp("2024-06-01", tz="UTC")
    assert bool(tw.loc[900, "collected"]) is False


def test_user_snapshots_keep_every_observation_for_follower_histories(tmp_data):
    pages = []
    for day, followers in [(1, 100), (2, 150), (3, 90)]:
        page = followers_page(99, [12])
        page["__medtwitter"]["collected_at"] = f"2024-05-0{day}T00:00:00.000Z"
        page["data"][0]["public_metrics"] = {"followers_count": followers}
        pages.append(page)
    ingest_files([write_jsonl(tmp_data / "a.jsonl", pages[:2])], "t", progress=False)
    ingest_files([write_jsonl(tmp_data / "b.jsonl", pages[2:])], "t", progress=False)
    t = load_dataset("t")
    history = t.user_snapshots[t.user_snapshots.user_id == 12].sort_values("observed_at")
    assert history["followers_count"].tolist() == [100, 150, 90]
    assert t.users.set_index("user_id").loc[12, "followers_count"] == 90
    assert t.follows["first_seen_at"].tolist() == [pd.Timestamp("2024-05-01", tz="UTC")]
    assert t.follows["observed_at"].tolist() == [pd.Timestamp("2024-05-03", tz="UTC")]


def test_user_snapshots_table_matches_the_contract(tmp_data):
    ingest_files([write_jsonl(tmp_data / "p.jsonl", [search_page()])], "t", progress=False)
    (part,) = _data_files("t", "user_snapshots")
    schema = pq.read_schema(part)
    assert schema.remove_metadata().equals(CONTRACT["user_snapshots"].schema)
    assert len(load_dataset("t").user_snapshots) == 3


def test_a_table_the_dataset_predates_reads_empty_and_fills_at_the_next_ingest(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    folder = settings.processed_dir("t")
    # a dataset written before the contract had `user_snapshots`: no table, none in the manifest
    shutil.rmtree(store.table_path(folder, "user_snapshots"))
    manifest = store.read_manifest(folder)
    for entry in manifest["versions"]:
        del entry["tables"]["user_snapshots"]
    store.write_json_atomic(folder / store.MANIFEST_FILE, manifest)
    assert load_dataset("t").user_snapshots.empty
    ingest_files(
        [write_jsonl(tmp_data / "f.jsonl", [followers_page(99, [12])])], "t", progress=False
    )
    assert set(load_dataset("t").user_snapshots.user_id) == {12}
    assert len(load_dataset("t").users) == 3  # the other tables are as they were, and merged


def test_arrow_to_pandas_would_turn_nullable_ids_into_floats_but_loading_does_not(tmp_data):
    ingest_files([write_jsonl(tmp_data / "p.jsonl", [search_page()])], "t", progress=False)
    table = pq.read_table(store.table_path(settings.processed_dir("t"), "mentions"))
    naive = table.to_pandas()  # the trap: a nullable int64 column becomes float64
    assert naive["user_id"].dtype == "float64"
    safe = to_pandas(table)
    assert str(safe["user_id"].dtype) == "Int64"
    tweets = load_dataset("t").tweets
    for column in ("conversation_id", "reply_to_tweet_id", "retweet_of_tweet_id"):
        assert str(tweets[column].dtype) in ("int64", "Int64"), column
    assert tweets.set_index("tweet_id").loc[BIG, "conversation_id"] == BIG  # all 19 digits


def test_interrupted_ingest_leaves_the_dataset_as_it_was(tmp_data, monkeypatch):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [search_page()])], "t", progress=False)
    before = _tables("t")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    # every table has committed; the manifest write fails
    monkeypatch.setattr(store.DatasetWriter, "commit", crash)
    more = write_jsonl(tmp_data / "b.jsonl", [followers_page(12, [11, 13])])
    with pytest.raises(KeyboardInterrupt):
        ingest_files([more], "t", progress=False)
    after = _tables("t")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(before[name], after[name])
    leftovers = [p.name for p in settings.processed_dir("t").parent.iterdir()]
    assert leftovers == ["t"]  # no staging folder left behind
    inside = {p.name for p in settings.processed_dir("t").iterdir()}
    assert not any(n.startswith(store.STAGING_PREFIX) for n in inside), inside


def test_corrupt_gzip_is_reported_with_file_and_line_and_good_pages_kept(tmp_data):
    good = gzip.compress((json.dumps(search_page()) + "\n").encode())
    raw = tmp_data / "cut.jsonl.gz"
    raw.write_bytes(good + gzip.compress(b'{"data": []}\n' * 1000)[:40])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    assert "cut.jsonl.gz:2: unreadable" in report.files[0].problems[0]
    assert len(load_dataset("t").tweets) == 3


def test_strict_mode_names_file_and_line_of_a_page_with_a_bad_shape(tmp_data):
    page = search_page()
    del page["data"][1]["id"]
    raw = write_jsonl(tmp_data / "bad.jsonl", [followers_page(12, [11]), page])
    with pytest.raises(RawFormatError, match=r"bad\.jsonl:2: API page with an unexpected shape"):
        ingest_files([raw], "t", strict=True, progress=False)


def test_quarantine_lists_each_bad_line_even_past_the_report_limit(tmp_data):
    raw = write_jsonl(tmp_data / "bad.jsonl", [search_page(), *["{nope"] * 30])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 30
    assert len(report.files[0].problems) == ingest.read.MAX_PROBLEMS + 1
    quarantine = (settings.processed_dir("t") / "quarantine.jsonl").read_text().splitlines()
    assert [json.loads(q)["line"] for q in quarantine] == list(range(2, 32))


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(tmp_data):
    raw = tmp_data / "p.jsonl"
    raw.write_text("\n" + json.dumps(search_page()) + "\n\n{bad\n")
    report = ingest_files([raw], "t", progress=False)
    assert report.files[0].problems == [f"{raw}:4: not valid JSON"]
    assert report.files[0].lines == 2


def test_pages_without_provenance_are_recognised_by_their_content(tmp_data):
    page = search_page()
    del page["__medtwitter"]
    users = followers_page(12, [11])
    del users["__medtwitter"]
    report = ingest_files([write_jsonl(tmp_data / "p.jsonl", [page, users])], "t", progress=False)
    assert report.pages == 2 and report.bad_lines == 0
    t = load_dataset("t")
    assert len(t.tweets) == 3 and t.follows.empty  # no account known: no edge invented
    assert 11 in set(t.users.user_id)


def test_counts_pages_are_recognised_and_skipped(tmp_data):
    counts = {
        "data": [
            {
                "end": "2024-05-02T00:00:00.000Z",
                "start": "2024-05-01T00:00:00.000Z",
                "tweet_count": 5,
            }
        ],
        "meta": {"total_tweet_count": 5},
        "__medtwitter": {"endpoint": "counts_recent", "collected_at": "2024-05-02T00:00:00Z"},
    }
    report = ingest_files(
        [write_jsonl(tmp_data / "c.jsonl", [counts, search_page()])], "t", progress=False
    )
    assert report.files[0].skipped_pages == 1 and report.pages == 1 and report.bad_lines == 0


def test_ids_given_as_numbers_are_read_exactly(tmp_data):
    page = search_page()
    page["data"][1]["id"] = 901  # some tools write ids as JSON numbers
    ingest_files([write_jsonl(tmp_data / "p.jsonl", [page])], "t", progress=False)
    assert 901 in set(load_dataset("t").tweets.tweet_id)


def test_meta_lists_each_source_with_its_counts(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page(), "{bad"])
    ingest_files([raw], "t", progress=False)
    meta = load_dataset("t").meta
    assert meta["counts"]["user_snapshots"] == 3
    (source,) = meta["sources"]
    assert source["pages"] == 1 and source["bad_lines"] == 1 and source["lines"] == 2


def test_contract_tables_written_by_a_merge_keep_exact_types(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", _pages(3))
    ingest_files([raw], "t", progress=False)
    ingest_files([raw], "t", progress=False)  # second run merges with the existing tables
    for name in TABLE_NAMES:
        table = store.read_table(settings.processed_dir("t"), name)
        # the Delta table's schema, which every Delta reader uses, is the contract's
        dataset = store.arrow_dataset(settings.processed_dir("t"), name)
        assert dataset.schema.remove_metadata().equals(CONTRACT[name].schema), name
        # files a MERGE rewrote (DataFusion writes strings as Arrow string views) hold the
        # same Parquet types: 64-bit integers, UTC microsecond timestamps, UTF-8 strings
        for part in _data_files("t", name):
            physical = pq.read_schema(part)
            for f in CONTRACT[name].schema:
                got = physical.field(f.name).type
                assert got == f.type or (f.type == pa.string() and got == pa.string_view()), f.name
        assert table.schema.remove_metadata().equals(CONTRACT[name].schema), name
        assert isinstance(table.column(0).type, pa.DataType)


def _data_files(dataset: str, name: str) -> list[str]:
    """The Parquet files of a table's current Delta version."""
    from deltalake import DeltaTable

    table = DeltaTable(str(store.table_path(settings.processed_dir(dataset), name)))
    return store.data_files(table)


def test_chunks_hold_whole_lines_even_longer_than_a_chunk(tmp_path):
    import io

    text = b"".join(b"x" * n + b"\n" for n in (3, 40, 2, 0, 7)) + b"tail"
    chunks = list(ingest.stream.chunks(io.BufferedReader(io.BytesIO(text)), size=10))
    assert b"".join(chunks) == text
    assert all(c.endswith(b"\n") for c in chunks[:-1]) and chunks[-1].endswith(b"tail")


@pytest.mark.parametrize("path", ["fast", "page-at-a-time"])
def test_edge_lists_resolve_usernames_of_accounts_already_spilled(tmp_data, monkeypatch, path):
    if path == "page-at-a-time":
        page_at_a_time(monkeypatch)
    monkeypatch.setattr(ingest.rows, "FLUSH_ROWS", 1)  # every account is on disk before the CSV
    monkeypatch.setattr(ingest.rows, "USERNAMES_COMPACT", 1)  # and the username index compacted
    pages = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    edges = tmp_data / "edges.csv"
    edges.write_text("follower,followed\n@Mr_Durand,dr_tortue\n", encoding="utf-8")
    ingest_files([edges, pages], "t", progress=False)  # the CSV is read last
    f = load_dataset("t").follows
    assert list(zip(f.follower_id, f.followed_id, strict=True)) == [(11, 12)]


def test_twarc2_pages_take_the_fast_path_and_match_the_page_at_a_time_path(tmp_data, monkeypatch):
    def twarc(page: dict, url: str) -> dict:
        page = dict(page)
        stamp = page.pop("__medtwitter")["collected_at"]
        return {**page, "__twarc": {"url": url, "version": "2.14.0", "retrieved_at": stamp}}

    search = "https://api.twitter.com/2/tweets/search/recent?query=%23docstoctoc"
    followers = "https://api.twitter.com/2/users/12/followers?max_results=1000"
    pages = [twarc(p, search) for p in _pages(6)[:-2]] + [
        twarc(followers_page(12, [11]), followers)
    ]
    raw = write_jsonl(tmp_data / "twarc2.jsonl", pages)
    slow = ingest.read.read_chunk_slow
    monkeypatch.setattr(ingest.read, "read_chunk_slow", None)  # the fast run must not need it
    report = ingest_files([raw], "fast", progress=False)
    assert report.files[0].format == "twarc2-pages" and report.pages == 7
    monkeypatch.setattr(ingest.read, "read_chunk_slow", slow)
    page_at_a_time(monkeypatch)
    ingest_files([raw], "slow", progress=False)
    _assert_same_tables("fast", "slow")
    assert list(
        load_dataset("fast")
        .follows[["follower_id", "followed_id"]]
        .itertuples(index=False, name=None)
    ) == [(11, 12)]


def test_purge_removes_the_account_from_user_snapshots_too(tmp_data):
    from analysis.purge import purge

    pages = []
    for day in (1, 2):
        page = followers_page(99, [12, 13])
        page["__medtwitter"]["collected_at"] = f"2024-05-0{day}T00:00:00.000Z"
        pages.append(page)
    raw_dir = settings.raw_dir("t")
    raw_dir.mkdir(parents=True)
    ingest_files([write_jsonl(raw_dir / "f.jsonl", pages)], "t", progress=False)
    assert set(load_dataset("t").user_snapshots.user_id) == {12, 13}
    purge("t", user_ids=[12])
    snapshots = load_dataset("t").user_snapshots
    assert set(snapshots.user_id) == {13} and len(snapshots) == 2
