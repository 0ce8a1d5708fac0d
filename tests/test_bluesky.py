"""Bluesky: collection replayed from recorded XRPC exchanges, then ingest (issue 19).

The bodies follow the documented lexicons: app.bsky.feed.searchPosts (posts, cursor,
hitsTotal), app.bsky.actor.getProfiles (profiles), app.bsky.graph.getFollowers /
getFollows (subject, followers / follows, cursor) and app.bsky.feed.getAuthorFeed (feed
of feedViewPost with reply and reason). Handles and DIDs are made up (synthetic).
httpx (which atproto uses) is replayed with respx; no test touches the network.
"""

import httpx
import orjson
import pytest
import respx

from analysis.collect import coverage_lines
from analysis.collect.api import StoppedEarly, TokenError
from analysis.collect.bluesky import BlueskySource, accounts_job, search_job
from analysis.collect.federated import PlatformCollector
from analysis.errors import UsageError
from analysis.ingest import ingest_files
from analysis.platforms import native_key
from analysis.tables import load_dataset

XRPC = "https://public.api.bsky.app/xrpc"
A, B, C = (
    "did:plc:synthaaaaaaaaaaaaaaaaaaa",
    "did:plc:synthbbbbbbbbbbbbbbbbbbb",
    "did:plc:synthccccc",
)
P1 = f"at://{A}/app.bsky.feed.post/3kaaaaaaaaa2a"
P2 = f"at://{B}/app.bsky.feed.post/3kbbbbbbbbb2b"
P3 = f"at://{C}/app.bsky.feed.post/3kccccccccc2c"


def profile(did: str, handle: str, **extra) -> dict:
    return {
        "did": did,
        "handle": handle,
        "displayName": handle.split(".")[0].title(),
        "avatar": "https://cdn.bsky.app/img/avatar/plain/x.jpg",
        "labels": [],
        "createdAt": "2023-05-01T09:00:00.000Z",
        **extra,
    }


def post(uri: str, author: dict, text: str, **record) -> dict:
    return {
        "uri": uri,
        "cid": "bafyreisynthetic",
        "author": author,
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2024-05-01T10:00:00.000Z",
            "langs": ["fr"],
            **record,
        },
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 5,
        "quoteCount": 1,
        "indexedAt": "2024-05-01T10:00:01.000Z",
        "labels": [],
    }


TEXT1 = "Garde ce soir #MedSky @dr-b.bsky.social voir has-sante.fr/x"
_b = TEXT1.encode()
FACETS = [
    {
        "index": {"byteStart": _b.index(b"#MedSky"), "byteEnd": _b.index(b"#MedSky") + 7},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "MedSky"}],
    },
    {
        "index": {"byteStart": _b.index(b"@dr-b"), "byteEnd": _b.index(b" voir")},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": B}],
    },
    {
        "index": {"byteStart": _b.index(b"has-sante"), "byteEnd": len(_b)},
        "features": [
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://www.has-sante.fr/x"}
        ],
    },
]
PA, PB, PC = (
    profile(A, "dr-a.bsky.social"),
    profile(B, "dr-b.bsky.social"),
    profile(C, "ide-c.bsky.social"),
)
POST1 = post(P1, PA, TEXT1, facets=FACETS)
POST2 = post(
    P2, PB, "Bien vu", reply={"root": {"uri": P1, "cid": "c"}, "parent": {"uri": P1, "cid": "c"}}
)
POST3 = post(
    P3, PC, "À lire", embed={"$type": "app.bsky.embed.record", "record": {"uri": P1, "cid": "c"}}
)
POST3["embed"] = {
    "$type": "app.bsky.embed.record#view",
    "record": {
        "$type": "app.bsky.embed.record#viewRecord",
        "uri": P1,
        "cid": "c",
        "author": PA,
        "value": POST1["record"],
        "indexedAt": "2024-05-01T10:00:01.000Z",
    },
}


def ok(body: dict, **headers) -> httpx.Response:
    return httpx.Response(200, json=body, headers={"ratelimit-remaining": "2999", **headers})


def collector(**kw) -> PlatformCollector:
    waits = kw.pop("waits", [])
    return PlatformCollector(
        BlueskySource(environ={}, dotenv=None),
        sleep=waits.append,
        progress=False,
        clock=lambda: 1_700_000_000.0,
        **kw,
    )


def lines(path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@respx.mock(base_url=XRPC)
def test_search_pages_follow_the_cursor_and_wait_for_ratelimit_reset(respx_mock, tmp_path):
    route = respx_mock.get("/app.bsky.feed.searchPosts").mock(
        side_effect=[
            ok({"cursor": "25", "hitsTotal": 3, "posts": [POST1, POST2]}),
            httpx.Response(
                429,
                json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                headers={
                    "ratelimit-limit": "3000",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": "1700000030",
                },
            ),
            ok({"hitsTotal": 3, "posts": [POST3]}),
        ]
    )
    waits: list[float] = []
    job = search_job("#MedSky", since="2024-05-01", until="2024-05-02", lang="fr")
    result = collector(waits=waits).run(job, tmp_path)
    assert result.complete and waits == [31]
    first, second = route.calls[0].request.url.params, route.calls[2].request.url.params
    assert first["q"] == "#MedSky" and first["lang"] == "fr" and first["sort"] == "latest"
    assert first["since"] == "2024-05-01T00:00:00Z" and first["until"] == "2024-05-03T00:00:00Z"
    assert "cursor" not in first and second["cursor"] == "25"
    pages = lines(result.path)
    assert [len(p["posts"]) for p in pages] == [2, 1]  # whole bodies, kept as sent
    assert pages[0]["hitsTotal"] == 3 and pages[0]["__medtwitter"]["platform"] == "bluesky"
    assert pages[1]["__medtwitter"]["params"]["cursor"] == "25"
    summary = "\n".join(coverage_lines(result))
    assert "2 pages" in summary and "3 tweets" in summary and "rate-limit reset 1" in summary


@respx.mock(base_url=XRPC)
def test_a_kill_mid_collection_resumes_after_the_last_page(respx_mock, tmp_path):
    subject = {**PA, "description": "Médecin"}
    answers = iter([ok({"subject": subject, "cursor": "c1", "followers": [PB]})])

    def first_page_then_kill(request):
        answer = next(answers, None)
        if answer is None:
            raise KeyboardInterrupt  # the run is killed while waiting for the second page
        return answer

    route = respx_mock.get("/app.bsky.graph.getFollowers").mock(side_effect=first_page_then_kill)
    job = accounts_job("followers", ["@dr-a.bsky.social"])
    with pytest.raises(KeyboardInterrupt):
        collector().run(job, tmp_path)
    route.side_effect = [ok({"subject": subject, "followers": [PC]})]
    result = collector().run(job, tmp_path)
    assert result.complete and result.resumed
    assert route.calls[-1].request.url.params["cursor"] == "c1"
    assert [p["followers"][0]["did"] for p in lines(result.path)] == [B, C]  # no gap, no repeat
    ingest_files([result.path], "bsky", progress=False)
    follows = load_dataset("bsky").follows
    pairs = set(zip(follows.follower_id, follows.followed_id, strict=True))
    assert pairs == {
        (native_key("bluesky", B), native_key("bluesky", A)),
        (native_key("bluesky", C), native_key("bluesky", A)),
    }


@respx.mock(base_url=XRPC)
def test_an_account_not_found_is_skipped_and_reported(respx_mock, tmp_path):
    respx_mock.get("/app.bsky.feed.getAuthorFeed").mock(
        side_effect=[
            httpx.Response(400, json={"error": "InvalidRequest", "message": "Profile not found"}),
            ok({"feed": [{"post": POST1}]}),
        ]
    )
    result = collector().run(
        accounts_job("feed", ["gone.bsky.social", "dr-a.bsky.social"]), tmp_path
    )
    assert result.complete and len(lines(result.path)) == 1
    assert result.coverage["unavailable"] == {"not_found": ["gone.bsky.social"]}
    assert "not collected (not found): 1 account(s)" in "\n".join(coverage_lines(result))


@respx.mock(base_url=XRPC)
def test_a_bad_request_is_one_line(respx_mock, tmp_path):
    respx_mock.get("/app.bsky.feed.searchPosts").mock(
        return_value=httpx.Response(
            400, json={"error": "InvalidRequest", "message": "Error: lang must be a valid language"}
        )
    )
    with pytest.raises(UsageError) as info:
        collector().run(search_job("asthme", lang="zz"), tmp_path)
    message = str(info.value)
    assert "\n" not in message and "lang must be a valid language" in message


@respx.mock(base_url=XRPC)
def test_a_login_wall_without_credentials_names_the_variables(respx_mock, tmp_path):
    respx_mock.get("/app.bsky.feed.searchPosts").mock(
        return_value=httpx.Response(403, json={"error": "Forbidden", "message": "Forbidden"})
    )
    with pytest.raises(TokenError, match="BLUESKY_HANDLE and BLUESKY_APP_PASSWORD"):
        collector().run(search_job("asthme"), tmp_path)


@respx.mock(base_url=XRPC)
def test_server_errors_are_retried_then_stop_resumably(respx_mock, tmp_path):
    respx_mock.get("/app.bsky.actor.getProfiles").mock(return_value=httpx.Response(502))
    with pytest.raises(StoppedEarly, match="persisted after 2 retries; rerun"):
        collector(max_retries=2).run(accounts_job("profiles", ["dr-a.bsky.social"]), tmp_path)


@respx.mock(base_url=XRPC)
def test_posts_profiles_and_feeds_ingest_into_the_contract(respx_mock, tmp_path, tmp_data):
    respx_mock.get("/app.bsky.feed.searchPosts").mock(
        return_value=ok({"posts": [POST1, POST2, POST3]})
    )
    respx_mock.get("/app.bsky.actor.getProfiles").mock(
        return_value=ok(
            {
                "profiles": [
                    {
                        **PA,
                        "description": "Médecin urgentiste, aussi sur x.com/dr_a",
                        "followersCount": 120,
                        "followsCount": 80,
                        "postsCount": 900,
                    }
                ]
            }
        )
    )
    repost = {
        "$type": "app.bsky.feed.defs#reasonRepost",
        "by": PC,
        "indexedAt": "2024-05-02T08:00:00.000Z",
    }
    respx_mock.get("/app.bsky.feed.getAuthorFeed").mock(
        return_value=ok(
            {
                "feed": [
                    {"post": POST2, "reply": {"root": POST1, "parent": POST1}},
                    {"post": POST1, "reason": repost},
                ]
            }
        )
    )
    files = [
        collector().run(search_job("#MedSky"), tmp_path).path,
        collector().run(accounts_job("profiles", ["dr-a.bsky.social"]), tmp_path).path,
        collector().run(accounts_job("feed", ["ide-c.bsky.social"]), tmp_path).path,
    ]
    report = ingest_files(files, "bsky", progress=False)
    assert [f.format for f in report.files] == ["bluesky-xrpc"] * 3
    assert sum(f.bad_lines for f in report.files) == 0
    t = load_dataset("bsky")
    k = lambda native: native_key("bluesky", native)  # noqa: E731
    tweets = t.tweets.set_index("tweet_id")
    assert set(tweets["platform"]) == {"bluesky"}
    one = tweets.loc[k(P1)]
    assert one["native_id"] == P1 and one["author_id"] == k(A) and one["lang"] == "fr"
    assert one["like_count"] == 5 and one["retweet_count"] == 2
    two = tweets.loc[k(P2)]
    assert two["reply_to_tweet_id"] == k(P1) and two["reply_to_user_id"] == k(A)
    assert two["conversation_id"] == k(P1)
    assert tweets.loc[k(P3), "quote_of_tweet_id"] == k(P1)
    rt = tweets.loc[k(f"repost:{C}:{P1}")]
    assert rt["retweet_of_tweet_id"] == k(P1) and rt["author_id"] == k(C)
    assert rt["text"].startswith("RT @dr-a.bsky.social: Garde")
    tags = t.hashtags[t.hashtags.tweet_id == k(P1)]
    assert tags["tag"].tolist() == ["MedSky"] and tags["tag_norm"].tolist() == ["medsky"]
    mention = t.mentions[t.mentions.tweet_id == k(P1)].iloc[0]
    assert mention["username"] == "dr-b.bsky.social" and mention["user_id"] == k(B)
    url = t.urls[t.urls.tweet_id == k(P1)].iloc[0]
    assert url["expanded_url"] == "https://www.has-sante.fr/x" and url["domain"] == "has-sante.fr"
    users = t.users.set_index("user_id")
    a = users.loc[k(A)]
    assert (
        a["native_id"] == A and a["username"] == "dr-a.bsky.social" and a["platform"] == "bluesky"
    )
    assert a["followers_count"] == 120 and a["description"].startswith("Médecin")


def _jwt(did: str) -> str:
    import base64
    import json

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    claims = {
        "sub": did,
        "scope": "com.atproto.appPass",
        "iat": 1700000000,
        "exp": 4102444800,
        "aud": "did:web:synthetic.example",
    }
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


@respx.mock
def test_a_login_wall_logs_in_with_the_app_password_which_is_never_stored(respx_mock, tmp_path):
    password = "abcd-efgh-ijkl-mnop"
    respx_mock.get(f"{XRPC}/app.bsky.feed.searchPosts").mock(
        return_value=httpx.Response(403, json={"error": "Forbidden", "message": "Forbidden"})
    )
    login = respx_mock.post("https://bsky.social/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200,
            json={
                "did": A,
                "handle": "dr-a.bsky.social",
                "accessJwt": _jwt(A),
                "refreshJwt": _jwt(A),
                "active": True,
            },
        )
    )
    authed = respx_mock.get("https://bsky.social/xrpc/app.bsky.feed.searchPosts").mock(
        return_value=ok({"posts": [POST1]})
    )
    source = BlueskySource(
        environ={"BLUESKY_HANDLE": "dr-a.bsky.social", "BLUESKY_APP_PASSWORD": password}
    )
    collector = PlatformCollector(source, progress=False, sleep=lambda s: None)
    result = collector.run(search_job("asthme"), tmp_path)
    assert result.complete and login.called and authed.called
    assert password.encode() not in login.calls[0].request.url.query
    assert orjson.loads(login.calls[0].request.content)["password"] == password  # sent, once
    for path in tmp_path.iterdir():  # the raw file and its state hold neither secret nor token
        text = path.read_text()
        assert password not in text and _jwt(A) not in text
    assert password not in repr(collector) + repr(source)


def test_damaged_bluesky_lines_are_set_aside_and_the_rest_kept(tmp_data):
    prov = {
        "platform": "bluesky",
        "endpoint": "app.bsky.feed.searchPosts",
        "collected_at": "2024-05-02T00:00:00Z",
    }
    odd_facet = post(
        P3,
        PC,
        "court",
        facets=[
            {
                "index": {"byteStart": 90, "byteEnd": 120},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": A}],
            }
        ],
    )
    raw = tmp_data / "sky.jsonl"
    raw.write_bytes(
        b"".join(
            orjson.dumps(x) + b"\n"
            for x in [
                {"posts": [POST1], "__medtwitter": prov},
                {"posts": "not a list", "__medtwitter": prov},
                {"posts": [{"cid": "no uri"}], "__medtwitter": prov},
                {"posts": [odd_facet], "__medtwitter": prov},
            ]
        )
        + b'{"posts": ['
    )
    report = ingest_files([raw], "bsky", progress=False)
    assert report.files[0].format == "bluesky-xrpc" and report.files[0].bad_lines == 3
    problems = report.files[0].problems
    assert ":2: unexpected shape" in problems[0]
    assert ":3: unexpected shape (KeyError: 'uri')" in problems[1]
    assert problems[2].endswith(":5: truncated last line")
    t = load_dataset("bsky")
    assert set(t.tweets["native_id"]) == {P1, P3}
    # a facet past the end of the text still names the account, by its DID
    odd = t.mentions[t.mentions.tweet_id == native_key("bluesky", P3)]
    assert odd["username"].tolist() == [A] and odd["user_id"].tolist() == [native_key("bluesky", A)]
