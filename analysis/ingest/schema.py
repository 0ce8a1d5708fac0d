"""What ingest reads of an X API v2 page, as the Arrow schemas its JSON reader parses with.

Fields not listed here are ignored by the reader. :data:`PARSE` holds the parse
options per kind of ``data``: a narrower schema (tweets only, users only) parses
about a quarter faster than :data:`PAGE_SCHEMA`, which takes either.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.json as pa_json

#: The metrics of ``public_metrics`` read: a tweet's, then a user's.
TWEET_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "impression_count")
USER_METRICS = ("followers_count", "following_count", "tweet_count", "listed_count")
METRICS = TWEET_METRICS + USER_METRICS
_STR, _BOOL, _I64 = pa.string(), pa.bool_(), pa.int64()
#: A tweet's ``entities`` (and a long post's ``note_tweet.entities``): what the tables keep.
ENTITIES = pa.struct(
    [
        ("hashtags", pa.list_(pa.struct([("tag", _STR)]))),
        ("mentions", pa.list_(pa.struct([("username", _STR), ("id", _STR)]))),
        ("urls", pa.list_(pa.struct([("url", _STR), ("expanded_url", _STR)]))),
    ]
)
_TWEET_FIELDS = [
    ("id", _STR),
    ("author_id", _STR),
    ("created_at", _STR),
    ("text", _STR),
    ("lang", _STR),
    ("conversation_id", _STR),
    ("in_reply_to_user_id", _STR),
    ("referenced_tweets", pa.list_(pa.struct([("type", _STR), ("id", _STR)]))),
    ("entities", ENTITIES),
    ("note_tweet", pa.struct([("text", _STR), ("entities", ENTITIES)])),
    ("edit_history_tweet_ids", pa.list_(_STR)),
]
_USER_FIELDS = [
    ("id", _STR),
    ("username", _STR),
    ("name", _STR),
    ("description", _STR),
    ("location", _STR),
    ("created_at", _STR),
    ("protected", _BOOL),
    ("verified", _BOOL),
]


def _metrics(names: Iterable[str]) -> tuple[str, pa.StructType]:
    return ("public_metrics", pa.struct([(m, _I64) for m in names]))


#: A tweet of ``data`` or ``includes.tweets``: the fields ingest reads.
TWEET = pa.struct([*_TWEET_FIELDS, _metrics(TWEET_METRICS)])
#: A user of ``data`` or ``includes.users``.
USER = pa.struct([*_USER_FIELDS, _metrics(USER_METRICS)])
#: An element of ``data`` on a page whose kind is not known before parsing: either.
_ITEM = pa.struct(
    [*_TWEET_FIELDS, _metrics(METRICS), *(f for f in _USER_FIELDS if f not in _TWEET_FIELDS)]
)


def _page_schema(item: pa.StructType, tweet: pa.StructType = TWEET) -> pa.Schema:
    """Return the parts of an API v2 page that ingest reads, ``data`` holding ``item``s."""
    return pa.schema(
        [
            ("data", pa.list_(item)),
            ("includes", pa.struct([("users", pa.list_(USER)), ("tweets", pa.list_(tweet))])),
            (
                "errors",
                pa.list_(
                    pa.struct(
                        [
                            (f, _STR)
                            for f in (
                                "resource_id",
                                "value",
                                "resource_type",
                                "title",
                                "detail",
                                "type",
                            )
                        ]
                    )
                ),
            ),
            ("meta", pa.struct([("result_count", _I64)])),
            (
                "__medtwitter",
                pa.struct(
                    [
                        ("endpoint", _STR),
                        ("params", pa.struct([("user_id", _STR), ("id", _STR)])),
                        ("collected_at", _STR),
                        ("synthetic", _BOOL),
                    ]
                ),
            ),
            ("__twarc", pa.struct([("url", _STR), ("retrieved_at", _STR)])),
        ]
    )


#: Any API v2 page; anything else on a line is ignored.
PAGE_SCHEMA = _page_schema(_ITEM)
#: Pages by kind of ``data``: a narrower schema parses about a quarter faster.
_SCHEMAS = {"tweets": _page_schema(TWEET), "users": _page_schema(USER), None: PAGE_SCHEMA}
PARSE = {
    kind: pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    for kind, schema in _SCHEMAS.items()
}


def _without_notes(item: pa.StructType) -> pa.StructType:
    """``item`` with ``note_tweet`` typed null: only an absent or null ``note_tweet`` parses."""
    return pa.struct([pa.field(NOTE, pa.null()) if f.name == NOTE else f for f in item])


#: The field of a long post's whole text and entities (most tweets have none).
NOTE = "note_tweet"
_LEAN_TWEET = _without_notes(TWEET)
#: :data:`PARSE` for pages without long posts: ``note_tweet`` typed null. Building its
#: null struct of lists for every tweet costs 5 to 7% of the parse (synthetic 100k file, one
#: thread: 0.95 s instead of 0.99-1.04 s); a page that has one
#: fails to parse with :data:`LEAN_ERROR` in the message, and is parsed with :data:`PARSE`.
PARSE_LEAN = {
    kind: pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    for kind, schema in {
        "tweets": _page_schema(_LEAN_TWEET, _LEAN_TWEET),
        "users": _page_schema(USER, _LEAN_TWEET),
        None: _page_schema(_without_notes(_ITEM), _LEAN_TWEET),
    }.items()
}
#: What Arrow's error message holds when a lean parse meets a ``note_tweet`` (see :data:`PARSE_LEAN`).
LEAN_ERROR = f"/{NOTE}) changed from null"
