"""API v1.1 response bodies as people stored them: every shape, read exactly.

Each body is written here from the documented v1.1 object formats (Tweet, User,
Entities, Extended Entities; GET statuses/user_timeline, search/tweets, users/show,
users/lookup, followers/list, followers/ids, friends/ids). Accounts, handles, texts
and links are invented (synthetic). Ids are above 2^53 and written as bare JSON
integers (with their ``id_str``), as the API sends them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pandas as pd
import pytest

from analysis import formats, formats_v1, rawfile
from analysis.cli import main
from analysis.errors import UsageError
from analysis.ingest import ingest_files
from analysis.tables import load_dataset

# synthetic ids above 2^53 (9,007,199,254,740,992): a float would round every one of them
TORTUE, IDEL, PHARMA, OWNER = (
    1234567890123456001,
    1234567890123456002,
    1234567890123456003,
    1234567890123456004,
)
T1, T2, T3, T4, T5, T6 = (1234567890123456789 + i for i in range(6))
CREATED = "Wed Oct 10 20:19:24 +0000 2018"
CREATED_ISO = "2018-10-10 20:19:24+00:00"


def user(uid: int, name: str, **extra) -> dict:
    """A v1.1 User object (the documented fields ingest reads, and some it does not)."""
    return {
        "id": uid,
        "id_str": str(uid),
        "name": name.title(),
        "screen_name": name,
        "location": "Lyon",
        "description": "Infirmière libérale",
        "protected": False,
        "verified": False,
        "followers_count": 120,
        "friends_count": 80,
        "listed_count": 2,
        "favourites_count": 10,
        "statuses_count": 900,
        "created_at": CREATED,
        "default_profile": True,
        **extra,
    }


def link(short: str, expanded: str, start: int) -> dict:
    display = expanded.split("//", 1)[1][:26]
    return {
        "url": short,
        "expanded_url": expanded,
        "display_url": display,
        "indices": [start, start + len(short)],
    }


def status(
    tid: int, author: dict | None, text: str, *, urls=(), hashtags=(), mentions=(), **extra
) -> dict:
    """A v1.1 Tweet object in extended mode (``full_text``), its entities from the arguments."""
    out = {
        "created_at": CREATED,
        "id": tid,
        "id_str": str(tid),
        "full_text": text,
        "truncated": False,
        "display_text_range": [0, len(text)],
        "entities": {
            "hashtags": [
                {"text": h, "indices": [text.index("#" + h), text.index("#" + h) + len(h) + 1]}
                for h in hashtags
            ],
            "symbols": [],
            "user_mentions": [
                {
                    "screen_name": m["screen_name"],
                    "name": m["name"],
                    "id": m["id"],
                    "id_str": m["id_str"],
                    "indices": [
                        text.index("@" + m["screen_name"]),
                        text.index("@" + m["screen_name"]) + len(m["screen_name"]) + 1,
                    ],
                }
                for m in mentions
            ],
            "urls": [link(u, e, text.index(u)) for u, e in urls],
        },
        "source": '<a href="https://example.org">synthetic</a>',
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None,
        "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "is_quote_status": False,
        "retweet_count": 2,
        "favorite_count": 5,
        "favorited": False,
        "retweeted": False,
        "lang": "fr",
        **extra,
    }
    if author is not None:
        out["user"] = author
    return out


ACCOUNTS = {
    "tortue": user(TORTUE, "dr_tortue"),
    "idel": user(IDEL, "idel_lyon"),
    "pharma": user(PHARMA, "pharma_ciel"),
}


def timeline() -> list[dict]:
    """GET statuses/user_timeline of idel_lyon (tweet_mode=extended): a post with a link, a hashtag
    and a mention; a retweet (``retweeted_status`` with a link); a quote (``quoted_status``) with a
    photo (``extended_entities.media``)."""
    tortue, idel = ACCOUNTS["tortue"], ACCOUNTS["idel"]
    own = status(
        T1,
        idel,
        "Vaccination grippe : les recos https://t.co/AAAA #santé @dr_tortue",
        urls=[("https://t.co/AAAA", "https://www.has-sante.fr/recos-grippe")],
        hashtags=["santé"],
        mentions=[tortue],
    )
    original = status(
        T2,
        tortue,
        "Nouvel article https://t.co/BBBB",
        urls=[("https://t.co/BBBB", "https://revue.example.org/a/42")],
    )
    retweet = status(
        T3,
        idel,
        "RT @dr_tortue: Nouvel article https://t.co/BBBB",
        urls=[("https://t.co/BBBB", "https://revue.example.org/a/42")],
        mentions=[tortue],
        retweeted_status=original,
    )
    quoted = status(T4, ACCOUNTS["pharma"], "Rupture d'amoxicilline")
    photo = {
        "id": 1234567890000000001,
        "id_str": "1234567890000000001",
        "type": "photo",
        "media_url_https": "https://pbs.twimg.com/media/x.jpg",
        "url": "https://t.co/CCCC",
        "display_url": "pic.twitter.com/CCCC",
        "expanded_url": f"https://twitter.com/idel_lyon/status/{T5}/photo/1",
        "indices": [19, 42],
    }
    quote = status(
        T5,
        idel,
        "Même chose ici ! https://t.co/CCCC",
        is_quote_status=True,
        quoted_status_id=T4,
        quoted_status_id_str=str(T4),
        quoted_status=quoted,
        extended_entities={"media": [photo, {**photo, "id_str": "2"}]},
    )
    quote["entities"]["media"] = [photo]
    return [own, retweet, quote]


def write_body(path: Path, body, layout: str) -> Path:
    """Write a body pretty-printed (``pretty``), on one line without a final newline (``line``), or
    as JSON lines, one body a line, the body given twice (``lines``)."""
    if layout == "pretty":
        path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")
    elif layout == "line":
        path.write_bytes(orjson.dumps(body))
    else:
        path.write_bytes(orjson.dumps(body) + b"\n" + orjson.dumps(body) + b"\n")
    return path


def tweet_rows(dataset: str) -> set[tuple]:
    t = load_dataset(dataset).tweets
    cols = [
        "tweet_id",
        "author_id",
        "text",
        "retweet_of_tweet_id",
        "quote_of_tweet_id",
        "collected",
    ]
    return {
        tuple(None if pd.isna(v) else v for v in row) for row in t[cols].itertuples(index=False)
    }


def rows(dataset: str, table: str, cols: list[str]) -> set[tuple]:
    t = getattr(load_dataset(dataset), table)
    return set(t[cols].itertuples(index=False, name=None))


@pytest.mark.parametrize(
    ("layout", "fmt"), [("pretty", "v1.1-json"), ("line", "v1.1-bodies"), ("lines", "v1.1-bodies")]
)
def test_a_timeline_array_is_read_exactly_in_every_layout(tmp_data, layout, fmt):
    path = write_body(tmp_data / "user_timeline.json", timeline(), layout)
    assert formats.detect_format(path) == fmt
    report = ingest_files([path], "t", progress=False)
    assert report.files[0].format == fmt and report.bad_lines == 0
    assert tweet_rows("t") == {
        (T1, IDEL, "Vaccination grippe : les recos https://t.co/AAAA #santé @dr_tortue", None,
         None, True),
        (T2, TORTUE, "Nouvel article https://t.co/BBBB", None, None, False),
        (T3, IDEL, "RT @dr_tortue: Nouvel article https://t.co/BBBB", T2, None, True),
        (T4, PHARMA, "Rupture d'amoxicilline", None, None, False),
        (T5, IDEL, "Même chose ici ! https://t.co/CCCC", None, T4, True),
    }  # fmt: skip
    t = load_dataset("t")
    assert str(t.tweets.set_index("tweet_id").loc[T1, "created_at"]) == CREATED_ISO
    assert rows("t", "users", ["user_id", "username", "following_count"]) == {
        (TORTUE, "dr_tortue", 80),
        (IDEL, "idel_lyon", 80),
        (PHARMA, "pharma_ciel", 80),
    }
    assert rows("t", "hashtags", ["tweet_id", "tag", "position"]) == {(T1, "santé", 0)}
    assert rows("t", "mentions", ["tweet_id", "username", "user_id"]) == {
        (T1, "dr_tortue", TORTUE),
        (T3, "dr_tortue", TORTUE),
    }
    assert rows("t", "urls", ["tweet_id", "position", "url", "expanded_url", "domain"]) == {
        (T1, 0, "https://t.co/AAAA", "https://www.has-sante.fr/recos-grippe", "has-sante.fr"),
        (T2, 0, "https://t.co/BBBB", "https://revue.example.org/a/42", "revue.example.org"),
        (T3, 0, "https://t.co/BBBB", "https://revue.example.org/a/42", "revue.example.org"),
        (T5, 0, "https://t.co/CCCC", f"https://twitter.com/idel_lyon/status/{T5}/photo/1",
         "twitter.com"),
    }  # fmt: skip


def test_links_hashtags_and_mentions_take_the_v2_entities_shape():
    own, _, quote = timeline()
    pages = list(formats_v1.body_pages(own, None, "v1.1-json"))
    entities = pages[0][2]["data"][0]["entities"]
    text = own["full_text"]
    assert entities["urls"] == [
        {
            "start": 31,
            "end": 48,
            "url": "https://t.co/AAAA",
            "expanded_url": "https://www.has-sante.fr/recos-grippe",
            "display_url": "www.has-sante.fr/recos-gri",
        }
    ]
    assert text[31:48] == "https://t.co/AAAA"
    assert entities["hashtags"] == [{"start": 49, "end": 55, "tag": "santé"}]
    assert entities["mentions"] == [
        {"start": 56, "end": 66, "username": "dr_tortue", "id": str(TORTUE)}
    ]
    media = formats_v1.v1_entities(quote)["urls"]  # two photos, one link (as v2 lists them)
    assert [(u["start"], u["url"]) for u in media] == [(19, "https://t.co/CCCC")]


def test_compatibility_mode_reads_the_full_text_and_links_of_extended_tweet(tmp_data):
    long_text = "Fil sur la douleur chez l'enfant " * 6 + "https://t.co/DDDD #pédiatrie"
    short = status(
        T1,
        ACCOUNTS["idel"],
        long_text[:117] + "… https://t.co/EEEE",
        urls=[("https://t.co/EEEE", f"https://twitter.com/i/web/status/{T1}")],
    )
    del short["full_text"]
    short.update(
        text=long_text[:117] + "… https://t.co/EEEE",
        truncated=True,
        extended_tweet={
            "full_text": long_text,
            "display_text_range": [0, len(long_text)],
            "entities": status(
                T1,
                None,
                long_text,
                urls=[("https://t.co/DDDD", "https://pediatrie.example.org/")],
                hashtags=["pédiatrie"],
            )["entities"],
        },
    )
    envelope = {
        "statuses": [short],
        "search_metadata": {
            "completed_in": 0.05,
            "max_id": T1,
            "max_id_str": str(T1),
            "query": "%23p%C3%A9diatrie",
            "count": 15,
            "since_id": 0,
            "since_id_str": "0",
        },
    }
    path = write_body(tmp_data / "search.json", envelope, "pretty")
    report = ingest_files([path], "t", progress=False)
    assert report.files[0].format == "v1.1-json" and report.pages == 1
    assert load_dataset("t").tweets.set_index("tweet_id").loc[T1, "text"] == long_text
    assert rows("t", "urls", ["tweet_id", "position", "url", "domain"]) == {
        (T1, 0, "https://t.co/DDDD", "pediatrie.example.org")
    }
    assert rows("t", "hashtags", ["tweet_id", "tag"]) == {(T1, "pédiatrie")}


@pytest.mark.parametrize("layout", ["pretty", "line"])
def test_a_single_status_with_its_quoted_status(tmp_data, layout):
    quote = timeline()[2]
    path = write_body(tmp_data / "show.json", quote, layout)
    ingest_files([path], "t", progress=False)
    assert tweet_rows("t") == {
        (T5, IDEL, "Même chose ici ! https://t.co/CCCC", None, T4, True),
        (T4, PHARMA, "Rupture d'amoxicilline", None, None, False),
    }


@pytest.mark.parametrize("layout", ["pretty", "line", "lines"])
def test_a_user_with_its_latest_status_and_its_links(tmp_data, layout):
    latest = status(
        T6,
        None,
        "Garde ce soir https://t.co/FFFF",
        urls=[("https://t.co/FFFF", "https://www.ordre.example.fr/garde")],
    )
    latest["retweeted_status"] = status(T2, ACCOUNTS["tortue"], "Garde ce soir")
    path = write_body(tmp_data / "users_show.json", user(IDEL, "idel_lyon", status=latest), layout)
    assert formats.detect_format(path) == ("v1.1-json" if layout == "pretty" else "v1.1-bodies")
    report = ingest_files([path], "t", progress=False)
    assert report.bad_lines == 0
    assert rows("t", "users", ["user_id", "username", "tweet_count"]) == {
        (IDEL, "idel_lyon", 900),
        (TORTUE, "dr_tortue", 900),
    }
    assert tweet_rows("t") == {
        (T6, IDEL, "Garde ce soir https://t.co/FFFF", T2, None, False),
        (T2, TORTUE, "Garde ce soir", None, None, False),
    }
    assert rows("t", "urls", ["tweet_id", "expanded_url"]) == {
        (T6, "https://www.ordre.example.fr/garde")
    }


@pytest.mark.parametrize("layout", ["pretty", "line"])
def test_an_array_of_users_is_read_without_follow_edges(tmp_data, layout):
    lookup = [user(TORTUE, "dr_tortue"), user(IDEL, "idel_lyon", protected=True)]
    path = write_body(tmp_data / "followers_lookup.json", lookup, layout)  # not a followers list
    ingest_files([path], "t", progress=False)
    assert rows("t", "users", ["user_id", "username", "protected"]) == {
        (TORTUE, "dr_tortue", False),
        (IDEL, "idel_lyon", True),
    }
    assert load_dataset("t").follows.empty


def users_page() -> dict:
    """GET followers/list (or friends/list, lists/members): a cursored page of users."""
    return {
        "users": [user(TORTUE, "dr_tortue"), user(IDEL, "idel_lyon")],
        "next_cursor": 1489467234237774933,
        "next_cursor_str": "1489467234237774933",
        "previous_cursor": 0,
        "previous_cursor_str": "0",
        "total_count": None,
    }


def follow_edges(dataset: str) -> set[tuple[int, int]]:
    return rows(dataset, "follows", ["follower_id", "followed_id"])


@pytest.mark.parametrize("layout", ["pretty", "lines"])
def test_a_followers_list_page_makes_edges_when_its_owner_is_known(tmp_data, layout):
    named = write_body(tmp_data / f"followers_{OWNER}.json", users_page(), layout)
    ingest_files([named], "named", progress=False)
    assert follow_edges("named") == {(TORTUE, OWNER), (IDEL, OWNER)}
    other = write_body(tmp_data / "friends_page_1.json", users_page(), layout)
    ingest_files([other], "given", progress=False, owner=OWNER, relation="following")
    assert follow_edges("given") == {(OWNER, TORTUE), (OWNER, IDEL)}
    report = ingest_files([other], "neither", progress=False)  # the users, no edge, no complaint
    assert report.bad_lines == 0 and follow_edges("neither") == set()
    assert rows("neither", "users", ["user_id"]) == {(TORTUE,), (IDEL,)}


def ids_page(*ids: int) -> dict:
    """GET followers/ids or friends/ids: a cursored page of ids."""
    return {
        "ids": list(ids),
        "next_cursor": 0,
        "next_cursor_str": "0",
        "previous_cursor": 0,
        "previous_cursor_str": "0",
        "total_count": None,
    }


def test_an_id_page_takes_its_owner_from_the_file_name(tmp_data):
    path = write_body(tmp_data / f"friends_{OWNER}.json", ids_page(TORTUE, IDEL), "pretty")
    report = ingest_files([path], "t", progress=False)
    assert report.files[0].format == "v1.1-json"
    assert follow_edges("t") == {(OWNER, TORTUE), (OWNER, IDEL)}


def test_an_id_page_takes_its_owner_from_owner_and_relation(tmp_data, capsys):
    path = write_body(tmp_data / "ids_page_1.json", ids_page(TORTUE, IDEL), "pretty")
    lines = write_body(tmp_data / "ids.jsonl", ids_page(PHARMA), "lines")
    assert (
        main(
            [
                "ingest",
                str(path),
                str(lines),
                "--dataset",
                "t",
                "--quiet",
                "--owner",
                str(OWNER),
                "--relation",
                "followers",
            ]
        )
        == 0
    )
    assert follow_edges("t") == {(TORTUE, OWNER), (IDEL, OWNER), (PHARMA, OWNER)}
    out = capsys.readouterr()
    assert "ids_page_1.json: read as v1.1-json (1 pages)" in out.out and "warning" not in out.err
    sources = {Path(s["path"]).name: s for s in load_dataset("t").meta["sources"]}
    assert sources["ids_page_1.json"]["owner"] == str(OWNER)  # what a purge reads
    assert sources["ids_page_1.json"]["relation"] == "followers"


def test_an_id_page_without_an_owner_is_one_line_naming_the_fix_and_exit_1(tmp_data, capsys):
    path = write_body(tmp_data / "ids_page_1.json", ids_page(TORTUE, IDEL), "pretty")
    lines = write_body(tmp_data / "ids.jsonl", ids_page(PHARMA), "lines")  # two pages
    assert main(["ingest", str(path), str(lines), "--dataset", "t", "--quiet"]) == 1
    warnings = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning: ")]
    assert warnings[:2] == [
        f"warning: {path}:1: an id page: {formats_v1.NO_OWNER}",
        f"warning: {lines}:1: 2 id pages: {formats_v1.NO_OWNER}",
    ]
    assert "--owner ID --relation followers|following" in formats_v1.NO_OWNER
    assert "followers_<user id>.json" in formats_v1.NO_OWNER
    quarantine = (tmp_data / "processed" / "t" / "quarantine.jsonl").read_text().splitlines()
    entries = [json.loads(x) for x in quarantine]
    assert [(e["line"], e["ids"]) for e in entries] == [(1, sorted([TORTUE, IDEL])), (1, [PHARMA])]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["--owner", "12"],
            "--owner needs --relation: give both, e.g. --owner 12 --relation followers.",
        ),
        (
            ["--relation", "followers"],
            "--relation needs --owner: give both, e.g. --owner 12 --relation followers.",
        ),
        (
            ["--owner", "dr_tortue", "--relation", "followers"],
            "--owner 'dr_tortue' is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1); give the "
            "account's numeric id.",
        ),
    ],
)
def test_bad_owner_options_are_one_line_and_exit_2(tmp_data, capsys, args, problem):
    path = write_body(tmp_data / "ids.json", ids_page(TORTUE), "pretty")
    assert main(["ingest", str(path), "--dataset", "t", *args]) == 2
    assert capsys.readouterr().err.splitlines() == [f"medtwitter: error: {problem}"]
    assert not (tmp_data / "processed" / "t").exists()


def test_a_relation_other_than_followers_or_following_is_refused(tmp_data, capsys):
    path = write_body(tmp_data / "ids.json", ids_page(TORTUE), "pretty")
    assert (
        main(["ingest", str(path), "--dataset", "t", "--owner", "12", "--relation", "friends"]) == 2
    )
    assert "invalid choice: 'friends'" in capsys.readouterr().err.splitlines()[-1]


def test_follow_owner_refuses_a_relation_it_does_not_know():
    with pytest.raises(UsageError, match="--relation 'friends' is not followers or following"):
        formats_v1.follow_owner(12, "friends")


def test_a_truncated_body_is_one_line_and_the_folder_is_still_read(tmp_data, capsys):
    folder = tmp_data / "raw"
    folder.mkdir()
    good = write_body(folder / "user_timeline.json", timeline(), "pretty")
    whole = orjson.dumps(timeline()[:2], option=orjson.OPT_INDENT_2)
    cut = folder / "home_timeline.json"
    cut.write_bytes(whole[: len(whole) // 2])  # the download stopped half-way
    (folder / "notes.json").write_text('{"note": "not a body"}')  # not read from a folder
    assert main(["ingest", str(folder), "--dataset", "t", "--quiet"]) == 0
    out = capsys.readouterr()
    problems = [x for x in out.err.splitlines() if str(cut) in x]
    last_line = whole[: len(whole) // 2].count(b"\n") + 1
    assert problems == [
        f"warning: {cut}:1: truncated JSON body (the file ends at line {last_line} "
        "inside it): the download or copy stopped early; collect it again or "
        "restore the whole file"
    ]
    assert f"{good}: read as v1.1-json (3 pages)" in out.out and "notes.json" not in out.out
    assert {T1, T3, T5} <= set(load_dataset("t").tweets.tweet_id)


def test_a_bad_record_is_set_aside_with_its_line_and_the_others_kept(tmp_data):
    body = timeline()
    body[1] = {**body[1], "id": float(T3)}  # a tool rounded this id through floating point
    path = write_body(tmp_data / "timeline.json", body, "pretty")
    raw = path.read_bytes()
    report = ingest_files([path], "t", progress=False)
    [problem] = report.files[0].problems
    second_item = formats_v1.item_lines(raw, orjson.loads(raw))[1]
    assert raw.splitlines()[second_item - 1].strip() == b"{"
    assert problem.startswith(
        f"{path}:{second_item}: item 2 of the array: `id` 1.2345678901234568e+18 "
        f"and `id_str` '{T3}' disagree"
    )
    assert set(load_dataset("t").tweets.tweet_id) == {T1, T4, T5}


def test_item_lines_follow_any_indentation_or_give_up():
    raw = b'{"search_metadata": {"count": 2},\n "statuses": [\n    {"id_str": "5"},\n    {"id_str": "6"}\n]}'
    assert formats_v1.item_lines(raw, orjson.loads(raw)) == [3, 4]
    raw = b'[{"id_str": "5",\n  "text": "a"},\n {"id_str": "6", "text": "b"}]'  # no clear layout
    assert formats_v1.item_lines(raw, orjson.loads(raw)) is None
    assert formats_v1.item_lines(
        b'[{"id_str": "5"}, {"id_str": "6"}]', [{"id_str": "5"}, {"id_str": "6"}]
    ) == [1, 1]


def test_a_large_body_is_told_from_its_first_bytes_only(tmp_data, monkeypatch):
    many = timeline() * 200  # about 1 MB pretty-printed
    pretty = write_body(tmp_data / "big.json", many, "pretty")
    one_line = write_body(tmp_data / "big_line.json", many, "line")
    assert pretty.stat().st_size > 2 * formats_v1.HEAD_BYTES
    read: list[int] = []
    open_raw = rawfile.open_raw

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, n=-1):
            data = self.fh.read(n)
            read.append(len(data))
            return data

    monkeypatch.setattr(rawfile, "open_raw", lambda path: Counting(open_raw(path)))
    assert formats.detect_format(pretty) == "v1.1-json"
    assert formats.detect_format(one_line) == "v1.1-bodies"
    assert sum(read) <= 2 * (formats_v1.HEAD_BYTES + 1)  # two files, their heads only


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('[\n  {\n    "id": 1,\n    "text": "a v2 tweet"\n  }\n]\n', "x-api-v2-pages"),
        ('{\n  "data": [],\n  "meta": {}\n}\n', "x-api-v2-pages"),
        (
            '{"id_str": "1", "te\n{"id_str": "2", "text": "b", "user": {"id_str": "3"}}\n',
            "v1.1-tweets",
        ),
        ('{\n  "screen_name": "dr_tortue",\n  "id_str": "12"\n}\n', "v1.1-json"),
        ('{\n  "ids": [\n    1\n  ],\n  "next_cursor": 0\n}\n', "v1.1-json"),
        ('[{"screen_name": "dr_tortue", "id_str": "12"}]\n', "v1.1-bodies"),
        ('{"statuses": [], "search_metadata": {}}\n', "v1.1-bodies"),
        ('{"users": [], "next_cursor": 0}\n', "v1.1-bodies"),
    ],
)
def test_each_shape_is_told_from_its_start(tmp_path, text, fmt):
    path = tmp_path / "f.json"
    path.write_text(text)
    assert formats.detect_format(path) == fmt


def test_empty_bodies_are_skipped_not_set_aside(tmp_data):
    last = write_body(tmp_data / f"followers_{OWNER}.json", {**users_page(), "users": []}, "pretty")
    good = write_body(tmp_data / "show.json", timeline()[0], "pretty")
    report = ingest_files([last, good], "t", progress=False)
    assert report.bad_lines == 0 and report.files[0].skipped_pages == 1


def test_a_file_name_and_options_that_disagree_give_no_owner_and_one_line(tmp_data):
    named = write_body(tmp_data / "followers_13.json", ids_page(TORTUE), "pretty")
    unnamed = write_body(tmp_data / "ids_page_1.json", ids_page(IDEL), "pretty")
    report = ingest_files([named, unnamed], "t", progress=False, owner=OWNER, relation="followers")
    assert report.files[0].problems == [
        f"{named}:1: an id page: its name says the followers of 13, --owner/--relation say the "
        f"followers of {OWNER}: ingest it in a run of its own, or rename it"
    ]
    assert follow_edges("t") == {(IDEL, OWNER)}  # no edge of a guessed owner


def test_a_gzipped_body_in_a_folder_is_read_and_other_json_files_left_alone(tmp_data):
    folder = tmp_data / "raw"
    folder.mkdir()
    body = orjson.dumps(
        {"statuses": timeline(), "search_metadata": {"count": 3}}, option=orjson.OPT_INDENT_2
    )
    (folder / "search.json.gz").write_bytes(gzip.compress(body, mtime=0))
    (folder / "tweets.jsonl.state.json").write_text('{"status": "complete", "output": "x"}')
    report = ingest_files([folder], "t", progress=False)
    assert [(Path(f.path).name, f.format, f.pages) for f in report.files] == [
        ("search.json.gz", "v1.1-json", 3)
    ]
    assert {T1, T2, T3, T4, T5} == set(load_dataset("t").tweets.tweet_id)
