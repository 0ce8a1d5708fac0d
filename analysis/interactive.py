"""Interactive tables in notebooks and their HTML reports, working offline.

:func:`setup_notebook` (the first call of every notebook's setup cell) loads
DataTables through ``itables`` in its offline mode — the library is embedded in
that cell's output, so the exported report needs no network — and from then on
shows every DataFrame as a sortable, searchable, paginated table
(:func:`interactive_table`): column names made readable (``in_degree`` ->
``in degree``), no bare 0, 1, 2… index (a meaningful index becomes a column),
long tables whole (no downsampling; 15 rows a page, "All" in the menu). Table
ids are numbered per kernel (``mt-table-1``, ``mt-table-2``…), so running a
notebook twice writes the same HTML and nbval compares the tables by their data.

It also sets figures crisp on high-density screens (PNG at twice the resolution,
shown at its normal size) and, when ``medtwitter report --figures`` asked for
it, saves every figure shown as its own file (see :mod:`analysis.figures`).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pandas as pd

from analysis.figures import inline_png, save_on_display

#: Rows per page of an interactive table; tables up to this many rows show without pages.
PAGE_LENGTH = 15
#: The page lengths a reader can choose (-1: all rows).
LENGTH_MENU = [[15, 50, 100, -1], [15, 50, 100, "All"]]
#: Set by ``medtwitter report`` in the kernel's environment: the notebook runs unattended.
REPORT_ENV = "MEDTWITTER_REPORT"

_ids = itertools.count(1)


def readable_name(name: object) -> str:
    """Return a column name for readers: underscores as spaces, tuples (MultiIndex) joined.

    Parameters
    ----------
    name : object
        A column name: text, a tuple of a MultiIndex, or anything else.

    Returns
    -------
    str
        The name as shown to readers.

    Examples
    --------
    >>> readable_name("in_degree"), readable_name(("tweets", "mean")), readable_name(3)
    ('in degree', 'tweets · mean', '3')
    """
    if isinstance(name, tuple):
        return " · ".join(readable_name(n) for n in name if str(n) != "")
    return str(name).replace("_", " ").strip()


def readable_frame(df: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Return the frame as a table shows it: a meaningful index as columns, readable column names.

    A bare ``RangeIndex`` (0, 1, 2… without a name) is dropped; any other index
    (named, or labels such as a group or a statistic) becomes the first column(s).

    Parameters
    ----------
    df : pandas.DataFrame or pandas.Series
        Any result table; a Series becomes a one-column frame.

    Returns
    -------
    pandas.DataFrame
        A copy ready to show.

    Examples
    --------
    >>> readable_frame(pd.DataFrame({"in_degree": [3, 1]})).columns.tolist()
    ['in degree']
    >>> readable_frame(pd.Series([0.3, 0.1], index=pd.Index(["a", "b"], name="group_name"),
    ...                name="share")).columns.tolist()
    ['group name', 'share']
    """
    frame = df.to_frame() if isinstance(df, pd.Series) else df
    index = frame.index
    bare = isinstance(index, pd.RangeIndex) and index.name is None
    if not bare:
        names = [
            n if n is not None else ("" if index.nlevels == 1 else f"level {i}")
            for i, n in enumerate(index.names)
        ]
        taken = {str(c) for c in frame.columns}
        names = [n if str(n) not in taken else f"{n} (index)" for n in names]
        frame = frame.set_axis(index.set_names(names), axis=0).reset_index()
        if frame.columns[0] == "" and index.nlevels == 1:
            frame = frame.rename(columns={"": " "})
    else:
        frame = frame.reset_index(drop=True)
    columns = [readable_name(c) for c in frame.columns]
    seen: dict[str, int] = {}
    for i, c in enumerate(columns):  # two names made alike by the rewriting stay apart
        seen[c] = seen.get(c, 0) + 1
        if seen[c] > 1:
            columns[i] = f"{c} ({seen[c]})"
    return frame.set_axis(columns, axis=1)


def table_options(n_rows: int) -> dict:
    """Return the itables options for a table of ``n_rows`` rows (paging only when it needs pages).

    Parameters
    ----------
    n_rows : int
        Number of rows of the table.

    Returns
    -------
    dict
        Keyword options for itables (``paging``, ``pageLength``...).

    Examples
    --------
    >>> table_options(10)["paging"], table_options(45)["pageLength"]
    (False, 15)
    """
    paged = n_rows > PAGE_LENGTH
    return {
        "paging": paged,
        "pageLength": PAGE_LENGTH,
        "lengthMenu": LENGTH_MENU,
        "layout": {
            "topStart": "pageLength" if paged else None,
            "topEnd": "search",
            "bottomStart": "info",
            "bottomEnd": "paging" if paged else None,
        },
        "maxBytes": 0,  # never downsample: long tables show whole
        "showIndex": False,  # readable_frame made a meaningful index a column
        "scrollX": True,  # wide tables scroll instead of squeezing
        "classes": "display compact cell-border",
        "display_logo_when_loading": False,
        "text_in_header_can_be_selected": False,  # a click anywhere on a header sorts
        "order": [],  # as computed until the reader sorts
    }


def interactive_table(df: pd.DataFrame | pd.Series, caption: str | None = None) -> str:
    """Return the HTML of ``df`` as an interactive (sortable, searchable, paginated) table.

    Needs DataTables loaded in the page: :func:`setup_notebook` loads it,
    embedded, once per notebook. Cell text is escaped (never read as HTML).

    Parameters
    ----------
    df : pd.DataFrame or pd.Series
        The table (:func:`readable_frame` makes its index and column names readable).
    caption : str, optional
        A caption above the table.

    Returns
    -------
    str
        The table's HTML.
    """
    from itables import to_html_datatable  # lazy: itables, ~0.6 s to import

    frame = readable_frame(df)
    return to_html_datatable(
        frame,
        caption=caption,
        table_id=f"mt-table-{next(_ids)}",
        connected=False,
        **table_options(len(frame)),
    )


def _frame_repr_html(self: pd.DataFrame | pd.Series) -> str:
    return interactive_table(self)


def interactive_tables() -> None:
    """Load DataTables (embedded, offline) and show every DataFrame and Series interactively."""
    from itables import init_notebook_mode  # lazy: itables, ~0.6 s to import

    init_notebook_mode(all_interactive=True, connected=False)
    pd.DataFrame._repr_html_ = _frame_repr_html  # ours: readable names, stable ids
    pd.Series._repr_html_ = _frame_repr_html


def crisp_figures() -> None:
    """Show matplotlib figures as PNG at twice their resolution (sharp on high-density screens).

    When ``medtwitter report --figures`` runs the notebook, every figure shown is
    also saved as its own file (:func:`analysis.figures.save_on_display`).
    """
    from IPython import get_ipython  # lazy: IPython, ~0.12 s to import

    ip = get_ipython()
    if ip is None:
        return
    from matplotlib.figure import Figure  # lazy: matplotlib, ~0.5 s to import

    ip.run_line_magic(
        "matplotlib", "inline"
    )  # configures its own formatter first: ours replaces it
    png = ip.display_formatter.formatters["image/png"]
    png.for_type(Figure, save_on_display(inline_png))


def setup_notebook() -> None:
    """Interactive tables and crisp figures; the first call of every notebook's setup cell."""
    interactive_tables()
    crisp_figures()


def in_report() -> bool:
    """Return True when the notebook runs under ``medtwitter report`` (papermill), not in JupyterLab."""
    return os.environ.get(REPORT_ENV) == "1"


def format_numbers(df: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """Return a copy with numbers as text for reading: whole numbers as integers, others rounded.

    For tables that mix counts and shares in one column (a graph's size: 800 accounts,
    reciprocity 0.299), which pandas would print as ``800.0000``.

    Parameters
    ----------
    df : pd.DataFrame
        The table.
    digits : int
        Significant digits of the numbers that are not whole.

    Returns
    -------
    pd.DataFrame
        A copy, its numeric columns as text.

    Examples
    --------
    >>> format_numbers(pd.DataFrame({"value": [800.0, 16113.0, 0.29903]}))["value"].tolist()
    ['800', '16,113', '0.299']
    """
    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(
            out[column]
        ):
            out[column] = out[column].map(lambda v: _number_text(v, digits))
    return out


def _number_text(value: float, digits: int) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.{digits}g}"


#: The parameters the form sets, with their labels.
FORM_FIELDS: dict[str, str] = {
    "dataset": "Dataset",
    "start": "First day (UTC)",
    "end": "Day after the last",
    "hashtags": "Hashtags",
    "anonymise": "Anonymise",
}


def parameters_form(namespace: dict) -> Any:
    """Return a small form (dataset, period, hashtags, anonymise) setting the notebook's parameters.

    It runs nothing by itself: "Apply" sets the variables in ``namespace`` (the
    notebook's ``globals()``) and says to re-run the cells below.

    Parameters
    ----------
    namespace : dict
        The notebook's ``globals()``, where the parameters live.

    Returns
    -------
    ipywidgets.VBox or None
        The form; ``None`` under ``medtwitter report`` (papermill), which shows nothing.
    """
    if in_report():
        return None
    import ipywidgets as w  # lazy: ipywidgets, ~0.16 s to import

    # labels as wide as the longest one ("Day after the last"): ipywidgets' default width
    # cuts them to "Day after …"
    label = {"description_width": "9.5em"}
    # a text box, not a list of the datasets found: the stored output must not depend on
    # which datasets a machine holds (`medtwitter info` lists them)
    dataset = w.Text(
        value=namespace.get("dataset", "demo"), description=FORM_FIELDS["dataset"], style=label
    )
    start = w.Text(
        value=namespace.get("start") or "",
        placeholder="YYYY-MM-DD (empty: all)",
        description=FORM_FIELDS["start"],
        style=label,
    )
    end = w.Text(
        value=namespace.get("end") or "",
        placeholder="YYYY-MM-DD (empty: all)",
        description=FORM_FIELDS["end"],
        style=label,
    )
    tags = w.Text(
        value=", ".join(namespace.get("hashtags") or []),
        description=FORM_FIELDS["hashtags"],
        style=label,
    )
    anonymise = w.Checkbox(
        value=bool(namespace.get("anonymise")),
        description=FORM_FIELDS["anonymise"],
        style=label,
    )
    apply = w.Button(description="Apply", button_style="primary")
    status = w.HTML()

    def on_apply(_):
        """Copy the form's values into the notebook's parameters and say what to run next.

        Parameters
        ----------
        _ : ipywidgets.Button
            The button clicked (unused).
        """
        namespace.update(
            dataset=dataset.value,
            start=start.value.strip() or None,
            end=end.value.strip() or None,
            hashtags=[t.strip().lstrip("#") for t in tags.value.split(",") if t.strip()],
            anonymise=anonymise.value,
        )
        status.value = (
            "Parameters set. Run the cells below (Run › Run Selected Cell and All Below)."
        )

    apply.on_click(on_apply)
    return w.VBox([dataset, w.HBox([start, end]), tags, anonymise, w.HBox([apply, status])])
