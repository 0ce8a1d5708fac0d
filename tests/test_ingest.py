import gzip
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import settings, store
from analysis.errors import RawFormatError
from analysis.ingest import ingest_files
from analysis.tables import CONTRACT, TABLE_NAMES, load_dataset
from tests.conftest import write_jsonl
from tests.pages import BIG, followers_page, following_page, search_page


def test_every_table_matches_the_contract_exactly(tmp_data):
    from deltalake import DeltaTable

    raw = write_jsonl(tmp_data / "p.jsonl", [search_page(), followers_page(12, [11, 13])])
    ingest_files([raw], "t", progress=False)
    folder = settings.processed_dir("t")
    for name in TABLE_NAMES:
        table = DeltaTable(str(store.table_path(folder, name)))
        (path,) = store.data_files(table)  # one data file after one run
        schema = pq.read_schema(path)
        assert schema.remove_metadata().equals(CONTRACT[name].schema), name
        # the Delta table reads as the contract's schema, with every row, through deltalake
        data = table.to_pyarrow_dataset(filesystem=store.local_filesystem(folder / name))
        assert data.schema.remove_metadata().equals(CONTRACT[name].schema), name
        assert data.count_rows() == store.table_totals(folder, name)[0]


def test_nineteen_digit_ids_survive_without_float_corruption(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    tweets = load_dataset("t").tweets
    assert tweets["tweet_id"].dtype == "int64"
    assert BIG in set(tweets["tweet_id"])
    # a nullable id column keeps exact integers, not floats
    assert str(tweets["retweet_of_tweet_id"].dtype) == "Int64"
    row = tweets.set_index("tweet_id").loc[BIG]
    assert row["conversation_id"] == BIG
    assert row["retweet_of_tweet_id"] == 900


def test_collected_is_false_for_tweets_seen_only_in_includes(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    tw = load_dataset("t").tweets.set_index("tweet_id")
    assert bool(tw.loc[900, "collected"]) is False
    assert bool(tw.loc[901, "collected"]) is True
    assert tw.loc[901, "reply_to_tweet_id"] == 900 and tw.loc[901, "reply_to_user_id"] == 12


def test_hashtags_fold_case_but_keep_accents(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    h = load_dataset("t").hashtags
    row = h[(h.tweet_id == 901)].sort_values("position")
    assert row["tag"].tolist() == ["SANTÉ", "sante"]
    assert row["tag_norm"].tolist() == ["santé", "sante"]
    assert set(h.loc[h.tag == "Santé", "tag_norm"]) == {"santé"}


def test_mentions_keep_unresolved_user_id_as_null(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    m = load_dataset("t").mentions.set_index("tweet_id")
    assert m.loc[BIG, "user_id"] == 12
    assert pd.isna(m.loc[901, "user_id"])


def test_errors_array_lands_in_missing(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page()])
    ingest_files([raw], "t", progress=False)
    missing = load_dataset("t").missing
    assert missing.to_dict("records")[0]["resource_id"] == "777"
    assert missing["title"].tolist() == ["Not Found Error"]


def test_follow_edges_run_from_follower_to_followed(tmp_data):
    raw = write_jsonl(
        tmp_data / "f.jsonl", [followers_page(12, [11, 13]), following_page(12, [11])]
    )
    ingest_files([raw], "t", progress=False)
    f = load_dataset("t").follows
    assert set(zip(f.follower_id, f.followed_id, strict=True)) == {(11, 12), (13, 12), (12, 11)}


def test_reingesting_the_same_file_changes_nothing(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page(), followers_page(12, [11, 13])])
    ingest_files([raw], "t", progress=False)
    before = {n: df.copy() for n, df in load_dataset("t")}
    ingest_files([raw], "t", progress=False)
    after = dict(load_dataset("t"))
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_latest_user_snapshot_wins_and_keeps_older_fields(tmp_data):
    old = search_page()
    new = followers_page(99, [12])
    new["__medtwitter"]["collected_at"] = "2025-01-01T00:00:00.000Z"
    new["data"][0]["name"] = "Dr Tortue (new name)"
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [old])], "t", progress=False)
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [new])], "t", progress=False)
    u = load_dataset("t").users.set_index("user_id").loc[12]
    assert u["name"] == "Dr Tortue (new name)"
    assert u["description"] == "MG en pleine campagne"


def test_bad_lines_are_quarantined_and_good_lines_kept(tmp_data):
    raw = tmp_data / "bad.jsonl"
    write_jsonl(raw, [search_page(), "{not json", '{"hello": "world"}', "[1, 2]"])
    with open(raw, "a", encoding="utf-8") as fh:
        fh.write('{"data": [{"id": "5", "text": "trunc')  # truncated last line, no newline
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 4
    problems = " | ".join(report.files[0].problems)
    assert "bad.jsonl:2: not valid JSON" in problems
    assert "bad.jsonl:3: valid JSON but not an X API page" in problems
    assert "bad.jsonl:5: truncated last line" in problems
    assert len(load_dataset("t").tweets) == 3
    q = (settings.processed_dir("t") / "quarantine.jsonl").read_text().splitlines()
    assert [json.loads(line)["line"] for line in q] == [2, 3, 4, 5]


def test_strict_mode_stops_at_first_bad_line_and_writes_nothing(tmp_data):
    raw = write_jsonl(tmp_data / "bad.jsonl", [search_page(), "{not json"])
    with pytest.raises(RawFormatError, match="bad.jsonl:2"):
        ingest_files([raw], "t", strict=True, progress=False)
    # no dataset: no manifest, no table; at most the lock file of the writer that gave up
    folder = settings.processed_dir("t")
    assert not folder.exists() or {p.name for p in folder.iterdir()} <= {".lock"}


def test_gzip_files_are_read_transparently(tmp_data):
    raw = tmp_data / "p.jsonl.gz"
    with gzip.open(raw, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(search_page()) + "\n")
    ingest_files([raw], "t", progress=False)
    assert len(load_dataset("t").tweets) == 3


def test_empty_and_unknown_files_are_reported_not_fatal(tmp_data):
    empty = tmp_data / "empty.jsonl"
    empty.write_text("")
    csv = tmp_data / "edges.jsonl"
    csv.write_text("follower,followed\n1,2\n")
    good = write_jsonl(tmp_data / "good.jsonl", [search_page()])
    report = ingest_files([empty, csv, good], "t", progress=False)
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert "the file is empty" in by_name["empty.jsonl"].problems[0]
    assert by_name["edges.jsonl"].format == "unknown"
    assert len(load_dataset("t").tweets) == 3


def test_twarc_followers_pages_read_the_account_from_the_request_url(tmp_data):
    page = followers_page(12, [11])
    del page["__medtwitter"]
    page["__twarc"] = {
        "url": "https://api.twitter.com/2/users/12/followers?max_results=1000",
        "version": "2.14.0",
        "retrieved_at": "2024-05-01T10:00:00+00:00",
    }
    ingest_files([write_jsonl(tmp_data / "tw.jsonl", [page])], "t", progress=False)
    f = load_dataset("t").follows
    assert list(zip(f.follower_id, f.followed_id, strict=True)) == [(11, 12)]


def test_replace_rebuilds_from_the_given_files_only(tmp_data):
    first = write_jsonl(tmp_data / "a.jsonl", [followers_page(12, [11, 13])])
    second = write_jsonl(tmp_data / "b.jsonl", [search_page()])
    ingest_files([first], "t", progress=False)
    ingest_files([second], "t", progress=False, replace=True)
    t = load_dataset("t")
    assert t.follows.empty and len(t.tweets) == 3
    assert [s["path"].rsplit("/", 1)[-1] for s in t.meta["sources"]] == ["b.jsonl"]


def test_a_failed_replace_leaves_the_dataset_as_it_was(tmp_data):
    good = write_jsonl(tmp_data / "a.jsonl", [search_page()])
    ingest_files([good], "t", progress=False)
    bad = write_jsonl(tmp_data / "bad.jsonl", ["{not json"])
    with pytest.raises(RawFormatError):
        ingest_files([bad], "t", strict=True, replace=True, progress=False)
    assert len(load_dataset("t").tweets) == 3
