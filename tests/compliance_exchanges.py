"""Recorded batch-compliance exchanges, written from the documented X API v2 formats.

Create a job (POST /2/compliance/jobs), upload ids to the signed upload_url (PUT,
text/plain), poll the job (GET /2/compliance/jobs/:id: in_progress, then complete),
download the results from the signed download_url (one JSON object a line).
"""

from __future__ import annotations

import json

import responses

API = "https://api.twitter.com/2/compliance/jobs"
STORAGE = "https://storage.googleapis.com/twttr-{kind}-compliance/{job}"
JOB_IDS = {"tweets": "1421185651106480129", "users": "1421185651106480130"}


def job(kind: str, status: str) -> dict:
    jid = JOB_IDS[kind]
    return {
        "data": {
            "id": jid,
            "type": kind,
            "resumable": False,
            "status": status,
            "created_at": "2026-07-02T10:00:00.000Z",
            "name": f"medtwitter-test-{kind}",
            "upload_url": STORAGE.format(kind=kind[:-1], job=jid)
            + "/submission/upload?X-Goog-Signature=abc",
            "upload_expires_at": "2026-07-02T10:15:00.000Z",
            "download_url": STORAGE.format(kind=kind[:-1], job=jid)
            + "/results/download?X-Goog-Signature=def",
            "download_expires_at": "2026-07-09T10:00:00.000Z",
        }
    }


def result_lines(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def register(
    rsps: responses.RequestsMock, results: dict[str, list[dict]], final_status: str = "complete"
) -> None:
    """Register one job per kind: created, polled once in progress, then final_status."""

    def create(request):
        kind = json.loads(request.body)["type"]
        return 200, {}, json.dumps(job(kind, "created"))

    rsps.add_callback(responses.POST, API, callback=create, content_type="application/json")
    for kind in ("tweets", "users"):
        url = f"{API}/{JOB_IDS[kind]}"
        rsps.add(responses.GET, url, json=job(kind, "in_progress"))
        rsps.add(responses.GET, url, json=job(kind, final_status))
        base = STORAGE.format(kind=kind[:-1], job=JOB_IDS[kind])
        rsps.add(responses.PUT, base + "/submission/upload", body="")
        rsps.add(
            responses.GET, base + "/results/download", body=result_lines(results.get(kind, []))
        )
