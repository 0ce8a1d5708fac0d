"""Property-based tests: whatever the pages, their order or their split into files, ingest
loses nothing and duplicates nothing, and both reading paths agree."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from analysis import ingest, merge, settings, store
from analysis.ingest import ingest_files
from analysis.tables import TABLE_NAMES, load_dataset
from tests.conftest import page_at_a_time, write_jsonl

TAGS = ["santé", "Santé", "SANTÉ", "sante", "FOAMed", "docstoctoc", "ß", "İstanbul"]
BASE_TWEET = 1460323737035677000  # 19-digit ids


def _tweet(tid: int, retweets: int) -> dict:
    """A tweet whose content depends only on its id (only metrics change between pages)."""
    tags = [TAGS[(tid + k) % len(TAGS)] for k in range(tid % 3)]
    mentioned = [f"user{tid % 5}"] if tid % 2 else []
    tweet = {
        "id": str(BASE_TWEET + tid),
        "author_id": str(10 + tid % 6),
        "created_at": f"2024-04-{1 + tid % 28:02d}T08:00:00.000Z",
        "text": f"tweet {tid} é 🩺 " + " ".join(f"#{t}" for t in tags),
        "lang": ["fr", "en", "und"][tid % 3],
        "conversation_id": str(BASE_TWEET + tid - tid % 4),
        "entities": {
            "hashtags": [{"start": 0, "end": 1, "tag": t} for t in tags],
            "mentions": [
                {"start": 0, "end": 1, "username": u, "id": str(10 + tid % 5)} for u in mentioned
            ],
        },
        "public_metrics": {
            "retweet_count": retweets,
            "reply_count": 0,
            "like_count": 1,
            "quote_count": 0,
        },
    }
    if tid % 3 == 1:  # links (issue 16), one per tweet and position
        tweet["entities"]["urls"] = [
            {
                "start": 0,
                "end": 1,
                "url": f"https://t.co/x{tid}{j}",
                "expanded_url": f"https://www.Site{(tid + j) % 4}.example/{tid}",
            }
            for j in range(tid % 2 + 1)
        ]
    if tid % 5 == 2:  # a long post: its whole text and entities in note_tweet
        tweet["note_tweet"] = {
            "text": tweet["text"] + " suite " + "é" * 300,
            "entities": {**tweet["entities"], "hashtags": []},
        }
    if tid % 2 == 0:
        tweet["edit_history_tweet_ids"] = [str(BASE_TWEET + tid)]
        tweet["public_metrics"]["impression_count"] = retweets * 10
    if tid % 4 == 1:
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(BASE_TWEET + tid - 1)}]
    return tweet


def _user(uid: int, followers: int, full: bool) -> dict:
    user = {"id": str(uid), "username": f"user{uid - 10}", "name": f"Dr {uid} é"}
    user["public_metrics"] = {"followers_count": followers, "following_count": uid}
    if full:
        user["description"] = f"bio {uid}"
    return user


@st.composite
def page_specs(draw):
    """A list of page specifications, each page collected at its own time."""
    specs = draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("tweets"),
                    st.lists(st.integers(0, 30), min_size=1, max_size=6),  # data
                    st.lists(st.integers(0, 30), max_size=3),  # includes.tweets
                    st.lists(st.integers(10, 16), max_size=4),  # includes.users
                ),
                st.tuples(
                    st.sampled_from(["followers", "following"]),
                    st.integers(10, 16),
                    st.lists(st.integers(10, 16), min_size=1, max_size=5, unique=True),
                    st.booleans(),
                ),
            ),
            min_size=1,
            max_size=12,
        )
    )
    pages = []
    for i, spec in enumerate(specs):
        prov = {
            "endpoint": "search_recent" if spec[0] == "tweets" else spec[0],
            "params": {},
            "collected_at": f"2024-05-01T10:{i // 60:02d}:{i % 60:02d}.000Z",
        }
        if spec[0] == "tweets":
            page = {
                "data": [_tweet(t, retweets=i) for t in spec[1]],
                "includes": {
                    "tweets": [_tweet(t, retweets=i) for t in spec[2]],
                    "users": [_user(u, i, full=i % 2 == 0) for u in spec[3]],
                },
                "meta": {"result_count": len(spec[1])},
            }
        else:
            prov["params"] = {"user_id": str(spec[1])}
            page = {"data": [_user(u, i, full=spec[3]) for u in spec[2]], "meta": {}}
        page["__medtwitter"] = prov
        pages.append(page)
    return pages


def _expected_keys(pages: list[dict]) -> dict[str, set]:
    keys: dict[str, set] = {
        n: set() for n in ("tweets", "users", "follows", "hashtags", "mentions", "urls")
    }
    for page in pages:
        prov = page["__medtwitter"]
        if prov["endpoint"] == "search_recent":
            for tw in [*page["data"], *page["includes"]["tweets"]]:
                tid = int(tw["id"])
                keys["tweets"].add(tid)
                entities = tw["note_tweet"]["entities"] if "note_tweet" in tw else tw["entities"]
                for pos, _ in enumerate(entities["hashtags"]):
                    keys["hashtags"].add((tid, pos))
                for m in entities["mentions"]:
                    keys["mentions"].add((tid, m["username"]))
                for pos, _ in enumerate(entities.get("urls", [])):
                    keys["urls"].add((tid, pos))
            keys["users"] |= {int(u["id"]) for u in page["includes"]["users"]}
        else:
            account = int(prov["params"]["user_id"])
            for u in page["data"]:
                keys["users"].add(int(u["id"]))
                edge = (int(u["id"]), account)
                keys["follows"].add(edge if prov["endpoint"] == "followers" else edge[::-1])
    return keys


def _key_columns(df: pd.DataFrame, name: str) -> list:
    cols = {
        "tweets": ["tweet_id"],
        "users": ["user_id"],
        "follows": ["follower_id", "followed_id"],
        "hashtags": ["tweet_id", "position"],
        "mentions": ["tweet_id", "username"],
        "urls": ["tweet_id", "position"],
    }[name]
    rows = list(df[cols].itertuples(index=False, name=None))
    return [r[0] for r in rows] if len(cols) == 1 else rows


def _ingest(root: Path, dataset: str, files: list[list[dict]], one_run: bool) -> dict:
    paths = [write_jsonl(root / f"{dataset}-{i}.jsonl", pages) for i, pages in enumerate(files)]
    if one_run:
        ingest_files(paths, dataset, progress=False)
    else:
        for path in paths:  # appended one file at a time
            ingest_files([path], dataset, progress=False)
    return {name: df for name, df in load_dataset(dataset)}


PROPERTY = hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(pages=page_specs(), data=st.data())
def test_no_record_lost_or_duplicated_whatever_the_page_order_or_split(pages, data):
    order = data.draw(st.permutations(range(len(pages))), label="order")
    shuffled = [pages[i] for i in order]
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(pages) - 1)), max_size=3)))
    files = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(pages)], strict=True)]
    files = [f for f in files if f]
    one_run = data.draw(st.booleans(), label="one ingest run")
    # how tables are stored: one data file or many small ones (file skipping by statistics
    # at work in every append), one hash bucket or several
    storage = data.draw(st.sampled_from(["default", "small-files", "buckets"]), label="storage")
    expected = _expected_keys(pages)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        settings.set_data_dir(root)
        try:
            reference = _ingest(root, "ordered", [pages], one_run=True)
            if storage != "default":
                mp.setattr(store, "TARGET_FILE_BYTES", 1)
            if storage == "buckets":
                mp.setattr(merge, "BUCKET_BYTES", 1_000)
            split = _ingest(root, "split", files, one_run=one_run)
        finally:
            settings.set_data_dir(None)
    for name, keys in expected.items():
        got = _key_columns(split[name], name)
        assert len(got) == len(set(got)), f"duplicates in {name}"
        assert set(got) == keys, f"{name} lost or invented rows"
    # every page has its own collection time, so the result cannot depend on order or split
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(reference[name], split[name], obj=name)
    snapshots = split["user_snapshots"]
    assert len(snapshots) == len(snapshots.drop_duplicates(["user_id", "observed_at"]))
    # the newest metrics win
    newest = {}
    for i, page in enumerate(pages):
        if page["__medtwitter"]["endpoint"] == "search_recent":
            for tw in [*page["data"], *page["includes"]["tweets"]]:
                newest[int(tw["id"])] = i
    got = dict(zip(split["tweets"].tweet_id, split["tweets"].retweet_count, strict=True))
    assert got == newest


@PROPERTY
@given(pages=page_specs())
def test_fast_path_and_page_at_a_time_path_agree_on_any_pages(pages):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings.set_data_dir(root)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(ingest.read, "read_chunk_slow", None)  # the fast run must not need it
            fast = _ingest(root, "fast", [pages], one_run=True)
        with pytest.MonkeyPatch.context() as mp:
            page_at_a_time(mp)
            slow = _ingest(root, "slow", [pages], one_run=True)
        settings.set_data_dir(None)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(fast[name], slow[name], obj=name)
