"""`medtwitter report`: self-contained HTML per notebook, index, failures, escaping."""

from __future__ import annotations

import html
import re

import pytest

from analysis import cli, settings
from analysis.errors import UsageError
from analysis.overview import describe_span
from analysis.report import build_reports, list_notebooks
from analysis.tables import load_dataset
from tests.conftest import HOSTILE, new_notebook

#: A real tag carrying an onerror handler (escaped text starts with &lt;, not <).
ONERROR_TAG = re.compile(r"<[a-zA-Z]+[^<>]*\sonerror=")
NOTEBOOKS = [p.name for p in list_notebooks()]


def _result(results, name):
    [found] = [r for r in results if r.notebook == name]
    return found


def test_reports_are_self_contained_with_no_code_by_default(demo_reports):
    for r in demo_reports:
        page = r.html.read_text(encoding="utf-8")
        assert "unpkg.com" not in page and "cdn.jsdelivr" not in page, f"{r.html.name} loads a CDN"
        assert not re.search(r"<script[^>]*\ssrc=", page), f"{r.html.name} loads a script"
        assert not re.search(r"<link[^>]*\shref=", page), f"{r.html.name} loads a style sheet"
        assert not re.search(r'<img[^>]*\ssrc="(?!data:)', page), f"{r.html.name} links an image"
        assert not re.search(r'class="[^"]*jp-InputArea-editor', page), f"{r.html.name} shows code"
    overview = _result(demo_reports, "00_overview.ipynb").html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in overview  # the chart is embedded
    assert 'alt="Figure: Volume over time"' in overview  # named by its section
    assert "load_dataset" not in overview


def test_report_header_names_dataset_size_span_and_synthetic_banner(demo_reports, data_root):
    line = describe_span(load_dataset("demo"))  # name, tweets, accounts, links, first and last day
    for r in demo_reports:
        page = r.html.read_text(encoding="utf-8")
        assert line in html.unescape(page)
        assert "Synthetic data." in page
        assert page.index('class="mt-banner"') < page.index('<div class="jp-Cell')  # at the top


def test_report_has_a_table_of_contents_linking_its_headings(demo_reports):
    page = _result(demo_reports, "00_overview.ipynb").html.read_text(encoding="utf-8")
    toc = re.search(r'<nav class="mt-toc">(.*?)</nav>', page, re.DOTALL).group(1)
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert len(anchors) >= 4 and "Volume-over-time" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in page


def test_index_links_every_report_and_shows_the_banner(demo_reports):
    index = (demo_reports[0].html.parent / "index.html").read_text(encoding="utf-8")
    for r in demo_reports:
        assert f'href="{r.html.name}"' in index
    assert "Synthetic data." in index


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_on_the_tiny_dataset(tiny_reports, name):
    r = _result(tiny_reports, name)
    assert r.ok, f"{name} failed on the tiny dataset (three tweets, no follows): {r.error}"
    page = r.html.read_text(encoding="utf-8")
    assert "report-stopped" not in page
    assert "Synthetic data." not in page  # collected-style data carries no banner


def test_show_code_keeps_code_and_progress_is_shown_per_notebook_and_cell(
    data_root, tmp_path, capfd
):
    [r] = build_reports("demo", tmp_path, notebooks="00", show_code=True, progress=True)
    page = r.html.read_text(encoding="utf-8")
    assert "load_dataset" in page and re.search(r'class="[^"]*jp-InputArea-editor', page)
    assert str(data_root) not in page  # papermill's injected cell (data_dir) is left out
    from analysis.tables import load_meta

    version = load_meta("demo")["version"]
    assert (
        f"<code>dataset = 'demo', version = {version}, hashtags = ['docstoctoc', 'sante', "
        "'esante'], anonymise = False, seed = 42</code>"
    ) in html.unescape(page)
    # the header names the dataset version the report was made from
    assert f"Made from version {version} of the dataset" in html.unescape(page)
    err = capfd.readouterr().err
    assert "report: running 00_overview.ipynb" in err
    assert re.search(r"00_overview: 100%.*cell", err)  # per-cell bar
    assert "report 1/1: 00_overview ok in" in err


def test_failing_cell_stops_its_report_and_the_others_build(data_root, tmp_path):
    folder = tmp_path / "notebooks"
    new_notebook(folder, "00_fine.ipynb", "#md ## Fine", 'print("fine", len(tables.tweets))')
    new_notebook(
        folder,
        "01_broken.ipynb",
        "#md ## Before the failure",
        'print("before the failure")',
        'raise ValueError("planted failure")',
        "#md ## After the failure",
        'print("after the failure")',
    )
    new_notebook(folder, "02_fine_too.ipynb", 'print("fine too")')
    results = build_reports("demo", tmp_path / "out", notebooks_dir=folder, progress=False)
    assert [r.ok for r in results] == [True, False, True]
    broken = results[1]
    # the notebook's own code cells: parameters, setup, print, raise (papermill's injected one not counted)
    assert broken.error == 'code cell 4, section "Before the failure": ValueError: planted failure'
    page = broken.html.read_text(encoding="utf-8")
    assert "before the failure" in page and "planted failure" in page
    assert "After the failure" not in page and "after the failure" not in page
    assert 'class="mt-error"' in page and 'id="report-stopped"' in page
    assert "fine too" in results[2].html.read_text(encoding="utf-8")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert (
        "failed</strong>: code cell 4, section &quot;Before the failure&quot;: ValueError: planted failure"
        in index
    )


def test_cli_report_exits_non_zero_when_a_notebook_fails(data_root, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notebooks"
    new_notebook(folder, "00_broken.ipynb", "1 / 0")
    monkeypatch.setattr(settings, "notebooks_dir", lambda: folder)
    status = cli.main(["--data-dir", str(data_root), "report", "--out", str(tmp_path / "out")])
    assert status == 1
    assert "FAILED" in capsys.readouterr().out
    assert (tmp_path / "out" / "00_broken.html").is_file()


def test_unknown_notebook_number_is_a_usage_error():
    with pytest.raises(UsageError, match="no notebook numbered 99; choose among 00"):
        list_notebooks("00,99")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_hostile_markup_in_tiny_dataset_never_reaches_a_report_as_markup(tiny_reports, name):
    r = _result(tiny_reports, name)
    page = r.html.read_text(encoding="utf-8")
    assert "__mtPwned = 1</script>" not in page, f"{name} lets a <script> through"
    assert not ONERROR_TAG.search(page), f"{name} lets an onerror= attribute through"


def test_bios_names_and_tweets_show_as_text_in_tables_and_printed_output(hostile_table_report):
    page = hostile_table_report.html.read_text(encoding="utf-8")
    assert hostile_table_report.ok, hostile_table_report.error
    assert "__mtPwned = 1</script>" not in page
    assert not ONERROR_TAG.search(page)
    escaped = "&lt;script&gt;window.__mtPwned"  # pandas may truncate a long cell after it
    tables, printed = page.split('id="Tweets"')
    assert tables.count(escaped) == 3 * 2  # name and bio of three accounts, in the table
    assert printed.count(escaped) == 3  # three tweets, printed
    assert HOSTILE not in page


def test_report_files_are_readable_by_others(demo_reports):
    for path in [r.html for r in demo_reports] + [demo_reports[0].html.parent / "index.html"]:
        assert path.stat().st_mode & 0o044 == 0o044


def test_report_is_the_same_built_alone_or_side_by_side(demo_reports, data_root, tmp_path):
    [alone] = build_reports("demo", tmp_path, notebooks="00", jobs=1, progress=False)
    side_by_side = _result(demo_reports, "00_overview.ipynb")  # built with 2 jobs
    assert alone.html.read_bytes() == side_by_side.html.read_bytes()


def test_index_shows_title_key_findings_thumbnail_and_version(demo_reports, data_root):
    from analysis.tables import load_meta

    index = (demo_reports[0].html.parent / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li class="mt-card">(.*?)</li>', index, re.DOTALL)
    assert len(cards) == len(demo_reports)
    for card in cards:
        assert 'src="data:image/png;base64,' in card or "01_collect" in card  # 01 has no figure
        assert re.search(r'<p class="mt-findings">[^<]{20,}</p>', card), card[:300]
    graph = html.unescape(next(c for c in cards if "02_follower_graph.html" in c))
    # computed from the data: the reciprocity sentence notebook 02 prints
    assert re.search(r"[\d,]+ of [\d,]+ follow links \([\d.]+%\) are returned", graph), graph
    assert '<h2><a href="02_follower_graph.html">02 — The follower graph</a></h2>' in graph
    assert f"Made from version {load_meta('demo')['version']} of the dataset" in index
    assert "corrected p &lt; 0.001" in index  # 05's finding, never p = 0.000


def test_figures_option_writes_every_figure_with_a_caption(data_root, tmp_path):
    from PIL import Image

    [r] = build_reports("demo", tmp_path, notebooks="00", figures="png", progress=False)
    assert r.ok, r.error
    folder = tmp_path / "figures" / "00_overview"
    [png] = sorted(folder.glob("*.png"))
    assert png.name == "01_tweets-per-month-by-language.png"
    assert round(Image.open(png).info["dpi"][0]) == 300
    caption = (folder / "01_tweets-per-month-by-language.txt").read_text(encoding="utf-8")
    assert (
        caption.startswith("Figure 1. Tweets per month")
        and "(section: Volume over time)" in caption
    )
    assert png.stat().st_mode & 0o044 == 0o044


def test_figures_in_the_html_are_sharp_on_high_density_screens(demo_reports):
    import base64
    import struct

    page = _result(demo_reports, "00_overview.ipynb").html.read_text(encoding="utf-8")
    tag = re.search(r"<img [^>]*>", page).group(0)
    data = re.search(r'src="data:image/png;base64,([^"]+)"', tag).group(1)
    width = int(re.search(r'width="(\d+)"', tag).group(1))
    pixels = struct.unpack(">I", base64.b64decode(data[:64])[16:20])[0]
    assert pixels >= 1.9 * width  # twice the pixels of the width it is shown at


def test_unknown_figure_format_and_a_zero_network_cap_are_refused(data_root, capsys):
    with pytest.raises(UsageError, match="unknown figure format 'tiff'; use one of svg, pdf, png"):
        build_reports("demo", "unused", figures="tiff")
    assert cli.main(["report", "--network-max-nodes", "0"]) == 2
    assert "expected a whole number of at least 1, not '0'" in capsys.readouterr().err


def test_network_max_nodes_reaches_the_notebooks_as_a_parameter(data_root, tmp_path):
    folder = tmp_path / "notebooks"
    new_notebook(folder, "00_cap.ipynb", 'print("cap", network_max_nodes)')
    [r] = build_reports(
        "demo", tmp_path / "out", notebooks_dir=folder, progress=False, network_max_nodes=123
    )
    assert r.ok, r.error
    assert "cap 123" in r.html.read_text(encoding="utf-8")
