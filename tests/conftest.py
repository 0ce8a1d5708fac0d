"""Shared fixtures: a demo dataset built once per session under pytest's tmp dir, never in data/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import settings
from analysis.demo import build_demo, load_ground_truth
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
