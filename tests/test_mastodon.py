"""Mastodon: collection replayed from recorded exchanges, then ingest (issue 19).

The bodies follow the documented API entities (Status, Account, Tag, Mention) and
endpoints (/api/v1/timelines/tag/:hashtag, /api/v1/accounts/lookup,
/api/v1/accounts/:id/statuses, /followers, /following), with Link-header pagination
and X-RateLimit-* headers. Accounts and instances are made up (synthetic). Mastodon.py
speaks through requests, replayed with `responses`: no test touches the network.
"""

import orjson
import pytest
import responses

from analysis.collect import coverage_lines
from analysis.collect.api import TokenError
from analysis.collect.federated import PlatformCollector
from analysis.collect.mastodon import MastodonSource, accounts_job, tag_job
from analysis.errors import UsageError
from analysis.ingest import ingest_files
from analysis.platforms import native_key
from analysis.tables import load_dataset

I = "https://piaille.example"  # noqa: E741
API = f"{I}/api/v1"


def account(id_: str, acct: str, **extra) -> dict:
    user = acct.split("@")[0]
    return {
        "id": id_,
        "username": user,
        "acct": acct,
        "display_name": user.replace("_", " ").title(),
        "locked": False,
        "bot": False,
        "created_at": "2022-11-10T00:00:00.000Z",
        "note": "<p>Infirmière en réa</p>",
        "url": f"{I}/@{user}",
        "followers_count": 10,
        "following_count": 12,
        "statuses_count": 300,
        "fields": [],
        **extra,
    }


A = account(
    "1",
    "ide_a",
    fields=[
        {"name": "X", "value": '<a href="https://x.com/ide_a">@ide_a</a>', "verified_at": None}
    ],
)
B = account("2", "dr_b@mastodon.example")
C = account("3", "kine_c")


def status(id_: str, who: dict, html: str, **extra) -> dict:
    return {
        "id": id_,
        "uri": f"{I}/users/{who['username']}/statuses/{id_}",
        "created_at": "2024-05-01T10:00:00.000Z",
        "account": who,
        "content": html,
        "visibility": "public",
        "language": "fr",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 5,
        "mentions": [],
        "tags": [],
        "media_attachments": [],
        "card": None,
        **extra,
    }


S1 = status(
    "110",
    A,
    '<p>Garde <a href="https://piaille.example/tags/MedMastodon" class="mention '
    'hashtag" rel="tag">#<span>MedMastodon</span></a> <span class="h-card"><a href="'
    'https://mastodon.example/@dr_b" class="u-url mention">@<span>dr_b</span></a></span> '
    '<a href="https://www.has-sante.fr/x" rel="nofollow"><span class="invisible">https://www.'
    "</span>has-sante.fr/x</a></p>",
    tags=[{"name": "medmastodon", "url": f"{I}/tags/medmastodon"}],
    mentions=[
        {
            "id": "2",
            "username": "dr_b",
            "acct": "dr_b@mastodon.example",
            "url": "https://mastodon.example/@dr_b",
        }
    ],
)
S2 = status(
    "111",
    B,
    "<p>Bien vu</p>",
    in_reply_to_id="110",
    in_reply_to_account_id="1",
    mentions=[{"id": "1", "username": "ide_a", "acct": "ide_a", "url": f"{I}/@ide_a"}],
)
S3 = status("112", C, "", reblog=S1)


def link(path: str, max_id: str) -> dict:
    return {
        "Link": f'<{API}{path}?max_id={max_id}>; rel="next", <{API}{path}?min_id=1>; rel="prev"',
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "299",
        "X-RateLimit-Reset": "2023-11-14T22:18:20.000Z",
    }


def collector(**kw) -> PlatformCollector:
    waits = kw.pop("waits", [])
    source = MastodonSource(I, environ={}, dotenv=None)
    return PlatformCollector(
        source, sleep=waits.append, progress=False, clock=lambda: 1_700_000_000.0, **kw
    )


def lines(path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@responses.activate
def test_tag_timeline_follows_link_headers_and_waits_out_a_429(tmp_path):
    responses.get(
        f"{API}/timelines/tag/MedMastodon",
        json=[S1, S2],
        headers=link("/timelines/tag/MedMastodon", "111"),
    )
    responses.get(
        f"{API}/timelines/tag/MedMastodon",
        status=429,
        json={"error": "Too many requests"},
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2023-11-14T22:13:40.000Z",
        },
    )
    responses.get(f"{API}/timelines/tag/MedMastodon", json=[S3])
    waits: list[float] = []
    result = collector(waits=waits).run(tag_job(I, "#MedMastodon"), tmp_path)
    assert result.complete
    assert waits == [21]  # until X-RateLimit-Reset (1_700_000_020), plus a second
    urls = [c.request.url for c in responses.calls]
    assert "max_id" not in urls[0] and "limit=40" in urls[0] and "max_id=111" in urls[2]
    pages = lines(result.path)
    assert [len(p["response"]) for p in pages] == [2, 1] and 'rel="next"' in pages[0]["link"]
    assert "3 tweets" in "\n".join(coverage_lines(result))


@responses.activate
def test_remote_followers_are_partial_and_resume_after_a_kill(tmp_path):
    responses.get(f"{API}/accounts/lookup", json=B)
    responses.get(
        f"{API}/accounts/2/followers", json=[A], headers=link("/accounts/2/followers", "50")
    )

    def killed(request):
        raise KeyboardInterrupt  # the run is killed while waiting for the second page

    responses.add_callback(responses.GET, f"{API}/accounts/2/followers", callback=killed)
    job = accounts_job(I, "followers", ["dr_b@mastodon.example"])
    with pytest.raises(KeyboardInterrupt):
        collector().run(job, tmp_path)
    responses.remove(responses.GET, f"{API}/accounts/2/followers")
    responses.get(f"{API}/accounts/2/followers", json=[C])
    result = collector().run(job, tmp_path)
    assert result.complete and result.resumed
    assert "max_id=50" in responses.calls[-1].request.url
    assert [p["response"][0]["acct"] for p in lines(result.path)] == ["ide_a", "kine_c"]
    summary = "\n".join(coverage_lines(result))
    assert "partial: dr_b@mastodon.example: dr_b@mastodon.example is remote" in summary
    ingest_files([result.path], "masto", progress=False)
    t = load_dataset("masto")
    k = lambda n: native_key("mastodon", n)  # noqa: E731
    pairs = set(zip(t.follows.follower_id, t.follows.followed_id, strict=True))
    assert pairs == {
        (k("ide_a@piaille.example"), k("dr_b@mastodon.example")),
        (k("kine_c@piaille.example"), k("dr_b@mastodon.example")),
    }
    users = t.users.set_index("native_id")
    assert users.loc["dr_b@mastodon.example", "platform"] == "mastodon"  # remote keeps its instance
    assert "X: @ide_a" in users.loc["ide_a@piaille.example", "description"]


@responses.activate
def test_an_unknown_account_is_skipped_and_a_401_is_one_line(tmp_path):
    responses.get(f"{API}/accounts/lookup", status=404, json={"error": "Record not found"})
    result = collector().run(accounts_job(I, "statuses", ["gone"]), tmp_path)
    assert result.coverage["unavailable"] == {"not_found": ["gone@piaille.example"]}
    responses.replace(
        responses.GET,
        f"{API}/accounts/lookup",
        status=401,
        json={"error": "This API requires an authenticated user"},
    )
    with pytest.raises(TokenError) as info:
        collector().run(accounts_job(I, "accounts", ["ide_a"]), tmp_path)
    assert "MASTODON_ACCESS_TOKEN" in str(info.value) and "\n" not in str(info.value)


def test_bad_input_is_one_line():
    with pytest.raises(UsageError, match="not a hashtag"):
        tag_job(I, "med mastodon")
    with pytest.raises(UsageError, match="not an instance URL"):
        tag_job("https://", "x")
    with pytest.raises(UsageError, match="not a Mastodon account"):
        accounts_job(I, "followers", ["@"])


@responses.activate
def test_statuses_reblogs_replies_and_accounts_ingest_into_the_contract(tmp_path):
    responses.get(f"{API}/accounts/lookup", json=A)
    responses.get(f"{API}/accounts/1/statuses", json=[S3, S2, S1])
    files = [
        collector().run(accounts_job(I, "statuses", ["ide_a"]), tmp_path).path,
        collector().run(accounts_job(I, "accounts", ["ide_a"]), tmp_path).path,
    ]
    report = ingest_files(files, "masto", progress=False)
    assert [f.format for f in report.files] == ["mastodon-api"] * 2
    assert sum(f.bad_lines for f in report.files) == 0
    t = load_dataset("masto")
    k = lambda n: native_key("mastodon", n)  # noqa: E731
    tweets = t.tweets.set_index("native_id")
    one = tweets.loc["piaille.example/statuses/110"]
    assert one["author_id"] == k("ide_a@piaille.example") and one["like_count"] == 5
    assert one["text"] == "Garde #MedMastodon @dr_b https://www.has-sante.fr/x"
    two = tweets.loc["piaille.example/statuses/111"]
    assert two["reply_to_tweet_id"] == k("piaille.example/statuses/110")
    assert two["reply_to_user_id"] == k("ide_a@piaille.example")
    three = tweets.loc["piaille.example/statuses/112"]
    assert three["retweet_of_tweet_id"] == k("piaille.example/statuses/110")
    assert three["text"].startswith("RT @ide_a@piaille.example: Garde")
    key = k("piaille.example/statuses/110")
    assert t.hashtags[t.hashtags.tweet_id == key]["tag_norm"].tolist() == ["medmastodon"]
    assert t.mentions[t.mentions.tweet_id == key]["username"].tolist() == ["dr_b@mastodon.example"]
    assert t.urls[t.urls.tweet_id == key]["domain"].tolist() == ["has-sante.fr"]
    assert set(t.tweets["platform"]) == {"mastodon"}
