import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import compliance_exchanges
import pytest
import responses
from compliance_exchanges import API, JOB_IDS, register

from analysis import compliance, settings
from analysis.cli import main
from analysis.collect import api
from analysis.compliance import (
    ComplianceError,
    apply_compliance,
    check_compliance,
    load_compliance,
    make_client,
)
from analysis.demo import build_demo
from analysis.errors import MedtwitterError
from analysis.tables import load_dataset

FAKE_TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeTokenForMedtwitterTests0000"


@pytest.fixture
def small(tmp_data, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", FAKE_TOKEN)
    build_demo("small", accounts=80, seed=5, progress=False)
    return load_dataset("small")


def _results(tables):
    authors = tables.tweets["author_id"].value_counts().index
    deleted_user, protected_user = int(authors[0]), int(authors[1])
    tweet = int(
        tables.tweets.loc[tables.tweets["author_id"] == int(authors[2]), "tweet_id"].iloc[0]
    )
    geo = int(tables.tweets.loc[tables.tweets["author_id"] == int(authors[3]), "tweet_id"].iloc[0])
    return {
        "tweets": [
            {
                "id": str(tweet),
                "action": "delete",
                "created_at": "2024-01-01T00:00:00.000Z",
                "redacted_at": "2026-06-01T00:00:00.000Z",
                "reason": "deleted",
            },
            {
                "id": str(geo),
                "action": "scrub_geo",
                "created_at": "2024-01-01T00:00:00.000Z",
                "redacted_at": "2026-06-01T00:00:00.000Z",
                "reason": "scrub_geo",
            },
        ],
        "users": [
            {
                "id": str(deleted_user),
                "action": "delete",
                "created_at": "2020-01-01T00:00:00.000Z",
                "reason": "deleted",
            },
            {
                "id": str(protected_user),
                "action": "delete",
                "created_at": "2020-01-01T00:00:00.000Z",
                "reason": "protected",
            },
        ],
    }, (deleted_user, protected_user, tweet, geo)


@responses.activate
def test_compliance_job_uploads_ids_polls_and_lists_what_x_reports(small):
    results, (deleted_user, protected_user, tweet, geo) = _results(small)
    register(responses.mock, results)
    naps = []
    report = check_compliance("small", poll_every=5, sleep=naps.append)
    assert naps == [5, 5]  # one wait per job while it was in progress
    assert sorted(report.results["reason"]) == ["deleted", "deleted", "protected", "scrub_geo"]
    users, tweets = report.to_remove()
    assert users == sorted([deleted_user, protected_user]) and tweets == [tweet]
    uploads = [c.request for c in responses.calls if c.request.method == "PUT"]
    assert len(uploads) == 2
    sent = uploads[0].body.decode().split()
    assert sent == [str(i) for i in sorted(small.tweets["tweet_id"])]
    assert uploads[0].headers["Content-Type"] == "text/plain"
    # the token goes to the API only, never to the signed storage URLs
    for call in responses.calls:
        auth = call.request.headers.get("Authorization", "")
        assert (auth == f"Bearer {FAKE_TOKEN}") == call.request.url.startswith(API)
    assert load_compliance("small").results.equals(report.results)
    assert FAKE_TOKEN not in report.path.read_text()


@responses.activate
def test_removing_compliance_results_purges_raw_and_processed_data(small):
    results, (deleted_user, protected_user, tweet, geo) = _results(small)
    register(responses.mock, results)
    apply_compliance(check_compliance("small", sleep=lambda s: None))
    after = load_dataset("small")
    assert not after.users["user_id"].isin([deleted_user, protected_user]).any()
    assert not after.tweets["author_id"].isin([deleted_user, protected_user]).any()
    assert tweet not in set(after.tweets["tweet_id"]) and geo in set(after.tweets["tweet_id"])
    raw = "".join(p.read_text() for p in settings.raw_dir("small").glob("*.jsonl"))
    # the tweet object is gone; a quote of it by someone else keeps its reference
    assert f'{{"id":"{tweet}"' not in raw and f'"author_id":"{deleted_user}"' not in raw


@responses.activate
def test_a_failed_job_is_a_one_line_error_naming_the_fix(small):
    register(responses.mock, {}, final_status="failed")
    with pytest.raises(
        ComplianceError, match=f"job {JOB_IDS['tweets']} is failed; run the command"
    ):
        check_compliance("small", sleep=lambda s: None)


def test_without_a_token_compliance_says_which_variable_to_set(tmp_data, monkeypatch, capsys):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    with pytest.raises(MedtwitterError, match="X_BEARER_TOKEN"):
        make_client()
    build_demo("small", accounts=60, seed=5, progress=False)
    assert main(["compliance", "small"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "X_BEARER_TOKEN" in err


@responses.activate
def test_compliance_command_lists_then_removes_on_request(small, capsys):
    results, (deleted_user, *_) = _results(small)
    register(responses.mock, results)
    assert main(["compliance", "small", "--poll-every", "0"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "protected" in out and "--remove" in out
    assert "in_progress" in captured.err  # a long wait shows where the job is
    assert deleted_user in set(load_dataset("small").users["user_id"])  # listing removes nothing
    assert main(["compliance", "small", "--saved", "--remove"]) == 0
    assert "purged 2 account(s)" in capsys.readouterr().out
    assert deleted_user not in set(load_dataset("small").users["user_id"])


@responses.activate
def test_a_refused_request_is_a_one_line_error_not_a_traceback(small, capsys):
    responses.add(
        responses.POST,
        API,
        status=403,
        json={
            "title": "Client Forbidden",
            "detail": "This request must be made using an approved App.",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
        },
    )
    assert main(["compliance", "small", "--poll-every", "0"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "HTTP 403" in err and "Traceback" not in err


@responses.activate
def test_the_signed_storage_urls_get_the_collectors_timeouts(small):
    register(responses.mock, _results(small)[0])
    check_compliance("small", sleep=lambda s: None)
    storage = [c for c in responses.calls if not c.request.url.startswith(API)]
    assert len(storage) == 4  # an upload and a download per job
    assert {c.request.req_kwargs["timeout"] for c in storage} == {api.request_timeouts()}


@contextmanager
def silent_server() -> Iterator[str]:
    """A real server on 127.0.0.1 that accepts connections, reads the request and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    stop, held = threading.Event(), []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def test_a_storage_server_that_never_answers_stops_the_job_with_one_line(
    small, monkeypatch, capsys
):
    monkeypatch.setattr(api, "READ_TIMEOUT", 0.2)
    with (
        silent_server() as base,
        responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
    ):
        monkeypatch.setattr(
            compliance_exchanges, "STORAGE", base + "/twttr-{kind}-compliance/{job}"
        )
        register(rsps, _results(small)[0])
        for kind, job in JOB_IDS.items():  # the uploads go to the silent server, not to a mock
            upload = compliance_exchanges.STORAGE.format(kind=kind[:-1], job=job)
            rsps.remove(responses.PUT, upload + "/submission/upload")
        rsps.add_passthru(base)
        start = time.monotonic()
        status = main(["compliance", "small", "--poll-every", "0"])
        elapsed = time.monotonic() - start
    assert status == 1 and elapsed < 10
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"uploading the ids of compliance job {JOB_IDS['tweets']} got no answer" in err
    assert "0.2 s to read" in err and "run the command again" in err
    assert not compliance.results_path("small").exists()  # nothing half-written
