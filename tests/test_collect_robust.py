"""A collector that never hangs: timeouts, bodies that are not JSON, odd rate-limit resets,
a repeated pagination token, and a coverage summary that counts what the file holds.

Exchanges are written from the documented X API v2 formats (`tests/xapi.py`) and replayed with
`responses`; the hang is a real local server that accepts connections and never answers.
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
import requests
import responses
import tweepy
from responses import matchers

from analysis import collect
from analysis.cli import main
from analysis.collect import Collector, api, search_job
from analysis.collect import collector as collector_module
from tests import xapi

NOW = 1_700_000_000.0
QUERY = "#docstoctoc"


def pages_of(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def search_pages(n: int, per_page: int = 10) -> list[dict]:
    """n search pages chained by next_token tok1, tok2, ... (the last has none)."""
    return [
        xapi.search_page(1000 + per_page * k, per_page, f"tok{k + 1}" if k < n - 1 else None)
        for k in range(n)
    ]


def add_page(rsps, page: dict, token: str | None = None, **kwargs) -> None:
    """Serve ``page`` for the request carrying ``next_token=token`` (``None``: the first)."""
    match = (
        [matchers.query_param_matcher({"next_token": token}, strict_match=False)] if token else []
    )
    rsps.get(xapi.SEARCH_RECENT, body=xapi.body(page), match=match, **kwargs)


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every sleep the collector asks for, recorded instead of slept (the CLI's included)."""
    asked: list[float] = []
    monkeypatch.setattr(time, "sleep", asked.append)
    return asked


@pytest.fixture
def cli(tmp_data, monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``medtwitter collect ... --dataset t --quiet`` with a fake token; (status, out, err)."""
    monkeypatch.setenv("X_BEARER_TOKEN", xapi.FAKE_TOKEN)

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--data-dir", str(tmp_data), "collect", *args, "--dataset", "t", "--quiet"])
        out, err = capsys.readouterr()
        assert xapi.FAKE_TOKEN not in out + err
        return status, out, err

    return run


def raw_file(tmp_data: Path) -> Path:
    [path] = (tmp_data / "raw" / "t").glob("*.jsonl")
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("medtwitter: error: ")
    return lines[0]


# --------------------------------------------------------------------------- timeouts


@responses.activate
def test_every_request_carries_the_connect_and_read_timeouts(monkeypatch, tmp_path):
    add_page(responses, search_pages(1)[0])
    c = Collector(collect.make_client(xapi.FAKE_TOKEN), progress=False)
    c.run(search_job(QUERY), tmp_path)
    assert responses.calls[0].request.req_kwargs["timeout"] == (10, 60)
    # the module's constants are read at each request, so they can be changed at any time
    monkeypatch.setattr(api, "CONNECT_TIMEOUT", 3)
    monkeypatch.setattr(api, "READ_TIMEOUT", 7.5)
    c.run(search_job(QUERY), tmp_path)
    assert responses.calls[1].request.req_kwargs["timeout"] == (3, 7.5)


@responses.activate
def test_a_client_made_elsewhere_gets_the_timeouts_too(tmp_path):
    add_page(responses, search_pages(1)[0])
    plain = tweepy.Client(bearer_token=xapi.FAKE_TOKEN, return_type=requests.Response)
    plain.session.headers["X-Lab"] = "medtwitter"  # the session's own settings are kept
    Collector(plain, progress=False).run(search_job(QUERY), tmp_path)
    sent = responses.calls[0].request
    assert sent.req_kwargs["timeout"] == (10, 60) and sent.headers["X-Lab"] == "medtwitter"


@responses.activate
@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("ConnectTimeout", "did not answer in 10 s (connect timeout), after 1 retries"),
        ("ReadTimeout", "did not answer in 60 s, after 1 retries"),
    ],
)
def test_each_timeout_is_retried_then_named_with_its_seconds(error, said, sleeps, tmp_path):
    responses.get(xapi.SEARCH_RECENT, body=getattr(requests, error)("timed out"))
    c = Collector(collect.make_client(xapi.FAKE_TOKEN), max_retries=1, progress=False)
    with pytest.raises(collect.StoppedEarly, match=re.escape(said)):
        c.run(search_job(QUERY), tmp_path)
    assert len(responses.calls) == 2 and len(sleeps) == 1


def http_reply(page: dict) -> bytes:
    body = orjson.dumps(page)
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        "\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


#: What the local server does with the connections after the first: accept the request and
#: send nothing; send the headers and part of the body, then nothing; or cut the body short.
STALLS = {
    "no answer": b"",
    "headers then silence": b'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{"data": [',
}
CUT = b'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{"data": ['


@contextmanager
def local_api(first: bytes, then: bytes, *, close: bool = False) -> Iterator[tuple[str, list]]:
    """A real HTTP server on 127.0.0.1 (ephemeral port): ``first`` to the first connection,
    ``then`` to every later one, after which it stays silent (or closes with ``close``).

    Yields its base URL and the list of accepted connections.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)
            conn.settimeout(2)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                request += chunk
            conn.sendall(first if len(accepted) == 1 else then)
            if close or len(accepted) == 1:
                conn.shutdown(socket.SHUT_RDWR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        server.close()


def point_cli_at(monkeypatch, base_url: str) -> None:
    """Make the CLI's tweepy client send its requests to ``base_url`` instead of api.twitter.com.

    tweepy.Client has no base-URL option (its host is fixed in ``Client.request``): the URL is
    rewritten on the way into the client's session, which keeps the collector's timeouts.
    """
    make_client = collect.make_client

    def pointed(token: str | None = None):
        client = make_client(token)
        send = client.session.request

        def request(method: str, url: str, *args, **kwargs):
            return send(method, url.replace(xapi.HOST, base_url, 1), *args, **kwargs)

        client.session.request = request
        return client

    monkeypatch.setattr(collect, "make_client", pointed)


def run_bounded(target: Callable[[], object], seconds: float) -> tuple[object, float]:
    """Run ``target`` in a thread; fail (never hang) if it is not done within ``seconds``."""
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(target()), daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(seconds)
    elapsed = time.monotonic() - start
    assert not thread.is_alive(), f"still running after {seconds} s: the collector hangs"
    assert outcome, "the run raised instead of returning a status"
    return outcome[0], elapsed


@pytest.mark.parametrize("stall", STALLS.values(), ids=STALLS.keys())
def test_a_server_that_never_answers_stops_the_run_in_seconds_with_one_line(
    stall, cli, sleeps, monkeypatch, tmp_data
):
    monkeypatch.setattr(api, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(api, "READ_TIMEOUT", 0.2)
    pages = search_pages(2)
    make_client = collect.make_client
    with local_api(http_reply(pages[0]), stall) as (url, accepted):
        point_cli_at(monkeypatch, url)
        (status, out, err), elapsed = run_bounded(
            lambda: cli("search", QUERY, "--max-retries", "2"), seconds=10
        )
        connections = len(accepted)
    assert status == 1 and out == ""
    line = one_line(err)
    assert "did not answer in 0.2 s, after 2 retries" in line
    assert "check the network connection" in line and "rerun the same command" in line
    assert connections == 4  # the first page, then the request for tok1 and its 2 retries
    assert len(sleeps) == 2 and elapsed < 5  # the back-off is recorded, not slept
    path = raw_file(tmp_data)
    state = collect.read_state(path)
    assert len(pages_of(path)) == 1 and state["status"] == "stopped"
    assert state["coverage"]["stopped_early"] == "no answer in 0.2 s after 2 retries"
    # the same command, once the API answers again, continues where it stopped
    monkeypatch.setattr(collect, "make_client", make_client)
    with responses.RequestsMock() as rsps:
        add_page(rsps, pages[1], "tok1")
        status, out, _ = cli("search", QUERY)
    assert status == 0 and "2 pages" in out and "20 tweets" in out
    assert [p["meta"]["oldest_id"] for p in pages_of(path)] == ["1000", "1010"]


def test_a_connection_cut_mid_body_is_retried_like_a_server_error(cli, sleeps, monkeypatch):
    pages = search_pages(2)
    with local_api(http_reply(pages[0]), CUT, close=True) as (url, accepted):
        point_cli_at(monkeypatch, url)
        (status, _, err), elapsed = run_bounded(
            lambda: cli("search", QUERY, "--max-retries", "1"), seconds=10
        )
        connections = len(accepted)
    assert status == 1 and connections == 3 and len(sleeps) == 1 and elapsed < 5
    assert "connection error persisted after 1 retries" in one_line(err)


# --------------------------------------------------------------------------- bodies that are not JSON


#: 200 responses whose body is not a JSON object.
NOT_JSON = {
    "truncated": ('{"data": [{"id": "1000", "text": "avis sur', "JSON cut short"),
    "empty": ("", "an empty body"),
    "html": ("<!DOCTYPE html>\n<html><body><h1>Over capacity</h1></body></html>", "an HTML page"),
    "json array": ("[]", "JSON that is not an object"),
}


@responses.activate
@pytest.mark.parametrize(("body", "what"), NOT_JSON.values(), ids=NOT_JSON.keys())
def test_a_200_that_is_not_json_is_retried_like_a_server_error(body, what, sleeps, tmp_path):
    pages = search_pages(2)
    add_page(responses, pages[0])
    responses.get(
        xapi.SEARCH_RECENT,
        body=body,
        status=200,
        match=[matchers.query_param_matcher({"next_token": "tok1"}, strict_match=False)],
    )
    add_page(responses, pages[1], "tok1")
    c = Collector(collect.make_client(xapi.FAKE_TOKEN), progress=False, seed=1)
    result = c.run(search_job(QUERY), tmp_path)
    assert result.complete and result.coverage["retries"] == 1 and len(sleeps) == 1
    assert [p["meta"]["oldest_id"] for p in pages_of(result.path)] == ["1000", "1010"]


@responses.activate
@pytest.mark.parametrize(("body", "what"), NOT_JSON.values(), ids=NOT_JSON.keys())
def test_a_200_that_is_never_json_stops_with_one_line_after_the_retries(
    body, what, cli, sleeps, tmp_data
):
    pages = search_pages(2)
    add_page(responses, pages[0])
    responses.get(xapi.SEARCH_RECENT, body=body, status=200)
    status, out, err = cli("search", QUERY, "--max-retries", "2")
    assert status == 1 and out == ""
    line = one_line(err)
    assert f"the X API answered 200 with {what} instead of JSON, after 2 retries" in line
    assert "rerun the same command" in line and "Traceback" not in err
    assert len(responses.calls) == 4 and len(sleeps) == 2
    assert len(pages_of(raw_file(tmp_data))) == 1  # the page written before is kept


# --------------------------------------------------------------------------- rate-limit resets


#: x-rate-limit-reset values no collector should wait for as they are.
RESETS = {
    "year 2100": ("4102444800", "x-rate-limit-reset 4102444800 (2100-01-01 00:00 UTC)"),
    "not a number": ("abc", "x-rate-limit-reset 'abc' (not a time)"),
    "missing": (None, "no x-rate-limit-reset"),
}


def too_many(reset: str | None) -> dict:
    headers = xapi.rate_headers(0)
    if reset is None:
        del headers["x-rate-limit-reset"]
    else:
        headers["x-rate-limit-reset"] = reset
    return {"status": 429, "body": xapi.body(xapi.TOO_MANY), "headers": headers}


@responses.activate
@pytest.mark.parametrize(("reset", "said"), RESETS.values(), ids=RESETS.keys())
def test_a_rate_limit_reset_far_away_or_not_a_number_is_capped_at_the_window(
    reset, said, tmp_path, caplog
):
    waits: list[float] = []
    c = Collector(
        collect.make_client(xapi.FAKE_TOKEN), sleep=waits.append, clock=lambda: NOW, progress=False
    )
    responses.get(xapi.SEARCH_RECENT, **too_many(reset))
    add_page(responses, search_pages(1)[0])
    caplog.set_level(logging.INFO, logger="analysis.collect")
    result = c.run(search_job(QUERY), tmp_path)
    assert result.complete and waits == [900]  # the endpoint's 15-minute window
    [line] = [r.getMessage() for r in caplog.records if "rate limit" in r.getMessage()]
    assert line == (
        f"rate limit reached; the X API sent {said}: waiting the endpoint's "
        "15-minute window instead, 900 s, until 22:28:20 UTC"
    )


@responses.activate
def test_a_reset_within_the_window_is_waited_for_as_sent(tmp_path):
    waits: list[float] = []
    c = Collector(
        collect.make_client(xapi.FAKE_TOKEN), sleep=waits.append, clock=lambda: NOW, progress=False
    )
    responses.get(xapi.SEARCH_RECENT, **too_many(str(int(NOW) + 899)))
    add_page(responses, search_pages(1)[0])
    assert c.run(search_job(QUERY), tmp_path).complete and waits == [900]


@responses.activate
@pytest.mark.parametrize(("reset", "said"), RESETS.values(), ids=RESETS.keys())
def test_no_wait_still_stops_at_once_whatever_the_reset(reset, said, cli, sleeps, tmp_data):
    add_page(responses, search_pages(2)[0])
    responses.get(xapi.SEARCH_RECENT, **too_many(reset))
    status, out, err = cli("search", QUERY, "--no-wait")
    assert status == 1 and sleeps == [] and len(responses.calls) == 2
    assert "rate limit reached and --no-wait given" in one_line(err)
    assert len(pages_of(raw_file(tmp_data))) == 1


# --------------------------------------------------------------------------- repeated pagination token


@responses.activate
@pytest.mark.parametrize("loop", ["tok1 again at once", "tok1 after tok2"])
def test_the_same_pagination_token_twice_stops_the_run_without_duplicate_pages(loop, cli, tmp_data):
    pages = search_pages(3)
    add_page(responses, pages[0])  # next_token tok1
    if loop == "tok1 again at once":
        add_page(responses, xapi.search_page(1010, 10, "tok1"), "tok1")
        written = 1
    else:
        add_page(responses, pages[1], "tok1")  # next_token tok2
        add_page(responses, xapi.search_page(1020, 10, "tok1"), "tok2")
        written = 2
    status, out, err = cli("search", QUERY)
    assert status == 1 and out == ""
    line = one_line(err)
    assert "the X API sent the pagination token 'tok1' a second time (#docstoctoc)" in line
    assert "stopped instead of writing duplicate pages" in line
    path = raw_file(tmp_data)
    assert len(pages_of(path)) == written  # the page naming tok1 again is not written
    state = collect.read_state(path)
    assert state["status"] == "stopped"
    assert state["coverage"]["stopped_early"] == "pagination token 'tok1' repeated"
    # a rerun against the same API stops the same way, and writes nothing twice
    calls = len(responses.calls)
    assert cli("search", QUERY)[0] == 1
    assert len(responses.calls) == calls + 1 and len(pages_of(path)) == written
    ids = [t["id"] for p in pages_of(path) for t in p["data"]]
    assert len(ids) == len(set(ids))


@responses.activate
def test_after_a_repeated_token_a_fixed_api_completes_the_run(cli, tmp_data):
    pages = search_pages(3)
    add_page(responses, pages[0])
    add_page(responses, xapi.search_page(1010, 10, "tok1"), "tok1")
    assert cli("search", QUERY)[0] == 1
    responses.reset()
    add_page(responses, pages[1], "tok1")
    add_page(responses, pages[2], "tok2")
    status, out, _ = cli("search", QUERY)
    assert status == 0 and "3 pages" in out and "30 tweets" in out
    assert [p["meta"]["oldest_id"] for p in pages_of(raw_file(tmp_data))] == [
        "1000",
        "1010",
        "1020",
    ]


# --------------------------------------------------------------------------- coverage


@responses.activate
def test_the_coverage_summary_counts_what_the_file_holds_after_a_disk_full_resume(
    cli, monkeypatch, tmp_data
):
    pages = search_pages(8)
    for k, page in enumerate(pages):
        add_page(responses, page, f"tok{k}" if k else None)
    write_state = collector_module._write_state

    def disk_full_at_two_pages(path: Path, state: dict) -> None:
        # the second page reached the disk, its state update did not
        if path.exists() and len(path.read_bytes().splitlines()) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write_state(path, state)

    monkeypatch.setattr(collector_module, "_write_state", disk_full_at_two_pages)
    status, _, err = cli("search", QUERY)
    assert status == 1 and "No space left on device; free some disk space" in one_line(err)
    path = raw_file(tmp_data)
    stale = collect.read_state(path)
    assert len(pages_of(path)) == 2 and stale["coverage"]["pages"] == 1
    monkeypatch.setattr(collector_module, "_write_state", write_state)  # space freed
    status, out, _ = cli("search", QUERY)
    assert status == 0
    held = pages_of(path)
    assert len(held) == 8 and sum(len(p["data"]) for p in held) == 80
    summary = out.splitlines()[0]
    assert ": complete, 8 pages, " in summary and summary.endswith(", 80 tweets, 8 included tweets")
    state = collect.read_state(path)
    assert state["coverage"]["pages"] == 8 and state["coverage"]["items"]["tweets"] == 80
    table = collect.coverage_table("t")
    assert table.loc[0, ["pages", "tweets"]].tolist() == [8, 80]
    # the summary counts the file, whatever the state it is given says
    stale_lines = collect.coverage_lines(collect.CollectionResult(path, stale))
    assert ", 8 pages, " in stale_lines[0] and stale_lines[0].endswith(
        ", 80 tweets, 8 included tweets"
    )
