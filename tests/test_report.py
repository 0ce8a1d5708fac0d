from analysis.report import build_reports


def test_report_writes_html_with_synthetic_banner_and_index(data_root, tmp_path):
    results = build_reports("demo", tmp_path / "reports", notebooks="00")
    assert [r.ok for r in results] == [True]
    page = results[0].html.read_text(encoding="utf-8")
    assert "Synthetic data." in page
    assert "data:image/png;base64," in page  # images embedded
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="00_overview.html"' in index and "synthetic" in index.lower()
