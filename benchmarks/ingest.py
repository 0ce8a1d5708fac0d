"""Ingest benchmark: our ingest vs the orjson parse-only floor vs twarc-csv, side by side.

Generates realistic X API v2 search pages as twarc2 writes them (synthetic: 100
tweets a page with ``includes.users``/``includes.tweets``, hashtags, mentions,
retweets, quotes, replies, French text with accents and emoji), then times, each
as a whole separate process (start-up included), on the same file:

* ``ingest``: ``analysis.ingest.ingest_files`` writing every table to Parquet;
* ``floor``: a process that only reads the file and parses every line with orjson;
* ``twarc-csv``: ``twarc2 csv`` converting the file to CSV, in its own virtual
  environment under ``benchmarks/out/`` (created on first use: it needs pandas < 3);
* ``append``: adding a small new file to the big dataset, against ingesting that
  small file alone, to show append cost follows the new file.

It prints tweets per second, ratios, peak RSS and PASS/FAIL per target::

    .venv/bin/python benchmarks/ingest.py --sizes 100000 1000000

Generated files go to ``benchmarks/out/`` (git-ignored) and are deleted at the
end unless ``--keep``. Timings on a shared machine are noisy: run it once, idle.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PAGE_TWEETS = 100
TWEETS_PER_S_TARGET = 100_000
TWARC_RATIO_TARGET = 20.0
RSS_TARGET_MB = 1536

_WORDS = (
    "santé patient médecin infirmière urgences hôpital soins prévention vaccination "
    "ordonnance consultation pédiatrie fièvre enfant diabète cœur hypertension "
    "étude essai clinique garde nuit interne externe pharmacie sage-femme kiné "
    "télémédecine déserts médicaux formation congrès article revue thèse "
    "question confrères avis aide merci bravo équipe épuisement burnout"
).split()
_TAGS = (
    "docstoctoc santé sante esante FOAMed MedTwitter médecine urgences pédiatrie "
    "vaccination SantéPublique internat IDE kiné sagefemme diabète cardiologie "
    "SantéNumérique COVID19 Prévention"
).split()
_EMOJI = ["🩺", "💉", "🏥", "👩‍⚕️", "❤️", "🙏", "😷", "📚", "✅", ""]
_ROLES = ["Médecin généraliste", "Interne", "IDE", "Pharmacienne", "Sage-femme", "Kiné",
          "Urgentiste", "Pédiatre", "Patient·e", "Cardiologue"]  # fmt: skip


def _snowflake(ts: float, rng: random.Random) -> str:
    """A 19-digit tweet id from a time, as X makes them."""
    return str(((int(ts * 1000) - 1288834974657) << 22) | rng.getrandbits(22))


def _users(n: int, rng: random.Random) -> list[dict]:
    users = []
    for i in range(n):
        uid = str(rng.choice([10**7, 10**9, 10**17]) + i * 7919 + rng.randrange(7919))
        handle = (
            f"{rng.choice(['dr', 'ide', 'pharma', 'sf', 'kine', 'doc'])}_{rng.choice(_WORDS)}{i}"
        )
        users.append(
            {
                "id": uid,
                "username": handle,
                "name": f"{rng.choice(['Dr', 'Pr', '', 'Mme', 'M.'])} {rng.choice(_WORDS).title()} {rng.choice(_EMOJI)}".strip(),
                "description": f"{rng.choice(_ROLES)} · {' '.join(rng.choices(_WORDS, k=5))} #{rng.choice(_TAGS)}",
                "location": rng.choice(
                    ["Paris", "Lyon", "Montréal", "Bruxelles", "Genève", "Nîmes", ""]
                ),
                "created_at": f"20{rng.randint(9, 22):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000Z",
                "protected": rng.random() < 0.03,
                "verified": rng.random() < 0.05,
                "public_metrics": {
                    "followers_count": int(rng.paretovariate(1.2) * 50),
                    "following_count": rng.randint(10, 3000),
                    "tweet_count": rng.randint(10, 90000),
                    "listed_count": rng.randint(0, 300),
                },
            }
        )
    return users


def _tweet(ts: float, author: dict, users: list[dict], rng: random.Random) -> dict:
    tid = _snowflake(ts, rng)
    tags = rng.sample(_TAGS, rng.choice([0, 1, 1, 2, 3]))
    mentioned = rng.sample(users, rng.choice([0, 0, 0, 1, 2]))
    text = " ".join(
        [*(f"@{m['username']}" for m in mentioned), *rng.choices(_WORDS, k=rng.randint(8, 30)),
         rng.choice(_EMOJI), *(f"#{t}" for t in tags)]
    )  # fmt: skip
    entities: dict = {}
    if tags:
        entities["hashtags"] = [{"start": 0, "end": len(t) + 1, "tag": t} for t in tags]
    if mentioned:
        entities["mentions"] = [
            {"start": 0, "end": len(m["username"]) + 1, "username": m["username"], "id": m["id"]}
            for m in mentioned
        ]
    if rng.random() < 0.3:
        entities["urls"] = [{"start": 0, "end": 23, "url": "https://t.co/abcdefghij",
                             "expanded_url": "https://www.has-sante.fr/jcms/recommandations",
                             "display_url": "has-sante.fr/jcms/recomm…"}]  # fmt: skip
    created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".000Z"
    tweet = {
        "id": tid,
        "text": text,
        "author_id": author["id"],
        "created_at": created,
        "lang": rng.choice(["fr"] * 8 + ["en", "und"]),
        "conversation_id": tid,
        "possibly_sensitive": False,
        "reply_settings": "everyone",
        "edit_history_tweet_ids": [tid],
        "public_metrics": {
            "retweet_count": int(rng.paretovariate(1.5)) - 1,
            "reply_count": rng.randint(0, 5),
            "like_count": int(rng.paretovariate(1.2)) - 1,
            "quote_count": rng.randint(0, 2),
            "impression_count": rng.randint(10, 50000),
        },
    }
    if entities:
        tweet["entities"] = entities
    return tweet


def generate(path: Path, tweets: int, *, seed: int = 42, users: int = 50_000) -> Path:
    """Write ``tweets`` tweets of synthetic API v2 search pages (twarc2 style) to ``path``."""
    rng = random.Random(seed)
    pool = _users(users, rng)
    by_id = {u["id"]: u for u in pool}
    ts = 1_600_000_000.0 + seed * 10_000_000
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for page_no in range(0, tweets, PAGE_TWEETS):
            data, inc_tweets, inc_users = [], [], {}
            for _ in range(min(PAGE_TWEETS, tweets - page_no)):
                ts += rng.random() * 30
                author = rng.choice(pool)
                tw = _tweet(ts, author, pool, rng)
                inc_users[author["id"]] = author
                roll = rng.random()
                if roll < 0.45:  # retweet: text 'RT @x: ...', original in includes
                    orig_author = rng.choice(pool)
                    orig = _tweet(ts - rng.random() * 86400, orig_author, pool, rng)
                    tw["text"] = f"RT @{orig_author['username']}: {orig['text']}"[:280]
                    tw["referenced_tweets"] = [{"type": "retweeted", "id": orig["id"]}]
                    inc_tweets.append(orig)
                    inc_users[orig_author["id"]] = orig_author
                elif roll < 0.55:  # quote
                    orig_author = rng.choice(pool)
                    orig = _tweet(ts - rng.random() * 86400, orig_author, pool, rng)
                    tw["referenced_tweets"] = [{"type": "quoted", "id": orig["id"]}]
                    inc_tweets.append(orig)
                    inc_users[orig_author["id"]] = orig_author
                elif roll < 0.75:  # reply
                    to = rng.choice(pool)
                    parent = _snowflake(ts - rng.random() * 3600, rng)
                    tw["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
                    tw["in_reply_to_user_id"] = to["id"]
                    tw["conversation_id"] = parent
                for m in tw.get("entities", {}).get("mentions", ()):
                    inc_users[m["id"]] = by_id[m["id"]]
                data.append(tw)
            page = {
                "data": data[::-1],
                "includes": {"users": list(inc_users.values()), "tweets": inc_tweets},
                "meta": {"newest_id": data[-1]["id"], "oldest_id": data[0]["id"],
                         "result_count": len(data), "next_token": f"b26v89c19zqg8o3f{page_no:x}"},
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all?query=%23docstoctoc&max_results=100",
                    "version": "2.14.0",
                    "retrieved_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts + 86400)),
                },
            }  # fmt: skip
            fh.write(orjson.dumps(page) + b"\n")
    return path
