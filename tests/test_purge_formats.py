"""Purge cleans the account out of raw files in every format ingest reads, or refuses.

Each test writes a small raw file naming the account (``dr_tortue``, id 12) and
others, ingests it, purges the account, then parses the file again and ingests
it into a fresh dataset: no row of the account may come back. Accounts, handles
and texts are invented (synthetic).
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import orjson
import pytest

from analysis import formats, settings
from analysis.cli import main
from analysis.errors import UsageError
from analysis.ingest import ingest_files
from analysis.purge import purge, raw_files
from analysis.tables import load_dataset
from tests import test_formats_v1 as v1
from tests import xapi
from tests.conftest import write_jsonl
from tests.test_formats import archive_js, twarc, v1_tweet, v1_user

UID, HANDLE = 12, "dr_tortue"
OWN = {500, 503, 504, 506}  # tweets of the account in the fixtures below (not all in each)

#: Keys whose values name an account or a tweet in the raw formats (v2, v1.1, archives).
NAMING_KEYS = {
    "id",
    "id_str",
    "author_id",
    "user_id",
    "user_id_str",
    "accountId",
    "resource_id",
    "value",
    "username",
    "screen_name",
    "in_reply_to_user_id",
    "in_reply_to_user_id_str",
    "in_reply_to_screen_name",
}
#: References a kept tweet of another author keeps: the tweet it replies to or quotes.
KEPT_REFERENCES = {
    "in_reply_to_status_id",
    "in_reply_to_status_id_str",
    "quoted_status_id",
    "quoted_status_id_str",
    "conversation_id",
}


def named(obj) -> set[str]:
    """Every id and username a parsed raw record names (casefolded), but kept references."""
    found: set[str] = set()
    if isinstance(obj, list):
        for item in obj:
            found |= named(item)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if key in KEPT_REFERENCES:
                continue
            if key == "referenced_tweets" and isinstance(value, list):
                found |= named([r for r in value if not set(r) <= {"type", "id"}])
            elif key in ("ids", "usernames") and isinstance(value, list):
                found |= {str(v).casefold() for v in value}
            elif key in NAMING_KEYS and isinstance(value, str | int):
                found.add(str(value).casefold())
            else:
                found |= named(value)
    return found


def json_lines(path: Path) -> list:
    """The parsed lines of a JSONL file (``.gz`` too); lines that are not JSON as bytes."""
    out = []
    for _, line in formats.iter_lines(path):
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            out.append(line)
    return out


def assert_no_row_of_the_account(dataset: str, tweets=OWN) -> None:
    t = load_dataset(dataset)
    assert UID not in set(t.users.user_id) and UID not in set(t.user_snapshots.user_id)
    assert HANDLE not in {u.casefold() for u in t.users.username.dropna()}
    assert not t.tweets.author_id.eq(UID).fillna(False).any()
    assert not t.tweets.tweet_id.isin(tweets).any()
    assert not t.hashtags.tweet_id.isin(tweets).any()
    assert not (t.follows[["follower_id", "followed_id"]] == UID).any().any()
    assert not t.tweets.reply_to_user_id.eq(UID).fillna(False).any()
    assert not t.mentions.user_id.eq(UID).fillna(False).any()
    assert not t.missing.resource_id.isin([str(UID), HANDLE, *map(str, tweets)]).any()


def contents(paths: list[Path]) -> dict[Path, bytes]:
    """The bytes of every file among ``paths`` (files, or folders searched recursively)."""
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return {f: f.read_bytes() for f in files if f.is_file()}


def purge_then_reingest(files: list[Path], tweets=OWN, **options) -> None:
    """Ingest ``files`` as dataset 'd', purge the account (twice: the second changes nothing),
    then re-ingest them as dataset 'again', which must hold no row of the account.

    ``options`` go to both ingests (``owner``, ``relation``)."""
    ingest_files(files, "d", progress=False, **options)
    before = load_dataset("d")
    assert UID in {*before.users.user_id, *before.follows.follower_id, *before.follows.followed_id}
    first = purge("d", user_ids=[UID])
    assert first.raw_lines_changed + first.raw_pages_dropped > 0
    cleaned = contents(files)
    second = purge("d", user_ids=[UID])
    assert second.raw_lines_changed == second.raw_pages_dropped == 0
    assert contents(files) == cleaned
    ingest_files(files, "again", progress=False, **options)
    assert_no_row_of_the_account("again", tweets)
    quarantine = settings.processed_dir("again") / "quarantine.jsonl"
    if quarantine.is_file():
        entries = [json.loads(x) for x in quarantine.read_text().splitlines()]
        assert {str(UID), HANDLE}.isdisjoint(named(entries))


def test_purge_cleans_api_v2_pages_of_errors_by_handle_lookup_params_and_unreadable_lines(
    tmp_data,
):
    search = {
        "data": [
            xapi.tweet(
                500,
                UID,
                "Garde ce soir #santé",
                entities={"hashtags": [{"start": 13, "end": 19, "tag": "santé"}]},
            ),
            xapi.tweet(
                501,
                13,
                "@dr_tortue bon courage",
                in_reply_to_user_id=str(UID),
                referenced_tweets=[{"type": "replied_to", "id": "500"}],
                entities={
                    "mentions": [{"start": 0, "end": 10, "username": HANDLE, "id": str(UID)}]
                },
            ),
            xapi.tweet(
                502,
                14,
                "RT @dr_tortue: Garde ce soir",
                referenced_tweets=[{"type": "retweeted", "id": "500"}],
            ),
        ],
        "includes": {
            "users": [
                xapi.user(UID, HANDLE),
                xapi.user(13, "idel_lyon"),
                xapi.user(14, "pharma_ciel"),
            ]
        },
        "meta": {"result_count": 3, "newest_id": "502", "oldest_id": "500"},
        "__medtwitter": {"endpoint": "search_recent", "params": {"query": "#santé"}},
    }
    lookup = {
        "data": [xapi.user(13, "idel_lyon")],
        "errors": [xapi.suspended_error(HANDLE)],
        "__medtwitter": {"endpoint": "users", "params": {"usernames": [HANDLE, "idel_lyon"]}},
    }
    by_id = {
        "data": [xapi.user(UID, HANDLE), xapi.user(13, "idel_lyon")],
        "__medtwitter": {"endpoint": "users", "params": {"ids": [str(UID), "13"]}},
    }
    followers_of_13 = {
        "data": [xapi.user(UID, HANDLE), xapi.user(14, "pharma_ciel")],
        "meta": {"result_count": 2},
        "__medtwitter": {"endpoint": "followers", "params": {"user_id": "13"}},
    }
    followers_of_account = {
        "data": [xapi.user(13, "idel_lyon")],
        "meta": {"result_count": 1},
        "__medtwitter": {"endpoint": "followers", "params": {"user_id": str(UID)}},
    }
    truncated = json.dumps({"data": [xapi.tweet(503, UID, "coupé")]})[:60]
    raw = write_jsonl(
        tmp_data / "pages.jsonl",
        [search, lookup, by_id, followers_of_13, followers_of_account, "pas du JSON", truncated],
    )
    purge_then_reingest([raw])
    lines = json_lines(raw)
    assert b"pas du JSON\n" in lines and len(lines) == 5  # the account's page and bad line gone
    assert {str(UID), HANDLE}.isdisjoint(named(lines)) and "500" not in named(lines)
    assert {"13", "idel_lyon", "14", "501"} <= named(lines)
    tweets = load_dataset("again").tweets.set_index("tweet_id")
    assert set(tweets.index) == {501} and tweets.loc[501, "reply_to_tweet_id"] == 500


def test_purge_cleans_twarc2_pages_so_reingest_cannot_bring_the_account_back(tmp_data):
    api = "https://api.twitter.com/2"
    search = dict(
        xapi.search_page(1000, 2),
        __twarc=twarc(f"{api}/tweets/search/recent?query=%23docstoctoc"),
    )  # replies by 100, 101 to tweet 5000 of the account, mentioning it
    followers_of_13 = dict(xapi.follow_page([UID, 14]), __twarc=twarc(f"{api}/users/13/followers"))
    following_of_account = dict(
        xapi.follow_page([13]), __twarc=twarc(f"{api}/users/{UID}/following")
    )
    stream = {
        "data": xapi.tweet(504, UID, "En direct du congrès"),
        "includes": {"users": [xapi.user(UID, HANDLE)]},
        "__twarc": twarc(f"{api}/tweets/search/stream?expansions=author_id"),
    }
    lookup = dict(
        xapi.users_page([xapi.user(UID, HANDLE), xapi.user(13, "idel_lyon")]),
        __twarc=twarc(f"{api}/users?ids={UID},13"),
    )
    raw = write_jsonl(
        tmp_data / "twarc.jsonl", [search, followers_of_13, following_of_account, stream, lookup]
    )
    assert formats.detect_format(raw) == formats.TWARC2_PAGES
    purge_then_reingest([raw], OWN | {5000})
    lines = json_lines(raw)
    assert len(lines) == 4 and {str(UID), HANDLE, "5000", "504"}.isdisjoint(named(lines))
    assert lines[-1]["__twarc"]["url"].endswith("/2/users?ids=13")
    again = load_dataset("again")
    assert {1000, 1001} <= set(again.tweets.tweet_id) and {13, 14, 100} <= set(again.users.user_id)
    assert set(zip(again.follows.follower_id, again.follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_cleans_twarc2_flattened_tweets_and_users_keeping_others_replies(tmp_data):
    url = "https://api.twitter.com/2/tweets/search/recent?query=x"
    own = dict(
        xapi.tweet(500, UID, "Question aux confrères ?"),
        author=xapi.user(UID, HANDLE),
        __twarc=twarc(url),
    )
    reply = dict(
        xapi.tweet(501, 13, "@dr_tortue je l'adresse"),
        author=xapi.user(13, "idel_lyon"),
        in_reply_to_user_id=str(UID),
        in_reply_to_user=xapi.user(UID, HANDLE),
        referenced_tweets=[
            dict(
                xapi.tweet(500, UID, "Question aux confrères ?"),
                type="replied_to",
                author=xapi.user(UID, HANDLE),
            )
        ],
        entities={"mentions": [dict(xapi.user(UID, HANDLE), start=0, end=10)]},
        __twarc=twarc(url),
    )
    retweet = dict(
        xapi.tweet(502, 14, "RT @dr_tortue: Question aux confrères ?"),
        author=xapi.user(14, "pharma_ciel"),
        referenced_tweets=[
            dict(
                xapi.tweet(500, UID, "Question aux confrères ?"),
                type="retweeted",
                author=xapi.user(UID, HANDLE),
            )
        ],
        __twarc=twarc(url),
    )
    followers_13 = "https://api.twitter.com/2/users/13/followers"
    follower_is_account = dict(xapi.user(UID, HANDLE), __twarc=twarc(followers_13))
    follower_kept = dict(xapi.user(14, "pharma_ciel"), __twarc=twarc(followers_13))
    follower_of_account = dict(
        xapi.user(13, "idel_lyon"),
        __twarc=twarc(f"https://api.twitter.com/2/users/{UID}/followers"),
    )
    raw = tmp_data / "flat.jsonl.gz"
    records = [own, reply, retweet, follower_is_account, follower_kept, follower_of_account]
    raw.write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in records)))
    assert formats.detect_format(raw) == formats.TWARC2_FLAT
    purge_then_reingest([raw])
    lines = json_lines(raw)  # still gzip
    assert [r["id"] for r in lines] == ["501", "14"]
    assert {str(UID), HANDLE, "500"}.isdisjoint(named(lines))
    assert lines[0]["referenced_tweets"] == [{"type": "replied_to", "id": "500"}]
    again = load_dataset("again")
    tweets = again.tweets.set_index("tweet_id")
    assert list(tweets.index) == [501] and tweets.loc[501, "reply_to_tweet_id"] == 500
    assert set(zip(again.follows.follower_id, again.follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_cleans_v1_tweets_of_retweets_quotes_mentions_and_delete_notices(tmp_data):
    account, idel, pharma = (
        v1_user(UID, HANDLE),
        v1_user(13, "idel_lyon"),
        v1_user(14, "pharma_ciel"),
    )
    mention = {"screen_name": HANDLE, "id": UID, "id_str": str(UID), "indices": [0, 10]}
    original = v1_tweet(
        500,
        account,
        "Question aux confrères #docstoctoc",
        entities={"hashtags": [{"text": "docstoctoc", "indices": [23, 34]}], "user_mentions": []},
    )
    retweet = v1_tweet(501, idel, "RT @dr_tortue: Question", retweeted_status=original)
    quote = v1_tweet(
        502,
        pharma,
        "@dr_tortue bonne question",
        quoted_status=original,
        quoted_status_id_str="500",
        quoted_status_permalink={"expanded": "https://twitter.com/dr_tortue/status/500"},
        entities={"hashtags": [], "user_mentions": [mention]},
    )
    reply = v1_tweet(
        505,
        idel,
        "@dr_tortue je l'adresse",
        in_reply_to_status_id_str="500",
        in_reply_to_user_id_str=str(UID),
        in_reply_to_screen_name=HANDLE,
    )
    inner = v1_tweet(
        507, idel, "@dr_tortue merci", entities={"hashtags": [], "user_mentions": [mention]}
    )
    nested = v1_tweet(508, pharma, "Bien dit", quoted_status=inner, quoted_status_id_str="507")
    notice = {
        "delete": {
            "status": {"id": 503, "id_str": "503", "user_id": UID, "user_id_str": str(UID)},
            "timestamp_ms": "1539202764000",
        }
    }
    other_notice = {"delete": {"status": {"id_str": "98", "user_id_str": "13"}}}
    withheld = {"user_withheld": {"id": UID, "withheld_in_countries": ["DE"]}}
    lines = [
        orjson.dumps(r)
        for r in (original, retweet, quote, reply, nested, notice, other_notice, withheld)
    ]
    last = orjson.dumps(v1_tweet(506, account, "coupé"))
    lines.append(last[: last.index(b'"screen_name"')])  # killed mid-line, after the user's id
    raw = tmp_data / "v1.jsonl.gz"
    raw.write_bytes(gzip.compress(b"\n".join(lines)))
    assert formats.detect_format(raw) == formats.V1_TWEETS
    purge_then_reingest([raw])
    kept = json_lines(raw)
    assert [r.get("id_str") for r in kept] == ["502", "505", "508", None]
    assert {str(UID), HANDLE, "500", "503", "506"}.isdisjoint(named(kept))
    assert "quoted_status" not in kept[0] and "quoted_status_permalink" not in kept[0]
    assert kept[2]["quoted_status"]["entities"]["user_mentions"] == []
    tweets = load_dataset("again").tweets.set_index("tweet_id")
    assert set(tweets.index) == {502, 505, 507, 508}
    assert tweets.loc[502, "quote_of_tweet_id"] == 500  # the quote keeps its reference
    assert list(load_dataset("again").missing.resource_id) == ["98"]


def test_purge_empties_the_accounts_v1_id_file_and_removes_its_id_from_others(tmp_data):
    page = {"ids": [UID, 14], "next_cursor": 0, "next_cursor_str": "0", "previous_cursor": 0}
    others = write_jsonl(tmp_data / "followers_13.jsonl", [page])
    own = write_jsonl(tmp_data / f"{UID}_friends.jsonl", [{"ids": [13, 14], "next_cursor": 0}])
    purge_then_reingest([others, own])
    assert json_lines(others) == [{**page, "ids": [14]}]
    assert json_lines(own) == []
    follows = load_dataset("again").follows
    assert set(zip(follows.follower_id, follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_cleans_academictwitter_data_and_users_files(tmp_data):
    folder = tmp_data / "academic"
    folder.mkdir()
    tweets = [
        xapi.tweet(500, UID, "Question aux confrères ?"),
        xapi.tweet(
            501,
            13,
            "@dr_tortue je l'adresse",
            in_reply_to_user_id=str(UID),
            entities={"mentions": [{"start": 0, "end": 10, "username": HANDLE, "id": str(UID)}]},
        ),
        xapi.tweet(
            502,
            14,
            "RT @dr_tortue: Question",
            referenced_tweets=[{"type": "retweeted", "id": "500"}],
        ),
    ]
    includes = {
        "users": [xapi.user(UID, HANDLE), xapi.user(13, "idel_lyon"), xapi.user(14, "pharma_ciel")],
        "tweets": [xapi.tweet(506, UID, "Ancien fil")],
    }
    data = folder / "data_1594400000000000000.json"
    users = folder / "users_1594400000000000000.json"
    data.write_text(json.dumps(tweets, ensure_ascii=False, indent=2), encoding="utf-8")
    users.write_text(json.dumps(includes, ensure_ascii=False), encoding="utf-8")
    purge_then_reingest([folder])
    kept_tweets, kept_includes = json.loads(data.read_text()), json.loads(users.read_text())
    assert [t["id"] for t in kept_tweets] == ["501"]
    assert [u["id"] for u in kept_includes["users"]] == ["13", "14"]
    assert kept_includes["tweets"] == []
    assert {str(UID), HANDLE, "500", "506"}.isdisjoint(named([kept_tweets, kept_includes]))
    assert set(load_dataset("again").users.user_id) == {13, 14}


def test_purge_cleans_a_csv_edge_list_so_reingest_cannot_bring_the_account_back(tmp_data):
    def users_page(collected_at: str, *users: dict) -> dict:
        return {
            "data": list(users),
            "__medtwitter": {"endpoint": "users", "params": {}, "collected_at": collected_at},
        }

    users = write_jsonl(
        tmp_data / "users.jsonl",
        [
            users_page(
                "2023-01-01T00:00:00.000Z", xapi.user(UID, "tortue_avant")
            ),  # a former handle
            users_page(
                "2024-05-01T00:00:00.000Z",
                xapi.user(UID, HANDLE),
                xapi.user(13, "idel_lyon"),
                xapi.user(14, "pharma_ciel"),
            ),
        ],
    )
    edges = tmp_data / "edges.csv"
    edges.write_text(
        "Follower,followed,since\n12,13,2020\n13,12,2021\n14,13,2022\n"
        "@dr_tortue,idel_lyon,2023\nidel_lyon,DR_TORTUE,2023\n"
        "tortue_avant,pharma_ciel,2019\npharma_ciel,@idel_lyon,2024\n",
        encoding="utf-8",
    )
    ingest_files([users, edges], "d", progress=False)
    follows = load_dataset("d").follows
    edges_of_account = {(12, 13), (13, 12), (12, 14)}  # (12, 14) by its former handle
    assert edges_of_account <= set(zip(follows.follower_id, follows.followed_id, strict=True))
    purge_then_reingest([users, edges])
    with open(edges, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["Follower", "followed", "since"],
        ["14", "13", "2022"],
        ["pharma_ciel", "@idel_lyon", "2024"],
    ]
    follows = load_dataset("again").follows
    assert set(zip(follows.follower_id, follows.followed_id, strict=True)) == {(14, 13)}


def write_archive(
    folder: Path,
    owner: int,
    username: str,
    tweets: list,
    followers: list[int],
    following: list[int],
) -> Path:
    """An X archive's data/ folder: account.js, tweets.js, follower.js, following.js."""
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        archive_js(
            "account",
            [
                {
                    "account": {
                        "email": "x@example.org",
                        "username": username,
                        "accountId": str(owner),
                        "createdAt": "2014-03-04T10:00:00.000Z",
                        "accountDisplayName": username.title(),
                    }
                }
            ],
        )
    )
    (data / "tweets.js").write_text(archive_js("tweets", tweets), encoding="utf-8")
    for kind, ids in (("follower", followers), ("following", following)):
        link = "https://twitter.com/intent/user?user_id="
        items = [{kind: {"accountId": str(i), "userLink": f"{link}{i}"}} for i in ids]
        (data / f"{kind}.js").write_text(archive_js(kind, items))
    return data


def archive_tweet(tid: int, text: str, **extra) -> dict:
    return {
        "tweet": {
            "id_str": str(tid),
            "id": str(tid),
            "full_text": text,
            "lang": "fr",
            "created_at": "Wed May 01 20:00:00 +0000 2024",
            "favorite_count": "0",
            "retweet_count": "0",
            "entities": {"hashtags": [], "user_mentions": []},
            **extra,
        }
    }


def test_purge_cleans_another_accounts_x_archive_of_its_follows_and_mentions(tmp_data):
    mention = {"screen_name": HANDLE, "id_str": str(UID), "id": str(UID), "indices": ["0", "10"]}
    reply = archive_tweet(
        600,
        "@dr_tortue merci !",
        in_reply_to_status_id_str="500",
        in_reply_to_user_id_str=str(UID),
        entities={"hashtags": [], "user_mentions": [mention]},
    )
    data = write_archive(
        tmp_data / "twitter-2024-idel",
        13,
        "idel_lyon",
        [reply, archive_tweet(601, "Garde ce soir 🚑")],
        [UID, 14],
        [UID],
    )
    purge_then_reingest([data.parent])
    parsed = {}
    for kind in ("tweets", "follower", "following"):
        prefix, found, parsed[kind] = formats.split_archive_js((data / f"{kind}.js").read_bytes())
        assert prefix.startswith(f"window.YTD.{kind}.part0".encode()) and found == kind
    assert {str(UID), HANDLE}.isdisjoint(named(parsed))
    assert [t["tweet"]["id_str"] for t in parsed["tweets"]] == ["600", "601"]
    assert [f["follower"]["accountId"] for f in parsed["follower"]] == ["14"]
    assert parsed["following"] == []
    again = load_dataset("again")
    assert set(again.tweets.tweet_id) == {600, 601} and set(again.tweets.author_id) == {13}
    assert set(zip(again.follows.follower_id, again.follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_of_deleted_tweets_removes_them_from_the_owners_x_archive(tmp_data):
    data = write_archive(
        tmp_data / "twitter-2024-idel",
        13,
        "idel_lyon",
        [archive_tweet(600, "Supprimé depuis"), archive_tweet(601, "Gardé")],
        [14],
        [],
    )
    ingest_files([data.parent], "d", progress=False)
    report = purge("d", tweet_ids=[600])  # what compliance does for a deleted tweet
    assert report.raw_pages_dropped == 1
    _, _, tweets = formats.split_archive_js((data / "tweets.js").read_bytes())
    assert [t["tweet"]["id_str"] for t in tweets] == ["601"]
    ingest_files([data.parent], "again", progress=False)
    again = load_dataset("again")
    assert list(again.tweets.tweet_id) == [601] and 13 in set(again.users.user_id)
    assert set(zip(again.follows.follower_id, again.follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_refuses_the_accounts_own_x_archive_and_changes_nothing(tmp_data, capsys):
    data = write_archive(
        tmp_data / "twitter-2024-tortue",
        UID,
        HANDLE,
        [archive_tweet(600, "Garde ce soir")],
        [13],
        [14],
    )
    pages = write_jsonl(
        tmp_data / "a_pages.jsonl",
        [xapi.users_page([xapi.user(UID, HANDLE), xapi.user(13, "idel_lyon")])],
    )
    ingest_files([pages, data.parent], "d", progress=False)
    before, tables = contents([tmp_data / "twitter-2024-tortue", pages]), load_dataset("d")
    with pytest.raises(UsageError) as refused:
        purge("d", user_ids=[UID])
    message = str(refused.value)
    assert "\n" not in message and str(data / "follower.js") in message
    assert "x-archive" in message and f"the whole archive {data}" in message
    assert main(["purge", "--dataset", "d", "--user", str(UID)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert contents([tmp_data / "twitter-2024-tortue", pages]) == before
    after = load_dataset("d")
    assert after.meta["version"] == tables.meta["version"] and UID in set(after.users.user_id)
    assert len(after.tweets) == len(tables.tweets) == 1


def test_purge_refuses_a_file_in_no_known_format_naming_the_account_after_writing_nothing(
    tmp_data,
):
    pages = write_jsonl(
        tmp_data / "a_pages.jsonl",
        [xapi.users_page([xapi.user(UID, HANDLE), xapi.user(13, "idel_lyon")])],
    )
    notes = tmp_data / "notes.csv"
    notes.write_text("who,what\ndr_tortue,a demandé à être retiré\n", encoding="utf-8")
    ingest_files([pages, notes], "d", progress=False)
    before = contents([pages, notes])
    with pytest.raises(UsageError, match=r"notes\.csv \(format unknown: .*names the account\)"):
        purge("d", user_ids=[UID])
    assert contents([pages, notes]) == before
    assert sorted(p.name for p in tmp_data.iterdir() if p.name.startswith(".")) == []
    assert UID in set(load_dataset("d").users.user_id)
    notes.unlink()  # what the message says to do
    purge("d", user_ids=[UID])
    assert_no_row_of_the_account("d")
    assert [u["id"] for u in json_lines(pages)[0]["data"]] == ["13"]


def test_raw_files_lists_every_file_ingest_reads_from_the_raw_folder_and_the_sources(
    tmp_data, tmp_path_factory
):
    raw = settings.raw_dir("d")
    raw.mkdir(parents=True)
    write_jsonl(raw / "pages.jsonl", [xapi.users_page([xapi.user(13, "idel_lyon")])])
    (raw / "more.jsonl.gz").write_bytes(
        gzip.compress(orjson.dumps(xapi.users_page([xapi.user(14, "pharma_ciel")])) + b"\n")
    )
    (raw / "data_1.json").write_text(json.dumps([xapi.tweet(501, 13, "Bonjour")]))
    (raw / "users_1.json").write_text(json.dumps({"users": [xapi.user(13, "idel_lyon")]}))
    (raw / "edges.csv").write_text("follower,followed\n14,13\n")
    (raw / "notes.txt").write_text("not read by ingest\n")
    write_archive(raw, 13, "idel_lyon", [archive_tweet(600, "Bonjour")], [14], [])
    outside = write_jsonl(
        tmp_path_factory.mktemp("elsewhere") / "lookup.jsonl",
        [xapi.users_page([xapi.user(15, "sage_femme")])],
    )
    ingest_files([raw, outside], "d", progress=False)
    expected = {
        raw / "pages.jsonl",
        raw / "more.jsonl.gz",
        raw / "data_1.json",
        raw / "users_1.json",
        raw / "edges.csv",
        raw / "data" / "tweets.js",
        raw / "data" / "follower.js",
        raw / "data" / "following.js",
        outside,
    }
    assert set(raw_files("d")) == {p.resolve() for p in expected}


# --- API v1.1 bodies as people stored them (tests/test_formats_v1.py has the shapes) -------------

NOT_OWN = {500, 503, 504}  # the account's tweets in the v1.1 bodies below


def account_links(dataset: str) -> list[str]:
    """Links of the dataset's tweets to the account's X profile or its tweets."""
    urls = load_dataset(dataset).urls
    return [u for u in urls.expanded_url.dropna() if HANDLE in u.casefold() or "/500" in u]


def test_purge_cleans_v1_timeline_search_and_status_bodies_as_stored(tmp_data):
    account, idel, pharma = (
        v1.user(UID, HANDLE),
        v1.user(13, "idel_lyon"),
        v1.user(14, "pharma_ciel"),
    )
    own = v1.status(
        500,
        account,
        "Question aux confrères https://t.co/AAAA",
        urls=[("https://t.co/AAAA", "https://www.has-sante.fr/q")],
    )
    retweet = v1.status(
        501, idel, "RT @dr_tortue: Question aux confrères", mentions=[account], retweeted_status=own
    )
    quote = v1.status(
        502,
        pharma,
        "Bonne question @dr_tortue https://t.co/BBBB",
        mentions=[account],
        quoted_status=own,
        quoted_status_id_str="500",
        urls=[("https://t.co/BBBB", "https://twitter.com/dr_tortue/status/500")],
    )
    profile = v1.status(
        505,
        idel,
        "Suivez https://t.co/CCCC et https://t.co/DDDD",
        urls=[
            ("https://t.co/CCCC", "https://x.com/Dr_Tortue"),
            ("https://t.co/DDDD", "https://revue.example.org/a/1"),
        ],
    )
    plain = v1.status(507, idel, "Garde ce soir")
    timeline = v1.write_body(
        tmp_data / "user_timeline.json", [own, retweet, quote, profile, plain], "pretty"
    )
    reply = v1.status(
        508,
        pharma,
        "@dr_tortue je l'adresse",
        mentions=[account],
        in_reply_to_status_id=503,
        in_reply_to_status_id_str="503",
        in_reply_to_user_id=UID,
        in_reply_to_user_id_str=str(UID),
        in_reply_to_screen_name=HANDLE,
    )
    envelope = {
        "statuses": [v1.status(503, account, "Garde"), reply],
        "search_metadata": {
            "max_id": 503,
            "max_id_str": "503",
            "since_id": 0,
            "next_results": "?max_id=503&q=garde",
            "count": 2,
        },
    }
    search = v1.write_body(tmp_data / "search.jsonl", envelope, "lines")
    show = v1.write_body(tmp_data / "show.json", v1.status(504, account, "Mon avis"), "pretty")
    purge_then_reingest([timeline, search, show], NOT_OWN)
    kept = json.loads(timeline.read_text())
    assert [s["id"] for s in kept] == [502, 505, 507]
    assert timeline.read_text().startswith("[\n  {")  # still pretty-printed
    assert {str(UID), HANDLE, "500"}.isdisjoint(named(kept))
    assert "quoted_status" not in kept[0] and kept[0]["entities"]["urls"] == []
    assert [u["expanded_url"] for u in kept[1]["entities"]["urls"]] == [
        "https://revue.example.org/a/1"
    ]
    bodies = json_lines(search)
    assert [[s["id"] for s in b["statuses"]] for b in bodies] == [[508], [508]]
    assert {"max_id", "max_id_str", "next_results"}.isdisjoint(bodies[0]["search_metadata"])
    assert "in_reply_to_user_id" not in bodies[0]["statuses"][0]
    assert show.read_bytes() == b""  # the whole body was the account's
    again = load_dataset("again")
    assert set(again.tweets.tweet_id) == {502, 505, 507, 508} and account_links("again") == []
    assert again.tweets.set_index("tweet_id").loc[502, "quote_of_tweet_id"] == 500


def test_purge_cleans_v1_users_bodies_and_the_accounts_own_follower_list(tmp_data):
    account = v1.user(UID, HANDLE)
    rt_of_own = v1.status(
        601,
        None,
        "RT @dr_tortue: Question",
        mentions=[account],
        retweeted_status=v1.status(500, account, "Question"),
    )
    mentioning = v1.status(602, None, "Merci @dr_tortue !", mentions=[account])
    lookup = v1.write_body(
        tmp_data / "users_lookup.json",
        [
            account,
            v1.user(13, "idel_lyon", status=rt_of_own),
            v1.user(14, "pharma_ciel", status=mentioning),
        ],
        "pretty",
    )
    page = {"users": [account, v1.user(14, "pharma_ciel")], "next_cursor": 0, "previous_cursor": 0}
    of_13 = v1.write_body(tmp_data / "followers_13.json", page, "line")
    own_list = v1.write_body(
        tmp_data / "friends_page_1.json", {**page, "users": [v1.user(13, "idel_lyon")]}, "pretty"
    )
    others = write_jsonl(tmp_data / "b_pages.jsonl", [xapi.users_page([xapi.user(UID, HANDLE)])])
    show = v1.write_body(tmp_data / "users_show.json", account, "line")
    # friends_page_1.json is the account's own friends list: read with --owner 12
    ingest_files([own_list], "d", progress=False, owner=UID, relation="following")
    purge_then_reingest([lookup, of_13, own_list, others, show])
    assert show.read_bytes() == b""
    users = json.loads(lookup.read_text())
    assert [u["id"] for u in users] == [13, 14]
    assert "status" not in users[0] and users[1]["status"]["entities"]["user_mentions"] == []
    assert [u["id"] for u in json.loads(of_13.read_text())["users"]] == [14]
    assert own_list.read_bytes() == b""  # each of its users was an edge with the account
    again = load_dataset("again")
    assert set(again.users.user_id) == {13, 14} and set(again.tweets.tweet_id) == {602}
    assert set(zip(again.follows.follower_id, again.follows.followed_id, strict=True)) == {(14, 13)}


def test_purge_cleans_v1_id_bodies_whose_owner_was_given_at_ingest(tmp_data):
    others = v1.write_body(tmp_data / "followers_13.json", v1.ids_page(UID, 14), "pretty")
    own = v1.write_body(tmp_data / "ids_page_1.json", v1.ids_page(13, 14), "pretty")
    lines = v1.write_body(tmp_data / "ids.jsonl", v1.ids_page(15), "lines")
    ingest_files([others], "d", progress=False)
    ingest_files([own, lines], "d", progress=False, owner=UID, relation="followers")
    report = purge("d", user_ids=[UID])  # reads the owner of ids_page_1.json from meta.json
    assert report.raw_pages_dropped >= 3
    assert json.loads(others.read_text())["ids"] == [14]
    assert own.read_bytes() == b"" and lines.read_bytes() == b""
    ingest_files([others, own, lines], "again", progress=False, owner=UID, relation="followers")
    assert_no_row_of_the_account("again")


def test_purge_refuses_a_truncated_v1_body_naming_the_account_and_changes_nothing(tmp_data):
    whole = orjson.dumps(
        [v1.user(UID, HANDLE), v1.user(13, "idel_lyon")], option=orjson.OPT_INDENT_2
    )
    cut = tmp_data / "users_lookup.json"
    cut.write_bytes(whole[: len(whole) * 3 // 4])  # the account's user object, then cut
    other = tmp_data / "user_timeline.json"
    whole = orjson.dumps(
        [v1.status(700, v1.user(13, "idel_lyon"), "Garde")], option=orjson.OPT_INDENT_2
    )
    other.write_bytes(whole[: len(whole) // 2])  # names no one purged: kept as it is
    pages = write_jsonl(tmp_data / "a_pages.jsonl", [xapi.users_page([xapi.user(UID, HANDLE)])])
    ingest_files([pages, cut, other], "d", progress=False)
    before = contents([cut, other, pages])
    with pytest.raises(
        UsageError,
        match=r"users_lookup\.json \(format v1\.1-json: not valid "
        r"JSON, and it names the account\)",
    ):
        purge("d", user_ids=[UID])
    assert contents([cut, other, pages]) == before
    cut.unlink()  # what the message says to do
    purge("d", user_ids=[UID])
    assert other.read_bytes() == before[other]
    assert_no_row_of_the_account("d")
