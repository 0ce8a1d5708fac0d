"""The synthetic community as raw X API v2 pages, with its ground truth; ``build_demo`` ingests them."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from tqdm.auto import tqdm

from analysis import __version__, settings
from analysis.accounts.vocabulary import PROFESSIONAL_ROLES
from analysis.demo.anecdotes import plant_confidentiality
from analysis.demo.community import _Generator
from analysis.demo.model import COLLECTED_AT, END, START, DemoParams, iso_time
from analysis.demo.words import COMMUNITIES, LINK_SOURCES
from analysis.errors import UsageError
from analysis.ground_truth import write_ground_truth
from analysis.ingest import ingest_files
from analysis.outputs import removed_on_failure
from analysis.store import dataset_lock

if TYPE_CHECKING:
    from analysis.ingest import IngestReport

_LINK = re.compile(r"https://(?:t\.co/(\w+)|twitter\.com/\w+/status/\d+)")


def link_target(code: str, lang: str) -> str:
    """Where the demo's ``https://t.co/<code>`` leads: a source chosen from the code itself.

    Parameters
    ----------
    code : str
        The short link's code (the part after ``t.co/``).
    lang : str
        The tweet's language; picks the list of sources (English ones for an unknown language).

    Returns
    -------
    str
        The expanded URL, the same for the same code.

    Examples
    --------
    >>> link_target("abc123", "en").startswith("https://")
    True
    """
    sources = LINK_SOURCES.get(lang, LINK_SOURCES["en"])
    return sources[zlib.crc32(code.encode()) % len(sources)].format(code=code)


def _links(text: str, lang: str) -> list[dict]:
    """Return the ``entities.urls`` of a text: shortened links and quoted-tweet permalinks, in order."""
    out = []
    for m in _LINK.finditer(text):
        url = m.group(0)
        expanded = link_target(m.group(1), lang) if m.group(1) else url
        display = expanded.removeprefix("https://").removeprefix("www.")
        out.append(
            {
                "start": m.start(),
                "end": m.end(),
                "url": url,
                "expanded_url": expanded,
                "display_url": display[:26] + ("…" if len(display) > 26 else ""),
            }
        )
    return out


def _entities(text: str, tags: list[str], mentions: list[dict], lang: str = "fr") -> dict:
    ent: dict = {}
    if tags:
        ent["hashtags"] = []
        for tag in tags:
            start = text.find(f"#{tag}")
            ent["hashtags"].append({"start": start, "end": start + len(tag) + 1, "tag": tag})
    if mentions:
        ent["mentions"] = []
        for m in mentions:
            start = text.find(f"@{m['username']}")
            ent["mentions"].append(
                {
                    "start": start,
                    "end": start + len(m["username"]) + 1,
                    "username": m["username"],
                    "id": str(m["user_id"]),
                }
            )
    links = _links(text, lang)
    if links:
        ent["urls"] = links
    return ent


def _tweet_json(tw: dict, rng: np.random.Generator) -> dict:
    a = tw["author"]
    out = {
        "id": str(tw["id"]),
        "author_id": str(a["user_id"]),
        "created_at": iso_time(tw["created_at"]),
        "lang": tw["lang"],
        "possibly_sensitive": False,
    }
    if tw["kind"] == "retweet":
        orig = tw["target"]
        text = f"RT @{orig['author']['username']}: {orig['text']}"
        out["text"] = text
        out["referenced_tweets"] = [{"type": "retweeted", "id": str(orig["id"])}]
        out["conversation_id"] = str(tw["id"])
        out["entities"] = _entities(
            text, orig.get("tags", []), [orig["author"], *orig.get("mentions", [])], tw["lang"]
        )
        out["public_metrics"] = {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
        }
        return out
    text = tw["text"]
    if tw["kind"] == "quote":
        text = f"{text} https://twitter.com/{tw['target']['author']['username']}/status/{tw['target']['id']}"
        out["referenced_tweets"] = [{"type": "quoted", "id": str(tw["target"]["id"])}]
    out["text"] = text
    conv = tw["id"]
    if tw["kind"] == "reply":
        target = tw["target"]
        conv = target.get("conversation", target["id"])
        tw["conversation"] = conv
        out["referenced_tweets"] = [{"type": "replied_to", "id": str(target["id"])}]
        out["in_reply_to_user_id"] = str(target["author"]["user_id"])
    out["conversation_id"] = str(conv)
    ent = _entities(text, tw.get("tags", []), tw.get("mentions", []), tw["lang"])
    if ent:
        out["entities"] = ent
    scale = 8 if a["role"] == "institution" else 1
    out["public_metrics"] = {
        "retweet_count": int(rng.poisson(1.5 * scale)),
        "reply_count": int(rng.poisson(0.8 * scale)),
        "like_count": int(rng.poisson(6 * scale)),
        "quote_count": int(rng.poisson(0.2 * scale)),
    }
    return out


def _user_json(a: dict, followers: int, following: int, tweets: int) -> dict:
    return {
        "id": str(a["user_id"]),
        "username": a["username"],
        "name": a["name"],
        "description": a["description"],
        "location": a["location"] or None,
        "created_at": iso_time(a["created_at"]),
        "protected": a["protected"],
        "verified": a["identity"] == "institutional",
        "public_metrics": {
            "followers_count": followers,
            "following_count": following,
            "tweet_count": tweets,
            "listed_count": followers // 20,
        },
    }


def provenance(endpoint: str, params: dict) -> dict:
    """Return a synthetic page's provenance (endpoint, parameters, collection time, version).

    Parameters
    ----------
    endpoint : str
        The X API endpoint the page imitates (``search_recent``, ``followers``...).
    params : dict
        The request's parameters (``query``, ``user_id``...).

    Returns
    -------
    dict
        The page's ``__medtwitter`` object, marked ``synthetic``.
    """
    return {
        "endpoint": endpoint,
        "params": params,
        "collected_at": COLLECTED_AT,
        "tool_version": __version__,
        "synthetic": True,
    }


def _lean(a: dict) -> dict:
    return {"id": str(a["user_id"]), "name": a["name"], "username": a["username"]}


def generate(params: DemoParams, out_dir: Path, progress: bool = True) -> dict:
    """Write the synthetic community's raw pages and ground truth to ``out_dir``.

    Returns the ground truth (also written to ``out_dir/ground_truth.json``).

    Parameters
    ----------
    params : DemoParams
        The generator's parameters (size, seed, homophily, adoption curve...).
    out_dir : pathlib.Path
        The raw folder written (created if missing).
    progress : bool, default True
        Show progress on stderr.

    Returns
    -------
    dict
        The ground truth: the parameters, each account's role, community, pair and adoption
        time, the realised reciprocity, deleted tweets and planted confidentiality anecdotes.
    """
    g = _Generator(params)
    g.make_accounts()
    g.place_in_time()
    edges = g.make_follows()
    tweets = g.make_tweets()
    confidentiality = plant_confidentiality(tweets, params.seed)
    rng = g.rng
    accounts = g.accounts
    n = len(accounts)
    indeg = np.bincount(edges[:, 1], minlength=n)
    outdeg = np.bincount(edges[:, 0], minlength=n)
    outside = rng.poisson(30, size=n) + np.array(
        [5000 if a["role"] == "institution" else 0 for a in accounts]
    )
    by_author: dict[int, list[dict]] = {}
    for tw in tweets:
        by_author.setdefault(tw["author"]["index"], []).append(tw)
    out_dir.mkdir(parents=True, exist_ok=True)
    deleted: set[int] = set()

    def write(path: Path, pages: Iterable[dict]) -> None:
        # a full disk, an interrupt: no half-written file left
        """Write ``pages`` to ``path`` as JSON Lines, all or nothing.

        Parameters
        ----------
        path : pathlib.Path
            The ``.jsonl`` file to write.
        pages : Iterable of dict
            The pages, one a line.
        """
        with removed_on_failure(path.with_suffix(".jsonl.tmp"), path) as tmp:
            with open(tmp, "wb") as fh:
                for page in pages:
                    fh.write(orjson.dumps(page) + b"\n")
            tmp.replace(path)

    def user_pages():
        for start in range(0, n, settings.USERS_BATCH_SIZE):
            batch = accounts[start : start + settings.USERS_BATCH_SIZE]
            data = [
                _user_json(
                    a,
                    int(indeg[a["index"]] + outside[a["index"]]),
                    int(outdeg[a["index"]]),
                    len(by_author.get(a["index"], ())) * 3,
                )
                for a in batch
            ]
            ids = [str(a["user_id"]) for a in batch]
            yield {"data": data, "__medtwitter": provenance("users", {"ids": ",".join(ids)})}

    def timeline_pages():
        for a in tqdm(accounts, desc="demo timelines", unit="account", disable=not progress):
            params = {"user_id": str(a["user_id"])}
            if a["protected"]:
                yield {
                    "errors": [
                        {
                            "value": str(a["user_id"]),
                            "resource_id": str(a["user_id"]),
                            "resource_type": "user",
                            "parameter": "id",
                            "title": "Authorization Error",
                            "detail": f"Sorry, you are not authorized to see the user with id: [{a['user_id']}].",
                            "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
                        }
                    ],
                    "meta": {"result_count": 0},
                    "__medtwitter": provenance("timeline", params),
                }
                continue
            own = sorted(by_author.get(a["index"], []), key=lambda t: t["id"], reverse=True)
            for start in range(0, len(own), settings.SEARCH_PAGE_SIZE):
                chunk = own[start : start + settings.SEARCH_PAGE_SIZE]
                data = [_tweet_json(tw, rng) for tw in chunk]
                users = {a["user_id"]: a}
                inc_tweets, errors = [], []
                for tw in chunk:
                    for m in tw.get("mentions", []):
                        users[m["user_id"]] = m
                    target = tw.get("target")
                    if target is None:
                        continue
                    if tw["kind"] != "reply" and rng.random() < params_obj.deleted_share:
                        deleted.add(target["id"])
                    if target["id"] in deleted:
                        errors.append(
                            {
                                "value": str(target["id"]),
                                "resource_id": str(target["id"]),
                                "resource_type": "tweet",
                                "parameter": "referenced_tweets.id",
                                "title": "Not Found Error",
                                "detail": f"Could not find tweet with referenced_tweets.id: [{target['id']}].",
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        )
                    else:
                        inc_tweets.append(_tweet_json(target, rng))
                        users[target["author"]["user_id"]] = target["author"]
                page: dict[str, Any] = {
                    "data": data,
                    "includes": {
                        "users": [
                            _lean(u)
                            | {"created_at": iso_time(u["created_at"]), "protected": u["protected"]}
                            for u in users.values()
                        ]
                    },
                    "meta": {
                        "result_count": len(data),
                        "newest_id": data[0]["id"],
                        "oldest_id": data[-1]["id"],
                    },
                    "__medtwitter": provenance("timeline", params),
                }
                if inc_tweets:
                    page["includes"]["tweets"] = inc_tweets
                if errors:
                    page["errors"] = errors
                yield page

    order = np.lexsort((edges[:, 0], edges[:, 1]))
    by_followed = np.split(edges[order], np.flatnonzero(np.diff(edges[order][:, 1])) + 1)

    def follower_pages():
        for chunk in by_followed:
            if not len(chunk):
                continue
            followed = accounts[int(chunk[0, 1])]
            params = {"user_id": str(followed["user_id"])}
            followers = chunk[:, 0]
            for start in range(0, len(followers), settings.FOLLOWS_PAGE_SIZE):
                part = followers[start : start + settings.FOLLOWS_PAGE_SIZE]
                yield {
                    "data": [_lean(accounts[int(i)]) for i in part],
                    "meta": {"result_count": len(part)},
                    "__medtwitter": provenance("followers", params),
                }

    params_obj = params
    write(out_dir / "users.jsonl", user_pages())
    write(out_dir / "timelines.jsonl", timeline_pages())
    write(out_dir / "followers.jsonl", follower_pages())

    edge_set = set(map(tuple, edges.tolist()))
    realised = sum((j, i) in edge_set for i, j in edge_set) / max(len(edge_set), 1)
    tag_comm = {}
    for c, comm in enumerate(COMMUNITIES):
        for tag in comm.tags:
            tag_comm[tag.casefold()] = c
    truth = {
        "synthetic": True,
        "note": "Synthetic ground truth of the medtwitter demo community. Not real accounts.",
        "params": asdict(params),
        "start": iso_time(START),
        "end": iso_time(END),
        "communities": [c.name for c in COMMUNITIES],
        "reciprocity": realised,
        "hashtag_communities": tag_comm,
        "deleted_tweets": sorted(str(t) for t in deleted),
        "confidentiality": {
            "note": "Planted, invented anecdotes; breach=True: a reader could recognise the patient.",
            "tweets": confidentiality,
        },
        "accounts": [
            {
                "user_id": str(a["user_id"]),
                "username": a["username"],
                "role": a["role"],
                "identity": a["identity"],
                "community": a["community"],
                "lang": a["lang"],
                "protected": a["protected"],
                "pair_id": a["pair_id"],
                "professional": a["role"] in PROFESSIONAL_ROLES,
                "adopted_at": iso_time(a["adopted_at"]),
                "created_at": iso_time(a["created_at"]),
            }
            for a in accounts
        ],
    }
    write_ground_truth(truth, out_dir)
    return truth


def build_demo(
    dataset: str = "demo",
    accounts: int = 800,
    seed: int | None = None,
    progress: bool = True,
    platform: str = "x",
) -> IngestReport:
    """Generate the demo community's raw pages and ingest them as ``dataset``.

    The existing tables of ``dataset`` are replaced, so the result depends only
    on ``accounts`` and ``seed`` (None: :data:`analysis.settings.SEED`, read now).
    ``platform`` ``bluesky`` or ``mastodon`` writes the same community as that
    platform's raw responses (:mod:`analysis.demo.platforms`).

    Parameters
    ----------
    dataset : str, default "demo"
        Name of the dataset written (replaced).
    accounts : int, default 800
        Number of synthetic accounts, at least 50.
    seed : int or None, optional
        Seed of the generator; None (default) uses :data:`analysis.settings.SEED`.
    progress : bool, default True
        Show progress on stderr.
    platform : str, default "x"
        ``"x"``, ``"bluesky"`` or ``"mastodon"``: whose raw responses are written.

    Returns
    -------
    analysis.ingest.IngestReport
        The ingest's report: counts per table, files read, problems.

    Raises
    ------
    analysis.errors.UsageError
        If ``accounts`` is below 50 or ``platform`` is unknown.

    Examples
    --------
    >>> report = build_demo("demo", accounts=300, seed=1)  # doctest: +SKIP
    """
    if accounts < 50:
        raise UsageError(f"--accounts {accounts} is too small for the demo; use 50 or more.")
    raw = settings.raw_dir(dataset)
    # one writer at a time, from the raw pages to the dataset's new version
    with dataset_lock(settings.processed_dir(dataset), "demo"):
        if raw.exists():
            for old in raw.glob("*.jsonl"):
                old.unlink()
        if platform == "x":
            generate(DemoParams(accounts=accounts, seed=seed), raw, progress=progress)
        else:
            # Imported here: analysis.demo.platforms imports this module (a cycle at module level).
            from analysis.demo.platforms import generate_as

            generate_as(platform, DemoParams(accounts=accounts, seed=seed), raw, progress)
        # one overwrite commit per table, then the manifest: a failed build leaves the
        # previous version as it was
        return ingest_files(
            [raw], dataset, synthetic=True, progress=progress, replace=True, command="demo"
        )
