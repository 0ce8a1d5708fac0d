"""Fidelity of tweets (issue 16): long posts, edits, links, impressions, pinned tweets.

Every page here is synthetic, written from the documented X API v2 shapes: a long
post's ``note_tweet`` (``text`` and ``entities``), ``edit_history_tweet_ids``
(oldest first, the latest version last) and ``edit_controls``, ``entities.urls``
items (``start``, ``end``, ``url``, ``expanded_url``, ``display_url``),
``public_metrics.impression_count``, and a users lookup with
``expansions=pinned_tweet_id`` returning the pinned tweets in ``includes.tweets``.
Each behaviour is checked through both ingest paths (the Arrow fast path and the
page-at-a-time path), with the exact rows.
"""

from __future__ import annotations

import json
import re

import numpy as np
import orjson
import pandas as pd
import polars as pl
import pytest
import responses
from deltalake import DeltaTable, write_deltalake

from analysis import collect, ingest, settings, store
from analysis.collect import Collector, search_job, users_job
from analysis.ingest import ingest_files
from analysis.purge import purge
from analysis.tables import CONTRACT, TABLE_NAMES, connect, load_dataset
from tests import xapi
from tests.conftest import page_at_a_time, write_jsonl
from tests.pages import prov, user

# 19-digit ids, as X's; versions of an edited post have growing ids
LONG, EDIT_1, EDIT_2, EDIT_3, LINKS, PINNED_1, PINNED_2 = (
    1460323737035677000 + k for k in (1, 10, 20, 30, 40, 50, 60)
)
DR, IDEL = 1460323737035600012, 1460323737035600013

FULL = (
    "Long fil sur la vaccination des soignants contre la grippe saisonnière : ce que disent "
    "les données 2023-2024, pourquoi la couverture reste basse dans les services, et ce que "
    "nous avons changé dans notre CHU pour passer de 35 % à 62 % en une saison. Merci "
    "@idel_lyon pour la relecture ! Les recommandations : https://t.co/HaSgrippe #grippe "
    "#vaccination #soignants"
)  # synthetic
SHORT = FULL[:277] + "…"


def long_post() -> dict:
    """A long post (over 280 characters): ``text`` truncated, the whole text in ``note_tweet``."""
    hashtags = [
        {"start": FULL.index(t), "end": FULL.index(t) + len(t), "tag": t[1:]}
        for t in ("#grippe", "#vaccination", "#soignants")
    ]
    return {
        "id": str(LONG),
        "author_id": str(DR),
        "created_at": "2024-05-02T08:00:00.000Z",
        "text": SHORT,
        "lang": "fr",
        "conversation_id": str(LONG),
        "edit_history_tweet_ids": [str(LONG)],
        "entities": {"hashtags": []},  # the first 280 characters hold none
        "note_tweet": {
            "text": FULL,
            "entities": {
                "hashtags": hashtags,
                "mentions": [{"start": 267, "end": 277, "username": "idel_lyon", "id": str(IDEL)}],
                "urls": [
                    {
                        "start": 310,
                        "end": 333,
                        "url": "https://t.co/HaSgrippe",
                        "expanded_url": "https://www.has-sante.fr/jcms/p_3461350/fr/grippe",
                        "display_url": "has-sante.fr/jcms/p_3461350…",
                    }
                ],
            },
        },
        "public_metrics": {
            "retweet_count": 4,
            "reply_count": 1,
            "like_count": 20,
            "quote_count": 0,
            "bookmark_count": 2,
            "impression_count": 1830,
        },
    }


def version(tid: int, history: list[int], text: str, tag: str, **extra) -> dict:
    """A version of an edited post (``edit_history_tweet_ids`` lists every version, oldest first)."""
    return {
        "id": str(tid),
        "author_id": str(IDEL),
        "created_at": "2024-05-02T09:00:00.000Z",
        "text": text,
        "lang": "fr",
        "conversation_id": str(EDIT_1),
        "edit_history_tweet_ids": [str(i) for i in history],
        "edit_controls": {
            "edits_remaining": 5 - len(history),
            "is_edit_eligible": True,
            "editable_until": "2024-05-02T10:00:00.000Z",
        },
        "entities": {
            "hashtags": [{"start": 0, "end": len(tag) + 1, "tag": tag}],
            "urls": [
                {
                    "start": 10,
                    "end": 33,
                    "url": f"https://t.co/v{tid % 100}",
                    "expanded_url": f"https://example.org/{tid % 100}",
                    "display_url": f"example.org/{tid % 100}",
                }
            ],
        },
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
        **extra,
    }


def links_tweet() -> dict:
    """A tweet with several links: a journal, an X profile, an X status, a link never expanded."""
    urls = [
        ("https://t.co/nejm01", "https://www.NEJM.org/doi/full/10.1056/NEJMoa2034577"),
        ("https://t.co/prof02", "https://twitter.com/dr_tortue"),
        ("https://t.co/stat03", f"https://x.com/dr_tortue/status/{LONG}?s=20"),
        ("https://t.co/bare04", None),
    ]
    return {
        "id": str(LINKS),
        "author_id": str(IDEL),
        "created_at": "2024-05-03T08:00:00.000Z",
        "text": "Quatre liens : " + " ".join(u for u, _ in urls),
        "lang": "fr",
        "conversation_id": str(LINKS),
        "edit_history_tweet_ids": [str(LINKS)],
        "entities": {
            "urls": [
                {
                    "start": 15 + 24 * i,
                    "end": 38 + 24 * i,
                    "url": u,
                    **({"expanded_url": e, "display_url": e.split("//")[1][:20]} if e else {}),
                }
                for i, (u, e) in enumerate(urls)
            ]
        },
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }


def search_page(data: list[dict], includes: list[dict] = (), at: str = "10:00") -> dict:
    return {
        "data": data,
        "includes": {
            "users": [user(DR, "dr_tortue"), user(IDEL, "idel_lyon")],
            "tweets": list(includes),
        },
        "meta": {"result_count": len(data)},
        "__medtwitter": {
            **prov("search_recent", query="#grippe"),
            "collected_at": f"2024-05-04T{at}:00.000Z",
            "synthetic": True,
        },
    }


def pinned_lookup_page() -> dict:
    """GET /2/users?ids=...&expansions=pinned_tweet_id: the pinned tweets in includes.tweets."""
    pinned = [
        {
            "id": str(PINNED_1),
            "author_id": str(DR),
            "text": "Épinglé : mes liens utiles",
            "created_at": "2023-01-10T08:00:00.000Z",
            "lang": "fr",
            "edit_history_tweet_ids": [str(PINNED_1)],
            "public_metrics": {
                "retweet_count": 2,
                "reply_count": 0,
                "like_count": 9,
                "quote_count": 0,
                "impression_count": 400,
            },
        },
        {
            "id": str(PINNED_2),
            "author_id": str(IDEL),
            "text": "Bienvenue sur mon compte #IDEL",
            "created_at": "2022-06-01T08:00:00.000Z",
            "lang": "fr",  # no edit history: an old file
            "entities": {"hashtags": [{"start": 25, "end": 30, "tag": "IDEL"}]},
        },
    ]
    return {
        "data": [
            user(DR, "dr_tortue", pinned_tweet_id=str(PINNED_1)),
            user(IDEL, "idel_lyon", pinned_tweet_id=str(PINNED_2)),
        ],
        "includes": {"tweets": pinned},
        "__medtwitter": {**prov("users", ids=f"{DR},{IDEL}"), "synthetic": True},
    }


def edit_pages() -> list[dict]:
    """The first version seen alone (collected before the edit), then the latest with the middle one."""
    first = version(EDIT_1, [EDIT_1], "#grippe v1 https://t.co/v10", "grippe")
    middle = version(EDIT_2, [EDIT_1, EDIT_2, EDIT_3], "#grippe v2 https://t.co/v20", "Grippe")
    latest = version(EDIT_3, [EDIT_1, EDIT_2, EDIT_3], "#grippe v3 https://t.co/v30", "GRIPPE")
    return [search_page([first], at="09:00"), search_page([latest], [middle], at="11:00")]


def all_pages() -> list[dict]:
    return [search_page([long_post(), links_tweet()]), *edit_pages(), pinned_lookup_page()]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, nulls as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def ingest_both(tmp_path, pages: list[dict], dataset: str = "fid") -> dict[str, object]:
    """The tables of ``pages`` through the fast path and through the page-at-a-time path."""
    raw = write_jsonl(tmp_path / f"{dataset}.jsonl", pages)
    out = {}
    for path in ("fast", "slow"):
        with pytest.MonkeyPatch.context() as mp:
            if path == "fast":
                mp.setattr(ingest.read, "read_chunk_slow", None)  # the fast run must not need it
            else:
                page_at_a_time(mp)
            report = ingest_files([raw], f"{dataset}_{path}", progress=False)
        assert report.bad_lines == 0
        out[path] = load_dataset(f"{dataset}_{path}")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(
            getattr(out["fast"], name), getattr(out["slow"], name), obj=name
        )
    return out


@pytest.fixture
def both(tmp_data):
    return ingest_both(tmp_data, all_pages())


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_a_long_post_keeps_its_whole_text_and_the_notes_entities(both, path):
    t = both[path]
    tw = t.tweets.set_index("tweet_id")
    assert tw.loc[LONG, "text"] == FULL
    assert tw.loc[LONG, "short_text"] == SHORT
    assert t.hashtags[t.hashtags.tweet_id == LONG][["tag", "position"]].values.tolist() == [
        ["grippe", 0],
        ["vaccination", 1],
        ["soignants", 2],
    ]
    assert t.mentions[t.mentions.tweet_id == LONG][["username", "user_id"]].values.tolist() == [
        ["idel_lyon", IDEL]
    ]
    assert t.urls[t.urls.tweet_id == LONG].drop(columns="tweet_id").pipe(records) == [
        {
            "position": 0,
            "url": "https://t.co/HaSgrippe",
            "expanded_url": "https://www.has-sante.fr/jcms/p_3461350/fr/grippe",
            "domain": "has-sante.fr",
        }
    ]
    # a tweet without a note: its text is all of it, short_text null
    assert pd.isna(tw.loc[LINKS, "short_text"]) and tw.loc[LINKS, "text"].startswith("Quatre")


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_an_edited_post_is_one_row_its_latest_version_with_the_earlier_ids(both, path):
    t = both[path]
    tw = t.tweets.set_index("tweet_id")
    assert EDIT_3 in tw.index and EDIT_1 not in tw.index and EDIT_2 not in tw.index
    assert list(tw.loc[EDIT_3, "edit_ids"]) == [EDIT_1, EDIT_2]
    assert tw.loc[EDIT_3, "text"].startswith("#grippe v3")
    # the earlier versions leave no hashtag or link behind
    for table in (t.hashtags, t.urls, t.mentions):
        assert not table.tweet_id.isin([EDIT_1, EDIT_2]).any()
    assert t.hashtags[t.hashtags.tweet_id == EDIT_3].tag.tolist() == ["GRIPPE"]
    assert t.urls[t.urls.tweet_id == EDIT_3].expanded_url.tolist() == ["https://example.org/30"]
    # never edited: an empty list; no edit history on the page: null
    assert list(tw.loc[LONG, "edit_ids"]) == []
    assert list(tw.loc[PINNED_1, "edit_ids"]) == []
    assert pd.isna(tw.loc[PINNED_2, "edit_ids"])
    assert str(tw["edit_ids"].dtype) == "list<item: int64>[pyarrow]"  # Arrow lists, exact ids


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_links_rows_position_url_expanded_url_and_domain(both, path):
    urls = both[path].urls
    rows = urls[urls.tweet_id == LINKS].drop(columns="tweet_id").pipe(records)
    assert rows == [
        {
            "position": 0,
            "url": "https://t.co/nejm01",
            "expanded_url": "https://www.NEJM.org/doi/full/10.1056/NEJMoa2034577",
            "domain": "nejm.org",
        },
        {
            "position": 1,
            "url": "https://t.co/prof02",
            "expanded_url": "https://twitter.com/dr_tortue",
            "domain": "twitter.com",
        },
        {
            "position": 2,
            "url": "https://t.co/stat03",
            "expanded_url": f"https://x.com/dr_tortue/status/{LONG}?s=20",
            "domain": "x.com",
        },
        {"position": 3, "url": "https://t.co/bare04", "expanded_url": None, "domain": "t.co"},
    ]
    assert len(urls) == 6  # 4, the long post's 1, the edited post's latest version's 1


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_impression_count_joins_the_counts_null_when_absent(both, path):
    tw = both[path].tweets.set_index("tweet_id")
    assert tw.loc[LONG, "impression_count"] == 1830
    assert tw.loc[PINNED_1, "impression_count"] == 400
    assert pd.isna(tw.loc[LINKS, "impression_count"]) and pd.isna(
        tw.loc[PINNED_2, "impression_count"]
    )
    assert str(tw["impression_count"].dtype) == "Int64"


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_pinned_tweets_of_a_users_lookup_are_kept_with_their_authors(both, path):
    t = both[path]
    tw = t.tweets.set_index("tweet_id")
    assert tw.loc[[PINNED_1, PINNED_2], "author_id"].tolist() == [DR, IDEL]
    assert tw.loc[PINNED_2, "text"] == "Bienvenue sur mon compte #IDEL"
    assert not tw.loc[[PINNED_1, PINNED_2], "collected"].any()  # seen in includes only
    assert t.hashtags[t.hashtags.tweet_id == PINNED_2].tag_norm.tolist() == ["idel"]
    assert {DR, IDEL} <= set(t.users.user_id)


def test_a_users_lookup_file_alone_keeps_its_pinned_tweets(tmp_data):
    """A file of users lookups only: the fast path parses it as users, and still keeps them."""
    out = ingest_both(tmp_data, [pinned_lookup_page()], "pins")
    assert sorted(out["fast"].tweets.tweet_id) == [PINNED_1, PINNED_2]
    assert len(out["fast"].users) == 2


@pytest.mark.parametrize("order", ["latest first", "earliest first"])
def test_an_earlier_version_never_comes_back_in_a_later_ingest(tmp_data, order):
    first, second = edit_pages()
    middle_alone = search_page([second["includes"]["tweets"][0]], at="12:00")
    files = [[second], [first, middle_alone]] if order == "latest first" else [[first], [second]]
    for i, pages in enumerate(files):
        ingest_files([write_jsonl(tmp_data / f"e{i}.jsonl", pages)], "edits", progress=False)
    t = load_dataset("edits")
    assert t.tweets.tweet_id.tolist() == [EDIT_3]
    assert list(t.tweets.edit_ids.iloc[0]) == [EDIT_1, EDIT_2]
    assert t.hashtags.tweet_id.tolist() == [EDIT_3] and t.urls.tweet_id.tolist() == [EDIT_3]
    # re-ingesting everything changes nothing
    before = load_dataset("edits").tweets
    ingest_files(sorted(tmp_data.glob("e*.jsonl")), "edits", progress=False)
    pd.testing.assert_frame_equal(load_dataset("edits").tweets, before)


def test_an_earlier_version_whose_latest_was_never_seen_stays(tmp_data):
    middle = version(EDIT_2, [EDIT_1, EDIT_2, EDIT_3], "#grippe v2", "Grippe")
    ingest_both(tmp_data, [search_page([middle])], "middle")
    t = load_dataset("middle_fast")
    assert t.tweets.tweet_id.tolist() == [EDIT_2]
    assert list(t.tweets.edit_ids.iloc[0]) == [EDIT_1]


def test_a_later_observation_without_the_history_keeps_the_edit_ids(tmp_data):
    """A newer observation of the latest version lacking the field (a v1.1 file...) loses nothing."""
    latest = version(EDIT_3, [EDIT_1, EDIT_2, EDIT_3], "#grippe v3", "GRIPPE")
    bare = {k: v for k, v in latest.items() if k not in ("edit_history_tweet_ids", "edit_controls")}
    pages = [search_page([latest], at="09:00"), search_page([bare], at="12:00")]
    ingest_files([write_jsonl(tmp_data / "a.jsonl", pages[:1])], "kept", progress=False)
    ingest_files([write_jsonl(tmp_data / "b.jsonl", pages[1:])], "kept", progress=False)
    ingest_files([write_jsonl(tmp_data / "c.jsonl", pages)], "one_run", progress=False)
    for dataset in ("kept", "one_run"):
        tw = load_dataset(dataset).tweets
        assert list(tw.edit_ids.iloc[0]) == [EDIT_1, EDIT_2]
        assert tw.observed_at.iloc[0] == pd.Timestamp("2024-05-04T12:00:00Z")


BAD_VALUES = {
    "edit_history_tweet_ids a string": {"edit_history_tweet_ids": str(EDIT_1)},
    "an edit history id not an X id": {"edit_history_tweet_ids": ["12a", str(LINKS)]},
    "edit history id null": {"edit_history_tweet_ids": [None, str(LINKS)]},
    "note_tweet a string": {"note_tweet": FULL},
    "note_tweet.text a number": {"note_tweet": {"text": 12}},
    "note_tweet.entities a list": {"note_tweet": {"text": FULL, "entities": []}},
    "entities.urls an object": {"entities": {"urls": {"url": "https://t.co/x"}}},
    "a link's expanded_url a number": {"entities": {"urls": [{"url": "u", "expanded_url": 5}]}},
    "impression_count negative": {"public_metrics": {"impression_count": -3}},
    "impression_count a string": {"public_metrics": {"impression_count": "1 830"}},
}


@pytest.mark.parametrize("label", BAD_VALUES)
def test_a_bad_value_sets_the_page_aside_and_stores_nothing_wrong(tmp_data, label):
    bad = search_page([{**links_tweet(), **BAD_VALUES[label]}])
    good = search_page([long_post()])
    raw = write_jsonl(tmp_data / "bad.jsonl", [good, bad, good])
    report = ingest_files([raw], "bad", progress=False)
    assert report.bad_lines == 1
    entry = json.loads((settings.processed_dir("bad") / store.QUARANTINE_FILE).read_text())
    assert entry["line"] == 2
    assert "bad value" in entry["reason"] or "unexpected shape" in entry["reason"]
    t = load_dataset("bad")
    assert t.tweets.tweet_id.tolist() == [LONG] and t.urls.tweet_id.tolist() == [LONG]


def test_a_dataset_written_before_reads_the_new_columns_as_null(tmp_data):
    """Tables written by the contract of before (no short_text, edit_ids, impression_count, urls)."""
    ingest_files(
        [write_jsonl(tmp_data / "a.jsonl", [search_page([long_post()])])], "old", progress=False
    )
    folder = settings.processed_dir("old")
    old_columns = [
        c
        for c in CONTRACT["tweets"].names
        if c not in ("short_text", "edit_ids", "impression_count")
    ]
    tweets = (
        DeltaTable(str(folder / "tweets"))
        .to_pyarrow_dataset(filesystem=store.local_filesystem(folder / "tweets"))
        .to_table(columns=old_columns)
    )
    write_deltalake(str(folder / "tweets"), tweets, mode="overwrite", schema_mode="overwrite")
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["versions"][-1]
    entry["tables"]["tweets"] = DeltaTable(str(folder / "tweets")).version()
    del entry["tables"]["urls"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    t = load_dataset("old")
    assert t.tweets.short_text.isna().all() and t.tweets.impression_count.isna().all()
    assert t.tweets.edit_ids.isna().all() and t.tweets.text.tolist() == [FULL]
    assert len(t.urls) == 0 and t.urls.columns.tolist() == CONTRACT["urls"].names
    assert connect("old").sql("select count(*) from urls").fetchall() == [(0,)]
    # and the next ingest adds them
    ingest_files(
        [write_jsonl(tmp_data / "b.jsonl", [search_page([long_post(), links_tweet()])])],
        "old",
        progress=False,
    )
    t = load_dataset("old")
    assert records(t.tweets[["short_text"]]) == [{"short_text": SHORT}, {"short_text": None}]
    assert len(t.urls) == 5
    assert [list(v) for v in t.tweets.edit_ids] == [[], []]


def test_duckdb_and_polars_read_the_urls_table_and_edit_ids(both, tmp_data):
    folder = settings.processed_dir("fid_fast")
    con = connect("fid_fast")
    rows = con.sql("select tweet_id, edit_ids from tweets where len(edit_ids) > 0").fetchall()
    assert rows == [(EDIT_3, [EDIT_1, EDIT_2])]
    assert con.sql(
        "select domain, count(*) from urls group by domain order by domain"
    ).fetchall() == [
        ("example.org", 1),
        ("has-sante.fr", 1),
        ("nejm.org", 1),
        ("t.co", 1),
        ("twitter.com", 1),
        ("x.com", 1),
    ]
    types = {row[0]: row[1] for row in con.sql("describe tweets").fetchall()}
    assert types["edit_ids"] == "BIGINT[]" and types["impression_count"] == "BIGINT"
    con.close()
    tweets = pl.read_delta(str(folder / "tweets"))
    assert tweets.schema["edit_ids"] == pl.List(pl.Int64)
    edited = tweets.filter(pl.col("edit_ids").list.len() > 0)
    assert edited["tweet_id"].to_list() == [EDIT_3]
    assert edited["edit_ids"].to_list() == [[EDIT_1, EDIT_2]]
    urls = pl.read_delta(str(folder / "urls")).sort("tweet_id", "position")
    assert urls.columns == CONTRACT["urls"].names
    assert urls.filter(pl.col("tweet_id") == LINKS)["domain"].to_list() == [
        "nejm.org",
        "twitter.com",
        "x.com",
        "t.co",
    ]


def test_anonymised_links_and_edit_ids_name_no_handle_or_real_id(both, tmp_data):
    anon = load_dataset("fid_fast", anonymise=True)
    real = both["fast"]
    handles = {"dr_tortue", "idel_lyon"}
    real_ids = {str(i) for i in [*real.tweets.tweet_id, DR, IDEL]}
    urls = anon.urls
    assert len(urls) == len(real.urls) and urls.url.isna().all()  # t.co links lead to the tweet
    text = urls.to_csv(index=False) + anon.tweets.to_csv(index=False)
    assert not {h for h in handles if h in text.lower()}
    assert not real_ids & set(re.findall(r"\d+", text))
    assert "nejm.org" in set(
        urls.domain
    ) and "https://www.NEJM.org/doi/full/10.1056/NEJMoa2034577" in set(urls.expanded_url)
    assert any(
        u.startswith("https://x.com/user_") and "/status/" in u for u in urls.expanded_url.dropna()
    )
    edited = [v for v in anon.tweets.edit_ids if isinstance(v, list) and v]
    assert len(edited) == 1 and len(edited[0]) == 2
    assert not {EDIT_1, EDIT_2} & set(edited[0])  # pseudonyms, not the real ids
    assert anon.tweets.short_text.dropna().str.contains("@user_").all()
    # the anonymised views of DuckDB hold the same
    con = connect("fid_fast", anonymise=True)
    assert con.sql("select count(*) from urls where url is null").fetchall() == [(len(real.urls),)]


def test_purge_removes_the_accounts_links_rows_and_raw_entities(tmp_data):
    raw_dir = tmp_data / "raw" / "p"
    raw_dir.mkdir(parents=True)
    raw = write_jsonl(raw_dir / "pages.jsonl", [search_page([long_post(), links_tweet()])])
    ingest_files([raw], "p", progress=False)
    assert len(load_dataset("p").urls) == 5
    purge("p", user_ids=[DR])
    t = load_dataset("p")
    # the long post is dr_tortue's; idel_lyon's links to its profile and to its tweet go too
    assert t.tweets.tweet_id.tolist() == [LINKS]
    assert records(t.urls) == [
        {
            "tweet_id": LINKS,
            "position": 0,
            "url": "https://t.co/nejm01",
            "expanded_url": "https://www.NEJM.org/doi/full/10.1056/NEJMoa2034577",
            "domain": "nejm.org",
        },
        {
            "tweet_id": LINKS,
            "position": 3,
            "url": "https://t.co/bare04",
            "expanded_url": None,
            "domain": "t.co",
        },
    ]
    page = orjson.loads(raw.read_bytes().splitlines()[0])
    kept = [u["url"] for u in page["data"][0]["entities"]["urls"]]
    assert kept == ["https://t.co/nejm01", "https://t.co/bare04"]
    # rebuilt from the purged raw file, the tables hold the same links (positions re-counted)
    ingest_files([raw], "rebuilt", progress=False)
    assert load_dataset("rebuilt").urls.expanded_url.tolist() == t.urls.expanded_url.tolist()


def test_purge_of_a_mentioned_account_cleans_a_long_posts_note_entities(tmp_data):
    raw_dir = tmp_data / "raw" / "n"
    raw_dir.mkdir(parents=True)
    raw = write_jsonl(raw_dir / "pages.jsonl", [search_page([long_post()])])
    ingest_files([raw], "n", progress=False)
    purge("n", user_ids=[IDEL])
    page = orjson.loads(raw.read_bytes().splitlines()[0])
    assert page["data"][0]["note_tweet"]["entities"]["mentions"] == []
    assert page["data"][0]["note_tweet"]["text"] == FULL  # others' text is kept
    assert len(load_dataset("n").mentions) == 0


# --- collection: the requests ask for the fields ------------------------------------------------


@pytest.fixture
def collector() -> Collector:
    client = collect.make_client(xapi.FAKE_TOKEN)
    return Collector(
        client, sleep=lambda s: None, clock=lambda: 1_700_000_000.0, progress=False, seed=1
    )


def _fields(request, name: str) -> set[str]:
    return set(request.params[name].split(","))


@responses.activate
def test_search_asks_for_long_posts_and_edits_and_ingests_them(collector, tmp_data):
    body = {
        "data": [long_post(), version(EDIT_3, [EDIT_1, EDIT_2, EDIT_3], "#grippe v3", "g")],
        "includes": {"users": [xapi.user(DR, "dr_tortue"), xapi.user(IDEL, "idel_lyon")]},
        "meta": {"result_count": 2},
    }
    responses.get(xapi.SEARCH_RECENT, body=xapi.body(body), headers=xapi.rate_headers())
    result = collector.run(search_job("#grippe"), tmp_data)
    sent = responses.calls[0].request
    assert {
        "note_tweet",
        "edit_history_tweet_ids",
        "edit_controls",
        "public_metrics",
        "entities",
    } <= _fields(sent, "tweet.fields")
    ingest_files([result.path], "collected", progress=False)
    tw = load_dataset("collected").tweets.set_index("tweet_id")
    assert tw.loc[LONG, "text"] == FULL and tw.loc[LONG, "impression_count"] == 1830
    assert list(tw.loc[EDIT_3, "edit_ids"]) == [EDIT_1, EDIT_2]


@responses.activate
def test_a_users_lookup_asks_for_pinned_tweets_and_keeps_them(collector, tmp_data):
    page = {k: v for k, v in pinned_lookup_page().items() if k != "__medtwitter"}
    responses.get(xapi.USERS, body=xapi.body(page), headers=xapi.rate_headers())
    result = collector.run(users_job([str(DR), str(IDEL)]), tmp_data)
    sent = responses.calls[0].request
    assert "pinned_tweet_id" in _fields(sent, "expansions")
    assert {"note_tweet", "edit_history_tweet_ids", "edit_controls"} <= _fields(
        sent, "tweet.fields"
    )
    ingest_files([result.path], "pins", progress=False)
    t = load_dataset("pins")
    assert sorted(t.tweets.tweet_id) == [PINNED_1, PINNED_2] and len(t.users) == 2


def test_ids_in_edit_ids_stay_exact_past_2_to_the_53(both):
    ids = np.asarray(both["fast"].tweets.set_index("tweet_id").loc[EDIT_3, "edit_ids"])
    assert ids.dtype == np.int64 and ids.tolist() == [EDIT_1, EDIT_2]
