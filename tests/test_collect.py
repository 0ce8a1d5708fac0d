"""Collection through the real tweepy code, against recorded X API v2 exchanges (`responses`)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import responses
from responses import matchers

from analysis import collect
from analysis.cli import main
from analysis.collect import Collector, account_job, search_job, users_job
from analysis.errors import UsageError
from analysis.ingest import ingest_files
from analysis.query import build_query
from analysis.tables import load_dataset
from tests import xapi

NOW = 1_700_000_000.0


def pages_of(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def collector(sleeps) -> Collector:
    client = collect.make_client(xapi.FAKE_TOKEN)
    return Collector(client, sleep=sleeps.append, clock=lambda: NOW, progress=False, seed=1)


def add_search_pages(rsps, n_pages: int = 3, per_page: int = 10, url: str = xapi.SEARCH_RECENT):
    for k in range(n_pages):
        token = f"tok{k + 1}" if k < n_pages - 1 else None
        params = {"next_token": f"tok{k}"} if k else {}
        rsps.get(
            url,
            body=xapi.body(xapi.search_page(1000 + k * per_page, per_page, token)),
            headers=xapi.rate_headers(449 - k),
            match=[matchers.query_param_matcher(params, strict_match=False)],
        )


@responses.activate
def test_search_follows_next_token_and_keeps_pages_as_returned(collector, tmp_path):
    add_search_pages(responses, 3)
    result = collector.run(search_job("#docstoctoc lang:fr"), tmp_path)
    pages = pages_of(result.path)
    assert len(pages) == 3 and result.complete
    assert [p["meta"].get("next_token") for p in pages] == ["tok1", "tok2", None]
    assert [p["__medtwitter"].get("params", {}).get("next_token") for p in pages] == [
        None,
        "tok1",
        "tok2",
    ]
    meta = pages[0]["__medtwitter"]
    assert meta["endpoint"] == "search_recent" and meta["params"]["query"] == "#docstoctoc lang:fr"
    assert {"collected_at", "tool_version"} <= set(meta)
    # the page is the API's body, untouched, plus the provenance block
    expected = xapi.search_page(1000, 10, "tok1")
    assert {k: v for k, v in pages[0].items() if k != "__medtwitter"} == expected
    # expansions and fields were asked for
    sent = responses.calls[0].request
    assert "referenced_tweets.id.author_id" in sent.params["expansions"]
    assert "conversation_id" in sent.params["tweet.fields"]
    assert "public_metrics" in sent.params["user.fields"]
    assert result.coverage["items"]["tweets"] == 30
    assert result.coverage["pages"] == 3 and result.coverage["requests"] == 3


@responses.activate
def test_collected_search_pages_ingest_with_includes(collector, tmp_path, tmp_data):
    add_search_pages(responses, 2)
    result = collector.run(search_job("#docstoctoc"), tmp_path)
    ingest_files([result.path], "collected", progress=False)
    tables = load_dataset("collected")
    tweets = tables.tweets.set_index("tweet_id")
    assert len(tweets) == 21  # 20 collected replies + the original seen only in includes
    assert not tweets.loc[5000, "collected"] and tweets["collected"].sum() == 20
    assert (tweets.loc[tweets["collected"], "reply_to_tweet_id"] == 5000).all()
    assert {"dr_tortue", "idel_lyon"} <= set(tables.users["username"])
    assert "🩺" in tweets.loc[1000, "text"]


@responses.activate
def test_rate_limit_waits_until_reset_then_carries_on(collector, sleeps, tmp_path):
    reset = int(NOW) + 30
    responses.get(
        xapi.SEARCH_RECENT,
        status=429,
        body=xapi.body(xapi.TOO_MANY),
        headers=xapi.rate_headers(0, reset),
    )
    add_search_pages(responses, 2)
    result = collector.run(search_job("#docstoctoc"), tmp_path)
    assert sum(sleeps) == 31  # until x-rate-limit-reset, plus a second
    assert len(pages_of(result.path)) == 2 and result.complete
    assert result.coverage["rate_limit_waits"] == 1 and result.coverage["requests"] == 3


@responses.activate
def test_rate_limit_without_waiting_stops_resumably(sleeps, tmp_path):
    client = collect.make_client(xapi.FAKE_TOKEN)
    impatient = Collector(
        client, wait_on_rate_limit=False, sleep=sleeps.append, clock=lambda: NOW, progress=False
    )
    responses.get(
        xapi.SEARCH_RECENT,
        body=xapi.body(xapi.search_page(1000, 10, "tok1")),
        match=[matchers.query_param_matcher({"max_results": "100"}, strict_match=False)],
    )
    responses.get(
        xapi.SEARCH_RECENT,
        status=429,
        body=xapi.body(xapi.TOO_MANY),
        headers=xapi.rate_headers(0, int(NOW) + 600),
    )
    job = search_job("#docstoctoc")
    with pytest.raises(collect.StoppedEarly, match="rerun the same command"):
        impatient.run(job, tmp_path)
    [path] = tmp_path.glob("*.jsonl")
    state = collect.read_state(path)
    assert state["status"] == "stopped" and "rate-limited" in state["coverage"]["stopped_early"]
    assert len(pages_of(path)) == 1 and sleeps == []


@responses.activate
def test_server_error_is_retried_with_bounded_backoff_and_jitter(collector, sleeps, tmp_path):
    for _ in range(2):
        responses.get(xapi.SEARCH_RECENT, status=503, body=xapi.body(xapi.SERVICE_UNAVAILABLE))
    add_search_pages(responses, 1)
    result = collector.run(search_job("#docstoctoc"), tmp_path)
    assert result.complete and len(pages_of(result.path)) == 1
    assert len(sleeps) == 2 and result.coverage["retries"] == 2
    assert 1.0 <= sleeps[0] <= 3.0 and 2.0 <= sleeps[1] <= 6.0  # 2 s then 4 s, times 0.5-1.5


@responses.activate
def test_server_errors_beyond_the_retries_stop_and_keep_what_was_written(sleeps, tmp_path):
    client = collect.make_client(xapi.FAKE_TOKEN)
    c = Collector(client, max_retries=2, sleep=sleeps.append, progress=False)
    responses.get(xapi.SEARCH_RECENT, body=xapi.body(xapi.search_page(1000, 10, "tok1")))
    for _ in range(3):
        responses.get(xapi.SEARCH_RECENT, status=503, body=xapi.body(xapi.SERVICE_UNAVAILABLE))
    with pytest.raises(collect.StoppedEarly, match="after 2 retries"):
        c.run(search_job("#docstoctoc"), tmp_path)
    [path] = tmp_path.glob("*.jsonl")
    assert len(pages_of(path)) == 1 and len(sleeps) == 2


@responses.activate
def test_unauthorized_stops_at_once_with_one_line(collector, sleeps, tmp_path):
    responses.get(xapi.SEARCH_RECENT, status=401, body=xapi.body(xapi.UNAUTHORIZED))
    with pytest.raises(collect.TokenError) as info:
        collector.run(search_job("#docstoctoc"), tmp_path)
    message = str(info.value)
    assert "401" in message and "X_BEARER_TOKEN" in message and "\n" not in message
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_forbidden_full_archive_says_what_the_access_level_lacks(collector, tmp_path):
    responses.get(xapi.SEARCH_ALL, status=403, body=xapi.body(xapi.CLIENT_FORBIDDEN))
    with pytest.raises(collect.AccessError) as info:
        collector.run(search_job("#docstoctoc", archive=True), tmp_path)
    message = str(info.value)
    assert "full-archive search" in message and "403" in message and "\n" not in message
    assert len(responses.calls) == 1


@responses.activate
def test_errors_array_is_kept_and_counted_without_failing_the_batch(collector, tmp_path):
    page = xapi.users_page(
        [xapi.user(12, "dr_tortue"), xapi.user(13, "idel_lyon")],
        [xapi.suspended_error("compte_suspendu"), xapi.not_found_error("compte_efface")],
    )
    responses.get(xapi.USERS_BY, body=xapi.body(page))
    result = collector.run(
        users_job(["dr_tortue", "idel_lyon", "compte_suspendu", "compte_efface"]), tmp_path
    )
    [stored] = pages_of(result.path)
    assert stored["errors"] == page["errors"]
    cov = result.coverage
    assert cov["errors_in_pages"] == {"suspended": 1, "not_found": 1}
    assert cov["unavailable"] == {"suspended": ["compte_suspendu"], "not_found": ["compte_efface"]}
    assert cov["items"]["users"] == 2 and result.complete
    lines = collect.coverage_lines(result)
    assert any("suspended" in line for line in lines)


@responses.activate
def test_protected_account_is_skipped_not_the_run(collector, tmp_path):
    responses.get(
        xapi.followers_url(300), status=403, body=xapi.body(xapi.NOT_AUTHORIZED_FOR_RESOURCE)
    )
    responses.get(xapi.followers_url(301), body=xapi.body(xapi.follow_page([1, 2, 3])))
    result = collector.run(account_job("followers", ["300", "301"]), tmp_path)
    [page] = pages_of(result.path)
    assert page["__medtwitter"]["params"]["user_id"] == "301"
    assert result.coverage["unavailable"] == {"protected": ["300"]}
    assert result.complete


@responses.activate
def test_followers_pages_carry_user_id_and_paginate_by_1000(collector, tmp_path, tmp_data):
    responses.get(
        xapi.USERS_BY, body=xapi.body(xapi.users_page([xapi.user(300, "ordre_medecins")]))
    )
    responses.get(
        xapi.followers_url(300),
        body=xapi.body(xapi.follow_page([1, 2], "p2")),
        match=[matchers.query_param_matcher({"max_results": "1000"}, strict_match=False)],
    )
    responses.get(
        xapi.followers_url(300),
        body=xapi.body(xapi.follow_page([3])),
        match=[matchers.query_param_matcher({"pagination_token": "p2"}, strict_match=False)],
    )
    result = collector.run(account_job("followers", ["@ordre_medecins"]), tmp_path)
    pages = pages_of(result.path)
    assert [p["__medtwitter"]["params"]["user_id"] for p in pages] == ["300", "300"]
    assert result.coverage["items"]["edges"] == 3
    ingest_files([result.path], "f", progress=False)
    follows = load_dataset("f").follows
    assert sorted(follows["follower_id"]) == [1, 2, 3] and set(follows["followed_id"]) == {300}


@responses.activate
def test_repeated_followers_run_is_a_new_dated_snapshot(collector, tmp_path):
    responses.get(xapi.followers_url(300), body=xapi.body(xapi.follow_page([1, 2])))
    first = collector.run(account_job("followers", ["300"]), tmp_path)
    second = collector.run(account_job("followers", ["300"]), tmp_path)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert len(pages_of(first.path)) == 1 and len(pages_of(second.path)) == 1
    assert second.path.name.startswith("followers-300-")


@responses.activate
def test_max_tweets_cut_is_reported_in_the_coverage(collector, tmp_path):
    add_search_pages(responses, 3, per_page=10)
    result = collector.run(search_job("#docstoctoc", max_tweets=15), tmp_path)
    assert len(pages_of(result.path)) == 2
    assert responses.calls[1].request.params["max_results"] == "10"  # never below the API's 10
    assert result.coverage["cut_by_max_tweets"] == [{"unit": "#docstoctoc", "collected": 20}]
    assert any("--max-tweets" in line for line in collect.coverage_lines(result))


@responses.activate
def test_counts_pages_record_the_volume(collector, tmp_path):
    counts = {
        "data": [
            {
                "end": "2024-05-02T00:00:00.000Z",
                "start": "2024-05-01T00:00:00.000Z",
                "tweet_count": 42,
            }
        ],
        "meta": {"total_tweet_count": 42},
    }
    responses.get(
        xapi.COUNTS_RECENT,
        body=xapi.body(counts),
        match=[matchers.query_param_matcher({"granularity": "day"}, strict_match=False)],
    )
    result = collector.run(collect.counts_job("#docstoctoc"), tmp_path)
    [page] = pages_of(result.path)
    assert page["__medtwitter"]["endpoint"] == "counts_recent" and page["data"] == counts["data"]
    assert result.coverage["items"]["count_buckets"] == 1


KILLER = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path
    import responses
    from analysis import collect
    pages, out_dir, kill_at = json.loads(Path(sys.argv[1]).read_text()), sys.argv[2], int(sys.argv[3])
    calls = []
    def reply(request):
        calls.append(request)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return 200, {}, json.dumps(pages[len(calls) - 1])
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, "https://api.twitter.com/2/tweets/search/recent",
                          callback=reply)
        c = collect.Collector(collect.make_client("t"), progress=False)
        c.run(collect.search_job("#docstoctoc"), out_dir)
    """
)


def _kill_during_run(tmp_path: Path, pages: list[dict], kill_at: int) -> Path:
    spec = tmp_path / "pages.json"
    spec.write_text(json.dumps(pages))
    out = tmp_path / "raw"
    run = subprocess.run(
        [sys.executable, "-c", KILLER, str(spec), str(out), str(kill_at)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert run.returncode == -9, run.stderr
    [path] = out.glob("*.jsonl")
    return path


def _resume(collector: Collector, path: Path, pages: list[dict], first: int) -> None:
    with responses.RequestsMock() as rsps:
        for k in range(first, len(pages)):
            rsps.get(
                xapi.SEARCH_RECENT,
                body=xapi.body(pages[k]),
                match=[matchers.query_param_matcher({"next_token": f"tok{k}"}, strict_match=False)],
            )
        result = collector.run(search_job("#docstoctoc"), path.parent)
        assert result.path == path and result.resumed and result.complete
        assert len(rsps.calls) == len(pages) - first


def _search_pages(n: int) -> list[dict]:
    return [
        xapi.search_page(1000 + 10 * k, 10, f"tok{k + 1}" if k < n - 1 else None) for k in range(n)
    ]


def test_resume_after_kill_loses_no_page_and_repeats_none(collector, tmp_path):
    pages = _search_pages(5)
    path = _kill_during_run(tmp_path, pages, kill_at=3)  # killed -9 while fetching page 3
    assert len(pages_of(path)) == 2
    _resume(collector, path, pages, first=2)
    stored = pages_of(path)
    assert [p["meta"]["oldest_id"] for p in stored] == [p["meta"]["oldest_id"] for p in pages]
    assert collect.read_state(path)["coverage"]["sessions"] == 2


def test_half_written_last_line_is_dropped_on_resume(collector, tmp_path):
    pages = _search_pages(4)
    path = _kill_during_run(tmp_path, pages, kill_at=3)
    with open(path, "ab") as fh:  # a page cut short by the kill
        fh.write(orjson.dumps(pages[2])[:57])
    _resume(collector, path, pages, first=2)
    stored = pages_of(path)
    assert len(stored) == 4 and [p["meta"]["result_count"] for p in stored] == [10] * 4
    assert collect.read_state(path)["coverage"]["half_written_lines_dropped"] == 1


def test_page_written_but_state_not_updated_is_not_fetched_again(collector, tmp_path):
    pages = _search_pages(4)
    path = _kill_during_run(tmp_path, pages, kill_at=3)
    state_file = path.with_name(path.name + ".state.json")
    old_state = state_file.read_bytes()
    with open(path, "ab") as fh:  # page 3 reached the disk, its state update did not
        page = dict(pages[2], __medtwitter={"endpoint": "search_recent", "unit": 0, "params": {}})
        fh.write(orjson.dumps(page) + b"\n")
    state_file.write_bytes(old_state)
    _resume(collector, path, pages, first=3)
    assert len(pages_of(path)) == 4


def test_query_helper_builds_the_french_community_query():
    query = build_query(["docstoctoc", "sante", "esante"], languages=["fr"])
    assert query == "(#docstoctoc OR #sante OR #esante) lang:fr -is:retweet"
    with pytest.raises(UsageError, match="512"):
        build_query([f"tag{i}" for i in range(100)])
    assert len(build_query([f"tag{i}" for i in range(60)], archive=True)) <= 1024


def test_token_is_read_from_env_then_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# secrets\nexport TWITTER_BEARER_TOKEN='from-dotenv'\n")
    assert collect.load_token({}, dotenv=dotenv) == "from-dotenv"
    assert collect.load_token({"X_BEARER_TOKEN": "env"}, dotenv=dotenv) == "env"
    with pytest.raises(collect.TokenError, match="X_BEARER_TOKEN"):
        collect.load_token({}, dotenv=tmp_path / "none")


@responses.activate
def test_token_never_printed_logged_or_written(tmp_path, monkeypatch, capsys, caplog):
    monkeypatch.setenv("X_BEARER_TOKEN", xapi.FAKE_TOKEN)
    monkeypatch.setattr(time, "sleep", lambda s: None)
    caplog.set_level(logging.DEBUG)  # tweepy logs request headers at DEBUG
    responses.get(xapi.SEARCH_RECENT, status=503, body=xapi.body(xapi.SERVICE_UNAVAILABLE))
    add_search_pages(responses, 2)
    responses.get(xapi.USERS_BY, body=xapi.body(xapi.users_page([xapi.user(12, "dr_tortue")])))
    responses.get(xapi.followers_url(12), status=401, body=xapi.body(xapi.UNAUTHORIZED))
    root = tmp_path / "data"
    assert (
        main(
            [
                "--data-dir",
                str(root),
                "collect",
                "search",
                "#docstoctoc",
                "--dataset",
                "t",
                "--quiet",
            ]
        )
        == 0
    )
    first = capsys.readouterr()
    assert (
        main(
            [
                "--data-dir",
                str(root),
                "collect",
                "followers",
                "dr_tortue",
                "--dataset",
                "t",
                "--quiet",
            ]
        )
        == 1
    )
    refused = capsys.readouterr()
    assert "401" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert (
        main(
            [
                "--data-dir",
                str(root),
                "ingest",
                str(root / "raw" / "t"),
                "--dataset",
                "t",
                "--quiet",
            ]
        )
        == 0
    )
    # the token was sent ...
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {xapi.FAKE_TOKEN}"
    # ... and is nowhere else
    out = capsys.readouterr()
    for text in (first.out, first.err, refused.out, refused.err, out.out, out.err):
        assert xapi.FAKE_TOKEN not in text
    assert xapi.FAKE_TOKEN not in caplog.text
    assert "Bearer <redacted>" in caplog.text  # tweepy's debug log of the headers, redacted
    written = [p for p in root.rglob("*") if p.is_file()]
    assert len(written) >= 5
    for p in written:
        assert xapi.FAKE_TOKEN.encode() not in p.read_bytes(), p


#: Tokens no command may send: a line break, a carriage return, another control character,
#: a non-ASCII character, a space, each inside an otherwise plausible token (NUL cannot be
#: in an environment variable: it is tested from a .env file below).
BAD_TOKENS = {
    "newline": "AAAAsecretpartone\nsecretparttwo",
    "carriage-return": "AAAAsecretpartone\rsecretparttwo",
    "escape": "AAAAsecretpartone\x1b[0msecretparttwo",
    "delete": "AAAAsecretpartone\x7fsecretparttwo",
    "non-ascii": "AAAAsecretpartoné\u2028secretparttwo",
    "space": "AAAAsecretpartone secretparttwo",
}


@responses.activate
@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
@pytest.mark.parametrize("variable", collect.TOKEN_VARIABLES)
def test_a_token_holding_control_characters_is_refused_before_any_request(
    token, variable, tmp_path, monkeypatch, capsys
):
    for name in collect.TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, token)
    monkeypatch.chdir(tmp_path)  # no .env here
    argv = [
        "--data-dir",
        str(tmp_path / "data"),
        "collect",
        "search",
        "#docstoctoc",
        "--dataset",
        "t",
        "--quiet",
    ]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert len(responses.calls) == 0  # refused before any request
    assert out == "" and len(err.strip().splitlines()) == 1
    assert f"{variable} (environment) holds" in err and "set it again" in err
    for secret in ("secretpartone", "secretparttwo", token):
        assert secret not in out + err
    assert not (tmp_path / "data" / "raw" / "t").exists() or not any(
        (tmp_path / "data" / "raw" / "t").iterdir()
    )


@responses.activate
def test_a_bad_token_in_a_dotenv_file_is_named_with_the_file(tmp_path, monkeypatch, capsys):
    for name in collect.TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text('X_BEARER_TOKEN="AAAAsecretpartone\x00secretparttwo"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "--data-dir",
                str(tmp_path / "data"),
                "collect",
                "users",
                "dr_tortue",
                "--dataset",
                "t",
                "--quiet",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert len(responses.calls) == 0
    assert f"X_BEARER_TOKEN ({dotenv}) holds a control character" in err
    assert "secretpart" not in err
    # the notebook helper says the same, without collecting
    has_token, status = collect.token_status()
    assert not has_token and "X_BEARER_TOKEN" in status and "secretpart" not in status


def test_a_token_given_to_make_client_is_checked_and_spaces_around_are_trimmed(monkeypatch):
    with pytest.raises(collect.TokenFormatError, match="the bearer token given holds a line"):
        collect.make_client("AAAA\nBBBB")
    monkeypatch.setenv("X_BEARER_TOKEN", f"  {xapi.FAKE_TOKEN}\r\n")  # a copied line: kept
    assert collect.load_token() == xapi.FAKE_TOKEN


@responses.activate
def test_config_runs_queries_lookup_and_two_hops_then_resumes(collector, tmp_path, tmp_data):
    config = tmp_path / "collection.toml"
    config.write_text(
        textwrap.dedent("""
        dataset = "fr_med"
        [search]
        since = "2024-05-01"
        max_tweets = 100
        [[search.queries]]
        hashtags = ["docstoctoc"]
        languages = ["fr"]
        [accounts]
        seeds = ["300"]
        follows = "followers"
        hops = 2
        max_accounts_per_hop = 2
    """)
    )
    add_search_pages(responses, 1)
    responses.get(xapi.USERS, body=xapi.body(xapi.users_page([xapi.user(300, "ordre_medecins")])))
    responses.get(xapi.followers_url(300), body=xapi.body(xapi.follow_page([1, 2, 3])))
    responses.get(xapi.followers_url(1), body=xapi.body(xapi.follow_page([2, 9])))
    responses.get(xapi.followers_url(2), status=503, body=xapi.body(xapi.SERVICE_UNAVAILABLE))
    collector.max_retries = 0
    with pytest.raises(collect.StoppedEarly):
        collect.run_config(config, collector)
    raw = tmp_data / "raw" / "fr_med"
    assert len(list(raw.glob("search_recent-*.jsonl"))) == 1
    # rerun: finished jobs are skipped, the stopped hop-2 job resumes
    responses.get(xapi.followers_url(2), body=xapi.body(xapi.follow_page([1])))
    before = len(responses.calls)
    results = collect.run_config(config, collector)
    new_calls = [c.request.url for c in responses.calls[before:]]
    assert len(new_calls) == 1 and "/users/2/followers" in new_calls[0]
    assert [r.state["endpoint"] for r in results] == [
        "search_recent",
        "users",
        "followers",
        "followers",
    ]
    assert all(r.complete for r in results)
    assert results[0].state["job"][0]["query"] == "#docstoctoc lang:fr -is:retweet"
    assert results[0].state["job"][0]["start_time"] == "2024-05-01T00:00:00Z"
    ingest_files([raw], "fr_med", progress=False)
    follows = load_dataset("fr_med").follows
    assert len(follows) == 6  # 3 into 300, 2 into 1, 1 into 2


def test_collect_without_subcommand_or_dataset_is_one_line(capsys):
    assert main(["collect"]) == 2
    assert "collect subcommand or --config" in capsys.readouterr().err
    assert main(["collect", "search", "#docstoctoc"]) == 2
    assert "--dataset" in capsys.readouterr().err


def test_collect_help_documents_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["collect", "--help"])
    out = capsys.readouterr().out
    for sub in ("search", "counts", "users", "followers", "following", "timeline", "--config"):
        assert sub in out


def test_readme_config_example_is_a_valid_collection(tmp_path):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config_file = tmp_path / "collection.toml"
    config_file.write_text(block, encoding="utf-8")
    config = collect.load_config(config_file)
    assert collect.config_queries(config) == [
        '(#docstoctoc OR #sante OR #esante OR "médecine générale") lang:fr -is:retweet'
    ]
    plan = collect.collection_plan(config)
    assert list(plan["endpoint"]) == [
        "search_recent",
        "users",
        "timeline",
        "followers",
        "following",
        "followers",
        "following",
    ]
    assert collect.collection_plan(collect.load_config(collect.example_config_path())).shape[0] == 8


def test_bad_config_is_one_line_with_the_fix(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[accounts]\nfollows = "friends"\n')
    with pytest.raises(UsageError, match="followers, following, both or none"):
        collect.load_config(bad)
    bad.write_text("dataset = \n")
    with pytest.raises(UsageError, match="not valid TOML"):
        collect.load_config(bad)


@responses.activate
def test_connection_error_is_retried(collector, sleeps, tmp_path):
    import requests

    responses.get(xapi.SEARCH_RECENT, body=requests.ConnectionError("connection reset"))
    add_search_pages(responses, 1)
    result = collector.run(search_job("#docstoctoc"), tmp_path)
    assert result.complete and result.coverage["retries"] == 1 and len(sleeps) == 1


@responses.activate
def test_ctrl_c_keeps_pages_and_the_same_command_resumes(collector, tmp_path):
    pages = _search_pages(3)
    responses.get(xapi.SEARCH_RECENT, body=xapi.body(pages[0]))

    def ctrl_c(request):
        raise KeyboardInterrupt

    responses.add_callback(responses.GET, xapi.SEARCH_RECENT, callback=ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        collector.run(search_job("#docstoctoc"), tmp_path)
    [path] = tmp_path.glob("*.jsonl")
    state = collect.read_state(path)
    assert state["status"] == "stopped" and state["coverage"]["stopped_early"] == "interrupted"
    responses.reset()
    _resume(collector, path, pages, first=1)
    assert [p["meta"]["oldest_id"] for p in pages_of(path)] == ["1000", "1010", "1020"]


@responses.activate
def test_timeline_of_accounts_from_a_file_with_max_tweets_per_account(collector, tmp_path):
    accounts = tmp_path / "seeds.txt"
    accounts.write_text("username\n# institutions\n@ordre_medecins\n301\n")
    responses.get(
        xapi.USERS_BY, body=xapi.body(xapi.users_page([xapi.user(300, "ordre_medecins")]))
    )
    for uid in (300, 301):
        responses.get(xapi.timeline_url(uid), body=xapi.body(xapi.search_page(uid * 10, 5, "more")))
    job = account_job("timeline", [], [accounts], max_tweets=5)
    result = collector.run(job, tmp_path / "raw")
    pages = pages_of(result.path)
    assert [p["__medtwitter"]["params"]["user_id"] for p in pages] == ["300", "301"]
    assert all(p["__medtwitter"]["endpoint"] == "timeline" for p in pages)
    assert [c["collected"] for c in result.coverage["cut_by_max_tweets"]] == [5, 5]
    assert responses.calls[1].request.params["max_results"] == "5"


@responses.activate
def test_rate_limit_countdown_is_visible(sleeps, tmp_path, capsys):
    client = collect.make_client(xapi.FAKE_TOKEN)
    shown = Collector(client, sleep=sleeps.append, clock=lambda: NOW, progress=True)
    responses.get(
        xapi.SEARCH_RECENT,
        status=429,
        body=xapi.body(xapi.TOO_MANY),
        headers=xapi.rate_headers(0, int(NOW) + 5),
    )
    add_search_pages(responses, 1)
    shown.run(search_job("#docstoctoc"), tmp_path)
    err = capsys.readouterr().err
    assert "rate limit reached: waiting 6 s" in err and "rate limit: waiting" in err
    assert sleeps == [1] * 6


@responses.activate
def test_until_today_sends_no_end_time_in_the_future(collector, tmp_path):
    add_search_pages(responses, 1)
    today = datetime.fromtimestamp(NOW, UTC).date().isoformat()
    collector.run(search_job("#docstoctoc", since="2023-11-10", until=today), tmp_path)
    sent = responses.calls[0].request.params
    assert sent["start_time"] == "2023-11-10T00:00:00Z" and "end_time" not in sent


@responses.activate
def test_full_archive_search_keeps_one_request_a_second(sleeps, tmp_path):
    now = [NOW]
    client = collect.make_client(xapi.FAKE_TOKEN)
    c = Collector(client, sleep=sleeps.append, clock=lambda: now[0], progress=False)
    add_search_pages(responses, 3, url=xapi.SEARCH_ALL)
    result = c.run(search_job("#docstoctoc", archive=True), tmp_path)
    assert result.complete and sleeps == [1.0, 1.0]  # the clock stood still between requests


def test_notebook_never_shows_the_token(data_root, monkeypatch):
    from analysis.report import run_notebook
    from analysis.settings import notebooks_dir

    monkeypatch.setenv("X_BEARER_TOKEN", xapi.FAKE_TOKEN)  # inherited by the kernel
    nb, error = run_notebook(
        notebooks_dir() / "01_collect.ipynb", {"dataset": "demo", "data_dir": str(data_root)}
    )
    assert error == ""
    text = json.dumps(nb, ensure_ascii=False)
    assert xapi.FAKE_TOKEN not in text
    assert "A bearer token is set (not shown): nothing is collected (collect_now = False)" in text
