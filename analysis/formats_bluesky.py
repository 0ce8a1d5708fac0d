"""Bluesky XRPC responses (as ``medtwitter collect bluesky`` keeps them) -> v2-shaped pages.

A raw line is one response body of the Bluesky AppView, whole, plus the
``__medtwitter`` provenance block (``platform: "bluesky"``, ``endpoint`` the XRPC
method). :func:`bluesky_page` turns it into the page shape
:func:`analysis.ingest.add_page` reads, with keys derived from native ids
(:mod:`analysis.platforms`) and every key's native id listed for the collision check:

=================================  ================================================
``app.bsky.feed.searchPosts``      ``posts`` (post views) -> tweets
``app.bsky.feed.getAuthorFeed``    ``feed`` (feed view posts): a repost (``reason``
                                   ``#reasonRepost``) becomes a post of the reposter
                                   whose ``retweet_of_tweet_id`` is the original, like
                                   an X retweet; ``reply.parent`` posts are included
``app.bsky.actor.getProfiles``     ``profiles`` -> users
``app.bsky.graph.getFollowers``    ``followers`` of ``subject`` -> users and follows
``app.bsky.graph.getFollows``      ``follows`` of ``subject`` -> users and follows
=================================  ================================================

A post's hashtags, mentions and links are its record's rich-text facets
(``app.bsky.richtext.facet#tag``, ``#mention``, ``#link``); a reply's
``record.reply.parent`` is ``reply_to_tweet_id`` (its author, the DID of the
parent's URI, ``reply_to_user_id``) and ``record.reply.root`` the conversation; a
quote (``app.bsky.embed.record`` or ``#recordWithMedia`` naming a post) is
``quote_of_tweet_id``. A repost seen in a feed has no URI of its own in the
response: its native id is ``repost:<reposter DID>:<post URI>`` (one repost per
account and post).
"""

from __future__ import annotations

from analysis.platforms import BLUESKY, NativePage

FORMAT = "bluesky-xrpc"
#: XRPC methods read, and the page kind each makes.
ENDPOINTS = {
    "app.bsky.feed.searchPosts": "tweets",
    "app.bsky.feed.getAuthorFeed": "tweets",
    "app.bsky.actor.getProfiles": "users",
    "app.bsky.graph.getFollowers": "followers",
    "app.bsky.graph.getFollows": "following",
}
_POST = "app.bsky.feed.post"


def is_bluesky(record: dict) -> bool:
    """Return True for a raw Bluesky response line (its provenance names the platform).

    Parameters
    ----------
    record : dict
        One parsed line of a raw file.

    Returns
    -------
    bool
        Whether its ``__medtwitter`` provenance says ``platform = "bluesky"``.
    """
    meta = record.get("__medtwitter")
    return isinstance(meta, dict) and meta.get("platform") == BLUESKY


def uri_author(uri: str) -> str | None:
    """Return the DID of an ``at://`` URI's repository (the post's author).

    Parameters
    ----------
    uri : str
        A post's ``at://<did>/app.bsky.feed.post/<rkey>`` URI.

    Returns
    -------
    str or None
        The DID, or None when ``uri`` is not an ``at://`` URI.

    Examples
    --------
    >>> uri_author("at://did:plc:abc/app.bsky.feed.post/3k2")
    'did:plc:abc'
    """
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    return uri[5:].split("/", 1)[0] or None


class _Page(NativePage):
    """A v2-shaped page being built: data, includes and the native id of every key."""

    platform = BLUESKY

    def user(self, profile: dict) -> str | None:
        """Add a profile view (basic, plain or detailed) as a user; return its key.

        Parameters
        ----------
        profile : dict
            A Bluesky profile view (``did``, ``handle``, ``displayName``...).

        Returns
        -------
        str or None
            The account's derived key as text, or None for a profile without a DID.
        """
        did = profile.get("did")
        key = self.key(did)
        if key is None:
            return None
        verified = (profile.get("verification") or {}).get("verifiedStatus")
        user = {
            "id": key,
            "native_id": did,
            "username": profile.get("handle"),
            "name": profile.get("displayName"),
            "description": profile.get("description"),
            "created_at": profile.get("createdAt"),
            "verified": True if verified == "valid" else None,
            "public_metrics": {
                "followers_count": profile.get("followersCount"),
                "following_count": profile.get("followsCount"),
                "tweet_count": profile.get("postsCount"),
            },
        }
        old = self.users.get(key)
        if old is not None:  # a detailed view wins over a basic one of the same page
            user = {k: v if v is not None else old.get(k) for k, v in user.items()}
        self.users[key] = user
        return key

    def post(self, view: dict) -> dict:
        """Return a post view (or an embedded ``viewRecord``) as a v2 tweet; its author as a user.

        Parameters
        ----------
        view : dict
            A Bluesky post view (``uri``, ``author``, ``record``...) or an embedded ``viewRecord``
            (``value`` instead of ``record``).

        Returns
        -------
        dict
            The v2 tweet: derived keys for it, its author and the posts it replies to or quotes.
        """
        uri = view["uri"]
        record = view.get("record") or view.get("value") or {}
        author = self.user(view.get("author") or {}) or self.key(uri_author(uri))
        reply = record.get("reply") or {}
        parent = (reply.get("parent") or {}).get("uri")
        root = (reply.get("root") or {}).get("uri")
        refs = []
        if parent:
            refs.append({"type": "replied_to", "id": self.key(parent)})
        quoted = _quoted_uri(record.get("embed"))
        if quoted:
            refs.append({"type": "quoted", "id": self.key(quoted)})
        langs = record.get("langs") or []
        text = record.get("text")
        tweet = {
            "id": self.key(uri),
            "native_id": uri,
            "author_id": author,
            "created_at": record.get("createdAt") or view.get("indexedAt"),
            "text": text,
            "lang": langs[0] if langs else None,
            "conversation_id": self.key(root or uri),
            "in_reply_to_user_id": self.key(uri_author(parent)) if parent else None,
            "referenced_tweets": refs,
            "entities": self.facets(text or "", record.get("facets") or []),
            "public_metrics": {
                "retweet_count": view.get("repostCount"),
                "reply_count": view.get("replyCount"),
                "like_count": view.get("likeCount"),
                "quote_count": view.get("quoteCount"),
            },
        }
        for embedded in _embedded_posts(view.get("embed")):
            self.include(embedded)
        return tweet

    def include(self, view: dict) -> None:
        """Add a post seen only as context (a reply's parent, a quoted post) to ``includes.tweets``.

        Parameters
        ----------
        view : dict
            A post view seen as context; ignored unless it has a ``uri`` and a record.
        """
        if (
            isinstance(view, dict)
            and isinstance(view.get("uri"), str)
            and (view.get("record") or view.get("value"))
        ):
            tweet = self.post(view)
            self.tweets.setdefault(tweet["id"], tweet)

    def facets(self, text: str, facets: list) -> dict:
        """Hashtags, mentions and links of a post's rich-text facets, in byte order.

        Parameters
        ----------
        text : str
            The post's text (facets index its UTF-8 bytes).
        facets : list
            The record's ``facets`` (each with ``index`` and ``features``).

        Returns
        -------
        dict
            v2 ``entities``: ``hashtags``, ``mentions`` (with derived keys) and ``urls``.
        """
        raw = text.encode("utf-8")
        tags, mentions, urls = [], [], []
        order = sorted(
            (f for f in facets if isinstance(f, dict)),
            key=lambda f: (f.get("index") or {}).get("byteStart", 0),
        )
        for facet in order:
            index = facet.get("index") or {}
            span = raw[index.get("byteStart", 0) : index.get("byteEnd", 0)].decode(
                "utf-8", "replace"
            )
            for feature in facet.get("features") or ():
                kind = str(feature.get("$type", "")).rsplit("#", 1)[-1]
                if kind == "tag" and feature.get("tag"):
                    tags.append({"tag": str(feature["tag"]).lstrip("#")})
                elif kind == "mention" and feature.get("did"):
                    handle = span.lstrip("@") or feature["did"]
                    mentions.append({"username": handle, "id": self.key(feature["did"])})
                elif kind == "link" and feature.get("uri"):
                    urls.append({"url": span or feature["uri"], "expanded_url": feature["uri"]})
        return {"hashtags": tags, "mentions": mentions, "urls": urls}


def _quoted_uri(embed: object) -> str | None:
    """Return the post a record's embed quotes (``app.bsky.embed.record``, ``#recordWithMedia``)."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type", "")
    record = embed.get("record") or {}
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        record = record.get("record") or {}
    uri = record.get("uri") if isinstance(record, dict) else None
    return uri if isinstance(uri, str) and f"/{_POST}/" in uri else None


def _embedded_posts(embed: object) -> list[dict]:
    """Return the quoted post's ``viewRecord`` of an embed view, if the response carried it."""
    if not isinstance(embed, dict):
        return []
    record = embed.get("record") or {}
    if str(embed.get("$type", "")).startswith("app.bsky.embed.recordWithMedia"):
        record = record.get("record") or {}
    if isinstance(record, dict) and str(record.get("$type", "")).endswith("#viewRecord"):
        return [record]
    return []


def bluesky_page(record: dict) -> dict | None:
    """Return a raw Bluesky response line -> a v2-shaped page (None if its method is not read).

    Parameters
    ----------
    record : dict
        One line of a Bluesky raw file: the XRPC response with its ``__medtwitter`` provenance.

    Returns
    -------
    dict or None
        A v2-shaped page whose users and posts carry derived keys and their ``native_id``;
        None for an XRPC method ingest does not read.

    Examples
    --------
    >>> line = {"profiles": [{"did": "did:plc:abc", "handle": "dr-a.bsky.social"}],
    ...         "__medtwitter": {"platform": "bluesky", "endpoint": "app.bsky.actor.getProfiles"}}
    >>> bluesky_page(line)["data"][0]["native_id"]
    'did:plc:abc'
    """
    meta = record["__medtwitter"]
    endpoint = meta.get("endpoint")
    kind = ENDPOINTS.get(endpoint)
    if kind is None:
        return None
    page = _Page()
    data: list[dict] = []
    params: dict = {}
    if endpoint == "app.bsky.feed.searchPosts":
        data = [page.post(v) for v in record.get("posts") or ()]
    elif endpoint == "app.bsky.feed.getAuthorFeed":
        for item in record.get("feed") or ():
            post = page.post(item["post"])
            reason = item.get("reason") or {}
            if str(reason.get("$type", "")).endswith("#reasonRepost") and reason.get("by"):
                page.tweets.setdefault(post["id"], post)
                data.append(_repost(page, post, reason))
            else:
                data.append(post)
            for context in (item.get("reply") or {}).values():
                page.include(context)
    elif kind == "users":
        for profile in record.get("profiles") or ():
            page.user(profile)
    else:
        subject = page.user(record.get("subject") or {})
        params["user_id"] = subject
        listed = record.get("followers" if kind == "followers" else "follows") or ()
        data = [page.users.pop(k) for k in [page.user(p) for p in listed] if k in page.users]
    included_users = list(page.users.values())
    if kind == "users":
        data, included_users = included_users, []
    return {
        "data": data,
        "includes": {"users": included_users, "tweets": list(page.tweets.values())},
        "__medtwitter": {
            "endpoint": "tweets" if kind == "tweets" else kind,
            "params": params,
            "collected_at": meta.get("collected_at"),
            "synthetic": bool(meta.get("synthetic")),
            "platform": BLUESKY,
            "native_ids": page.native,
            "source_format": FORMAT,
        },
    }


def _repost(page: _Page, post: dict, reason: dict) -> dict:
    """Return the reposter's repost of ``post``, shaped like an X retweet (``RT @handle: text``)."""
    by = page.user(reason["by"])
    author = page.users.get(post["author_id"] or "", {})
    native = f"repost:{reason['by'].get('did')}:{post['native_id']}"
    return {
        "id": page.key(native),
        "native_id": native,
        "author_id": by,
        "created_at": reason.get("indexedAt") or post["created_at"],
        "text": f"RT @{author.get('username') or '?'}: {post['text'] or ''}",
        "lang": post["lang"],
        "conversation_id": page.key(native),
        "referenced_tweets": [{"type": "retweeted", "id": post["id"]}],
        "entities": post["entities"],
    }
