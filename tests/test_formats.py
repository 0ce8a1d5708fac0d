"""Importing data collected elsewhere: each format on small files written from its documented shape.

Accounts, handles and texts are invented (synthetic).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import formats
from analysis.ingest import ingest_files
from analysis.tables import load_dataset
from tests import xapi
from tests.conftest import write_jsonl

RETRIEVED = "2024-05-01T10:00:00+00:00"


def twarc(url: str) -> dict:
    return {"url": url, "version": "2.14.0", "retrieved_at": RETRIEVED}


def by_format(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


def test_twarc2_pages_of_every_command_with_counts_and_lists_skipped(tmp_data):
    search = dict(
        xapi.search_page(1000, 2),
        __twarc=twarc(
            "https://api.twitter.com/2/tweets/search/all?query=%23docstoctoc&max_results=100"
        ),
    )
    followers = dict(
        xapi.follow_page([1, 2]),
        __twarc=twarc("https://api.twitter.com/2/users/300/followers?max_results=1000"),
    )
    following = dict(
        xapi.follow_page([3]),
        __twarc=twarc("https://api.twitter.com/2/users/300/following?max_results=1000"),
    )
    lookup = dict(
        xapi.users_page([xapi.user(300, "ordre_médecins")]),
        __twarc=twarc("https://api.twitter.com/2/users/by?usernames=ordre_medecins"),
    )
    counts = {
        "data": [
            {
                "end": "2024-05-02T00:00:00.000Z",
                "start": "2024-05-01T00:00:00.000Z",
                "tweet_count": 7,
            }
        ],
        "meta": {"total_tweet_count": 7},
        "__twarc": twarc("https://api.twitter.com/2/tweets/counts/recent?query=x"),
    }
    lists = {
        "data": [{"id": "84", "name": "Médecins"}],
        "meta": {"result_count": 1},
        "__twarc": twarc("https://api.twitter.com/2/users/300/owned_lists"),
    }
    raw = write_jsonl(
        tmp_data / "twarc2.jsonl", [search, followers, following, lookup, counts, lists]
    )
    report = ingest_files([raw], "t", progress=False)
    [f] = report.files
    assert f.format == "twarc2-pages"
    assert (f.pages, f.skipped_pages, f.bad_lines) == (4, 2, 0)
    tables = load_dataset("t")
    edges = set(zip(tables.follows.follower_id, tables.follows.followed_id, strict=True))
    assert edges == {(1, 300), (2, 300), (300, 3)}
    assert "ordre_médecins" in set(tables.users.username)
    assert tables.tweets["collected"].sum() == 2


def test_twarc2_filtered_stream_capture_with_a_single_tweet(tmp_data):
    tweet = xapi.tweet(42, 12, "Vaccination : où en est-on ? #santé")
    page = {
        "data": tweet,
        "includes": {"users": [xapi.user(12, "dr_tortue")]},
        "matching_rules": [{"id": "1", "tag": "santé"}],
        "__twarc": twarc("https://api.twitter.com/2/tweets/search/stream?expansions=author_id"),
    }
    report = ingest_files([write_jsonl(tmp_data / "stream.jsonl", [page])], "t", progress=False)
    assert report.files[0].format == "twarc2-pages" and report.pages == 1
    tweets = load_dataset("t").tweets
    assert tweets.set_index("tweet_id").loc[42, "text"].startswith("Vaccination : où")


def test_twarc2_flattened_tweets_and_users(tmp_data):
    original = dict(
        xapi.tweet(5000, 12, "Question aux confrères ? #docstoctoc"),
        type="replied_to",
        author=xapi.user(12, "dr_tortue"),
    )
    flat = dict(
        xapi.tweet(5001, 13, "@dr_tortue je l'adresse 🩺"),
        in_reply_to_user_id="12",
        author=xapi.user(13, "idel_lyon"),
        in_reply_to_user=xapi.user(12, "dr_tortue"),
        referenced_tweets=[original],
        entities={"mentions": [dict(xapi.user(12, "dr_tortue"), start=0, end=10)]},
        __twarc=twarc("https://api.twitter.com/2/tweets/search/recent?query=x"),
    )
    follower = dict(
        xapi.user(7, "interne_en_med"),
        __twarc=twarc("https://api.twitter.com/2/users/12/followers"),
    )
    raw = write_jsonl(tmp_data / "flat.jsonl", [flat, follower])
    report = ingest_files([raw], "t", progress=False)
    assert report.files[0].format == "twarc2-flat" and report.pages == 2
    t = load_dataset("t")
    tweets = t.tweets.set_index("tweet_id")
    assert bool(tweets.loc[5001, "collected"]) and not bool(tweets.loc[5000, "collected"])
    assert tweets.loc[5001, "reply_to_tweet_id"] == 5000 and "🩺" in tweets.loc[5001, "text"]
    assert {12, 13, 7} <= set(t.users.user_id)
    assert t.mentions.set_index("tweet_id").loc[5001, "user_id"] == 12
    assert list(zip(t.follows.follower_id, t.follows.followed_id, strict=True)) == [(7, 12)]


def v1_user(uid: int, name: str) -> dict:
    return {
        "id": uid,
        "id_str": str(uid),
        "screen_name": name,
        "name": name.title(),
        "description": "Infirmière à Besançon",
        "created_at": "Tue Mar 04 10:00:00 +0000 2014",
        "protected": False,
        "verified": False,
        "followers_count": 120,
        "friends_count": 80,
        "statuses_count": 900,
        "listed_count": 2,
    }


def v1_tweet(tid: int, user: dict, text: str, **extra) -> dict:
    return {
        "id": tid,
        "id_str": str(tid),
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "text": text[:140],
        "truncated": len(text) > 140,
        "lang": "fr",
        "user": user,
        "entities": {"hashtags": [], "user_mentions": []},
        "retweet_count": 2,
        "favorite_count": 5,
        **extra,
    }


def test_v1_tweets_with_extended_retweeted_quoted_deleted_and_truncated_line(tmp_data):
    long_text = (
        "Très long fil sur la prise en charge de la douleur chez l'enfant, " * 3 + "#pédiatrie"
    )
    extended = v1_tweet(
        101,
        v1_user(1, "idel_besancon"),
        long_text,
        extended_tweet={
            "full_text": long_text,
            "entities": {
                "hashtags": [{"text": "pédiatrie", "indices": [0, 1]}],
                "user_mentions": [],
            },
        },
    )
    original = v1_tweet(
        100,
        v1_user(2, "dr_tortue"),
        "Question aux confrères #docstoctoc",
        entities={"hashtags": [{"text": "docstoctoc", "indices": [23, 34]}], "user_mentions": []},
    )
    retweet = v1_tweet(
        102,
        v1_user(1, "idel_besancon"),
        "RT @dr_tortue: Question aux confrères",
        retweeted_status=original,
        entities={
            "hashtags": [],
            "user_mentions": [{"screen_name": "dr_tortue", "id_str": "2", "indices": [3, 13]}],
        },
    )
    quote = v1_tweet(
        103,
        v1_user(3, "pharma_ciel"),
        "Bonne question !",
        quoted_status=original,
        quoted_status_id_str="100",
        in_reply_to_status_id_str="100",
        in_reply_to_user_id_str="2",
    )
    delete = {
        "delete": {
            "status": {"id": 99, "id_str": "99", "user_id": 2, "user_id_str": "2"},
            "timestamp_ms": "1539202764000",
        }
    }
    raw = write_jsonl(tmp_data / "v1.jsonl", [extended, retweet, quote, delete])
    with open(raw, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(v1_tweet(104, v1_user(1, "x"), "coupé"))[:50])  # killed mid-line
    report = ingest_files([raw], "t", progress=False)
    [f] = report.files
    assert f.format == "v1.1-tweets" and f.pages == 4 and f.bad_lines == 1
    assert "truncated last line" in f.problems[0]
    t = load_dataset("t")
    tweets = t.tweets.set_index("tweet_id")
    assert tweets.loc[101, "text"] == long_text  # the full text, not the 140-char one
    assert tweets.loc[102, "retweet_of_tweet_id"] == 100
    assert tweets.loc[103, "quote_of_tweet_id"] == 100 and tweets.loc[103, "reply_to_user_id"] == 2
    assert not bool(tweets.loc[100, "collected"])
    assert str(tweets.loc[101, "created_at"]) == "2018-10-10 20:19:24+00:00"
    assert tweets.loc[101, "like_count"] == 5
    users = t.users.set_index("user_id")
    assert users.loc[1, "following_count"] == 80 and users.loc[2, "username"] == "dr_tortue"
    assert set(t.hashtags.tag_norm) == {"pédiatrie", "docstoctoc"}
    assert t.mentions.set_index("tweet_id").loc[102, "user_id"] == 2
    assert t.missing.to_dict("records")[0]["resource_id"] == "99"


def test_v1_follower_id_pages_take_the_account_from_the_file_name(tmp_data):
    pages = [
        {"ids": [11, 12], "next_cursor": 1600, "next_cursor_str": "1600", "previous_cursor": 0},
        {"ids": [13], "next_cursor": 0, "next_cursor_str": "0", "previous_cursor": -1},
    ]
    followers = write_jsonl(tmp_data / "followers_300.jsonl", pages)
    friends = write_jsonl(tmp_data / "300_friends.jsonl", pages[:1])
    nameless = write_jsonl(tmp_data / "ids.jsonl", pages[:1])
    report = ingest_files([followers, friends, nameless], "t", progress=False)
    files = by_format(report)
    assert {f.format for f in files.values()} == {"v1.1-ids"}
    assert (
        files["ids.jsonl"].bad_lines == 1
        and "followers_<user id>" in files["ids.jsonl"].problems[0]
    )
    f = load_dataset("t").follows
    edges = set(zip(f.follower_id, f.followed_id, strict=True))
    assert edges == {(11, 300), (12, 300), (13, 300), (300, 11), (300, 12)}


def test_academictwitter_folder_reads_data_with_its_users(tmp_data):
    folder = tmp_data / "academic"
    folder.mkdir()
    page = xapi.search_page(2000, 3)
    (folder / "data_1594400000000000000.json").write_text(
        json.dumps(page["data"], ensure_ascii=False)
    )
    (folder / "users_1594400000000000000.json").write_text(
        json.dumps(page["includes"], ensure_ascii=False)
    )
    report = ingest_files([folder], "t", progress=False)
    [f] = report.files  # users_*.json is read with its data file
    assert f.format == "academictwitter" and f.pages == 1
    t = load_dataset("t")
    assert t.tweets["collected"].sum() == 3 and 5000 in set(t.tweets.tweet_id)
    assert "dr_tortue" in set(t.users.username)


def test_csv_edge_list_with_ids_and_usernames(tmp_data):
    users = write_jsonl(
        tmp_data / "users.jsonl",
        [
            dict(
                xapi.users_page([xapi.user(12, "Dr_Tortue"), xapi.user(13, "idel_lyon")]),
                __medtwitter={"endpoint": "users", "params": {}},
            )
        ],
    )
    edges = tmp_data / "edges.csv"
    edges.write_text(
        "follower,followed\n11,12\n@idel_lyon,dr_tortue\ninconnu_éé,12\n", encoding="utf-8"
    )
    report = ingest_files([edges, users], "t", progress=False)  # the CSV is read last
    files = by_format(report)
    assert files["edges.csv"].format == "edge-list-csv"
    assert files["edges.csv"].bad_lines == 1 and "inconnu_éé" in files["edges.csv"].problems[0]
    f = load_dataset("t").follows
    assert set(zip(f.follower_id, f.followed_id, strict=True)) == {(11, 12), (13, 12)}


def archive_js(kind: str, items: list) -> str:
    return f"window.YTD.{kind}.part0 = " + json.dumps(items, ensure_ascii=False, indent=2)


def test_x_account_archive_tweets_followers_and_following(tmp_data):
    data = tmp_data / "twitter-2024-05-01-abc" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        archive_js(
            "account",
            [
                {
                    "account": {
                        "email": "x@example.org",
                        "createdVia": "web",
                        "username": "dr_tortue",
                        "accountId": "12",
                        "createdAt": "2014-03-04T10:00:00.000Z",
                        "accountDisplayName": "Dr Tortue",
                    }
                }
            ],
        )
    )
    tweet = {
        "tweet": {
            "id_str": "600",
            "id": "600",
            "full_text": "Garde aux urgences ce soir 🚑 #médecine",
            "created_at": "Wed May 01 20:00:00 +0000 2024",
            "lang": "fr",
            "favorite_count": "3",
            "retweet_count": "1",
            "entities": {
                "hashtags": [{"text": "médecine", "indices": ["28", "37"]}],
                "user_mentions": [],
            },
        }
    }
    reply = {
        "tweet": {
            "id_str": "601",
            "full_text": "@idel_lyon merci !",
            "lang": "fr",
            "created_at": "Wed May 01 21:00:00 +0000 2024",
            "in_reply_to_status_id_str": "550",
            "in_reply_to_user_id_str": "13",
            "favorite_count": "0",
            "retweet_count": "0",
            "entities": {
                "hashtags": [],
                "user_mentions": [
                    {"screen_name": "idel_lyon", "id_str": "13", "indices": ["0", "10"]}
                ],
            },
        }
    }
    (data / "tweets.js").write_text(archive_js("tweets", [tweet, reply]), encoding="utf-8")
    (data / "follower.js").write_text(
        archive_js(
            "follower",
            [
                {
                    "follower": {
                        "accountId": "13",
                        "userLink": "https://twitter.com/intent/user?user_id=13",
                    }
                },
                {
                    "follower": {
                        "accountId": "14",
                        "userLink": "https://twitter.com/intent/user?user_id=14",
                    }
                },
            ],
        )
    )
    (data / "following.js").write_text(
        archive_js(
            "following",
            [
                {
                    "following": {
                        "accountId": "13",
                        "userLink": "https://twitter.com/intent/user?user_id=13",
                    }
                }
            ],
        )
    )
    report = ingest_files([data.parent], "t", progress=False)
    assert {f.format for f in report.files} == {"x-archive"} and len(report.files) == 3
    assert report.bad_lines == 0
    t = load_dataset("t")
    tweets = t.tweets.set_index("tweet_id")
    assert set(tweets.index) == {600, 601} and (tweets["author_id"] == 12).all()
    assert tweets.loc[601, "reply_to_tweet_id"] == 550 and tweets.loc[600, "like_count"] == 3
    assert "🚑" in tweets.loc[600, "text"]
    edges = set(zip(t.follows.follower_id, t.follows.followed_id, strict=True))
    assert edges == {(13, 12), (14, 12), (12, 13)}
    assert t.users.set_index("user_id").loc[12, "username"] == "dr_tortue"


def test_archive_file_without_account_js_says_how_to_fix(tmp_data):
    (tmp_data / "tweets.js").write_text(archive_js("tweets", [{"tweet": {"id_str": "1"}}]))
    report = ingest_files([tmp_data / "tweets.js"], "t", progress=False)
    assert report.bad_lines == 1 and "account.js" in report.files[0].problems[0]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"data": [], "meta": {}}, "x-api-v2-pages"),
        ({"data": [], "__twarc": {}}, "twarc2-pages"),
        ({"id": "1", "text": "x", "author": {}}, "twarc2-flat"),
        ({"id_str": "1", "text": "x"}, "v1.1-tweets"),
        ({"ids": [1], "next_cursor": 0}, "v1.1-ids"),
    ],
)
def test_format_is_detected_from_the_first_record(tmp_path, record, expected):
    path = write_jsonl(tmp_path / "f.jsonl", [record])
    assert formats.detect_format(path) == expected


def test_unknown_csv_is_reported_not_crashed(tmp_data):
    other = tmp_data / "other.csv"
    other.write_text("a,b\n1,2\n")
    good = write_jsonl(
        tmp_data / "good.jsonl",
        [{"id_str": "1", "text": "Bonjour", "user": {"id_str": "2", "screen_name": "a"}}],
    )
    report = ingest_files([other, good], "t", progress=False)
    assert report.files[0].format == "unread" and report.files[0].rejected
    assert "no `follower,followed` header" in report.files[0].problems[0]
    assert isinstance(load_dataset("t").tweets, pd.DataFrame) and report.pages == 1


def test_ingest_command_says_which_format_each_file_was_read_as(tmp_data, capsys):
    from analysis.cli import main

    old = write_jsonl(
        tmp_data / "old.jsonl",
        [
            {
                "id_str": "1",
                "text": "Bonjour",
                "lang": "fr",
                "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                "user": {"id_str": "2", "screen_name": "a"},
            }
        ],
    )
    ids = write_jsonl(tmp_data / "followers_2.jsonl", [{"ids": [3], "next_cursor": 0}])
    assert main(["ingest", str(old), str(ids), "--dataset", "t", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "old.jsonl: read as v1.1-tweets (1 pages)" in out
    assert "followers_2.jsonl: read as v1.1-ids (1 pages)" in out


TWARC_SEARCH = "https://api.twitter.com/2/tweets/search/recent?query=%23sant%C3%A9"
GOOD_RECORDS = {
    "twarc2-pages": lambda: dict(xapi.search_page(10, 1), __twarc=twarc(TWARC_SEARCH)),
    "twarc2-flat": lambda: dict(
        xapi.tweet(10, 12, "Pénurie d'amoxicilline 💊"),
        author=xapi.user(12, "pharma_ciel"),
        __twarc=twarc(TWARC_SEARCH),
    ),
    "v1.1-tweets": lambda: v1_tweet(10, v1_user(12, "pharma_ciel"), "Pénurie d'amoxicilline 💊"),
    "v1.1-ids": lambda: {"ids": [11], "next_cursor": 0, "next_cursor_str": "0"},
}


@pytest.mark.parametrize("fmt", sorted(GOOD_RECORDS))
def test_truncated_last_line_is_quarantined_and_the_rest_kept(tmp_data, fmt):
    good = GOOD_RECORDS[fmt]()
    path = write_jsonl(tmp_data / "followers_12.jsonl", [good])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(good, ensure_ascii=False)[:40])
    report = ingest_files([path], "t", progress=False)
    [f] = report.files
    assert f.format == fmt and f.pages == 1 and f.bad_lines == 1
    assert "truncated last line" in f.problems[0]
    quarantine = (tmp_data / "processed" / "t" / "quarantine.jsonl").read_text(encoding="utf-8")
    assert json.loads(quarantine)["line"] == 2


def test_twarc2_page_with_a_deleted_referenced_tweet_lands_in_missing(tmp_data):
    page = dict(xapi.search_page(10, 1), __twarc=twarc(TWARC_SEARCH))
    page["errors"] = [
        {
            "value": "777",
            "detail": "Could not find tweet with referenced_tweets.id: [777].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "referenced_tweets.id",
            "resource_id": "777",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
    ]
    ingest_files([write_jsonl(tmp_data / "p.jsonl", [page])], "t", progress=False)
    missing = load_dataset("t").missing
    assert missing[["resource_id", "resource_type"]].values.tolist() == [["777", "tweet"]]
