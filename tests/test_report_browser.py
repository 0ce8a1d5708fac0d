"""The HTML reports as a reader sees them: opened in headless Chromium (Debian's package).

Chromium is installed by `make chromium` (which `make test`, and so CI, runs); where it
cannot be found these tests fail, naming the fix, rather than skip. Playwright drives the
system browser (``executable_path``); it never downloads one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """The Chromium to use: $MEDTWITTER_CHROMIUM, else `chromium` on the PATH."""
    found = os.environ.get("MEDTWITTER_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail(
            "Chromium not found: run `make chromium` (apt-get install -y chromium) "
            "or set MEDTWITTER_CHROMIUM to a Chromium binary."
        )
    return found


class Pages:
    """Opens local pages in one headless Chromium; records console errors and network use."""

    def __init__(self, context) -> None:
        self.context = context
        self.errors: list[str] = []
        self.outside: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:  # a shareable report fetches nothing
            self.outside.append(url)
            route.abort()

    def open(self, target: str | Path):
        """Open a file (or file: URL) and wait until it has loaded; return the page."""
        self.errors.clear()
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        url = target if isinstance(target, str) else Path(target).resolve().as_uri()
        page.goto(url, wait_until="load")
        return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a dev dependency: `make install` brings it
        pytest.fail("playwright is not installed: run `make install`.")
    profile = tmp_path_factory.mktemp("chromium-profile")  # empty --user-data-dir
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield Pages(context)
        finally:
            context.close()


IMAGES = "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])"


def test_every_report_loads_without_console_error_and_its_images_render(
    demo_reports, browser, tmp_path
):
    images_seen = 0
    pages = [r.html for r in demo_reports] + [demo_reports[0].html.parent / "index.html"]
    for path in pages:
        page = browser.open(path)
        assert browser.errors == [], f"{path.name}: {browser.errors}"
        images = page.evaluate(IMAGES)
        assert all(ok and w > 0 and h > 0 for ok, w, h in images), f"{path.name}: {images}"
        images_seen += len(images)
        assert page.inner_text("body").strip()
        shot = tmp_path / f"{path.stem}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 1000
        page.close()
    assert images_seen > 0
    assert browser.outside == [], "a report fetched something from the network"


def test_links_in_index_resolve_to_the_reports(demo_reports, browser):
    index = browser.open(demo_reports[0].html.parent / "index.html")
    hrefs = index.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert len(hrefs) == len(demo_reports)
    for href in hrefs:
        page = browser.open(href)
        assert page.url == href
        assert page.evaluate("document.querySelector('.mt-dataset') !== null"), href
        assert browser.errors == [], f"{href}: {browser.errors}"
        page.click("text=all reports")  # and back to the index
        page.wait_for_load_state()
        assert page.url == index.url
        page.close()
    index.close()


def test_table_of_contents_links_reach_their_headings(demo_reports, browser):
    for r in demo_reports:
        page = browser.open(r.html)
        missing = page.evaluate(
            "Array.from(document.querySelectorAll('.mt-toc a'))"
            ".filter(a => !document.getElementById(a.hash.slice(1))"
            " && !document.getElementById(decodeURIComponent(a.hash.slice(1))))"
            ".map(a => a.textContent)"
        )
        assert page.evaluate("document.querySelectorAll('.mt-toc a').length") > 0
        assert missing == [], f"{r.html.name}: contents entries with no heading: {missing}"
        page.close()


def test_hostile_bios_names_and_tweets_show_as_text_and_never_run(
    tiny_reports, hostile_table_report, browser, tmp_path
):
    for r in [*tiny_reports, hostile_table_report]:
        page = browser.open(r.html)
        assert page.evaluate("typeof window.__mtPwned") == "undefined", r.html.name
        assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
        assert browser.errors == [], f"{r.html.name}: {browser.errors}"
        if r is hostile_table_report:
            text = page.inner_text("body")
            assert text.count("<script>window.__mtPwned") == 9  # 3 names + 3 bios + 3 tweets
            page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        page.close()


def _report(demo_reports, stem: str):
    [found] = [r for r in demo_reports if r.notebook.startswith(stem)]
    return found


def _keep_screenshot(page, tmp_path: Path, name: str, locator=None) -> Path:
    """A screenshot kept as a test artefact; also in $MEDTWITTER_SCREENSHOTS when set (docs/)."""
    shots = [tmp_path / f"{name}.png"]
    if os.environ.get("MEDTWITTER_SCREENSHOTS"):
        folder = Path(os.environ["MEDTWITTER_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shots.append(folder / f"{name}.png")
    for shot in shots:
        (locator or page).screenshot(path=str(shot))
    assert shots[0].stat().st_size > 1000
    return shots[0]


COLUMN = (
    "([t, i]) => Array.from(document.querySelectorAll(`#${t} tbody tr`))"
    ".map(r => r.cells[i] ? r.cells[i].innerText : '')"
)
#: The id of the first interactive table with at least 10 rows and a 'username' column, and that column.
HANDLES_TABLE = """Array.from(document.querySelectorAll('table.dataTable'))
  .filter(t => t.querySelectorAll('tbody tr').length >= 10)
  .map(t => [t.id, Array.from(t.querySelectorAll('thead th')).map(th => th.innerText.trim())
             .indexOf('username')]).find(([id, i]) => i >= 0)"""


def _sort(page, header, direction: str, tries: int = 3) -> None:
    """Click ``header`` until DataTables marks it sorted in ``direction`` (a click that lands
    before the table's handlers are attached does nothing, so it is clicked again)."""
    for _ in range(tries):
        header.click()
        for _ in range(30):
            if f"dt-ordering-{direction}" in (header.get_attribute("class") or ""):
                return
            page.wait_for_timeout(100)
    raise AssertionError(f"the header is not sorted {direction} after {tries} clicks")


def test_interactive_table_sorts_when_its_header_is_clicked(demo_reports, browser, tmp_path):
    page = browser.open(_report(demo_reports, "02").html)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_selector("table.dataTable", timeout=15000)
    assert page.evaluate("document.querySelectorAll('table.dataTable').length") >= 10
    found = page.evaluate(HANDLES_TABLE)  # the most central accounts
    assert found, "no interactive table with a 'username' column"
    table, column = found
    header = page.locator(f"#{table}_wrapper thead th").nth(column)
    before = page.evaluate(COLUMN, [table, column])
    _sort(page, header, "asc")
    after = page.evaluate(COLUMN, [table, column])
    assert after != before
    # DataTables' own (locale) order: checked through the reverse order a second click gives
    _sort(page, header, "desc")
    assert page.evaluate(COLUMN, [table, column]) == after[::-1]
    search = page.locator(f"#{table}_wrapper input[type=search]")
    search.fill(after[0])
    assert page.evaluate(COLUMN, [table, column])[0] == after[0]
    search.fill("")
    wrapper = page.locator(f"#{table}_wrapper")
    wrapper.scroll_into_view_if_needed()
    _keep_screenshot(page, tmp_path, "interactive-table", wrapper)
    assert browser.errors == [], browser.errors
    assert browser.outside == [], "a report fetched something from the network"
    page.close()


CANVAS_INK = """id => { const c = document.querySelector(`#${id} canvas`);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
  return n; }"""


def test_network_view_draws_nodes_and_highlights_one_on_search(demo_reports, browser, tmp_path):
    page = browser.open(_report(demo_reports, "02").html)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(
        "window.medtwitterNetworks && Object.keys(window.medtwitterNetworks).length"
    )
    [view] = page.evaluate("Object.keys(window.medtwitterNetworks)")
    root = page.locator(f"#{view}")
    root.scroll_into_view_if_needed()
    assert page.evaluate(CANVAS_INK, view) > 5000  # nodes and links drawn
    note = root.locator(".mt-net-note").inner_text()
    assert note.startswith("Follower graph: All 800 accounts."), note
    legend = root.locator(".mt-net-legend").inner_text()
    assert "nominative" in legend and "anonymous" in legend and "institutional" in legend
    handle = page.evaluate(
        f"JSON.parse(document.querySelector('#{view} script.mt-net-data').textContent)[0]"
        ".nodes.slice().sort((a, b) => b.in_degree - a.in_degree)[0].handle"
    )
    root.locator("input.mt-net-search").fill(handle)
    selected = page.evaluate(f"window.medtwitterNetworks['{view}'].getSelectedNodes()")
    assert len(selected) >= 1
    assert "match" in root.locator(".mt-net-found").inner_text()
    root.locator("input.mt-net-search").fill("")
    page.evaluate(f"window.medtwitterNetworks['{view}'].fit()")
    _keep_screenshot(page, tmp_path, "network-view", root)
    root.locator("select.mt-net-colour").select_option("role")
    assert "physician" in root.locator(".mt-net-legend").inner_text()
    root.locator("select.mt-net-graph").select_option("1")
    assert root.locator(".mt-net-note").inner_text().startswith("Mentions:")
    assert page.evaluate(CANVAS_INK, view) > 1000
    assert browser.errors == [], browser.errors
    assert browser.outside == [], "the network view fetched something from the network"
    page.close()
