"""Run the notebooks with a dataset's parameters and export them as HTML reports.

Each notebook in ``notebooks/`` has one cell tagged ``parameters``
(papermill-style); :func:`build_reports` executes each notebook with the
dataset's parameters and writes one self-contained HTML file per notebook
(images embedded) plus an ``index.html`` linking them. A failing cell stops
that report, which still shows the cell's error; the other reports build.
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis import settings
from analysis.errors import UsageError
from analysis.overview import describe_span
from analysis.tables import load_dataset

SYNTHETIC_BANNER = (
    "**Synthetic data.** This report was made from the medtwitter demo community, which is "
    "generated: no account, name or tweet in it is real."
)


@dataclass
class ReportResult:
    """The outcome of one notebook's report."""

    notebook: str
    html: Path
    ok: bool
    error: str = ""


def list_notebooks(selection: str | None = None) -> list[Path]:
    """The notebooks to run, in order; ``selection`` is a comma list of numbers ('00,02')."""
    folder = settings.notebooks_dir()
    books = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if selection:
        wanted = [s.strip() for s in selection.split(",") if s.strip()]
        unknown = [w for w in wanted if not any(p.name.startswith(f"{w}_") for p in books)]
        if unknown:
            known = ", ".join(p.name[:2] for p in books)
            raise UsageError(f"no notebook numbered {', '.join(unknown)}; choose among {known}.")
        books = [p for p in books if p.name[:2] in wanted]
    return books


def export_html(nb: nbformat.NotebookNode, path: Path, title: str, show_code: bool = False) -> None:
    """Write a notebook as self-contained HTML (images embedded), code hidden by default."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    _write_atomic(path, body)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def run_notebook(path: Path, parameters: dict) -> tuple[nbformat.NotebookNode, str]:
    """Execute a notebook with papermill; return it (with outputs) and an error text or ''."""
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        error = ""
        try:
            pm.execute_notebook(
                str(path), str(out), parameters=parameters, cwd=str(path.parent),
                progress_bar=True, kernel_name="python3",
            )  # fmt: skip
        except pm.PapermillExecutionError as exc:
            error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        nb = nbformat.read(out, as_version=4) if out.exists() else nbformat.read(path, as_version=4)
    return nb, error


def build_reports(
    dataset: str = settings.DEFAULT_DATASET,
    out_dir: str | os.PathLike[str] = "reports",
    notebooks: str | None = None,
    show_code: bool = False,
    anonymise: bool = False,
) -> list[ReportResult]:
    """Execute the notebooks on ``dataset`` and export one HTML report each, plus ``index.html``.

    Examples
    --------
    >>> results = build_reports("demo", "reports", notebooks="00")  # doctest: +SKIP
    >>> results[0].html.name  # doctest: +SKIP
    '00_overview.html'
    """
    tables = load_dataset(dataset)  # fails early, with the fix, on an unknown dataset
    header = describe_span(tables)
    out = Path(out_dir)
    params = {"dataset": dataset, "data_dir": str(settings.data_dir()), "anonymise": anonymise}
    results: list[ReportResult] = []
    for path in list_notebooks(notebooks):
        print(f"report: {path.name} on dataset {dataset!r}", flush=True)
        nb, error = run_notebook(path, params)
        intro = [header] + ([SYNTHETIC_BANNER] if tables.synthetic else [])
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n\n".join(intro)))
        if error:
            nb.cells.insert(1, nbformat.v4.new_markdown_cell(
                f"**This report stopped at a failing cell** ({html.escape(error)})."))  # fmt: skip
        target = out / f"{path.stem}.html"
        export_html(nb, target, title=f"{path.stem} — {dataset}", show_code=show_code)
        results.append(ReportResult(path.name, target, ok=not error, error=error))
    _write_index(out, dataset, header, results, tables.synthetic)
    return results


def _write_index(
    out: Path, dataset: str, header: str, results: list[ReportResult], synthetic: bool
):
    items = "\n".join(
        f'<li><a href="{html.escape(r.html.name)}">{html.escape(r.notebook)}</a>'
        + ("" if r.ok else f" — <strong>failed</strong>: {html.escape(r.error)}")
        + "</li>"
        for r in results
    )
    banner = (
        f"<p><strong>{html.escape(SYNTHETIC_BANNER.replace('**', ''))}</strong></p>"
        if synthetic
        else ""
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>medtwitter reports — {html.escape(dataset)}</title></head><body>"
        f"<h1>medtwitter reports — {html.escape(dataset)}</h1>{banner}"
        f"<p>{html.escape(header)}</p><ul>\n{items}\n</ul></body></html>\n"
    )
    _write_atomic(out / "index.html", page)


def refresh_notebook(path: Path, timeout: int = 600) -> None:
    """Execute a notebook in place with its default parameters (``make notebooks``).

    Cell timings are not recorded, so the stored notebook holds no wall-clock text.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
    os.replace(tmp, path)
