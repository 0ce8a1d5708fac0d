"""The smallest dataset every notebook must run on: three tweets, no follow links, no labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import orjson

from analysis import settings
from analysis.demo.model import iso_time, snowflake_id
from analysis.demo.pages import provenance
from analysis.ingest import ingest_files
from analysis.outputs import removed_on_failure

if TYPE_CHECKING:
    from analysis.ingest import IngestReport


def tiny_pages() -> list[dict]:
    """One synthetic search page: three tweets by three accounts, no follow links, no labels.

    The smallest dataset every notebook must run on (``medtwitter demo --tiny``):
    an original tweet with a hashtag, a reply to it and a retweet of it.

    Examples
    --------
    >>> [len(p["data"]) + len(p["includes"]["tweets"]) for p in tiny_pages()]
    [3]
    """
    at = datetime(2024, 4, 29, 20, 0, tzinfo=UTC)
    question = "Question aux confrères : vaccin et grossesse ? #docstoctoc"
    users = [
        {
            "id": "101",
            "username": "dr_exemple",
            "name": "Dr Exemple",
            "protected": False,
            "description": "Médecin généraliste (compte fictif)",
            "created_at": "2015-03-02T09:00:00.000Z",
        },
        {
            "id": "102",
            "username": "idel_exemple",
            "name": "Infirmière Exemple",
            "protected": False,
            "description": "IDEL (compte fictif)",
            "created_at": "2018-06-11T18:30:00.000Z",
        },
        {
            "id": "103",
            "username": "patient_exemple",
            "name": "Patient Exemple",
            "protected": False,
            "description": "",
            "created_at": "2020-01-05T12:00:00.000Z",
        },
    ]
    original = {
        "id": str(snowflake_id(at, 1)),
        "author_id": "101",
        "created_at": iso_time(at),
        "text": question,
        "lang": "fr",
        "conversation_id": str(snowflake_id(at, 1)),
        "entities": {"hashtags": [_tiny_tag(question)]},
        "public_metrics": {"retweet_count": 1, "reply_count": 1, "like_count": 2, "quote_count": 0},
    }
    reply_at, rt_at = at + timedelta(hours=1), at + timedelta(hours=2)
    reply = {
        "id": str(snowflake_id(reply_at, 2)),
        "author_id": "102",
        "created_at": iso_time(reply_at),
        "text": "@dr_exemple Oui, recommandé au 2e trimestre.",
        "lang": "fr",
        "conversation_id": original["id"],
        "in_reply_to_user_id": "101",
        "referenced_tweets": [{"type": "replied_to", "id": original["id"]}],
        "entities": {"mentions": [{"start": 0, "end": 11, "username": "dr_exemple", "id": "101"}]},
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
    }
    retweet = {
        "id": str(snowflake_id(rt_at, 3)),
        "author_id": "103",
        "created_at": iso_time(rt_at),
        "text": f"RT @dr_exemple: {question}",
        "lang": "fr",
        "conversation_id": str(snowflake_id(rt_at, 3)),
        "referenced_tweets": [{"type": "retweeted", "id": original["id"]}],
        "entities": {
            "hashtags": [_tiny_tag(f"RT @dr_exemple: {question}")],
            "mentions": [{"start": 3, "end": 14, "username": "dr_exemple", "id": "101"}],
        },
        "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }
    return [
        {
            "data": [reply, retweet],
            "includes": {"users": users, "tweets": [original]},
            "meta": {"result_count": 2},
            "__medtwitter": provenance("search_recent", {"query": "#docstoctoc"}),
        }
    ]


def _tiny_tag(text: str) -> dict:
    start = text.index("#docstoctoc")
    return {"start": start, "end": start + len("#docstoctoc"), "tag": "docstoctoc"}


def build_tiny(dataset: str = "tiny", progress: bool = True) -> IngestReport:
    """Write :func:`tiny_pages` to the raw folder of ``dataset`` and ingest them (replacing it).

    Parameters
    ----------
    dataset : str, default "tiny"
        Name of the dataset written (its raw ``*.jsonl`` files are removed first).
    progress : bool, default True
        Show the ingest's progress on stderr.

    Returns
    -------
    analysis.ingest.IngestReport
        The ingest's report: counts per table, files read, problems.

    Examples
    --------
    >>> report = build_tiny("tiny")  # doctest: +SKIP
    >>> report.counts["tweets"], report.counts["follows"]  # doctest: +SKIP
    (3, 0)
    """
    raw = settings.raw_dir(dataset)
    raw.mkdir(parents=True, exist_ok=True)
    for old in raw.glob("*.jsonl"):
        old.unlink()
    path = raw / "search_tiny.jsonl"
    # a full disk, an interrupt: no half-written file left
    with removed_on_failure(raw / "search_tiny.jsonl.tmp", path) as tmp:
        with open(tmp, "wb") as fh:
            for page in tiny_pages():
                fh.write(orjson.dumps(page) + b"\n")
        tmp.replace(path)
    # the old tables are replaced atomically, at the end: a failed build leaves them as they were
    return ingest_files(
        [raw], dataset, synthetic=True, progress=progress, replace=True, command="demo"
    )
