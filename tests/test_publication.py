"""Publishing safely: anonymised reports name nobody; no file the project writes holds a token."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from analysis import settings
from analysis.privacy import ALLOWLIST, KEY_FILE_NAME
from analysis.report import build_reports
from tests.publication import FAKE_TOKEN

_IMAGES = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


def _report_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return html.unescape(_IMAGES.sub("", text))


def find_identifiers(text: str, tables, protected_texts=()) -> dict[str, set[str]]:
    """Original handles, display names, user/tweet ids and protected texts found in ``text``."""
    users = tables.users
    public = users["username"].str.lower().isin(ALLOWLIST)
    handles = set(users.loc[~public, "username"].str.lower())
    names = {n for n in users.loc[~public, "name"] if isinstance(n, str) and len(n) >= 6}
    ids = {str(i) for i in users["user_id"]} | {str(i) for i in tables.tweets["tweet_id"]}
    words = {w.lower() for w in re.findall(r"[A-Za-z0-9_]+", text)}
    numbers = set(re.findall(r"(?<![\d.,])\d{5,19}(?![\d.,])", text))
    return {
        "handles": handles & words,
        "names": {n for n in names if n in text},
        "ids": ids & numbers,
        "protected_text": {t for t in protected_texts if t in text},
    }


def test_the_scanner_finds_identifiers_when_they_are_there(demo_tables):
    row = demo_tables.users[~demo_tables.users["username"].str.lower().isin(ALLOWLIST)].iloc[0]
    leak = f"<td>{row['username']}</td><td>{row['user_id']}</td><td>{row['name']}</td>"
    found = find_identifiers(leak, demo_tables, protected_texts={"secret"})
    assert found["handles"] and found["ids"] and found["names"]
    assert find_identifiers("@ordre_medecins 11,362 tweets", demo_tables)["handles"] == set()


def test_anonymised_reports_name_no_account_id_or_protected_text(published):
    assert published["status"] == 0
    files = sorted(p for p in (published["out"] / "demo").glob("*.html"))
    assert any(p.name == "06_confidentiality.html" for p in files)
    assert any(p.name == "index.html" for p in files)
    for path in files:
        found = find_identifiers(
            _report_text(path), published["original"], published["protected_texts"]
        )
        assert not any(found.values()), f"{path.name}: {found}"


def test_no_file_the_project_wrote_holds_the_token(published):
    written = [p for p in published["project"].rglob("*") if p.is_file()]
    written += [p for p in settings.notebooks_dir().rglob("*") if p.is_file()]
    assert any(p.name == "results.jsonl" for p in written)  # the compliance run wrote its results
    token = FAKE_TOKEN.encode()
    leaks = [str(p) for p in written if token in p.read_bytes()]
    assert leaks == []


def test_the_key_is_created_beside_the_data_root_not_inside_it(published):
    key = published["project"] / KEY_FILE_NAME
    assert key.is_file()
    assert not list(published["root"].rglob(KEY_FILE_NAME))


def test_data_folder_contents_and_the_key_are_git_ignored():
    repo = Path(__file__).resolve().parent.parent
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    paths = [
        "data/raw/demo/timelines.jsonl",
        "data/processed/demo/tweets/_delta_log/00000000000000000000.json",
        "data/compliance/demo/results.jsonl",
        "data/anything.csv",
        KEY_FILE_NAME,
    ]
    run = subprocess.run(["git", "check-ignore", *paths], cwd=repo, capture_output=True, text=True)
    assert run.stdout.split() == paths
    kept = subprocess.run(
        ["git", "check-ignore", "data/raw/README.md"], cwd=repo, capture_output=True, text=True
    )
    assert kept.returncode == 1  # the README stays tracked


def test_confidentiality_notebook_runs_on_a_tiny_dataset(tmp_data, tmp_path):
    from analysis.demo import build_demo

    build_demo("tiny", accounts=50, seed=11, progress=False)
    for anonymise in (False, True):
        results = build_reports(
            "tiny", tmp_path / f"r{anonymise}", notebooks="06", anonymise=anonymise
        )
        assert [r.ok for r in results] == [True], results[0].error


def test_anonymised_network_view_embeds_pseudonyms_only(published):
    import json

    page = (published["out"] / "demo" / "02_follower_graph.html").read_text(encoding="utf-8")
    blobs = re.findall(r'<script[^>]*class="mt-net-data"[^>]*>(.*?)</script>', page, re.DOTALL)
    assert blobs, "the anonymised report 02 has no network view"
    graphs = json.loads(blobs[0])
    handles = {n["handle"].lower() for g in graphs for n in g["nodes"]}
    assert len(graphs[0]["nodes"]) > 100
    users = published["original"].users
    public = users["username"].str.lower().isin(ALLOWLIST)
    assert handles & set(users.loc[~public, "username"].str.lower()) == set()
    found = find_identifiers(blobs[0], published["original"], published["protected_texts"])
    assert not any(found.values()), found
