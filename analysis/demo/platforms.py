"""The synthetic demo community re-rendered as Bluesky or Mastodon raw responses.

``medtwitter demo --platform bluesky|mastodon`` generates the same community as the X
demo (:func:`analysis.demo.pages.generate`: accounts, follows, posts, ground truth),
then writes it in that platform's raw format, the lines ``medtwitter collect bluesky``
or ``collect mastodon`` would have written (``app.bsky.actor.getProfiles``,
``app.bsky.feed.getAuthorFeed`` and ``app.bsky.graph.getFollowers`` bodies; Mastodon
``accounts``, ``statuses`` and ``followers`` responses), every line marked
``"synthetic": true``, and ingests them through the real ingest path
(:mod:`analysis.formats_bluesky`, :mod:`analysis.formats_mastodon`). The ground truth
is re-keyed to the platform's keys and handles.

Invented identities: Bluesky DIDs ``did:plc:`` + 24 letters derived from the X demo
id, handles ``<name>.bsky.social``; Mastodon accounts on ``social.example`` (a domain
reserved for examples). Protected X accounts are ordinary accounts here (neither
platform hides an account's posts); tweets the X demo marks deleted are still absent.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from html import escape
from pathlib import Path

import orjson

from analysis import __version__
from analysis.demo.model import COLLECTED_AT, DemoParams
from analysis.demo.pages import generate
from analysis.errors import UsageError
from analysis.ground_truth import FILE_NAME, write_ground_truth
from analysis.outputs import removed_on_failure
from analysis.platforms import BLUESKY, MASTODON, native_key

PLATFORMS = (BLUESKY, MASTODON)
#: The Mastodon instance of the synthetic community (example.com's sibling, reserved).
MASTODON_INSTANCE = "https://social.example"
_HOST = "social.example"
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _did(user_id: str) -> str:
    digest = hashlib.sha256(f"medtwitter demo {user_id}".encode()).digest()
    return "did:plc:" + "".join(_B32[b % 32] for b in digest[:24])


def _rkey(tweet_id: str) -> str:
    digest = hashlib.sha256(f"post {tweet_id}".encode()).digest()
    return "3k" + "".join(_B32[b % 32] for b in digest[:11])


class _Render:
    """What the X demo pages say, re-keyed for one platform."""

    def __init__(self, platform: str, users: dict[str, dict]) -> None:
        self.platform = platform
        self.users = users  # X id -> v2 user (full where a lookup page had it)
        self.handles: dict[str, str] = {}
        taken: set[str] = set()
        for uid, u in sorted(users.items()):
            if platform == BLUESKY:
                base = re.sub(r"[^a-z0-9-]", "-", u["username"].lower()).strip("-") or "x"
                handle, n = f"{base}.bsky.social", 1
                while handle in taken:
                    n += 1
                    handle = f"{base}-{n}.bsky.social"
            else:
                handle = u["username"]
            taken.add(handle)
            self.handles[uid] = handle

    def user_native(self, uid: str) -> str:
        """Return the account's native id: a DID on Bluesky, ``handle@host`` on Mastodon.

        Parameters
        ----------
        uid : str
            The account's X id in the demo pages.

        Returns
        -------
        str
            The id the platform's converter derives the key from.
        """
        if self.platform == BLUESKY:
            return _did(uid)
        return f"{self.handles[uid]}@{_HOST}"

    def tweet_native(self, tid: str, author: str) -> str:
        """Return the post's native id: an ``at://`` URI on Bluesky, ``host/statuses/id`` on Mastodon.

        Parameters
        ----------
        tid : str
            The tweet's X id in the demo pages.
        author : str
            Its author's X id.

        Returns
        -------
        str
            The id the platform's converter derives the key from.
        """
        if self.platform == BLUESKY:
            return f"at://{_did(author)}/app.bsky.feed.post/{_rkey(tid)}"
        return f"{_HOST}/statuses/{tid}"

    def text(self, text: str, mentions: list[dict]) -> str:
        """X text with X's handles replaced by the platform's, and quote links removed.

        Parameters
        ----------
        text : str
            The tweet's text.
        mentions : list of dict
            The tweet's ``entities.mentions`` (``id``, ``username``).

        Returns
        -------
        str
            The text as the platform would show it.
        """
        text = re.sub(r"\s*https://twitter\.com/\S+/status/\d+", "", text)
        for m in mentions:
            if m.get("id") in self.handles:
                text = text.replace(f"@{m['username']}", f"@{self.handles[m['id']]}")
        return text

    # ---------------------------------------------------------------- Bluesky

    def profile(self, uid: str) -> dict:
        """Return the account as a Bluesky detailed profile view.

        Parameters
        ----------
        uid : str
            The account's X id in the demo pages.

        Returns
        -------
        dict
            The profile view (``did``, ``handle``, counts...).
        """
        u = self.users[uid]
        metrics = u.get("public_metrics") or {}
        out: dict = {
            "did": _did(uid),
            "handle": self.handles[uid],
            "displayName": u.get("name") or "",
            "description": u.get("description"),
            "createdAt": u.get("created_at"),
            "indexedAt": u.get("created_at"),
            "labels": [],
            "followersCount": metrics.get("followers_count"),
            "followsCount": metrics.get("following_count"),
            "postsCount": metrics.get("tweet_count"),
        }
        if u.get("verified"):
            out["verification"] = {
                "verifications": [],
                "verifiedStatus": "valid",
                "trustedVerifierStatus": "none",
            }
        return {k: v for k, v in out.items() if v is not None}

    def facets(self, text: str, tw: dict) -> list[dict]:
        """Return a post's hashtags, mentions and links as Bluesky rich-text facets.

        Parameters
        ----------
        text : str
            The post's text, as rendered (facets index its UTF-8 bytes).
        tw : dict
            The X tweet, whose ``entities`` are found in ``text``.

        Returns
        -------
        list of dict
            The facets, each with a byte ``index`` and its ``features``.
        """
        raw = text.encode()
        out = []
        ent = tw.get("entities") or {}
        for h in ent.get("hashtags") or ():
            at = raw.find(f"#{h['tag']}".encode())
            if at >= 0:
                out.append(
                    {
                        "index": {"byteStart": at, "byteEnd": at + len(h["tag"].encode()) + 1},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": h["tag"]}],
                    }
                )
        for m in ent.get("mentions") or ():
            if m.get("id") not in self.handles:
                continue
            handle = f"@{self.handles[m['id']]}".encode()
            at = raw.find(handle)
            if at >= 0:
                out.append(
                    {
                        "index": {"byteStart": at, "byteEnd": at + len(handle)},
                        "features": [
                            {"$type": "app.bsky.richtext.facet#mention", "did": _did(m["id"])}
                        ],
                    }
                )
        for url in re.finditer(rb"https?://\S+", raw):
            out.append(
                {
                    "index": {"byteStart": url.start(), "byteEnd": url.end()},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#link", "uri": url.group().decode()}
                    ],
                }
            )
        return out

    def post_view(self, tw: dict, tweets: dict[str, dict]) -> dict:
        """Return a tweet as a Bluesky post view (reply, quote and facets included).

        Parameters
        ----------
        tw : dict
            A v2 tweet of the X demo pages.
        tweets : dict of str to dict
            Every tweet of the X demo pages by id (to embed replied-to and quoted posts).

        Returns
        -------
        dict
            The post view.
        """
        author = tw["author_id"]
        text = self.text(tw["text"], (tw.get("entities") or {}).get("mentions") or [])
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": tw["created_at"],
            "langs": [tw["lang"]] if tw.get("lang") else [],
        }
        facets = self.facets(text, tw)
        if facets:
            record["facets"] = facets
        refs = {r["type"]: r["id"] for r in tw.get("referenced_tweets") or ()}
        if "replied_to" in refs:
            parent = tweets.get(refs["replied_to"])
            root_id = tw.get("conversation_id") or refs["replied_to"]
            root = tweets.get(root_id)
            parent_uri = (
                self.tweet_native(refs["replied_to"], parent["author_id"]) if parent else None
            )
            root_uri = self.tweet_native(root_id, root["author_id"]) if root else parent_uri
            if parent_uri:
                record["reply"] = {
                    "root": {"uri": root_uri, "cid": "bafysynthetic"},
                    "parent": {"uri": parent_uri, "cid": "bafysynthetic"},
                }
        if "quoted" in refs and refs["quoted"] in tweets:
            quoted = tweets[refs["quoted"]]
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {
                    "uri": self.tweet_native(refs["quoted"], quoted["author_id"]),
                    "cid": "bafysynthetic",
                },
            }
        metrics = tw.get("public_metrics") or {}
        return {
            "uri": self.tweet_native(tw["id"], author),
            "cid": "bafysynthetic",
            "author": self.profile(author),
            "record": record,
            "replyCount": metrics.get("reply_count", 0),
            "repostCount": metrics.get("retweet_count", 0),
            "likeCount": metrics.get("like_count", 0),
            "quoteCount": metrics.get("quote_count", 0),
            "indexedAt": tw["created_at"],
            "labels": [],
        }

    # ---------------------------------------------------------------- Mastodon

    def account(self, uid: str) -> dict:
        """Return the account as a Mastodon account object.

        Parameters
        ----------
        uid : str
            The account's X id in the demo pages.

        Returns
        -------
        dict
            The account (``acct``, ``note`` as HTML, counts...).
        """
        u = self.users[uid]
        metrics = u.get("public_metrics") or {}
        handle = self.handles[uid]
        bio = u.get("description")
        return {
            "id": uid,
            "username": handle,
            "acct": handle,
            "display_name": u.get("name") or "",
            "locked": bool(u.get("protected")),
            "bot": False,
            "created_at": u.get("created_at"),
            "note": f"<p>{escape(bio)}</p>" if bio else "",
            "url": f"{MASTODON_INSTANCE}/@{handle}",
            "followers_count": metrics.get("followers_count", 0),
            "following_count": metrics.get("following_count", 0),
            "statuses_count": metrics.get("tweet_count", 0),
            "fields": [],
        }

    def status(self, tw: dict, tweets: dict[str, dict]) -> dict:
        """Return a tweet as a Mastodon status (reblog, reply and quote included).

        Parameters
        ----------
        tw : dict
            A v2 tweet of the X demo pages.
        tweets : dict of str to dict
            Every tweet of the X demo pages by id (to embed replied-to and quoted posts).

        Returns
        -------
        dict
            The status.
        """
        refs = {r["type"]: r["id"] for r in tw.get("referenced_tweets") or ()}
        metrics = tw.get("public_metrics") or {}
        ent = tw.get("entities") or {}
        out = {
            "id": tw["id"],
            "uri": f"{MASTODON_INSTANCE}/users/{self.handles[tw['author_id']]}/statuses/{tw['id']}",
            "created_at": tw["created_at"],
            "account": self.account(tw["author_id"]),
            "visibility": "public",
            "language": tw.get("lang"),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "reblog": None,
            "replies_count": metrics.get("reply_count", 0),
            "reblogs_count": metrics.get("retweet_count", 0),
            "favourites_count": metrics.get("like_count", 0),
            "mentions": [],
            "tags": [],
            "media_attachments": [],
            "card": None,
        }
        if "retweeted" in refs:
            if refs["retweeted"] in tweets:
                out["reblog"] = self.status(tweets[refs["retweeted"]], tweets)
            out["content"] = ""
            return out
        if "replied_to" in refs:
            out["in_reply_to_id"] = refs["replied_to"]
            out["in_reply_to_account_id"] = tw.get("in_reply_to_user_id")
        if "quoted" in refs and refs["quoted"] in tweets:
            out["quote"] = {
                "state": "accepted",
                "quoted_status": self.status(tweets[refs["quoted"]], tweets),
            }
        mentions = [m for m in ent.get("mentions") or () if m.get("id") in self.handles]
        out["mentions"] = [
            {
                "id": m["id"],
                "username": self.handles[m["id"]],
                "acct": self.handles[m["id"]],
                "url": f"{MASTODON_INSTANCE}/@{self.handles[m['id']]}",
            }
            for m in mentions
        ]
        out["tags"] = [
            {"name": h["tag"], "url": f"{MASTODON_INSTANCE}/tags/{h['tag']}"}
            for h in ent.get("hashtags") or ()
        ]
        out["content"] = self.html(self.text(tw["text"], mentions))
        return out

    def html(self, text: str) -> str:
        """Text as Mastodon's HTML: hashtags and mentions as its anchors, links as links.

        Parameters
        ----------
        text : str
            The post's plain text.

        Returns
        -------
        str
            The HTML, escaped, in one paragraph.
        """

        def anchor(match: re.Match) -> str:
            """Return a hashtag, mention or link of the text as Mastodon's HTML anchor.

            Parameters
            ----------
            match : re.Match
                The word matched: ``#tag``, ``@handle`` or a URL.

            Returns
            -------
            str
                The escaped anchor.
            """
            word = match.group(0)
            if word.startswith("#"):
                return (
                    f'<a href="{MASTODON_INSTANCE}/tags/{escape(word[1:])}" class="mention '
                    f'hashtag" rel="tag">#<span>{escape(word[1:])}</span></a>'
                )
            if word.startswith("@"):
                return (
                    f'<span class="h-card"><a href="{MASTODON_INSTANCE}/@{escape(word[1:])}" '
                    f'class="u-url mention">@<span>{escape(word[1:])}</span></a></span>'
                )
            return f'<a href="{escape(word)}" rel="nofollow noopener" target="_blank">{escape(word)}</a>'

        body = re.sub(r"https?://\S+|#\w+|@\w+", anchor, escape(text, quote=False))
        return "<p>" + body.replace("\n", "<br />") + "</p>"


def _read(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _prov(endpoint: str, kind: str, items: int, platform: str, **params: object) -> dict:
    if platform == MASTODON:
        params = {"instance": MASTODON_INSTANCE, **params}
    return {
        "platform": platform,
        "endpoint": endpoint,
        "params": params,
        "unit": 0,
        "collected_at": COLLECTED_AT,
        "tool_version": __version__,
        "next_cursor": None,
        "items": items,
        "kind": kind,
        "synthetic": True,
    }


def render(x_dir: Path, out_dir: Path, platform: str) -> dict:
    """Write the X demo pages of ``x_dir`` as ``platform`` raw responses to ``out_dir``.

    Returns the ground truth re-keyed for the platform (also written to ``out_dir``).

    Parameters
    ----------
    x_dir : pathlib.Path
        Folder of the X demo's raw pages (from :func:`analysis.demo.pages.generate`).
    out_dir : pathlib.Path
        Folder the platform's raw files are written to (created if missing).
    platform : str
        ``"bluesky"`` or ``"mastodon"``.

    Returns
    -------
    dict
        The ground truth, its ids and handles the platform's.
    """
    users: dict[str, dict] = {}
    for page in _read(x_dir / "users.jsonl"):
        for u in page["data"]:
            users[u["id"]] = u
    timelines = _read(x_dir / "timelines.jsonl")
    tweets: dict[str, dict] = {}
    for page in timelines:
        for u in (page.get("includes") or {}).get("users") or ():
            users.setdefault(u["id"], u)
        for tw in [*(page.get("data") or ()), *((page.get("includes") or {}).get("tweets") or ())]:
            tweets.setdefault(tw["id"], tw)
    r = _Render(platform, users)
    lines: dict[str, list[dict]] = {"profiles": [], "posts": [], "followers": []}
    ids = sorted(users)
    if platform == BLUESKY:
        for i in range(0, len(ids), 25):
            batch = [r.profile(u) for u in ids[i : i + 25]]
            meta = _prov(
                "app.bsky.actor.getProfiles",
                "users",
                len(batch),
                platform,
                actors=[p["handle"] for p in batch],
            )
            lines["profiles"].append({"profiles": batch, "__medtwitter": meta})
    else:
        for uid in ids:
            meta = _prov("accounts", "users", 1, platform, account=f"{r.handles[uid]}@{_HOST}")
            lines["profiles"].append({"response": r.account(uid), "__medtwitter": meta})
    for page in timelines:
        owner = (page["__medtwitter"].get("params") or {}).get("user_id")
        data = page.get("data") or []
        if not data or owner not in users:
            continue
        if platform == BLUESKY:
            feed = []
            for tw in data:
                refs = {x["type"]: x["id"] for x in tw.get("referenced_tweets") or ()}
                if "retweeted" in refs:
                    if refs["retweeted"] in tweets:
                        feed.append(
                            {
                                "post": r.post_view(tweets[refs["retweeted"]], tweets),
                                "reason": {
                                    "$type": "app.bsky.feed.defs#reasonRepost",
                                    "by": r.profile(owner),
                                    "indexedAt": tw["created_at"],
                                },
                            }
                        )
                else:
                    feed.append({"post": r.post_view(tw, tweets)})
            meta = _prov(
                "app.bsky.feed.getAuthorFeed",
                "tweets",
                len(feed),
                platform,
                account=r.handles[owner],
            )
            lines["posts"].append({"feed": feed, "__medtwitter": meta})
        else:
            statuses = [r.status(tw, tweets) for tw in data]
            meta = _prov(
                "statuses", "tweets", len(statuses), platform, account=f"{r.handles[owner]}@{_HOST}"
            )
            lines["posts"].append(
                {"response": statuses, "subject": r.account(owner), "__medtwitter": meta}
            )
    for page in _read(x_dir / "followers.jsonl"):
        followed = page["__medtwitter"]["params"]["user_id"]
        listed = [u["id"] for u in page["data"] if u["id"] in users]
        if platform == BLUESKY:
            meta = _prov(
                "app.bsky.graph.getFollowers",
                "followers",
                len(listed),
                platform,
                account=r.handles[followed],
            )
            lines["followers"].append(
                {
                    "subject": r.profile(followed),
                    "followers": [r.profile(u) for u in listed],
                    "__medtwitter": meta,
                }
            )
        else:
            meta = _prov(
                "followers",
                "followers",
                len(listed),
                platform,
                account=f"{r.handles[followed]}@{_HOST}",
            )
            lines["followers"].append(
                {
                    "response": [r.account(u) for u in listed],
                    "subject": r.account(followed),
                    "__medtwitter": meta,
                }
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, records in lines.items():
        path = out_dir / f"{platform}-{name}.jsonl"
        with removed_on_failure(path.with_suffix(".jsonl.tmp"), path) as tmp:
            tmp.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in records))
            tmp.replace(path)
    truth = _rekey(orjson.loads((x_dir / FILE_NAME).read_bytes()), r, tweets)
    write_ground_truth(truth, out_dir)
    return truth


def _rekey(truth: dict, r: _Render, tweets: dict[str, dict]) -> dict:
    """Return the X demo's ground truth with the platform's keys and handles."""

    def user_key(uid: str) -> str:
        """Return the platform's key of an account, as text.

        Parameters
        ----------
        uid : str
            The account's X id in the demo pages.

        Returns
        -------
        str
            The derived key.
        """
        return str(native_key(r.platform, r.user_native(uid)))

    def tweet_key(tid: str) -> str:
        """Return the platform's key of a post, as text (the X id if the post is unknown).

        Parameters
        ----------
        tid : str
            The tweet's X id in the demo pages.

        Returns
        -------
        str
            The derived key, or ``tid``.
        """
        tw = tweets.get(tid)
        return str(native_key(r.platform, r.tweet_native(tid, tw["author_id"]))) if tw else tid

    out = dict(truth)
    out["platform"] = r.platform
    out["note"] = truth["note"] + f" Rendered as {r.platform} raw responses (synthetic)."
    out["accounts"] = [
        {
            **a,
            "user_id": user_key(a["user_id"]),
            "username": r.handles.get(a["user_id"], a["username"])
            if r.platform == BLUESKY
            else f"{r.handles.get(a['user_id'], a['username'])}@{_HOST}",
        }
        for a in truth["accounts"]
    ]
    out["deleted_tweets"] = [tweet_key(t) for t in truth.get("deleted_tweets", ())]
    conf = dict(truth.get("confidentiality") or {})
    conf["tweets"] = [{**t, "tweet_id": tweet_key(t["tweet_id"])} for t in conf.get("tweets", ())]
    out["confidentiality"] = conf
    return out


def generate_as(platform: str, params: DemoParams, out_dir: Path, progress: bool = True) -> dict:
    """Write the demo community as ``platform`` raw responses (and its ground truth) to ``out_dir``.

    Parameters
    ----------
    platform : str
        ``"x"``, ``"bluesky"`` or ``"mastodon"``.
    params : DemoParams
        The generator's parameters.
    out_dir : pathlib.Path
        The raw folder written.
    progress : bool, default True
        Show progress on stderr.

    Returns
    -------
    dict
        The ground truth, keyed for the platform.

    Raises
    ------
    analysis.errors.UsageError
        If ``platform`` is unknown.

    Examples
    --------
    >>> generate_as("bluesky", DemoParams(accounts=300), Path("raw/demo-bluesky"))  # doctest: +SKIP
    """
    if platform not in PLATFORMS:
        raise UsageError(f"--platform {platform!r}: use x, bluesky or mastodon.")
    source = out_dir / ".x-demo"
    try:
        generate(params, source, progress=progress)
        return render(source, out_dir, platform)
    finally:
        shutil.rmtree(source, ignore_errors=True)
