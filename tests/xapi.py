"""Recorded X API v2 exchanges, written from the documented response formats, for `responses`.

Bodies follow the X API v2 reference (data / includes / errors / meta with next_token);
handles, names and texts are invented (synthetic).
"""

from __future__ import annotations

import json

HOST = "https://api.twitter.com"  # fixed in tweepy.Client.request
API = f"{HOST}/2"
SEARCH_RECENT = f"{API}/tweets/search/recent"
SEARCH_ALL = f"{API}/tweets/search/all"
USERS = f"{API}/users"
USERS_BY = f"{API}/users/by"
COUNTS_RECENT = f"{API}/tweets/counts/recent"
FAKE_TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeTokenForTests%2Fnever-real-0123456789abcdef"


def followers_url(user_id) -> str:
    return f"{API}/users/{user_id}/followers"


def following_url(user_id) -> str:
    return f"{API}/users/{user_id}/following"


def timeline_url(user_id) -> str:
    return f"{API}/users/{user_id}/tweets"


def rate_headers(remaining: int = 449, reset: int = 1_700_000_900) -> dict:
    return {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def tweet(tid: int, author: int, text: str, **extra) -> dict:
    return {
        "id": str(tid),
        "author_id": str(author),
        "text": text,
        "lang": "fr",
        "created_at": "2024-05-02T08:00:00.000Z",
        "conversation_id": str(tid),
        "edit_history_tweet_ids": [str(tid)],
        "public_metrics": {
            "retweet_count": 1,
            "reply_count": 0,
            "like_count": 2,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 40,
        },
        **extra,
    }


def user(uid: int, username: str, **extra) -> dict:
    return {
        "id": str(uid),
        "username": username,
        "name": username.replace("_", " ").title(),
        "protected": False,
        "created_at": "2014-03-01T00:00:00.000Z",
        "public_metrics": {
            "followers_count": 10,
            "following_count": 20,
            "tweet_count": 30,
            "listed_count": 0,
        },
        **extra,
    }


def search_page(first_id: int, n: int, next_token: str | None = None) -> dict:
    """A search page of n tweets: each a reply to an original seen only in includes."""
    data = [
        tweet(
            first_id + i,
            100 + i % 3,
            f"@dr_tortue avis sur ce cas ? #docstoctoc n°{i} 🩺",
            in_reply_to_user_id="12",
            referenced_tweets=[{"type": "replied_to", "id": "5000"}],
            entities={
                "hashtags": [{"start": 30, "end": 41, "tag": "docstoctoc"}],
                "mentions": [{"start": 0, "end": 10, "username": "dr_tortue", "id": "12"}],
            },
        )
        for i in range(n)
    ]
    meta = {"newest_id": str(first_id + n - 1), "oldest_id": str(first_id), "result_count": n}
    if next_token:
        meta["next_token"] = next_token
    return {
        "data": data,
        "includes": {
            "users": [
                user(100, "interne_en_med"),
                user(101, "idel_lyon"),
                user(102, "pharma_ciel"),
                user(12, "dr_tortue"),
            ],
            "tweets": [
                tweet(5000, 12, "Question aux confrères : dosage chez l'enfant ? #docstoctoc")
            ],
        },
        "meta": meta,
    }


def users_page(users: list[dict], errors: list[dict] | None = None) -> dict:
    body: dict = {"data": users} if users else {}
    if errors:
        body["errors"] = errors
    return body


def follow_page(ids: list[int], next_token: str | None = None) -> dict:
    meta: dict = {"result_count": len(ids)}
    if next_token:
        meta["next_token"] = next_token
    body: dict = {"meta": meta}
    if ids:
        body["data"] = [user(i, f"compte_{i}") for i in ids]
    return body


def suspended_error(username: str) -> dict:
    return {
        "value": username,
        "detail": f"User has been suspended: [{username}].",
        "title": "Forbidden",
        "resource_type": "user",
        "parameter": "usernames",
        "resource_id": username,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def not_found_error(username: str) -> dict:
    return {
        "value": username,
        "detail": f"Could not find user with usernames: [{username}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "usernames",
        "resource_id": username,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
CLIENT_FORBIDDEN = {
    "client_id": "123",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, "
    "you must use keys and tokens from a Twitter developer App that is attached to a Project. "
    "You can create a project via the developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
NOT_AUTHORIZED_FOR_RESOURCE = {
    "title": "Authorization Error",
    "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
    "detail": "Sorry, you are not authorized to see the user with id: [300].",
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
SERVICE_UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


def body(page: dict) -> str:
    return json.dumps(page, ensure_ascii=False)
