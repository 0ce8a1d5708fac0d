"""Shared fixtures: a demo dataset built once per session under pytest's tmp dir, never in data/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import settings
from analysis.demo import build_demo
from analysis.ground_truth import load_ground_truth
from analysis.tables import load_dataset


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A data root holding the default demo dataset (800 accounts, seed 42)."""
    root = tmp_path_factory.mktemp("data")
    settings.set_data_dir(root)
    try:
        build_demo("demo", progress=False)
    finally:
        settings.set_data_dir(None)
    return root


@pytest.fixture
def data_root(demo_root, monkeypatch) -> Path:
    """Point the data root at the session's demo data for one test."""
    settings.set_data_dir(demo_root)
    yield demo_root
    settings.set_data_dir(None)


@pytest.fixture
def tmp_data(tmp_path) -> Path:
    """An empty data root for one test."""
    settings.set_data_dir(tmp_path)
    yield tmp_path
    settings.set_data_dir(None)


@pytest.fixture
def demo_tables(data_root):
    return load_dataset("demo")


@pytest.fixture
def truth(data_root) -> dict:
    return load_ground_truth("demo")


def write_jsonl(path: Path, pages: list) -> Path:
    """Write pages (dicts, or raw strings for bad lines) as JSONL."""
    with open(path, "w", encoding="utf-8") as fh:
        for page in pages:
            fh.write(
                (page if isinstance(page, str) else json.dumps(page, ensure_ascii=False)) + "\n"
            )
    return path


# --- reports and notebooks (issue 8) -------------------------------------------------------------

#: Markup that must show as text wherever a bio, a name or a tweet reaches HTML; if it ran,
#: it would set ``window.__mtPwned``.
HOSTILE = '<script>window.__mtPwned = 1</script><img src="x" onerror="window.__mtPwned = 2">'


def hostile_tiny_page() -> dict:
    """tests/pages.py's search page (three tweets, three accounts) with markup in every text."""
    from tests.pages import search_page

    page = search_page()
    for tweet in page["data"] + page["includes"]["tweets"]:
        tweet["text"] += f" {HOSTILE}"
    for user in page["includes"]["users"]:
        user["name"] = f"{user['name']} {HOSTILE}"
        user["description"] = f"Bio {HOSTILE}"
    return page


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory) -> Path:
    """A data root holding dataset 'tiny': three tweets, no follow links, no labels, hostile text."""
    from analysis.ingest import ingest_files

    root = tmp_path_factory.mktemp("tiny")
    raw = write_jsonl(root / "tiny.jsonl", [hostile_tiny_page()])
    settings.set_data_dir(root)
    try:
        ingest_files([raw], "tiny", progress=False)
    finally:
        settings.set_data_dir(None)
    return root


def _build_all_reports(root: Path, dataset: str, out: Path):
    from analysis.report import build_reports

    settings.set_data_dir(root)
    try:
        return build_reports(dataset, out, progress=False, jobs=2)  # two kernels side by side
    finally:
        settings.set_data_dir(None)


@pytest.fixture(scope="session")
def demo_reports(demo_root, tmp_path_factory):
    """Every notebook in notebooks/ run on the demo dataset and exported (once per session)."""
    return _build_all_reports(demo_root, "demo", tmp_path_factory.mktemp("demo-reports"))


@pytest.fixture(scope="session")
def tiny_reports(tiny_root, tmp_path_factory):
    """Every notebook in notebooks/ run on the tiny, hostile dataset and exported."""
    return _build_all_reports(tiny_root, "tiny", tmp_path_factory.mktemp("tiny-reports"))


def new_notebook(folder: Path, name: str, *cells: str) -> Path:
    """Write a notebook with the report parameters cell and the given code/Markdown cells.

    A cell starting with '#md ' is Markdown (the prefix removed), any other is code.
    """
    import nbformat

    params = nbformat.v4.new_code_cell(
        'dataset = "demo"\ndata_dir = None\nanonymise = False\nseed = 42'
    )
    params.metadata["tags"] = ["parameters"]
    setup = (
        "from analysis import settings\nfrom analysis.tables import load_dataset\n"
        "if data_dir:\n    settings.set_data_dir(data_dir)\ntables = load_dataset(dataset)"
    )
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [params, nbformat.v4.new_code_cell(setup)] + [
        nbformat.v4.new_markdown_cell(c[4:])
        if c.startswith("#md ")
        else nbformat.v4.new_code_cell(c)
        for c in cells
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def hostile_table_report(tiny_root, tmp_path_factory):
    """A report that shows the tiny dataset's bios, names and tweets as a table and as text."""
    from analysis.report import build_reports

    folder = tmp_path_factory.mktemp("hostile-notebooks")
    new_notebook(
        folder,
        "00_hostile.ipynb",
        "#md ## Accounts",
        'tables.users[["username", "name", "description"]]',
        "#md ## Tweets",
        'for text in tables.tweets.sort_values("tweet_id")["text"]:\n    print(text)',
    )
    settings.set_data_dir(tiny_root)
    try:
        [result] = build_reports("tiny", folder / "reports", notebooks_dir=folder, progress=False)
    finally:
        settings.set_data_dir(None)
    return result


def page_at_a_time(monkeypatch) -> None:
    """Make ingest read every line through add_page (no Arrow fast path, streaming or chunked)."""
    from analysis import ingest

    monkeypatch.setattr(ingest.read, "stream_file", lambda *args, **kwargs: "bad")
    monkeypatch.setattr(ingest.stream, "parse_chunk", lambda chunk, n_lines, kind=None: None)


@pytest.fixture(scope="session")
def nlp():
    """spaCy's French pipeline, loaded once for the session (the module caches it too)."""
    from analysis.confidentiality.entities import load_pipeline  # spaCy: slow to import

    return load_pipeline()


# --- anonymised publication (issue 15) ----------------------------------------------------------


@pytest.fixture(scope="session")
def published(demo_root, tmp_path_factory) -> dict:
    """Every anonymised output of the demo data and of a dataset with retweets and quotes of a
    protected account, written once per session (see tests/publication.py)."""
    from tests.publication import build_publication

    return build_publication(demo_root, tmp_path_factory.mktemp("project"))
