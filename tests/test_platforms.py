"""One contract, three platforms: platform and native_id columns, derived negative keys (issue 19)."""

import pyarrow as pa
import pytest

from analysis import platforms, store
from analysis.contract import InvalidIdError
from analysis.ingest import ingest_files
from analysis.platforms import KeyCollisionError, KeyRegistry, native_key, parse_key
from analysis.tables import load_dataset
from tests.conftest import write_jsonl
from tests.pages import followers_page, search_page

DID_A, DID_B = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
POST = "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kabcdefghi2x"


def bluesky_page(users: list[str], posts: list[tuple[str, str]] = ()) -> dict:
    """A converted Bluesky page (as analysis.formats_bluesky makes them): users and posts."""
    key = platforms.native_key  # looked up now: a test may force collisions
    data = [
        {
            "id": str(key("bluesky", uri)),
            "native_id": uri,
            "author_id": str(key("bluesky", did)),
            "text": "hello #MedSky",
            "created_at": "2024-05-01T10:00:00Z",
            "entities": {"hashtags": [{"tag": "MedSky"}]},
        }
        for uri, did in posts
    ]
    people = [{"id": str(key("bluesky", d)), "native_id": d, "username": d[8:14]} for d in users]
    native = {str(key("bluesky", n)): n for n in [*users, *(p for p, _ in posts)]}
    return {
        "data": data,
        "includes": {"users": people},
        "__medtwitter": {
            "endpoint": "tweets",
            "params": {},
            "platform": "bluesky",
            "native_ids": native,
            "collected_at": "2024-05-02T00:00:00Z",
        },
    }


def test_native_keys_are_negative_stable_and_platform_specific():
    k = native_key("bluesky", DID_A)
    assert platforms.MIN_KEY <= k <= -1
    assert k == native_key("bluesky", DID_A)
    assert k != native_key("mastodon", DID_A) and k != native_key("bluesky", DID_B)
    with pytest.raises(ValueError, match="no derived keys for platform 'x'"):
        native_key("x", "12")


@pytest.mark.parametrize("value", ["12", "-0", "--5", "-9223372036854775809", 3.0, "", "-1 "])
def test_a_bluesky_key_is_a_negative_int64_only(value):
    with pytest.raises(InvalidIdError):
        parse_key(value, "bluesky")


def test_x_ids_stay_positive_only():
    assert parse_key("1460323737035677698", "x") == 1460323737035677698
    with pytest.raises(InvalidIdError):
        parse_key("-5", "x")


def test_two_native_ids_sharing_a_key_are_an_error_not_a_merge(monkeypatch):
    monkeypatch.setattr(platforms, "native_key", lambda platform, native_id: -7)
    reg = KeyRegistry()
    reg.key("bluesky", DID_A)
    with pytest.raises(KeyCollisionError, match="would share the key -7"):
        reg.key("bluesky", DID_B)


def test_ingest_refuses_a_forced_key_collision(tmp_data, monkeypatch):
    monkeypatch.setattr(platforms, "native_key", lambda platform, native_id: -7)
    raw = write_jsonl(tmp_data / "b.jsonl", [bluesky_page([DID_A]), bluesky_page([DID_B])])
    with pytest.raises(
        KeyCollisionError, match="'did:plc:aaaa.*' and 'did:plc:bbbb.*' would share"
    ):
        ingest_files([raw], "t", progress=False)


def test_a_key_an_earlier_ingest_gave_another_native_id_is_refused(tmp_data, monkeypatch):
    monkeypatch.setattr(platforms, "native_key", lambda platform, native_id: -7)
    first = write_jsonl(tmp_data / "a.jsonl", [bluesky_page([DID_A])])
    ingest_files([first], "t", progress=False)
    before = load_dataset("t").users
    second = write_jsonl(tmp_data / "b.jsonl", [bluesky_page([DID_B])])
    with pytest.raises(
        KeyCollisionError, match="'did:plc:bbbb.*' and 'did:plc:aaaa.*' would share"
    ):
        ingest_files([second], "t", progress=False)
    after = load_dataset("t").users  # nothing committed: the dataset is as it was
    assert after.equals(before) and after["native_id"].tolist() == [DID_A]
    ingest_files([first], "t", progress=False)  # the same native id again is no collision


def test_bluesky_rows_keep_native_ids_next_to_x_rows(tmp_data):
    raw = write_jsonl(
        tmp_data / "mixed.jsonl",
        [search_page(), followers_page(12, [11]), bluesky_page([DID_A], [(POST, DID_A)])],
    )
    ingest_files([raw], "t", progress=False)
    t = load_dataset("t")
    users = t.users.set_index("user_id")
    assert users.loc[native_key("bluesky", DID_A), "native_id"] == DID_A
    assert users.loc[native_key("bluesky", DID_A), "platform"] == "bluesky"
    x_users = users[users.index > 0]
    assert set(x_users["platform"]) == {"x"} and x_users["native_id"].isna().all()
    tweets = t.tweets.set_index("tweet_id")
    post = tweets.loc[native_key("bluesky", POST)]
    assert post["native_id"] == POST and post["author_id"] == native_key("bluesky", DID_A)
    assert set(tweets.loc[tweets.index > 0, "platform"]) == {"x"}
    tag = t.hashtags[t.hashtags.tweet_id == native_key("bluesky", POST)]
    assert tag["tag_norm"].tolist() == ["medsky"]


def test_a_bluesky_item_without_native_id_is_set_aside(tmp_data):
    page = bluesky_page([DID_A])
    del page["includes"]["users"][0]["native_id"]
    raw = write_jsonl(tmp_data / "b.jsonl", [page, bluesky_page([DID_B])])
    report = ingest_files([raw], "t", progress=False)
    assert report.files[0].bad_lines == 1
    assert "without `native_id`" in report.files[0].problems[0]
    assert load_dataset("t").users["native_id"].tolist() == [DID_B]


def test_tables_written_before_the_columns_read_as_x():
    old = pa.table({"user_id": pa.array([5], pa.int64()), "username": ["dr_a"]})
    users = store.conform("users", old)
    assert users.column("platform").to_pylist() == ["x"]
    assert users.column("native_id").to_pylist() == [None]
    assert store.conform("tweets", pa.table({"tweet_id": [1]})).column("platform")[0].as_py() == "x"


def test_anonymised_tables_lose_native_ids(tmp_data):
    from analysis.privacy import anonymise_tables

    raw = write_jsonl(tmp_data / "b.jsonl", [bluesky_page([DID_A], [(POST, DID_A)])])
    ingest_files([raw], "t", progress=False)
    anon = anonymise_tables(load_dataset("t"), key=b"k" * 32)
    assert anon.users["native_id"].isna().all() and anon.tweets["native_id"].isna().all()
    assert DID_A not in anon.users.to_string() and POST not in anon.tweets.to_string()


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_demo_platform_is_a_synthetic_community_in_that_format(tmp_data, platform, capsys):
    from analysis import settings
    from analysis.cli import main
    from analysis.ground_truth import load_ground_truth

    assert main(["demo", "--platform", platform, "--accounts", "60", "--quiet"]) == 0
    dataset = f"demo-{platform}"
    t = load_dataset(dataset)
    assert t.synthetic and set(t.users["platform"]) == {platform}
    assert (t.users["user_id"] < 0).all() and t.users["native_id"].notna().all()
    assert (t.tweets["tweet_id"] < 0).all() and len(t.follows) and len(t.hashtags)
    assert t.tweets["retweet_of_tweet_id"].notna().any()
    assert t.tweets["reply_to_tweet_id"].notna().any()
    truth = load_ground_truth(dataset)
    assert truth["platform"] == platform and "synthetic" in truth["note"]
    assert {int(a["user_id"]) for a in truth["accounts"]} == set(t.users["user_id"])
    raw = sorted(p.name for p in settings.raw_dir(dataset).glob("*.jsonl"))
    assert raw == [
        f"{platform}-followers.jsonl",
        f"{platform}-posts.jsonl",
        f"{platform}-profiles.jsonl",
    ]
    assert main(["demo", "--platform", "threads"]) == 2
    assert "invalid choice: 'threads'" in capsys.readouterr().err


def test_same_person_accounts_across_platforms_with_evidence():
    import pandas as pd

    from analysis.platforms import same_person_accounts

    users = pd.DataFrame(
        {
            "user_id": [
                11,
                12,
                native_key("bluesky", DID_A),
                native_key("mastodon", "dr_tortue@piaille.fr"),
                native_key("mastodon", "kine_c@mamot.fr"),
                13,
            ],
            "platform": ["x", "x", "bluesky", "mastodon", "mastodon", "x"],
            "username": [
                "Dr_Tortue",
                "ide_lune",
                "dr-tortue.bsky.social",
                "dr_tortue@piaille.fr",
                "kine_c@mamot.fr",
                "kine_c",
            ],
            "description": [
                "Médecin. Aussi @dr_tortue@piaille.fr",
                "IDE de nuit, bsky.app/profile/nobody.bsky.social",  # names nobody in the dataset
                "Urgentiste. Ailleurs : x.com/dr_tortue et https://piaille.fr/@dr_tortue",
                "Médecin\nX: @Dr_Tortue\nBluesky: dr-tortue.bsky.social",
                None,
                "kiné",  # same handle core as kine_c@mamot.fr, nothing else
            ],
        }
    )
    pairs = same_person_accounts(users)
    assert not (pairs["platform_a"] == pairs["platform_b"]).any()
    named = {frozenset((r.username_a, r.username_b)): r for r in pairs.itertuples()}
    masto_x = named[frozenset(("dr_tortue@piaille.fr", "Dr_Tortue"))]
    # both bios name each other (2 + 2) and the handles agree (1)
    assert masto_x.score == 5 and "names X @Dr_Tortue" in masto_x.evidence
    assert "Dr_Tortue's bio names @dr_tortue@piaille.fr" in masto_x.evidence
    bsky_masto = named[frozenset(("dr-tortue.bsky.social", "dr_tortue@piaille.fr"))]
    assert "links to piaille.fr/@dr_tortue" in bsky_masto.evidence and bsky_masto.score == 5
    weak = named[frozenset(("kine_c@mamot.fr", "kine_c"))]
    assert weak.score == 1 and weak.evidence == "same handle (kinec)"
    assert "ide_lune" not in set(pairs["username_a"]) | set(pairs["username_b"])
    assert list(pairs["score"]) == sorted(pairs["score"], reverse=True)


def test_outside_tools_read_platform_rows_exactly(tmp_data):
    import duckdb
    import polars as pl
    from deltalake import DeltaTable

    from analysis import settings

    raw = write_jsonl(tmp_data / "m.jsonl", [search_page(), bluesky_page([DID_A], [(POST, DID_A)])])
    ingest_files([raw], "t", progress=False)
    folder = settings.processed_dir("t")
    users = pl.read_delta(str(store.table_path(folder, "users")))
    row = users.filter(pl.col("platform") == "bluesky").row(0, named=True)
    assert row["user_id"] == native_key("bluesky", DID_A) and row["native_id"] == DID_A
    tweets = DeltaTable(str(store.table_path(folder, "tweets"))).to_pyarrow_dataset(
        filesystem=store.local_filesystem(folder / "tweets")
    )
    got = duckdb.sql("select tweet_id, native_id from tweets where platform = 'bluesky'").fetchall()
    assert got == [(native_key("bluesky", POST), POST)] and tweets is not None
