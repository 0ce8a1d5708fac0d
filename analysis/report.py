"""Run the notebooks with a dataset's parameters and export them as HTML reports.

Each notebook in ``notebooks/`` has one cell tagged ``parameters``
(papermill-style) defining at least :data:`REPORT_PARAMETERS`;
:func:`build_reports` executes each notebook with the dataset's parameters and
writes one self-contained HTML file per notebook plus an ``index.html`` linking
them. A report is self-contained: images are embedded, and no script, style
sheet or font is fetched from the network (nbconvert's MathJax, require.js and
Mermaid loaders are left out), so a reader can open it offline or mail it.
Each report starts with the dataset's name, size and time span, the
synthetic-data banner on demo data and a table of contents.

A failing cell stops that report: the report ends at the failing cell, which
shows its error, the header says so, and the other notebooks still build.

The module is long because running a notebook, exporting it as one self-contained page,
its header and figures, and the index of all reports are one pipeline over the same
notebooks and parameters.
"""

from __future__ import annotations

import base64
import html
import io
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from PIL import Image

from analysis import settings
from analysis.errors import UsageError
from analysis.figures import FIGURE_FORMATS, FIGURES_DIR_ENV, FIGURES_FORMAT_ENV, collect_figures
from analysis.interactive import REPORT_ENV
from analysis.outputs import check_out_dir, write_atomic
from analysis.overview import describe_span
from analysis.tables import load_dataset

#: Names every notebook's ``parameters`` cell defines; :func:`build_reports` fills them in.
REPORT_PARAMETERS: tuple[str, ...] = (
    "dataset",
    "data_dir",
    "version",
    "start",
    "end",
    "hashtags",
    "anonymise",
    "seed",
    "engine",
    "scheduler",
)
#: Hashtags of interest when none are given (without '#').
DEFAULT_HASHTAGS: tuple[str, ...] = ("docstoctoc", "sante", "esante")

SYNTHETIC_BANNER = (
    "Synthetic data. This report was made from the medtwitter demo community, which is "
    "generated: no account, name or tweet in it is real."
)

#: Markdown cell added after a failing cell, so the reader sees where the report stopped.
_STOP_CELL = (
    '<a id="report-stopped"></a>\n\n**The report stopped here**: the cell above failed, '
    "so the cells after it did not run. Its error is shown above."
)

# nbconvert's "lab" template without the loaders that fetch JavaScript from a CDN
# (MathJax, require.js, Mermaid, the widget manager: a report shows no widget): the page must open offline and without console errors.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style type="text/css">
.mt-header { max-width: 60em; margin: 1em 0 0 0; padding: 0 24px; font-family: var(--jp-ui-font-family); }
.mt-banner { background: #fff3cd; border: 1px solid #e0c060; padding: .6em 1em; border-radius: 4px; }
.mt-error { background: #fde8e8; border: 1px solid #d05050; padding: .6em 1em; border-radius: 4px; }
.mt-toc { border-left: 3px solid #0072B2; padding: .2em 1em; margin: 1em 0; }
.mt-toc ul { margin: .2em 0; padding-left: 1.2em; }
.mt-toc .mt-toc-title { font-weight: bold; margin: 0; }
</style>
{%- endblock extra_css -%}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
{%- set width = output | get_metadata('width', 'image/png') -%}
{%- set height = output | get_metadata('height', 'image/png') -%}
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ (output | get_metadata('alt', 'image/png') or 'Figure') | escape_html }}"
{%- if width %} width="{{ width | int }}"{% endif %}{% if height %} height="{{ height | int }}"{% endif %} style="max-width: 100%; height: auto">
</div>
{%- endblock data_png -%}
{%- block body_header -%}
{{ super() }}
{{ resources.medtwitter_header }}
{%- endblock body_header -%}
"""
_TOC_MARK = "<!-- medtwitter-toc -->"
_MD_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HEADING = re.compile(r'<h([1-3])\s+id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class ReportResult:
    """The outcome of one notebook's report.

    ``executed`` is the executed notebook (with its outputs, before export),
    ``seconds`` the time it took to execute and export.
    """

    notebook: str
    html: Path
    ok: bool
    error: str = ""
    seconds: float = 0.0
    executed: nbformat.NotebookNode | None = field(default=None, repr=False)


def list_notebooks(
    selection: str | None = None, folder: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Return the notebooks to run, in order.

    Parameters
    ----------
    selection : str or None, optional
        Comma list of notebook numbers ('00,02'); None for all.
    folder : str or os.PathLike or None, optional
        Where the notebooks are (default: the project's ``notebooks/``).

    Returns
    -------
    list of pathlib.Path
        The selected notebooks (``NN_name.ipynb``), sorted by number.

    Raises
    ------
    analysis.errors.UsageError
        If a number names no notebook.

    Examples
    --------
    >>> [p.name for p in list_notebooks("00")]
    ['00_overview.ipynb']
    """
    folder = Path(folder) if folder is not None else settings.notebooks_dir()
    books = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if selection:
        wanted = [s.strip() for s in selection.split(",") if s.strip()]
        unknown = [w for w in wanted if not any(p.name.startswith(f"{w}_") for p in books)]
        if unknown:
            known = ", ".join(p.name[:2] for p in books) or "none"
            raise UsageError(f"no notebook numbered {', '.join(unknown)}; choose among {known}.")
        books = [p for p in books if p.name[:2] in wanted]
    return books


def table_of_contents(body: str) -> str:
    """Return an HTML list linking the headings (levels 1-3) of an exported notebook page.

    Parameters
    ----------
    body : str
        The HTML page nbconvert made of a notebook (headings carry anchor ids).

    Returns
    -------
    str
        A ``<ul>`` of links, one per heading of level 1 to 3; '' when there is none.

    Examples
    --------
    >>> table_of_contents('<h2 id="Tables">Tables<a class="anchor-link" href="#Tables">¶</a></h2>')
    '<ul><li class="mt-toc-2"><a href="#Tables">Tables</a></li></ul>'
    """
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = _TAG.sub("", inner).replace("¶", "").strip()
        if text:  # text and anchor are already escaped by nbconvert
            items.append(f'<li class="mt-toc-{level}"><a href="#{anchor}">{text}</a></li>')
    return f"<ul>{''.join(items)}</ul>" if items else ""


def report_header(
    description: str,
    synthetic: bool,
    error: str = "",
    anonymise: bool = False,
    parameters: dict | None = None,
) -> str:
    """Return the HTML put at the top of every report: banner, dataset line, error, contents.

    ``parameters`` are shown as the notebook received them, except ``data_dir``
    (a path on the author's machine). Every piece of text is escaped.

    Parameters
    ----------
    description : str
        The dataset sentence (:func:`analysis.overview.describe_span`).
    synthetic : bool
        Show the banner saying the data are synthetic.
    error : str, optional
        Where and why the notebook stopped; '' (default) for a report that ran through.
    anonymise : bool, default False
        Say that the report shows pseudonymised data.
    parameters : dict or None, optional
        The parameters the notebook received (``version`` and ``dataset`` are named in the
        header); None (default) for none.

    Returns
    -------
    str
        The header's HTML, with a placeholder for the table of contents.

    Examples
    --------
    >>> "&lt;b&gt;" in report_header("<b>", synthetic=False)
    True
    """
    parts = ['<header class="mt-header">']
    if synthetic:
        parts.append(f'<p class="mt-banner"><strong>{html.escape(SYNTHETIC_BANNER)}</strong></p>')
    parts.append(f'<p class="mt-dataset">{html.escape(description)}</p>')
    parameters = parameters or {}
    version = parameters.get("version")
    if version is not None:
        parts.append(
            f'<p class="mt-version">Made from version {int(version)} of the dataset '
            f"(<code>medtwitter info {html.escape(str(parameters.get('dataset', '')))} "
            "--versions</code> lists them).</p>"
        )
    if anonymise:
        parts.append(
            '<p class="mt-anonymised">Anonymised: handles, names and ids are '
            "pseudonymised, profile locations left out, protected text removed; label "
            "reasons and pair evidence name no one.</p>"
        )
    shown = ", ".join(
        f"{k} = {v!r}" for k, v in (parameters or {}).items() if k != "data_dir" and v is not None
    )
    if shown:
        parts.append(
            f'<p class="mt-parameters">Parameters: <code>{html.escape(shown)}</code> · '
            '<a href="index.html">all reports</a></p>'
        )
    if error:
        parts.append(
            '<p class="mt-error"><strong>This report stopped at a failing cell</strong> '
            f'(<a href="#report-stopped">see its error</a>): {html.escape(error)}</p>'
        )
    parts.append(f'<nav class="mt-toc"><p class="mt-toc-title">Contents</p>{_TOC_MARK}</nav>')
    parts.append("</header>")
    return "\n".join(parts)


def export_html(
    nb: nbformat.NotebookNode,
    path: Path,
    title: str,
    show_code: bool = False,
    header: str = "",
) -> None:
    """Write a notebook as self-contained HTML, code hidden by default.

    ``header`` (HTML, already escaped) goes at the top of the page; a table of
    contents of the notebook's headings replaces its ``<!-- medtwitter-toc -->``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    path : pathlib.Path
        The HTML file to write (replaced atomically).
    title : str
        The page's ``<title>``.
    show_code : bool, default False
        Keep the code cells' input in the page.
    header : str, optional
        HTML put at the top of the page (see :func:`report_header`); '' (default) for none.
    """
    from jinja2 import DictLoader  # lazy, as nbconvert (which imports it)
    from nbconvert import HTMLExporter  # lazy: nbconvert, ~1 s to import, only to render

    exporter = HTMLExporter(
        template_name="lab",
        template_file="medtwitter.html.j2",
        extra_loaders=[DictLoader({"medtwitter.html.j2": _TEMPLATE})],
    )
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True  # Markdown images too, not only outputs
    resources = {"metadata": {"name": title}, "medtwitter_header": header}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = body.replace(_TOC_MARK, table_of_contents(body), 1)
    _write_atomic(path, body)


def _write_atomic(path: Path, text: str) -> None:
    # a report is for sharing (0o644; mkstemp makes it owner-only)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), mode=0o644)


def _sections(nb: nbformat.NotebookNode) -> list[str]:
    """For each cell, the last Markdown heading at or before it ('' before the first)."""
    current, out = "", []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = _MD_HEADING.findall(cell.source)
            current = headings[-1] if headings else current
        out.append(current)
    return out


def describe_figures(nb: nbformat.NotebookNode) -> None:
    """Give every PNG output without one an alternative text naming its section.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook, usually executed (with its outputs).
        It is changed in place.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Volume"),
    ...     nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...         "display_data", data={"image/png": "", "text/plain": "<Figure>"})])])
    >>> describe_figures(nb); nb.cells[1].outputs[0].metadata["image/png"]["alt"]
    'Figure: Volume'
    """
    for cell, section in zip(nb.cells, _sections(nb), strict=True):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                meta = out.setdefault("metadata", {}).setdefault("image/png", {})
                meta.setdefault("alt", f"Figure: {section}" if section else "Figure")


def figure_sections(nb: nbformat.NotebookNode) -> list[str]:
    """Return the section (last heading) of each figure (PNG output) of a notebook, in order.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook, usually executed (with its outputs).

    Returns
    -------
    list of str
        One heading per PNG output ('' for a figure before the first heading).
    """
    return [
        section
        for cell, section in zip(nb.cells, _sections(nb), strict=True)
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block (a kernel started in it inherits them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _stop_at_failing_cell(nb: nbformat.NotebookNode) -> str:
    """Drop papermill's error banners and the cells after the failing one; mark the stop.

    Returns where it failed, for the reader: 'code cell N, section "..."'.
    """
    nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    sections = _sections(nb)
    number = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        number += 1
        if any(o.output_type == "error" for o in cell.outputs):
            nb.cells = nb.cells[: i + 1] + [nbformat.v4.new_markdown_cell(_STOP_CELL)]
            return f"code cell {number}" + (f', section "{sections[i]}"' if sections[i] else "")
    return ""


def run_notebook(
    path: Path, parameters: dict, progress: bool = True, timeout: int = 600, position: int = 0
) -> tuple[nbformat.NotebookNode, str]:
    """Execute a notebook with papermill; return it (with outputs) and an error text or ''.

    A failing cell (or a dead kernel, or a cell over ``timeout`` seconds) does
    not raise: the notebook returned ends at the failing cell, with its error.
    Progress is shown per cell unless ``progress`` is False (``position``: the
    bar's line, when several notebooks run side by side).

    Parameters
    ----------
    path : pathlib.Path
        The notebook to run (it is not changed; it runs in its own folder).
    parameters : dict
        Values papermill injects into the notebook's ``parameters`` cell.
    progress : bool, default True
        Show a progress bar per cell on stderr.
    timeout : int, default 600
        Seconds a cell may run before it counts as failed.
    position : int, default 0
        Line of the progress bar, when several notebooks run side by side.

    Returns
    -------
    tuple of (nbformat.NotebookNode, str)
        The executed notebook and, if it failed, ``"code cell N, section ...: error"`` ('' if not).
    """
    import papermill as pm  # lazy: papermill, ~0.4 s to import, only to execute

    bar: dict[str, Any] | bool = {
        "desc": path.stem,
        "leave": True,
        "file": sys.stderr,
        "position": position,
    }
    bar = bar if progress else False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        error = ""
        try:
            pm.execute_notebook(
                str(path),
                str(out),
                parameters=parameters,
                cwd=str(path.parent),
                progress_bar=bar,
                kernel_name="python3",
                execution_timeout=timeout,
            )
        except pm.PapermillExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel death, timeout: that report fails, the others go on
            error = f"{type(exc).__name__}: {exc}"
        nb = nbformat.read(out, as_version=4) if out.exists() else nbformat.read(path, as_version=4)
    if error:
        where = _stop_at_failing_cell(nb)
        error = f"{where}: {error}" if where else error
    return nb, error


def report_notebook(
    path: Path,
    params: dict,
    target: Path,
    description: str,
    synthetic: bool,
    show_code: bool = False,
    progress: bool = True,
    position: int = 0,
    figures: str | None = None,
) -> ReportResult:
    """Execute one notebook with ``params`` and export it to ``target``; never raises on a failing cell.

    With ``figures`` ('svg', 'pdf' or 'png'), every figure the notebook shows is also
    written to ``<target's folder>/figures/<notebook>/<nn>_<slug>.<figures>`` with a
    caption file (:func:`analysis.figures.collect_figures`).

    Parameters
    ----------
    path : pathlib.Path
        The notebook to run.
    params : dict
        Its parameters (``dataset`` is required; ``anonymise`` is shown in the header).
    target : pathlib.Path
        The HTML file to write.
    description : str
        The dataset sentence put in the header.
    synthetic : bool
        Show the synthetic-data banner.
    show_code : bool, default False
        Keep the code cells' input in the HTML.
    progress : bool, default True
        Show progress on stderr.
    position : int, default 0
        Line of the progress bar, when several notebooks run side by side.
    figures : str or None, optional
        ``"svg"``, ``"pdf"`` or ``"png"`` to also write each figure as a file; None (default)
        for none.

    Returns
    -------
    ReportResult
        The notebook's name, the HTML path, whether it ran through, its error and duration.
    """
    start = time.perf_counter()
    if progress:
        print(f"report: running {path.name}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as raw:
        env = {REPORT_ENV: "1"}
        if figures:
            env |= {FIGURES_DIR_ENV: raw, FIGURES_FORMAT_ENV: figures}
        with _environment(env):  # the kernel inherits it
            nb, error = run_notebook(path, params, progress=progress, position=position)
        if figures:
            collect_figures(Path(raw), target.parent / "figures" / path.stem, figure_sections(nb))
    describe_figures(nb)
    # papermill's injected cell holds data_dir, a path on this machine: not for readers
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    header = report_header(description, synthetic, error, params.get("anonymise", False), params)
    title = f"{path.stem} — {params['dataset']}"
    export_html(nb, target, title=title, show_code=show_code, header=header)
    return ReportResult(path.name, target, not error, error, time.perf_counter() - start, nb)


def build_reports(
    dataset: str | None = None,
    out_dir: str | os.PathLike[str] = "reports",
    notebooks: str | None = None,
    show_code: bool = False,
    anonymise: bool = False,
    seed: int | None = None,
    start: str | None = None,
    end: str | None = None,
    hashtags: list[str] | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    jobs: int | None = None,
    version: int | None = None,
    figures: str | None = None,
    network_max_nodes: int | None = None,
    scheduler: str | None = None,
) -> list[ReportResult]:
    """Execute the notebooks on ``dataset`` and export one HTML report each, plus ``index.html``.

    Parameters
    ----------
    dataset : str or None, optional
        Processed dataset under the data root (None: ``settings.DEFAULT_DATASET``, read now).
    out_dir : str or os.PathLike, default 'reports'
        Folder for the HTML files (created if missing, but not its parent).
    notebooks : str or None, optional
        Comma list of notebook numbers ('02,05'); None for all.
    show_code : bool, default False
        Keep the code cells in the HTML.
    anonymise : bool, default False
        Pseudonymise the data every notebook reads (passed to its parameters cell).
    seed : int or None, optional
        Seed of every notebook's random draws (None: ``settings.SEED``, read now).
    start, end : str or None, optional
        The period analysed (UTC dates, ``end`` excluded); None for all of it.
    hashtags : list of str or None, optional
        Hashtags of interest, without '#' (default: :data:`DEFAULT_HASHTAGS`).
    notebooks_dir : str or os.PathLike or None, optional
        Folder of the notebooks (default: the project's ``notebooks/``).
    progress : bool, default True
        Show progress per notebook and per cell on stderr.
    jobs : int or None, optional
        Notebooks run side by side, each in its own kernel (default
        ``settings.REPORT_JOBS``); the reports are the same whatever the number.
    version : int or None, optional
        The dataset version to report on (default: the latest); every
        notebook reads that one version, named in every report's header.
    figures : str or None, optional
        'svg', 'pdf' or 'png': also write every figure as its own file (PNG at
        300 dpi) with a caption, under ``<out_dir>/figures/<notebook>/``.
    network_max_nodes : int or None, optional
        Most accounts in notebook 02's network view (default: the
        notebook's, 5,000); passed as its ``network_max_nodes`` parameter.
    scheduler : str or None, optional
        A Dask scheduler (``local:N``, ``tcp://host:8786``, a scheduler file):
        the notebooks run with ``engine="dask"`` and compute on that cluster (a
        ``local:N`` cluster is started here once and shared by every notebook).

    Returns
    -------
    list of ReportResult
        One result per notebook, in the notebooks' order (``index.html`` is written too).

    Raises
    ------
    analysis.errors.UsageError
        On an unknown figure format, notebook number or dataset period, or a
        ``network_max_nodes`` below 1.

    Examples
    --------
    >>> results = build_reports("demo", "reports", notebooks="00")  # doctest: +SKIP
    >>> results[0].html.name  # doctest: +SKIP
    '00_overview.html'
    """
    cluster = ExitStack()
    if scheduler is not None:  # a bad address or no Dask: one line, before any work
        from analysis.cluster import dask_client
        from analysis.tables_dask import require_dask_dataframe

        client = cluster.enter_context(dask_client(scheduler))
        require_dask_dataframe()
        scheduler = client.scheduler_info()["address"]  # what every notebook's kernel connects to
    with cluster:
        dataset = settings.DEFAULT_DATASET if dataset is None else dataset
        seed = settings.SEED if seed is None else seed
        engine = "pandas" if scheduler is None else "dask"
        if figures is not None and figures not in FIGURE_FORMATS:
            raise UsageError(
                f"unknown figure format {figures!r}; use one of {', '.join(FIGURE_FORMATS)}."
            )
        if network_max_nodes is not None and int(network_max_nodes) < 1:
            raise UsageError(f"network_max_nodes must be at least 1, not {network_max_nodes}.")
        # fails early, with the fix, on an unknown dataset or a bad period
        tables = load_dataset(dataset, start=start, end=end, version=version, engine=engine)
        version = tables.meta.get("version")  # every notebook reads this one version
        description = describe_span(tables)
        books = list_notebooks(notebooks, notebooks_dir)
        out = check_out_dir(out_dir)  # a file, a missing parent, no permission: before the work
        params = {
            "dataset": dataset,
            "data_dir": str(settings.data_dir()),
            "version": version,
            "start": start,
            "end": end,
            "hashtags": list(hashtags or DEFAULT_HASHTAGS),
            "anonymise": anonymise,
            "seed": seed,
        }
        if network_max_nodes is not None:  # notebook 02's own default otherwise
            params["network_max_nodes"] = int(network_max_nodes)
        if scheduler is not None:  # the notebooks' own defaults (pandas, no cluster) otherwise
            params.update(engine=engine, scheduler=scheduler)
        jobs = max(1, min(jobs or settings.REPORT_JOBS, len(books) or 1))
        tasks: list[dict[str, Any]] = [
            dict(
                path=path,
                params=params,
                target=out / f"{path.stem}.html",
                show_code=show_code,
                description=description,
                synthetic=tables.synthetic,
                progress=progress,
                position=i % jobs,
                figures=figures,
            )
            for i, path in enumerate(books)
        ]

        def announce(n: int, r: ReportResult) -> None:
            """Print one notebook's outcome on stderr (when ``progress``).

            Parameters
            ----------
            n : int
                How many reports are done, this one included.
            r : ReportResult
                The report just done.
            """
            if progress:
                status = "ok" if r.ok else f"FAILED ({r.error})"
                print(
                    f"report {n}/{len(books)}: {Path(r.notebook).stem} {status} in {r.seconds:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )

        if progress:
            print(
                f"report: {len(books)} notebook(s) on dataset {dataset!r}, {jobs} at a time",
                file=sys.stderr,
                flush=True,
            )
        if jobs == 1:
            results = []
            for n, task in enumerate(tasks, 1):
                results.append(report_notebook(**task))
                announce(n, results[-1])
        else:  # one kernel per notebook anyway: run `jobs` of them side by side
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
                futures = {pool.submit(report_notebook, **task): i for i, task in enumerate(tasks)}
                done: dict[int, ReportResult] = {}
                for n, future in enumerate(as_completed(futures), 1):
                    done[futures[future]] = future.result()
                    announce(n, done[futures[future]])
            results = [done[i] for i in range(len(tasks))]
        write_index(out, dataset, description, results, tables.synthetic, version)
        return results


#: Cells tagged so hold a notebook's key findings (printed sentences), shown in ``index.html``.
FINDINGS_TAG = "findings"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9«\"'])")


def key_findings(nb: nbformat.NotebookNode, sentences: int = 2, limit: int = 360) -> str:
    r"""Return the first sentences printed by the cells tagged ``findings``, as plain text.

    The notebook computes them from the data (e.g. 02 prints its reciprocity); '' when
    no tagged cell printed anything (a failed report, a notebook without the tag).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook, usually executed (with its outputs).
    sentences : int, default 2
        Most sentences returned.
    limit : int, default 360
        Most characters returned; a longer text is cut at a word and ends with "…".

    Returns
    -------
    str
        The findings, whitespace collapsed; '' when there are none.

    Examples
    --------
    >>> cell = nbformat.v4.new_code_cell(metadata={"tags": ["findings"]}, outputs=[
    ...     nbformat.v4.new_output("stream", name="stdout", text="Reciprocity 0.30. More.\nAnd more.")])
    >>> key_findings(nbformat.v4.new_notebook(cells=[cell]))
    'Reciprocity 0.30. More.'
    """
    texts = []
    for cell in nb.cells:
        if FINDINGS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                texts.append(out["text"])
            elif out.get("output_type") == "execute_result" and set(data) == {"text/plain"}:
                text = data["text/plain"]  # a returned sentence, not a table or a figure
                texts.append(text[1:-1] if text[:1] in "'\"" and text[-1:] == text[:1] else text)
    found = " ".join(" ".join(texts).split())
    parts = _SENTENCE_END.split(found)
    text = " ".join(parts[:sentences])
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """Return the notebook's first level-1 Markdown heading, or ``default``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook.
    default : str
        The title to use when it has no level-1 heading (the notebook's file stem).

    Returns
    -------
    str
        The heading's text, without the ``#``.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if m:
                return m.group(1)
    return default


def thumbnail(nb: nbformat.NotebookNode, width: int = 280) -> str:
    """Return a small PNG (data URI) of the notebook's last figure, or '' when it has none.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook, usually executed (with its outputs).
    width : int, default 280
        Display width in CSS pixels; the image is stored at up to twice that.

    Returns
    -------
    str
        A ``data:image/png;base64,...`` URI, or ''.
    """
    pngs = [
        out["data"]["image/png"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    if not pngs:
        return ""
    image = Image.open(io.BytesIO(base64.b64decode(pngs[-1]))).convert("RGB")
    image.thumbnail((width * 2, width * 2))  # 2x: sharp on high-density screens
    buffer = io.BytesIO()
    image.quantize(colors=128).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_index(
    out: Path,
    dataset: str,
    description: str,
    results: list[ReportResult],
    synthetic: bool,
    version: int | None = None,
) -> Path:
    """Write ``index.html``: per report its title, key findings, a thumbnail; failures marked.

    Parameters
    ----------
    out : pathlib.Path
        The reports' folder.
    dataset : str
        The dataset's name, in the page title.
    description : str
        The dataset sentence shown under the title.
    results : list of ReportResult
        The reports, in the order listed.
    synthetic : bool
        Show the synthetic-data banner.
    version : int or None, optional
        The dataset version the reports were made from; None (default) leaves it unsaid.

    Returns
    -------
    pathlib.Path
        The ``index.html`` written.
    """
    cards = []
    for r in results:
        nb = r.executed if r.executed is not None else nbformat.v4.new_notebook()
        stem = Path(r.notebook).stem
        title = html.escape(notebook_title(nb, stem))
        thumb = thumbnail(nb) if r.ok else ""
        image = (
            f'<img class="mt-thumb" src="{thumb}" width="280" alt="First figure of {title}">'
            if thumb
            else ""
        )
        findings = key_findings(nb) if r.ok else ""
        text = f'<p class="mt-findings">{html.escape(findings)}</p>' if findings else ""
        failed = (
            ""
            if r.ok
            else f'<p><strong class="mt-failed">failed</strong>: {html.escape(r.error)}</p>'
        )
        cards.append(
            f'<li class="mt-card">{image}<div><h2><a href="{html.escape(r.html.name)}">{title}</a>'
            f"</h2>{text}{failed}</div></li>"
        )
    banner = f'<p class="mt-banner"><strong>{html.escape(SYNTHETIC_BANNER)}</strong></p>'
    title = f"medtwitter reports — {html.escape(dataset)}"
    made_from = (
        f'<p class="mt-version">Made from version {int(version)} of the dataset '
        f"(<code>medtwitter info {html.escape(dataset)} --versions</code> lists them).</p>"
        if version is not None
        else ""
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{title}</title>\n<style>\n"
        "body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }\n"
        ".mt-banner { background: #fff3cd; border: 1px solid #e0c060; padding: .6em 1em; }\n"
        ".mt-failed { color: #b00020; }\n"
        ".mt-cards { list-style: none; padding: 0; }\n"
        ".mt-card { display: flex; gap: 1em; align-items: flex-start; margin: 1.2em 0; }\n"
        ".mt-card h2 { font-size: 1.15em; margin: 0 0 .3em 0; }\n"
        ".mt-thumb { border: 1px solid #ddd; height: auto; flex: none; }\n"
        ".mt-findings { margin: 0; color: #222; }\n</style></head>\n<body>\n"
        f"<h1>{title}</h1>\n{banner if synthetic else ''}\n"
        f"<p>{html.escape(description)}</p>\n{made_from}\n"
        f'<ul class="mt-cards">\n{chr(10).join(cards)}\n</ul>\n</body></html>\n'
    )
    path = out / "index.html"
    _write_atomic(path, page)
    return path


def refresh_notebook(path: Path, timeout: int = 600) -> None:
    """Execute a notebook in place with its default parameters (``make notebooks``).

    Cell timings are not recorded, so the stored notebook holds no wall-clock text.

    Parameters
    ----------
    path : pathlib.Path
        The notebook to execute and overwrite.
    timeout : int, default 600
        Seconds a cell may run before the execution fails.
    """
    from nbclient import NotebookClient  # lazy: nbclient, ~0.25 s; refresh only

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    write_atomic(path, lambda tmp: nbformat.write(nb, str(tmp)), mode=0o644)
