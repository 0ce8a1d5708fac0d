"""The fast path parses pages without long posts first (``note_tweet`` typed null), then with every field.

Synthetic pages. Whatever the file holds, the tables are those of the
page-at-a-time path, and a file without long posts is parsed once.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from analysis import ingest
from analysis.ingest import ingest_files
from analysis.tables import TABLE_NAMES, load_dataset
from tests.conftest import page_at_a_time, write_jsonl
from tests.test_fidelity import FULL, LONG, SHORT, long_post

AUTHOR = 4200000001


def _tweet(tid: int, text: str, **extra) -> dict:
    return {
        "id": str(tid),
        "author_id": str(AUTHOR),
        "created_at": "2024-05-02T08:00:00.000Z",
        "text": text,
        "lang": "fr",
        "conversation_id": str(tid),
        "edit_history_tweet_ids": [str(tid)],
        "entities": {"hashtags": [{"start": 0, "end": 7, "tag": "grippe"}]},
        "public_metrics": {"retweet_count": 0, "reply_count": 1, "like_count": 2, "quote_count": 0},
        **extra,
    }


def _page(data: list[dict], includes: list[dict] = (), hour: int = 10) -> dict:
    return {
        "data": data,
        "includes": {
            "users": [{"id": str(AUTHOR), "username": "dr_lean", "name": "Dr Lean"}],
            "tweets": list(includes),
        },
        "meta": {"result_count": len(data)},
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/all?query=%23grippe",
            "retrieved_at": f"2024-05-03T{hour:02d}:00:00+00:00",
        },
    }


def _plain(start: int) -> list[dict]:
    """Three pages of tweets without long posts (synthetic)."""
    return [
        _page([_tweet(start + 10 * p + i, f"#grippe texte {p} {i}") for i in range(3)], hour=p)
        for p in range(3)
    ]


def _ingest(tmp_path, pages: list, dataset: str, monkeypatch) -> tuple[dict, list[bool]]:
    """The tables of ``pages`` (fast path and page at a time, checked equal), and the
    ``lean`` of each streaming attempt of the fast path."""
    raw = write_jsonl(tmp_path / f"{dataset}.jsonl", pages)
    attempts: list[bool] = []
    stream_file = ingest.read.stream_file

    def spy(*args, **kwargs):
        attempts.append(bool(args[6] if len(args) > 6 else kwargs.get("lean", False)))
        return stream_file(*args, **kwargs)

    out = {}
    for path in ("fast", "slow"):
        with pytest.MonkeyPatch.context() as mp:
            if path == "fast":
                mp.setattr(ingest.read, "stream_file", spy)
            else:
                page_at_a_time(mp)
            report = ingest_files([raw], f"{dataset}_{path}", progress=False)
        out[path] = (load_dataset(f"{dataset}_{path}"), report.bad_lines)
    assert out["fast"][1] == out["slow"][1]
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(
            getattr(out["fast"][0], name), getattr(out["slow"][0], name), obj=name
        )
    return {"tables": out["fast"][0], "bad_lines": out["fast"][1]}, attempts


def test_a_file_without_long_posts_is_parsed_once_lean(tmp_data, monkeypatch):
    got, attempts = _ingest(tmp_data, _plain(1000), "plain", monkeypatch)
    assert attempts == [True]
    assert len(got["tables"].tweets) == 9 and got["tables"].tweets.short_text.isna().all()


def test_a_null_note_tweet_is_read_lean(tmp_data, monkeypatch):
    pages = _plain(2000)
    pages[1]["data"][0]["note_tweet"] = None
    got, attempts = _ingest(tmp_data, pages, "nullnote", monkeypatch)
    assert attempts == [True]
    assert got["tables"].tweets.short_text.isna().all()


@pytest.mark.parametrize("where", ["data", "includes"])
def test_a_long_post_on_a_later_page_reparses_the_file_with_every_field(
    tmp_data, monkeypatch, where
):
    pages = _plain(3000)
    late = copy.deepcopy(pages[-1])
    if where == "data":
        late["data"].append(long_post())
    else:
        quoting = _tweet(3900, "à lire", referenced_tweets=[{"type": "quoted", "id": str(LONG)}])
        late["data"].append(quoting)
        late["includes"]["tweets"].append(long_post())
    pages.append(late)
    got, attempts = _ingest(tmp_data, pages, f"late_{where}", monkeypatch)
    assert attempts == [True, False]  # lean until the long post, then every field
    tweets = got["tables"].tweets.set_index("tweet_id")
    assert tweets.loc[LONG, "text"] == FULL and tweets.loc[LONG, "short_text"] == SHORT
    hashtags = got["tables"].hashtags
    assert hashtags[hashtags.tweet_id == LONG].tag.tolist() == [
        "grippe",
        "vaccination",
        "soignants",
    ]


def test_a_note_tweet_of_the_wrong_type_is_set_aside_as_before(tmp_data, monkeypatch):
    pages = _plain(4000)
    pages[1]["data"][0]["note_tweet"] = FULL  # a string, not an object
    got, attempts = _ingest(tmp_data, pages, "badnote", monkeypatch)
    assert attempts == [True, False]  # the full parse refuses the line too: line by line
    assert got["bad_lines"] == 1 and len(got["tables"].tweets) == 6
