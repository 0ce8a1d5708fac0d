"""Small X API v2 pages written from the documented formats, for ingest tests."""

from __future__ import annotations

BIG = 1460323737035677698  # a 19-digit id, beyond float64's exact integers


def prov(endpoint: str, **params) -> dict:
    return {
        "endpoint": endpoint,
        "params": params,
        "collected_at": "2024-05-01T10:00:00.000Z",
        "tool_version": "test",
    }


def user(uid, username, **extra) -> dict:
    return {"id": str(uid), "username": username, "name": username.title(), **extra}


def search_page() -> dict:
    """A recent-search page: a retweet whose original is only in includes, a reply, a deleted quote."""
    return {
        "data": [
            {
                "id": str(BIG),
                "author_id": "11",
                "created_at": "2024-04-30T08:00:00.000Z",
                "text": "RT @dr_tortue: Question aux confrères #docstoctoc #Santé",
                "lang": "fr",
                "conversation_id": str(BIG),
                "referenced_tweets": [{"type": "retweeted", "id": "900"}],
                "entities": {
                    "hashtags": [
                        {"start": 38, "end": 49, "tag": "docstoctoc"},
                        {"start": 50, "end": 56, "tag": "Santé"},
                    ],
                    "mentions": [{"start": 3, "end": 13, "username": "dr_tortue", "id": "12"}],
                },
                "public_metrics": {
                    "retweet_count": 3,
                    "reply_count": 0,
                    "like_count": 0,
                    "quote_count": 0,
                },
            },
            {
                "id": "901",
                "author_id": "13",
                "created_at": "2024-04-30T09:00:00.000Z",
                "text": "@dr_tortue je l'adresse 🩺 #SANTÉ #sante https://t.co/HaS4reco",
                "lang": "fr",
                "conversation_id": "900",
                "in_reply_to_user_id": "12",
                "referenced_tweets": [{"type": "replied_to", "id": "900"}],
                "entities": {
                    "hashtags": [
                        {"start": 26, "end": 32, "tag": "SANTÉ"},
                        {"start": 33, "end": 39, "tag": "sante"},
                    ],
                    "mentions": [{"start": 0, "end": 10, "username": "dr_tortue"}],
                    "urls": [
                        {
                            "start": 40,
                            "end": 63,
                            "url": "https://t.co/HaS4reco",
                            "expanded_url": "https://www.has-sante.fr/jcms/p_3461350",
                            "display_url": "has-sante.fr/jcms/p_3461350",
                        }
                    ],
                },
                "public_metrics": {
                    "retweet_count": 0,
                    "reply_count": 0,
                    "like_count": 2,
                    "quote_count": 0,
                },
            },
        ],
        "includes": {
            "users": [
                user(
                    11,
                    "mr_durand",
                    created_at="2015-01-01T00:00:00.000Z",
                    description="Médecin",
                    protected=False,
                ),
                user(12, "dr_tortue", description="MG en pleine campagne"),
                user(13, "idel_lyon"),
            ],
            "tweets": [
                {
                    "id": "900",
                    "author_id": "12",
                    "created_at": "2024-04-29T20:00:00.000Z",
                    "text": "Question aux confrères #docstoctoc #Santé",
                    "lang": "fr",
                    "conversation_id": "900",
                    "public_metrics": {
                        "retweet_count": 3,
                        "reply_count": 1,
                        "like_count": 5,
                        "quote_count": 0,
                    },
                }
            ],
        },
        "errors": [
            {
                "value": "777",
                "detail": "Could not find tweet with referenced_tweets.id: [777].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": "777",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
        "meta": {"newest_id": str(BIG), "oldest_id": "901", "result_count": 2},
        "__medtwitter": prov("search_recent", query="#docstoctoc"),
    }


def followers_page(account: int, follower_ids: list[int]) -> dict:
    return {
        "data": [user(i, f"user{i}") for i in follower_ids],
        "meta": {"result_count": len(follower_ids)},
        "__medtwitter": prov("followers", user_id=str(account)),
    }


def following_page(account: int, followed_ids: list[int]) -> dict:
    return {
        "data": [user(i, f"user{i}") for i in followed_ids],
        "meta": {"result_count": len(followed_ids)},
        "__medtwitter": prov("following", user_id=str(account)),
    }
