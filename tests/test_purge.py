import gzip
import os
import shutil

import pytest

from analysis import settings
from analysis.cli import main
from analysis.demo import build_demo
from analysis.ingest import ingest_files
from analysis.purge import purge
from analysis.tables import load_dataset


@pytest.fixture
def small(tmp_data):
    build_demo("small", accounts=80, seed=7, progress=False)
    tables = load_dataset("small")
    uid = int(tables.tweets["author_id"].value_counts().index[0])
    return tables, uid


def _raw_text(dataset):
    return "".join(p.read_text(encoding="utf-8") for p in settings.raw_dir(dataset).glob("*.jsonl"))


def test_purge_removes_every_trace_of_the_account_from_raw_and_processed(small, capsys):
    tables, uid = small
    handle = tables.users.set_index("user_id").loc[uid, "username"]
    own = set(tables.tweets.loc[tables.tweets["author_id"] == uid, "tweet_id"])
    rts = set(
        tables.tweets.loc[
            tables.tweets["retweet_of_tweet_id"].isin(own).fillna(False).astype(bool), "tweet_id"
        ]
    )
    assert main(["purge", "--dataset", "small", "--user", str(uid)]) == 0
    assert "purged 1 account(s)" in capsys.readouterr().out
    after = load_dataset("small")
    assert uid not in set(after.users["user_id"])
    assert not after.tweets["tweet_id"].isin(own | rts).any()
    assert not (after.follows[["follower_id", "followed_id"]] == uid).any().any()
    assert not after.mentions["user_id"].eq(uid).fillna(False).any()
    assert not after.hashtags["tweet_id"].isin(own).any()
    raw = _raw_text("small")
    assert f'"author_id":"{uid}"' not in raw and f'"id":"{uid}"' not in raw
    assert f'"username":"{handle}"' not in raw
    # everyone else is still there
    assert len(after.users) == len(tables.users) - 1
    assert after.meta["counts"]["tweets"] == len(after.tweets)


def test_purged_raw_pages_rebuild_the_purged_tables(small):
    _, uid = small
    purge("small", user_ids=[uid])
    purged = load_dataset("small")
    shutil.rmtree(settings.processed_dir("small"))
    ingest_files([settings.raw_dir("small")], "small", progress=False)
    rebuilt = load_dataset("small")
    for name, df in purged:
        assert len(df) == len(getattr(rebuilt, name)), name


def test_purge_is_idempotent_and_leaves_no_temporary_file(small):
    _, uid = small
    purge("small", user_ids=[uid])
    before = {p: p.read_bytes() for p in settings.raw_dir("small").iterdir()}
    report = purge("small", user_ids=[uid])
    assert report.raw_lines_changed == 0 and report.raw_pages_dropped == 0
    assert sum(report.rows_removed.values()) == 0
    assert {p: p.read_bytes() for p in settings.raw_dir("small").iterdir()} == before
    # the writers' lock file stays (removing it while others may wait on it is not safe)
    leftovers = [p for p in settings.data_dir().rglob(".*") if p.is_file() and p.name != ".lock"]
    assert leftovers == []


def test_purge_rewrites_gzipped_raw_files_imported_from_elsewhere(tmp_data, tmp_path):
    build_demo("src", accounts=60, seed=2, progress=False)
    outside = tmp_path / "import"
    outside.mkdir()
    for p in settings.raw_dir("src").glob("*.jsonl"):
        with gzip.open(outside / (p.name + ".gz"), "wb") as fh:
            fh.write(p.read_bytes())
    ingest_files([outside], "imported", progress=False)
    tables = load_dataset("imported")
    uid = int(tables.tweets["author_id"].value_counts().index[0])
    purge("imported", user_ids=[uid])
    raw = b"".join(gzip.decompress(p.read_bytes()) for p in outside.glob("*.gz"))
    assert f'"author_id":"{uid}"'.encode() not in raw
    assert uid not in set(load_dataset("imported").users["user_id"])


def test_an_interrupted_rewrite_leaves_the_raw_file_as_it_was(small, monkeypatch):
    _, uid = small
    path = settings.raw_dir("small") / "timelines.jsonl"
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        purge("small", user_ids=[uid])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_purge_without_a_user_is_a_usage_error(small, capsys):
    assert main(["purge", "--dataset", "small"]) == 2
    assert "--user" in capsys.readouterr().err
