"""An anonymised publication built once per session, for the leak scans.

:func:`build_publication` copies the demo data into a project folder, makes three
tweeting accounts protected (with unmistakable text), runs a recorded compliance
job that removes one account, ingests a small synthetic dataset
(``protected_rt``: a retweet and a quote of a protected account whose originals
were not collected, a protected account's own tweet, a retweet of an account the
dataset does not hold), and writes every anonymised output the toolkit makes for
both datasets: the HTML reports (``medtwitter report --anonymise``), the follower
graph as GEXF and GraphML and its metrics as CSV and Parquet (``medtwitter graph
--anonymise``), account labels and pairs as CSV (``medtwitter accounts
--anonymise``). ``tests/test_leak_scan.py`` and ``tests/test_publication.py`` scan them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import responses
from compliance_exchanges import register

from analysis import settings, store
from analysis.cli import main
from analysis.privacy import ALLOWLIST, KEY_ENV
from analysis.tables import CONTRACT, load_dataset

FAKE_TOKEN = "AAAAAAAAAAAAAAAAAAAAAMedtwitterFakeBearerToken%2Fnot-real-0123456789"
#: The synthetic dataset with a retweet and a quote of a protected account.
PROTECTED_RT = "protected_rt"
#: Its protected texts: none may reach an anonymised output.
SECRETS = (
    "Secret de garde : la patiente de la chambre douze pleurait toute la nuit",
    "Secret de nuit : le petit du box trois a encore appelé sa mère",
    "Secret de service : on manque de lits depuis lundi matin",
    "Secret du compte disparu : ma garde de Noël aux urgences",
)
_ID = 1460323737035600000  # 19-digit ids, as X's


def _user(n: int, username: str, name: str, bio: str, location: str, protected: bool) -> dict:
    return {
        "id": str(_ID + n),
        "username": username,
        "name": name,
        "description": bio,
        "location": location,
        "protected": protected,
        "verified": False,
        "created_at": "2016-03-01T00:00:00.000Z",
        "public_metrics": {
            "followers_count": 120 + n,
            "following_count": 80,
            "tweet_count": 900,
            "listed_count": 2,
        },
    }


def _prov(endpoint: str, **params) -> dict:
    return {
        "endpoint": endpoint,
        "params": params,
        "collected_at": "2026-05-01T10:00:00.000Z",
        "tool_version": "test",
    }


def _metrics() -> dict:
    return {"retweet_count": 1, "reply_count": 0, "like_count": 3, "quote_count": 0}


def protected_rt_pages() -> list[dict]:
    """API v2 pages: a nominative physician, a protected anonymous nurse, a physiotherapist.

    The physiotherapist retweets and quotes the protected nurse (the originals
    were not collected: only the retweet's ``RT @handle:`` and the quote's
    address say whose they are); the nurse's own tweet is collected; the
    physician retweets an account the dataset does not hold.
    """
    solene = _user(
        1,
        "SoleneKervarec",
        "Dr Solène Kervarec",
        "Médecin généraliste à Quimperlé, compte perso.",
        "Quimperlé",
        False,
    )
    nurse = _user(
        2,
        "ide_rorqual",
        "Infirmière Rorqual",
        "Infirmière de nuit. Compte anonyme pour parler librement.",
        "Plouguerneau",
        True,
    )
    yannick = _user(
        3,
        "YannickQuemener",
        "Yannick Quéméner",
        "Kinésithérapeute à Landerneau.",
        "Landerneau",
        False,
    )
    users = [solene, nurse, yannick]

    def tweet(n, author, text, day, **extra):
        return {
            "id": str(_ID + n),
            "author_id": str(_ID + author),
            "text": text,
            "lang": "fr",
            "created_at": f"2026-04-{day:02d}T08:00:00.000Z",
            "conversation_id": str(_ID + n),
            "public_metrics": _metrics(),
            **extra,
        }

    rt = f"RT @ide_rorqual: {SECRETS[0]}"
    quote = f"« {SECRETS[1]} » tellement vrai https://twitter.com/ide_rorqual/status/{_ID + 902}"
    gone = f"RT @DrDisparu: {SECRETS[3]}"
    search = {
        "data": [
            tweet(
                1001,
                3,
                rt,
                10,
                referenced_tweets=[{"type": "retweeted", "id": str(_ID + 901)}],
                entities={
                    "mentions": [
                        {"start": 3, "end": 15, "username": "ide_rorqual", "id": str(_ID + 2)}
                    ]
                },
            ),
            tweet(
                1002,
                3,
                quote,
                11,
                referenced_tweets=[{"type": "quoted", "id": str(_ID + 902)}],
                entities={
                    "urls": [
                        {
                            "start": 87,
                            "end": 150,
                            "url": "https://t.co/rorq902",
                            "expanded_url": f"https://twitter.com/ide_rorqual/status/{_ID + 902}",
                        }
                    ]
                },
            ),
            tweet(
                1003,
                1,
                "Journée de formation sur la vaccination #sante #docstoctoc",
                12,
                entities={
                    "hashtags": [
                        {"start": 39, "end": 45, "tag": "sante"},
                        {"start": 46, "end": 57, "tag": "docstoctoc"},
                    ]
                },
            ),
            tweet(1004, 2, SECRETS[2], 13),
            tweet(
                1005, 1, gone, 14, referenced_tweets=[{"type": "retweeted", "id": str(_ID + 903)}]
            ),
            tweet(
                1006,
                3,
                "Question aux confrères : la lombalgie, vous adressez ? #docstoctoc "
                "https://t.co/has1006 https://t.co/sol1006",
                15,
                entities={
                    "hashtags": [{"start": 55, "end": 66, "tag": "docstoctoc"}],
                    # links (issue 16): a health authority, a colleague's X profile
                    "urls": [
                        {
                            "start": 67,
                            "end": 87,
                            "url": "https://t.co/has1006",
                            "expanded_url": "https://www.has-sante.fr/lombalgie",
                        },
                        {
                            "start": 88,
                            "end": 108,
                            "url": "https://t.co/sol1006",
                            "expanded_url": "https://x.com/SoleneKervarec",
                        },
                    ],
                },
            ),
        ],
        "includes": {"users": users},
        "meta": {"result_count": 6},
        "__medtwitter": _prov("search_recent", query="#docstoctoc"),
    }
    follows = {1: [2, 3], 2: [1], 3: [1, 2]}  # account -> its followers
    pages = [search]
    for account, followers in follows.items():
        pages.append(
            {
                "data": [u for u in users if int(u["id"]) - _ID in followers],
                "meta": {"result_count": len(followers)},
                "__medtwitter": _prov("followers", user_id=str(_ID + account)),
            }
        )
    return pages


def _protect_three_authors(root: Path) -> dict:
    """Make three tweeting accounts of the demo protected and give their tweets unmistakable text."""
    folder = root / "processed" / "demo"
    tables = load_dataset("demo")
    users, tweets = tables.users.copy(), tables.tweets.copy()
    handles = users.set_index("user_id")["username"]
    ordinary = ~handles.str.lower().isin(ALLOWLIST)
    authors = [a for a in tweets["author_id"].value_counts().index if ordinary.get(a, False)][:3]
    users.loc[users["user_id"].isin(authors), "protected"] = True
    secrets = {}
    for i, row in tweets[tweets["author_id"].isin(authors)].iterrows():
        secrets[row["tweet_id"]] = f"Texte protégé numéro {i} : garde difficile à l'hôpital"
        tweets.loc[i, "text"] = secrets[row["tweet_id"]]
    for i, row in tweets[tweets["retweet_of_tweet_id"].isin(secrets).fillna(False)].iterrows():
        tweets.loc[i, "text"] = f"RT @someone: {secrets[row['retweet_of_tweet_id']]}"
    with store.DatasetWriter(folder, "test") as writer:
        for name, df in (("users", users), ("tweets", tweets)):
            table = pa.Table.from_pandas(df, schema=CONTRACT[name].schema, preserve_index=False)
            writer.overwrite(name, table)
        writer.commit()
    return {"protected_texts": set(secrets.values()), "protected_ids": set(authors)}


def _write_jsonl(path: Path, pages: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), "utf-8")
    return path


def _cli(root: Path, *args: str) -> None:
    status = main(["--data-dir", str(root), *args])
    assert status == 0, f"medtwitter {' '.join(args)} exited {status}"


def _exports(root: Path, dataset: str, out: Path) -> None:
    """Every anonymised file the graph and accounts commands write, for one dataset."""
    out.mkdir(parents=True, exist_ok=True)
    for fmt in ("gexf", "graphml"):
        _cli(
            root,
            "graph",
            dataset,
            "--export",
            fmt,
            "--anonymise",
            "--out",
            str(out / f"graph.{fmt}"),
        )
    for suffix in ("csv", "parquet"):
        _cli(
            root,
            "graph",
            dataset,
            "--metrics",
            "--anonymise",
            "--quiet",
            "--out",
            str(out / f"metrics.{suffix}"),
        )
    _cli(
        root,
        "accounts",
        dataset,
        "--anonymise",
        "--out",
        str(out / "labels.csv"),
        "--pairs",
        str(out / "pairs.csv"),
    )


def build_publication(demo_root: Path, project: Path) -> dict:
    """The project folder and every anonymised output; the original tables to scan them with."""
    root = project / "data"
    shutil.copytree(demo_root, root)
    out = project / "reports"
    out.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(KEY_ENV, raising=False)  # the key goes to its default place
        mp.setenv("X_BEARER_TOKEN", FAKE_TOKEN)
        settings.set_data_dir(root)
        try:
            planted = _protect_three_authors(root)
            original = load_dataset("demo")
            gone = int(original.tweets["author_id"].value_counts().index[-1])
            with responses.RequestsMock() as rsps:
                register(
                    rsps,
                    {
                        "users": [
                            {
                                "id": str(gone),
                                "action": "delete",
                                "created_at": "2020-01-01T00:00:00.000Z",
                                "reason": "suspended",
                            }
                        ]
                    },
                )
                _cli(root, "compliance", "demo", "--remove", "--poll-every", "0")
            raw = _write_jsonl(project / "protected_rt.jsonl", protected_rt_pages())
            _cli(root, "ingest", str(raw), "--dataset", PROTECTED_RT, "--quiet")
            original_rt = load_dataset(PROTECTED_RT)
            status = main(
                [
                    "--data-dir",
                    str(root),
                    "report",
                    "--anonymise",
                    "--jobs",
                    "4",
                    "--out",
                    str(out / "demo"),
                ]
            )
            status_rt = main(
                [
                    "--data-dir",
                    str(root),
                    "report",
                    "--anonymise",
                    "--jobs",
                    "4",
                    "--dataset",
                    PROTECTED_RT,
                    "--out",
                    str(out / PROTECTED_RT),
                ]
            )
            _exports(root, "demo", out / "demo" / "exports")
            _exports(root, PROTECTED_RT, out / PROTECTED_RT / "exports")
        finally:
            settings.set_data_dir(None)
    return {
        "project": project,
        "root": root,
        "out": out,
        "status": status,
        "status_rt": status_rt,
        "original": original,
        "original_rt": original_rt,
        "protected_rt_texts": set(SECRETS),
        **planted,
    }
