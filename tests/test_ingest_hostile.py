"""Damaged and hostile raw files: each case of issue 14's table, with the exact input.

A bad record is set aside with its file and line, every good one is kept, and
nothing wrong is stored; a file that cannot be read at all is named in one line.
"""

from __future__ import annotations

import gzip
import hashlib
import json

import duckdb
import orjson
import pytest

from analysis import settings, store, tables
from analysis.errors import RawFormatError
from analysis.ingest import QUARANTINE_FILE, ingest_files
from analysis.tables import load_dataset
from tests.conftest import page_at_a_time, write_jsonl
from tests.pages import prov

SYNTHETIC = {"synthetic": True}  # every page here is made up


def tweets_page(first: int, n: int = 100) -> dict:
    """A synthetic search page of ``n`` tweets with ids ``first``, ``first + 1``..."""
    return {
        "data": [
            {
                "id": str(first + i),
                "author_id": "11",
                "text": f"synthetic tweet {i}",
                "created_at": "2024-04-30T08:00:00.000Z",
            }
            for i in range(n)
        ],
        "includes": {"users": [{"id": "11", "username": "dr_synthetic", "name": "Dr Synthetic"}]},
        "meta": {"result_count": n},
        "__medtwitter": {**prov("search_recent", query="#sante"), **SYNTHETIC},
    }


def line_with(page: dict, old: str, new: str) -> str:
    """A page's JSON line with one literal replaced (e.g. a string id by a raw number)."""
    text = json.dumps(page)
    assert old in text
    return text.replace(old, new, 1)


def entries(dataset: str) -> list[dict]:
    path = settings.processed_dir(dataset) / QUARANTINE_FILE
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.is_file() else []


def tweet_ids(dataset: str) -> set[int]:
    return set(load_dataset(dataset).tweets.tweet_id)


# --- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param('"9223372036854775808"', id="string-2^63"),
        pytest.param("9223372036854775808", id="integer-2^63"),
        pytest.param("18446744073709551615", id="integer-2^64-1"),
    ],
)
def test_an_id_past_int64_in_a_40000_tweet_file_sets_aside_its_line_only(tmp_data, bad):
    pages = [json.dumps(tweets_page(10_000 + 100 * i)) for i in range(400)]
    pages[200] = line_with(tweets_page(10_000 + 100 * 200), '"id": "30050"', f'"id": {bad}')
    raw = write_jsonl(tmp_data / "big.jsonl", pages)
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    assert len(tweet_ids("t")) == 40_000 - 100
    (entry,) = entries("t")
    assert entry["line"] == 201
    assert "not an X id" in entry["reason"]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("1.2345678901234568e18", id="float"),
        pytest.param('"-5"', id="negative-string"),
        pytest.param("-5", id="negative-integer"),
        pytest.param('"0"', id="zero"),
        pytest.param('"+5"', id="plus-sign"),
        pytest.param('"١٢٣"', id="arabic-indic"),
        pytest.param('" 5"', id="space"),
        pytest.param("true", id="boolean"),
    ],
)
def test_a_value_that_is_not_an_x_id_is_quarantined_never_stored(tmp_data, bad):
    good, damaged = tweets_page(1, 3), tweets_page(100, 3)
    raw = write_jsonl(tmp_data / "ids.jsonl", [good, line_with(damaged, '"101"', bad)])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    assert tweet_ids("t") == {1, 2, 3}  # 1234567890123456768, -5, 123... never stored
    assert entries("t")[0]["line"] == 2


def test_a_reply_to_a_float_account_id_is_quarantined(tmp_data):
    page = tweets_page(1, 2)
    page["data"][1]["in_reply_to_user_id"] = 1.2345678901234568e18
    raw = write_jsonl(tmp_data / "reply.jsonl", [tweets_page(50, 1), page])
    ingest_files([raw], "t", progress=False)
    tweets = load_dataset("t").tweets
    assert set(tweets.tweet_id) == {50}
    assert 1234567890123456768 not in set(tweets.reply_to_user_id.dropna())


@pytest.mark.parametrize(
    "cell,why",
    [
        ("١٢٣", "neither an X id"),
        ("²", "neither an X id"),
        ("-5", "neither an X id"),
        ("9223372036854775808", "not an X id"),
    ],
)
def test_a_bad_csv_id_sets_aside_its_line_with_its_number_and_content(tmp_data, cell, why):
    raw = tmp_data / "follows.csv"
    raw.write_text(f"follower,followed\n11,12\n{cell},12\n13,12\n", encoding="utf-8")
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    follows = load_dataset("t").follows
    assert sorted(zip(follows.follower_id, follows.followed_id, strict=True)) == [
        (11, 12),
        (13, 12),
    ]
    (entry,) = entries("t")
    assert entry["line"] == 3
    assert entry["content"] == f"{cell},12"
    assert why in entry["reason"]


# --- bytes ----------------------------------------------------------------------------------


def test_invalid_utf8_is_replaced_counted_and_every_reader_can_query_the_text(tmp_data):
    page = tweets_page(1, 3)
    line = line_with(page, "synthetic tweet 1", "synthetic XX tweet").encode()
    line = line.replace(b"XX", b"\xff\xfe\xc3")  # two invalid bytes, then a cut sequence
    raw = tmp_data / "bytes.jsonl"
    raw.write_bytes(json.dumps(tweets_page(10, 2)).encode() + b"\n" + line + b"\n")
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 0
    assert report.files[0].replaced == 3 and report.files[0].replaced_lines == 1
    texts = dict(zip(*load_dataset("t").tweets[["tweet_id", "text"]].T.values, strict=True))
    assert texts[2] == "synthetic \ufffd\ufffd\ufffd tweet"
    # the dataset stays usable: DuckDB reads every text, through medtwitter and on its own
    assert tables.sql("t", "SELECT count(text) AS n FROM tweets").n[0] == 5
    data = store.arrow_dataset(settings.processed_dir("t"), "tweets")
    con = duckdb.connect()
    con.register("tweets", data)
    assert con.execute("SELECT count(*) FROM tweets WHERE text LIKE '%\ufffd%'").fetchone() == (1,)
    meta = tables.load_meta("t")
    assert meta["sources"][0]["utf8_replaced"] == 3


def test_invalid_utf8_in_a_csv_edge_list_is_replaced_not_fatal(tmp_data):
    raw = tmp_data / "follows.csv"
    raw.write_bytes(b"follower,followed\n11,12\nbad\xff,12\n13,12\n")
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1  # 'bad\ufffd' is not a username
    assert len(load_dataset("t").follows) == 2


@pytest.mark.parametrize("name", ["bom.jsonl", "bom.jsonl.gz", "bom.csv"])
def test_a_byte_order_mark_at_the_start_of_a_file_is_skipped(tmp_data, name):
    if name.endswith(".csv"):
        body = b"follower,followed\n11,12\n"
    else:
        body = json.dumps(tweets_page(1, 2)).encode() + b"\n"
    data = b"\xef\xbb\xbf" + body
    raw = tmp_data / name
    raw.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 0 and report.pages == 1
    t = load_dataset("t")
    if name.endswith(".csv"):
        assert list(zip(t.follows.follower_id, t.follows.followed_id, strict=True)) == [(11, 12)]
    else:
        assert set(t.tweets.tweet_id) == {1, 2}


def test_a_fake_gzip_beside_good_files_is_named_and_the_others_ingested(tmp_data):
    folder = tmp_data / "raw"
    folder.mkdir()
    (folder / "a_fake.jsonl.gz").write_bytes(b'{"data": []}\nnot gzip at all\n')
    write_jsonl(folder / "b_good.jsonl", [tweets_page(1, 2)])
    (folder / "c_good.jsonl.gz").write_bytes(gzip.compress(json.dumps(tweets_page(5, 2)).encode()))
    report = ingest_files([folder], "t", progress=False)
    fake = next(f for f in report.files if f.path.endswith("a_fake.jsonl.gz"))
    assert fake.rejected and fake.problems == [
        f"{fake.path}: named .gz but not gzip; decompress it or rename it without .gz if it is "
        "plain text."
    ]
    assert tweet_ids("t") == {1, 2, 5, 6}
    source = tables.load_meta("t")["sources"][0]  # recorded as given, for purges
    assert source["path"].endswith("a_fake.jsonl.gz") and source["format"] == "unread"


def test_a_truncated_gzip_keeps_the_lines_before_the_damage(tmp_data):
    data = gzip.compress(
        b"".join(json.dumps(tweets_page(100 * i, 100)).encode() + b"\n" for i in range(1, 30))
    )
    raw = tmp_data / "cut.jsonl.gz"
    raw.write_bytes(data[: len(data) // 2])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    assert "truncated or damaged gzip" in report.files[0].problems[0]
    assert 0 < len(tweet_ids("t")) < 2_900


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n", b"\r\n"])
def test_an_empty_or_blank_file_is_named_and_no_dataset_is_created(tmp_data, content):
    raw = tmp_data / "empty.jsonl"
    raw.write_bytes(content)
    with pytest.raises(RawFormatError, match=r"empty\.jsonl: the file is empty"):
        ingest_files([raw], "t", progress=False)
    assert not settings.processed_dir("t").exists()


def test_an_empty_file_leaves_an_existing_dataset_unchanged(tmp_data):
    ingest_files([write_jsonl(tmp_data / "a.jsonl", [tweets_page(1, 2)])], "t", progress=False)
    before = store.read_manifest(settings.processed_dir("t"))
    (tmp_data / "empty.jsonl").write_bytes(b"\n")
    with pytest.raises(RawFormatError, match="empty"):
        ingest_files([tmp_data / "empty.jsonl"], "t", progress=False)
    assert store.read_manifest(settings.processed_dir("t")) == before


# --- the quarantine -------------------------------------------------------------------------


def test_the_same_bad_file_twice_adds_no_entry_twice_even_by_another_path(tmp_data, monkeypatch):
    raw = write_jsonl(tmp_data / "bad.jsonl", [tweets_page(1, 2), "{not json", "[1]"])
    ingest_files([raw], "t", progress=False)
    monkeypatch.chdir(tmp_data)
    ingest_files(["./bad.jsonl"], "t", progress=False)
    assert [(e["line"], e["reason"]) for e in entries("t")] == [
        (2, "not valid JSON"),
        (3, "valid JSON but not an API page (not an object)"),
    ]


def test_a_50_mb_bad_line_is_cut_to_1_kb_with_its_hash_and_every_id(tmp_data):
    head = b'{"data": [{"id": "777", "author_id": "12", "text": "'
    line = head + b"x" * (50 << 20) + b'"}], "includes": {"users": [{"id": "13"'  # cut off
    raw = tmp_data / "huge.jsonl"
    raw.write_bytes(json.dumps(tweets_page(1, 2)).encode() + b"\n" + line + b"\n")
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1 and tweet_ids("t") == {1, 2}
    (entry,) = entries("t")
    assert entry["line"] == 2 and entry["cut"] is True
    assert entry["content"].encode() == line[:1024]
    assert entry["bytes"] == len(line)
    assert entry["sha256"] == hashlib.sha256(line).hexdigest()
    assert entry["ids"] == [12, 13, 777]  # parsed from the whole line, past the cut
    quarantine = settings.processed_dir("t") / QUARANTINE_FILE
    assert quarantine.stat().st_size < 4096


# --- formats --------------------------------------------------------------------------------


def test_a_csv_without_its_header_says_so_and_shows_the_expected_one(tmp_data):
    raw = tmp_data / "follows.csv"
    raw.write_text("11,12\n13,12\n", encoding="utf-8")
    with pytest.raises(RawFormatError) as err:
        ingest_files([raw], "t", progress=False)
    message = str(err.value)
    assert "no `follower,followed` header (its first line is '11,12')" in message
    assert "make `follower,followed` its first line" in message
    assert "JSON" not in message


def test_strict_stops_at_the_first_bad_value_with_its_file_and_line(tmp_data):
    pages = [tweets_page(1, 2), line_with(tweets_page(10, 2), '"10"', '"-10"'), "{not json"]
    raw = write_jsonl(tmp_data / "bad.jsonl", pages)
    with pytest.raises(RawFormatError, match=r"bad\.jsonl:2: API page with a bad value"):
        ingest_files([raw], "t", strict=True, progress=False)
    assert not (settings.processed_dir("t") / store.MANIFEST_FILE).exists()


# --- the command line -----------------------------------------------------------------------


def test_the_command_names_each_unread_file_and_the_repaired_bytes_in_one_line(tmp_data, capsys):
    from analysis.cli import main

    (tmp_data / "fake.jsonl.gz").write_bytes(b"plain text\n")
    line = json.dumps(tweets_page(1, 2)).replace("synthetic tweet 0", "bad \\u00e9").encode()
    (tmp_data / "bytes.jsonl").write_bytes(line.replace(b"\\u00e9", b"\xe9") + b"\n")
    assert (
        main(
            [
                "ingest",
                str(tmp_data / "fake.jsonl.gz"),
                str(tmp_data / "bytes.jsonl"),
                "--dataset",
                "t",
                "--quiet",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"warning: {tmp_data / 'fake.jsonl.gz'}: named .gz but not gzip; decompress it or rename "
        "it without .gz if it is plain text.",
        f"warning: {tmp_data / 'bytes.jsonl'}: 1 invalid UTF-8 byte sequence(s) in 1 line(s) "
        "replaced by U+FFFD",
    ]


def test_the_command_exits_1_in_one_line_when_no_file_can_be_read(tmp_data, capsys):
    from analysis.cli import main

    (tmp_data / "blank.jsonl").write_bytes(b" \n")
    assert main(["ingest", str(tmp_data / "blank.jsonl"), "--dataset", "t", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "blank.jsonl: the file is empty" in err
    assert "Traceback" not in err
    assert not settings.processed_dir("t").exists()


# --- found by the random-damage property test (tests/test_ingest_damage.py) -----------------


def both_paths(tmp_data, raw, monkeypatch) -> list:
    """The tables and quarantine (line, reason) of ``raw`` read by each path: fast, then slow."""
    out = []
    for name in ("fast", "slow"):
        with monkeypatch.context() as mp:
            if name == "slow":
                page_at_a_time(mp)
            ingest_files([raw], name, progress=False)
        t = load_dataset(name)
        out.append(
            (
                sorted(t.tweets.tweet_id),
                sorted(t.users.user_id),
                [(e["line"], e["reason"]) for e in entries(name)],
            )
        )
    return out


@pytest.mark.parametrize(
    "old,new,kept",
    [
        pytest.param(b'"tag": "x"', b'"tag": "x\xff"', True, id="hashtag"),
        pytest.param(b'"search_recent"', b'"search_rec\xffent"', True, id="endpoint"),
        pytest.param(b'"collected_at": "', b'"collected_at": "\xff', False, id="collected_at"),
    ],
)
def test_invalid_utf8_in_a_field_the_fast_path_reads_in_python_does_not_abort(
    tmp_data, monkeypatch, old, new, kept
):
    # was: UnicodeDecodeError out of analysis.ingest.arrow, the whole run aborted
    page = tweets_page(10, 1)
    page["data"][0]["entities"] = {"hashtags": [{"tag": "x"}]}
    line = json.dumps(page).encode()
    raw = tmp_data / "bytes.jsonl"
    raw.write_bytes(json.dumps(tweets_page(1, 1)).encode() + b"\n" + line.replace(old, new) + b"\n")
    fast, slow = both_paths(tmp_data, raw, monkeypatch)
    assert fast == slow
    assert fast[0] == ([1, 10] if kept else [1])


@pytest.mark.parametrize(
    "value,kept",
    [
        pytest.param(b"NaN", True, id="NaN"),
        pytest.param(b"-Infinity", True, id="Infinity"),
        pytest.param(b"1" * 400, True, id="400-digit-integer"),
        pytest.param(b"[" * 5000 + b"]" * 5000, True, id="5000-levels"),
        pytest.param(b"1e400", False, id="1e400"),
        pytest.param(b"[" * 5000, False, id="5000-levels-unclosed"),
    ],
)
def test_a_line_orjson_refuses_and_arrow_reads_is_read_alike_on_both_paths(
    tmp_data, monkeypatch, value, kept
):
    # was: the fast path stored the page, the page-at-a-time path set it aside
    line = json.dumps(tweets_page(10, 1)).encode().replace(b'"meta"', b'"junk": %s, "meta"' % value)
    raw = tmp_data / "odd.jsonl"
    raw.write_bytes(json.dumps(tweets_page(1, 1)).encode() + b"\n" + line + b"\n")
    fast, slow = both_paths(tmp_data, raw, monkeypatch)
    assert fast == slow
    assert fast[0] == ([1, 10] if kept else [1])
    assert fast[2] == ([] if kept else [(2, "not valid JSON")])


def test_pages_that_are_not_one_a_line_are_set_aside_on_both_paths(tmp_data, monkeypatch):
    # was: Arrow's reader read objects, not lines: the fast path stored these four pages
    a, b, c, d, e = (json.dumps(tweets_page(first, 1)).encode() for first in (1, 2, 3, 4, 5))
    head, tail = c.split(b', "meta"')
    raw = tmp_data / "lines.jsonl"
    raw.write_bytes(
        a
        + b"\n"
        + b
        + b" "
        + d
        + b"\n\n"
        + head
        + b",\n"
        + b'"meta"'
        + tail
        + b"\n"
        + e
        + b"\r"
        + a
        + b"\n"
    )
    fast, slow = both_paths(tmp_data, raw, monkeypatch)
    assert fast == slow
    assert fast[0] == [1]
    assert fast[2] == [
        (2, "not valid JSON"),
        (4, "not valid JSON"),
        (5, "not valid JSON"),
        (6, "not valid JSON"),
    ]


def test_a_byte_order_mark_opening_a_line_after_a_4_mb_line_is_set_aside(tmp_data, monkeypatch):
    # was: Arrow skips a byte-order mark opening a block: the fast path stored page 2
    huge = tweets_page(1, 1)
    huge["data"][0]["text"] = "x" * (5 << 20)
    raw = tmp_data / "bom.jsonl"
    raw.write_bytes(
        json.dumps(huge).encode()
        + b"\n\xef\xbb\xbf"
        + json.dumps(tweets_page(2, 1)).encode()
        + b"\n"
    )
    fast, slow = both_paths(tmp_data, raw, monkeypatch)
    assert fast == slow
    assert fast[0] == [1] and fast[2] == [(2, "not valid JSON")]


def test_a_gzip_cut_inside_its_first_line_is_set_aside_not_fatal(tmp_data):
    # was: EOFError from formats.detect_format, the whole run aborted
    data = gzip.compress(json.dumps(tweets_page(1, 100)).encode() + b"\n", mtime=0)
    (tmp_data / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    good = write_jsonl(tmp_data / "good.jsonl", [tweets_page(500, 1)])
    report = ingest_files([tmp_data / "cut.jsonl.gz", good], "t", progress=False)
    assert tweet_ids("t") == {500}
    ((line, reason),) = [(e["line"], e["reason"]) for e in entries("t")]
    assert line == 1 and "truncated or damaged gzip" in reason
    assert report.bad_lines == 1


def test_a_truncated_gzip_of_another_format_keeps_the_lines_before_the_damage(tmp_data):
    # was: EOFError out of formats.read_pages, the whole run aborted
    lines = [
        json.dumps(
            {
                "id_str": str(100 + i),
                "text": f"synthetic {i} " + "x" * 2000,
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "user": {"id_str": "11", "screen_name": "dr_synthetic"},
            }
        )
        for i in range(50)
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    (tmp_data / "v1.jsonl.gz").write_bytes(data[: len(data) * 3 // 4])
    report = ingest_files([tmp_data / "v1.jsonl.gz"], "t", progress=False)
    assert report.files[0].format == "v1.1-tweets"
    assert 0 < len(tweet_ids("t")) < 50
    assert "truncated or damaged gzip" in entries("t")[-1]["reason"]


@pytest.mark.parametrize(
    "where,value",
    [
        pytest.param("data", "abc", id="data-string"),
        pytest.param("data", 5, id="data-number"),
        pytest.param("includes", [], id="includes-list"),
        pytest.param("errors", ["x"], id="errors-of-strings"),
        pytest.param("__medtwitter", "x", id="provenance-string"),
        pytest.param("__medtwitter.endpoint", 5, id="endpoint-number"),
        pytest.param("__medtwitter.params", "x", id="params-string"),
        pytest.param("__medtwitter.synthetic", "yes", id="synthetic-string"),
        pytest.param("data.0.entities", {"hashtags": {}}, id="hashtags-object"),
    ],
)
def test_a_page_part_of_the_wrong_type_sets_the_page_aside(tmp_data, where, value):
    # was: read as if absent: the page's includes stored, its time or endpoint lost...
    page = tweets_page(10, 2)
    *path, last = where.split(".")
    target = page
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    raw = write_jsonl(tmp_data / "types.jsonl", [tweets_page(1, 1), page])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1 and tweet_ids("t") == {1}
    assert entries("t")[0]["line"] == 2


@pytest.mark.parametrize("account", [0, False, [], {}])
def test_a_followers_page_about_no_valid_account_is_set_aside(tmp_data, account):
    # was: read as a page about no account: its users stored, its follow links lost
    page = {
        "data": [{"id": "21", "username": "follower"}],
        "__medtwitter": {**prov("followers", user_id=account), **SYNTHETIC},
    }
    raw = write_jsonl(tmp_data / "follows.jsonl", [tweets_page(1, 1), page])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 1
    assert set(load_dataset("t").users.user_id) == {11}


def test_a_counts_body_without_provenance_is_skipped_not_quarantined(tmp_data):
    counts = {  # GET /2/tweets/counts/recent, saved bare (synthetic figures)
        "data": [
            {
                "end": "2024-04-30T01:00:00.000Z",
                "start": "2024-04-30T00:00:00.000Z",
                "tweet_count": 4,
            },
            {
                "end": "2024-04-30T02:00:00.000Z",
                "start": "2024-04-30T01:00:00.000Z",
                "tweet_count": 0,
            },
        ],
        "meta": {"total_tweet_count": 4},
    }
    raw = write_jsonl(tmp_data / "counts.jsonl", [counts, tweets_page(1, 2), counts])
    report = ingest_files([raw], "t", progress=False)
    assert report.bad_lines == 0
    assert report.files[0].skipped_pages == 2 and report.files[0].pages == 1
    assert tweet_ids("t") == {1, 2}
