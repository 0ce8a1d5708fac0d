import os
import stat

import pandas as pd
import pyarrow as pa
import pytest

from analysis import settings
from analysis.privacy import (
    KEY_ENV,
    KeyFileError,
    Pseudonymiser,
    anonymise_frame,
    anonymise_tables,
    key_path,
    load_key,
    merge_small_groups,
    suppress_small_cells,
)
from analysis.tables import CONTRACT, check_table


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / ".medtwitter-key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def test_key_is_created_once_private_and_outside_the_data_root(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    settings.set_data_dir(tmp_path / "project" / "data")
    try:
        path = key_path()
        assert path == tmp_path / "project" / ".medtwitter-key"
        key = load_key()
        assert len(key) == 32 and path.is_file()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert load_key() == key  # the same key on every run: stable pseudonyms
        assert settings.data_dir() not in path.parents
    finally:
        settings.set_data_dir(None)


def test_key_file_location_follows_the_environment_variable(key_file):
    assert key_path() == key_file.resolve()
    load_key()
    assert key_file.is_file()


def test_a_damaged_key_file_is_a_one_line_error_with_the_fix(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not hex")
    with pytest.raises(KeyFileError, match="restore it"):
        load_key()


def test_pseudonyms_are_stable_for_one_key_and_differ_between_keys():
    a, b = Pseudonymiser(b"a" * 32), Pseudonymiser(b"b" * 32)
    assert a.user_id(42) == Pseudonymiser(b"a" * 32).user_id(42)
    assert a.user_id(42) != b.user_id(42)
    assert a.handle("DrTortue") == a.handle("drtortue") != b.handle("DrTortue")
    assert a.user_id(42) != a.tweet_id(42)  # user and tweet ids live in separate spaces
    assert 0 < a.user_id(1460323737035677698) < 2**63


def test_allow_listed_institutions_keep_their_handle_and_name():
    p = Pseudonymiser(b"k" * 32)
    assert p.handle("ordre_medecins") == "ordre_medecins"
    assert p.handle("CroixRouge") == "CroixRouge"
    assert p.name("Ordre des Médecins", "ordre_medecins") == "Ordre des Médecins"
    assert p.name("Marie Durand", "MarieDurand", 5).startswith("user_")


def test_text_loses_urls_and_gets_pseudonymous_mentions():
    p = Pseudonymiser(b"k" * 32, known={"drtortue": 12})
    text = "RT @DrTortue: voir https://twitter.com/DrTortue/status/123 et @ordre_medecins"
    out = p.text(text)
    assert "DrTortue" not in out and "twitter.com" not in out and "123" not in out
    assert out == f"RT @{p.handle('x', 12)}: voir [link] et @ordre_medecins"
    assert "contact@chu.fr" in p.text("écrire à contact@chu.fr")  # an e-mail is not a mention


def test_anonymised_tables_keep_the_contract_and_hide_every_identifier(demo_tables, key_file):
    anon = anonymise_tables(demo_tables)
    for name, df in anon:
        check_table(
            name, pa.Table.from_pandas(df, schema=CONTRACT[name].schema, preserve_index=False)
        )
    users = demo_tables.users
    kept = users["username"].str.lower().isin(["ordre_medecins", "croixrouge", "assoaides"])
    assert not set(anon.users["user_id"]) & set(users["user_id"])
    assert not set(anon.tweets["tweet_id"]) & set(demo_tables.tweets["tweet_id"])
    assert set(anon.users["username"]) & set(users.loc[~kept, "username"]) == set()
    assert set(users.loc[kept, "username"]) <= set(anon.users["username"])
    # joins still work: the same account has the same pseudonym in every table
    assert set(anon.tweets["author_id"]) <= set(anon.users["user_id"])
    assert len(anon.follows.merge(anon.users, left_on="follower_id", right_on="user_id")) == len(
        demo_tables.follows.merge(users, left_on="follower_id", right_on="user_id")
    )
    assert anon.meta["anonymised"] is True and anon.meta["pseudonym_key"].startswith("key-")
    # and the pseudonyms do not change between two runs with the same key
    assert anonymise_tables(demo_tables).users["username"].equals(anon.users["username"])


def test_protected_accounts_text_is_removed_but_their_tweets_still_count(demo_tables, key_file):
    tables = demo_tables
    author = int(tables.tweets["author_id"].value_counts().index[0])
    users = tables.users.copy()
    users.loc[users["user_id"] == author, "protected"] = True
    tweets = tables.tweets.copy()
    own = tweets["author_id"] == author
    retweets = tweets["retweet_of_tweet_id"].isin(tweets.loc[own, "tweet_id"]).fillna(False)
    from dataclasses import replace

    anon = anonymise_tables(replace(tables, users=users, tweets=tweets))
    assert len(anon.tweets) == len(tables.tweets)
    assert anon.tweets.loc[own.to_numpy(), "text"].isna().all()
    assert anon.tweets.loc[retweets.to_numpy().astype(bool), "text"].isna().all()
    assert anon.tweets.loc[~(own | retweets).to_numpy().astype(bool), "text"].notna().any()


def test_frames_derived_before_anonymising_still_join(demo_tables, key_file):
    labels = pd.DataFrame({"user_id": demo_tables.users["user_id"], "role": "nurse"})
    anon = anonymise_tables(demo_tables)
    joined = anon.users.merge(anonymise_frame(labels), on="user_id")
    assert len(joined) == len(demo_tables.users)


def test_small_cells_below_k_are_suppressed_not_zeros():
    t = pd.DataFrame(
        {"role": ["nurse", "midwife", "dentist"], "accounts": [12, 4, 0], "share": [0.7, 0.2, 0.0]}
    )
    out = suppress_small_cells(t, k=5)
    assert out["accounts"].tolist()[0] == 12 and pd.isna(out["accounts"].iloc[1])
    assert out["accounts"].iloc[2] == 0 and out["share"].tolist() == [0.7, 0.2, 0.0]
    assert suppress_small_cells(t, k=3)["accounts"].tolist() == [12, 4, 0]


def test_small_groups_merge_and_a_small_merged_group_is_suppressed():
    s = pd.Series({"physician": 40, "midwife": 3, "dentist": 4})
    assert merge_small_groups(s).to_dict() == {"physician": 40, "other (merged small groups)": 7}
    alone = merge_small_groups(pd.Series({"physician": 40, "midwife": 2}))
    assert pd.isna(alone["other (merged small groups)"])


def test_display_names_written_in_text_are_replaced_whole_words_only():
    p = Pseudonymiser(b"k" * 32, names={"Marie Durand": "user_a", "Dr Tortue": "user_b"})
    out = p.text("Merci Marie Durand et Dr Tortue ! Mais pas Marie Durandeau ni Dr Tortues.")
    assert out == "Merci user_a et user_b ! Mais pas Marie Durandeau ni Dr Tortues."


def test_api_error_rows_name_no_original_id_or_username(demo_tables, key_file):
    from dataclasses import replace

    missing = pd.concat(
        [
            demo_tables.missing,
            pd.DataFrame(
                [
                    {
                        "resource_id": "DrSecret",
                        "resource_type": "user",
                        "title": "Not Found Error",
                        "detail": "Could not find user with usernames: [DrSecret].",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                        "observed_at": demo_tables.missing["observed_at"].iloc[0],
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    anon = anonymise_tables(replace(demo_tables, missing=missing))
    text = anon.missing.to_string()
    assert "DrSecret" not in text
    for rid in demo_tables.missing["resource_id"]:
        assert rid not in text
    assert len(anon.missing) == len(missing)


# --- one pseudonymisation point (issue 15) -------------------------------------------------------


def test_load_dataset_anonymise_is_the_one_pseudonymisation_point(data_root, key_file):
    from analysis.tables import load_dataset, load_table, sql

    real = load_dataset("demo")
    anon = load_dataset("demo", anonymise=True)
    assert anon.anonymised and not real.anonymised
    expected = anonymise_tables(real)
    for name, frame in anon:
        pd.testing.assert_frame_equal(frame, getattr(expected, name))
    assert anonymise_tables(anon) is anon  # never twice
    users = load_table("demo", "users", anonymise=True)
    assert users["username"].equals(anon.users["username"])
    handles = sql("demo", "select username from users", anonymise=True)["username"]
    assert set(handles) == set(anon.users["username"])


def test_anonymised_profiles_have_no_location_and_snapshots_are_pseudonymised(
    demo_tables, key_file
):
    anon = anonymise_tables(demo_tables)
    kept = anon.users["username"].str.lower().isin(["ordre_medecins", "croixrouge", "assoaides"])
    assert anon.users.loc[~kept, "location"].isna().all()
    snaps = anon.user_snapshots
    assert not set(snaps["user_id"]) & set(demo_tables.users["user_id"])
    assert not set(snaps["username"]) & set(demo_tables.users.loc[~kept.to_numpy(), "username"])
    assert (
        snaps.loc[~snaps["username"].isin(anon.users.loc[kept, "username"]), "location"]
        .isna()
        .all()
    )


def test_labels_and_pairs_of_pseudonymised_profiles_are_refused_with_the_fix(demo_tables, key_file):
    from analysis.accounts import LabelsError, label_users
    from analysis.accounts.pairs import find_pairs
    from analysis.privacy import is_anonymised

    anon = anonymise_tables(demo_tables)
    assert is_anonymised(anon.users[["username", "name"]].head(3))  # cut frames keep the mark
    with pytest.raises(LabelsError, match="labels_from_tables"):
        label_users(anon.users)
    with pytest.raises(LabelsError, match="pairs_from_tables"):
        find_pairs(anon.users, anon.follows)


def test_labels_and_pairs_of_anonymised_tables_are_the_real_ones_under_pseudonyms(
    demo_tables, key_file
):
    from analysis.accounts import label_users, labels_from_tables, pairs_from_tables

    anon = anonymise_tables(demo_tables)
    real = label_users(demo_tables.users)
    labels = labels_from_tables(anon)
    assert labels["user_id"].tolist() == anon.users["user_id"].tolist()
    assert labels["role"].tolist() == real["role"].tolist()
    assert labels["identity"].tolist() == real["identity"].tolist()
    assert not labels["reasons"].str.contains("frequency|first name '", regex=True).any()
    real_pairs = pairs_from_tables(demo_tables)
    pairs = pairs_from_tables(anon)
    assert len(pairs) == len(real_pairs) and set(pairs["user_id_a"]) <= set(anon.users["user_id"])
    assert not pairs["evidence"].str.contains("'").any()


def test_bare_tweet_addresses_in_text_are_removed():
    p = Pseudonymiser(b"k" * 32)
    out = p.text("vu sur twitter.com/DrSecret/status/1460323737035677698 et x.com/DrSecret")
    assert "DrSecret" not in out and "1460323737035677698" not in out
    assert p.text("écrire à contact@box.com/aide") == "écrire à contact@box.com/aide"


@pytest.mark.parametrize(
    "text, handle",
    [
        ("merci @dr-b.bsky.social pour le fil", "dr-b.bsky.social"),
        ("cc @anne.fontaine.bsky.social !", "anne.fontaine.bsky.social"),
        ("vu par @anne@mastodon.social ce matin", "anne@mastodon.social"),
        ("(@Dr_Tortue) a raison.", "Dr_Tortue"),
    ],
)
def test_a_bluesky_or_mastodon_mention_is_pseudonymised_whole(text, handle):
    p = Pseudonymiser(b"k" * 32)
    out = p.text(text)
    assert f"@{p.handle(handle)}" in out
    for part in handle.replace("@", ".").split("."):
        if part not in ("bsky", "social"):
            assert part.lower() not in out.lower(), out
