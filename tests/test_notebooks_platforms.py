"""Every notebook runs on the Bluesky and Mastodon demos (issue 19), executed with papermill.

The demos are the synthetic community rendered in each platform's raw format and
ingested through the real ingest path (``medtwitter demo --platform``). The stored X
outputs are not touched: the notebooks run into memory, as the tiny-dataset test does.
"""

from __future__ import annotations

import pytest

from analysis import settings
from analysis.demo import build_demo

NOTEBOOKS = sorted(p.name for p in settings.notebooks_dir().glob("0*.ipynb"))


@pytest.fixture(scope="module", params=["bluesky", "mastodon"])
def platform_root(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"demo-{request.param}")
    patch = pytest.MonkeyPatch()
    patch.setenv("MEDTWITTER_DATA", str(root))
    try:
        report = build_demo(
            f"demo-{request.param}", accounts=200, progress=False, platform=request.param
        )
    finally:
        patch.undo()
    assert report.bad_lines == 0 and report.counts["follows"] > 0
    return request.param, root


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_runs_on_the_platform_demo(platform_root, name):
    from analysis.report import run_notebook

    platform, root = platform_root
    nb, error = run_notebook(
        settings.notebooks_dir() / name, {"dataset": f"demo-{platform}", "data_dir": str(root)}
    )
    assert error == "", f"{name} on the {platform} demo: {error}"
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
