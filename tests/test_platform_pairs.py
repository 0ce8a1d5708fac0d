"""`medtwitter accounts DATASET --platform-pairs FILE.csv` and the platform comparison (issue 19).

The dataset is synthetic: X, Bluesky and Mastodon pages (the converted form the
collectors write) ingested into one dataset through the real ingest path.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import platforms
from analysis.cli import main
from analysis.ingest import ingest_files
from analysis.tables import load_dataset
from tests.conftest import write_jsonl
from tests.pages import prov, user

DID = "did:plc:tortuetortuetortuetortue"
MASTO = "dr_tortue@piaille.fr"
POST = f"at://{DID}/app.bsky.feed.post/3kabcdefghi2x"


def x_users_page() -> dict:
    """Synthetic X profiles: one names its Bluesky account, one starts like a formula."""
    return {
        "data": [
            user(12, "Dr_Tortue", description="Médecin. Aussi dr-tortue.bsky.social"),
            user(13, "ide_lune", description='=HYPERLINK("http://evil") IDE'),
            user(14, "kine_c", description="kiné"),
        ],
        "__medtwitter": prov("users"),
    }


def native_page(platform: str, people: list[tuple[str, str, str]], posts=()) -> dict:
    """A converted Bluesky or Mastodon page: (native id, handle, bio) users and (uri, author) posts."""
    key = platforms.native_key
    data = [
        {
            "id": str(key(platform, uri)),
            "native_id": uri,
            "author_id": str(key(platform, who)),
            "text": "hello #MedSky",
            "created_at": when,
            "entities": {"hashtags": [{"tag": "MedSky"}]},
        }
        for uri, who, when in posts
    ]
    users = [
        {"id": str(key(platform, n)), "native_id": n, "username": h, "name": h, "description": bio}
        for n, h, bio in people
    ]
    native = {str(key(platform, n)): n for n in [*(p[0] for p in people), *(p[0] for p in posts)]}
    return {
        "data": data,
        "includes": {"users": users},
        "__medtwitter": {
            "endpoint": "tweets",
            "params": {},
            "platform": platform,
            "native_ids": native,
            "collected_at": "2024-05-02T00:00:00Z",
        },
    }


@pytest.fixture
def mixed(tmp_data):
    """A synthetic dataset ``mixed`` holding X, Bluesky and Mastodon accounts."""
    raw = write_jsonl(
        tmp_data / "mixed.jsonl",
        [
            x_users_page(),
            native_page(
                "bluesky",
                [(DID, "dr-tortue.bsky.social", "Urgentiste, x.com/dr_tortue")],
                [(POST, DID, "2024-05-01T10:00:00Z")],
            ),
            native_page(
                "mastodon",
                [(MASTO, MASTO, "X: @Dr_Tortue"), ("kine_c@mamot.fr", "kine_c@mamot.fr", "")],
            ),
        ],
    )
    ingest_files([raw], "mixed", progress=False)
    return tmp_data


def test_platform_pairs_csv_lists_same_person_accounts_with_evidence(mixed, capsys):
    out = mixed / "platform_pairs.csv"
    assert (
        main(["accounts", "mixed", "--platform-pairs", str(out), "--out", str(mixed / "l.csv")])
        == 0
    )
    assert "4 likely same-person pair(s) across platforms" in capsys.readouterr().err
    pairs = pd.read_csv(out, dtype={"user_id_a": "int64", "user_id_b": "int64"})
    assert list(pairs.columns) == [
        "user_id_a",
        "platform_a",
        "username_a",
        "user_id_b",
        "platform_b",
        "username_b",
        "score",
        "evidence",
    ]
    named = {frozenset((r.username_a, r.username_b)): r for r in pairs.itertuples()}
    bsky_x = named[frozenset(("Dr_Tortue", "dr-tortue.bsky.social"))]
    # both bios name the other (2 + 2), and the handle core agrees (1)
    assert (
        bsky_x.score == 5
        and "Dr_Tortue's bio names Bluesky dr-tortue.bsky.social" in bsky_x.evidence
    )
    assert {bsky_x.user_id_a, bsky_x.user_id_b} == {12, platforms.native_key("bluesky", DID)}
    masto_x = named[frozenset(("Dr_Tortue", MASTO))]
    assert masto_x.score == 3 and "names X @Dr_Tortue" in masto_x.evidence
    weak = named[frozenset(("kine_c", "kine_c@mamot.fr"))]
    assert weak.score == 1 and weak.evidence == "same handle (kinec)"
    # the Bluesky and Mastodon profiles share only the handle core: listed too
    assert frozenset(("dr-tortue.bsky.social", MASTO)) in named
    assert "ide_lune" not in set(pairs["username_a"]) | set(pairs["username_b"])


def test_platform_pairs_keep_existing_outputs_unchanged(mixed):
    plain, both = mixed / "plain.csv", mixed / "both.csv"
    assert main(["accounts", "mixed", "--out", str(plain)]) == 0
    assert (
        main(["accounts", "mixed", "--out", str(both), "--platform-pairs", str(mixed / "pp.csv")])
        == 0
    )
    assert plain.read_bytes() == both.read_bytes()


def test_platform_pairs_anonymised_show_pseudonyms_only(mixed):
    out = mixed / "anon.csv"
    assert (
        main(
            [
                "accounts",
                "mixed",
                "--anonymise",
                "--platform-pairs",
                str(out),
                "--out",
                str(mixed / "l.csv"),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    for secret in (
        "tortue",
        "Tortue",
        "kine",
        "piaille",
        "bsky.social",
        "did:plc",
        str(platforms.native_key("bluesky", DID)),
    ):
        assert secret not in text
    pairs = pd.read_csv(out)
    assert len(pairs) == 4 and pairs["username_a"].str.startswith("user_").all()
    assert "the bluesky bio links to the x account" in set(
        e for ev in pairs["evidence"] for e in ev.split("; ")
    )
    anon = load_dataset("mixed", anonymise=True)
    assert set(pairs["user_id_a"]) | set(pairs["user_id_b"]) <= set(anon.users["user_id"])


def test_platform_pairs_csv_is_formula_safe_and_reads_in_duckdb(mixed):
    import duckdb

    out = mixed / "pp.csv"
    assert main(["accounts", "mixed", "--platform-pairs", str(out)]) == 0
    rows = duckdb.sql(
        f"SELECT platform_a, platform_b, score FROM read_csv('{out}') ORDER BY score DESC"
    ).fetchall()
    assert rows[0][2] == 5 and {rows[0][0], rows[0][1]} == {"x", "bluesky"}
    assert "=HYPERLINK" not in out.read_text(encoding="utf-8")


def test_a_single_platform_dataset_writes_a_header_and_says_so(tmp_data, capsys):
    raw = write_jsonl(tmp_data / "x.jsonl", [x_users_page()])
    ingest_files([raw], "xonly", progress=False)
    out = tmp_data / "pp.csv"
    assert main(["accounts", "xonly", "--platform-pairs", str(out)]) == 0
    err = capsys.readouterr().err
    assert "0 likely same-person pair(s)" in err and "the dataset holds one platform, x" in err
    assert pd.read_csv(out).empty


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["accounts", "classify", "p.csv", "--platform-pairs", "pp.csv"],
            "--platform-pairs needs a dataset: medtwitter accounts DATASET",
        ),
        (["accounts", "mixed", "--platform-pairs", "no/such/folder/pp.csv"], "no/such/folder"),
        (["accounts", "nosuch", "--platform-pairs", "pp.csv"], "nosuch"),
        (["accounts", "../evil", "--platform-pairs", "pp.csv"], "../evil"),
    ],
)
def test_platform_pairs_bad_input_is_one_line(mixed, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(mixed)
    assert main(argv) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (mixed / "pp.csv").exists()


def synthetic_tables():
    """Synthetic tables of two X and two Bluesky accounts: one person on both, posts on each."""
    from dataclasses import replace

    from analysis.graph import tiny_tables

    bsky_a, bsky_b = (
        platforms.native_key("bluesky", DID),
        platforms.native_key("bluesky", "did:plc:b"),
    )
    users = pd.DataFrame(
        {
            "user_id": [1, 2, bsky_a, bsky_b],
            "platform": ["x", "x", "bluesky", "bluesky"],
            "username": ["Dr_Tortue", "ide_lune", "dr-tortue.bsky.social", "kine.bsky.social"],
            "description": ["", "", "ex x.com/dr_tortue", ""],
        }
    )
    # X: 1 <-> 2 (mutual); Bluesky: a -> b only; one cross-platform row, counted on neither
    follows = pd.DataFrame(
        {"follower_id": [1, 2, bsky_a, 1], "followed_id": [2, 1, bsky_b, bsky_a]}
    )
    times = pd.to_datetime(["2022-01-05", "2022-02-01", "2023-11-20", "2024-01-03"], utc=True)
    tweets = pd.DataFrame(
        {
            "tweet_id": [10, 11, -10, -11],
            "author_id": [1, 2, bsky_a, bsky_a],
            "created_at": times,
            "platform": ["x", "x", "bluesky", "bluesky"],
        }
    )
    return replace(tiny_tables(), users=users, follows=follows, tweets=tweets), bsky_a


def test_platform_summary_counts_each_platform_apart():
    from analysis.platforms_compare import platform_summary

    tables, bsky_a = synthetic_tables()
    labels = pd.DataFrame(
        {
            "user_id": [1, 2, bsky_a, -1],
            "identity": ["nominative", "anonymous", "nominative", "anonymous"],
        }
    )
    summary = platform_summary(tables, labels).set_index("platform")
    assert summary.loc["x", "follow_links"] == 2 and summary.loc["x", "reciprocity"] == 1.0
    assert (
        summary.loc["bluesky", "follow_links"] == 1 and summary.loc["bluesky", "reciprocity"] == 0
    )
    assert summary.loc["bluesky", "posts"] == 2 and summary.loc["x", "accounts"] == 2
    assert str(summary.loc["bluesky", "first_post"].date()) == "2023-11-20"
    assert (
        summary.loc["x", "share_anonymous"] == 0.5
        and summary.loc["bluesky", "share_nominative"] == 1
    )


def test_moved_accounts_say_where_each_posted_first():
    from analysis.platforms_compare import describe_moved, moved_accounts, posts_per_month

    tables, _ = synthetic_tables()
    moved = moved_accounts(tables)
    assert len(moved) == 1
    row = moved.iloc[0]
    assert {row.username_a, row.username_b} == {"Dr_Tortue", "dr-tortue.bsky.social"}
    assert row.posted_first_on == "x" and row.score == 3
    assert "1 likely same-person pair(s)" in describe_moved(moved, tables)
    assert "first post was 1 on x" in describe_moved(moved, tables)
    counts = posts_per_month(tables)
    assert list(counts.columns) == ["x", "bluesky"] and len(counts) == 25  # 2022-01 .. 2024-01
    assert counts["bluesky"].sum() == 2 and counts.loc["2022-01-01", "x"] == 1


def test_notebook_07_runs_on_a_dataset_of_three_platforms(mixed):
    from analysis import settings
    from analysis.report import run_notebook

    nb, error = run_notebook(
        settings.notebooks_dir() / "07_platforms.ipynb",
        {"dataset": "mixed", "data_dir": str(mixed)},
    )
    assert error == ""
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", ()))
    assert "This dataset holds 3 platforms" in text and "likely same-person pair(s)" in text
    nb, error = run_notebook(
        settings.notebooks_dir() / "07_platforms.ipynb",
        {"dataset": "mixed", "data_dir": str(mixed), "anonymise": True},
    )
    assert error == ""
    shown = str([c.get("outputs") for c in nb.cells if c.cell_type == "code"][3:])
    assert "user_" in shown and not any(s in shown.lower() for s in ("tortue", "kine_c", "did:plc"))
