"""Exports people open are safe: CSV cells are never run as formulas, GEXF/GraphML are valid XML.

Every CSV a command writes (``graph --metrics``, ``accounts DATASET --out/--pairs``,
``accounts classify --out``, labels on standard output) neutralises cells a spreadsheet
would run (OWASP: a leading ``'``), unless ``--raw-csv``; each file is read back with
Python's csv module, DuckDB and Polars. Display names holding characters XML 1.0
forbids are exported without them, and read back by networkx and an XML parser.
Accounts, handles and names are invented (synthetic).
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import networkx as nx
import pandas as pd
import polars as pl
import pytest

from analysis import settings
from analysis.cli import main
from analysis.ingest import ingest_files
from analysis.outputs import safe_csv, write_csv, xml_text
from tests.pages import prov

#: Cells a spreadsheet would run, or read as a formula: the OWASP list, and its whitespace.
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
#: A pair of accounts of one person (shared name parts, same place, mutual follows).
PAIR = [
    (40, "=JulieVernet", "=Julie Vernet", ""),
    (41, "@DrJulieV_pro", "@Dr J. Vernet", "MG, compte pro"),
]
#: A display name holding characters XML 1.0 forbids (and one it allows: tab).
BAD_XML_NAME = "Dr\x00 Tor\x0btue\ufffe\x1f\tMG \U0001f9e0"


def _user(uid: int, username: str, name: str, description: str = "", **extra) -> dict:
    return {"id": str(uid), "username": username, "name": name, "description": description, **extra}


def _pages() -> list[dict]:
    hostile = [_user(20 + i, h, h, h, location=h) for i, h in enumerate(FORMULAS)]
    pair = [_user(uid, u, n, d, location="-Brest") for uid, u, n, d in PAIR]
    tortue = _user(10, "dr_tortue", BAD_XML_NAME, "MG")
    return [
        {"data": [tortue], "__medtwitter": prov("users", ids="10")},
        {
            "data": hostile + pair,
            "meta": {"result_count": len(hostile) + 2},
            "__medtwitter": prov("followers", user_id="10"),
        },
        {
            "data": [pair[1]],
            "meta": {"result_count": 1},
            "__medtwitter": prov("followers", user_id="40"),
        },
        {
            "data": [pair[0]],
            "meta": {"result_count": 1},
            "__medtwitter": prov("followers", user_id="41"),
        },
    ]


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """A data root holding dataset 'hostile': handles and names that are formulas, bad XML."""
    root = tmp_path_factory.mktemp("hostile-exports")
    raw = root / "hostile.jsonl"
    raw.write_text("".join(json.dumps(p) + "\n" for p in _pages()), encoding="utf-8")
    settings.set_data_dir(root)
    try:
        ingest_files([raw], "hostile", progress=False)
    finally:
        settings.set_data_dir(None)
    return root


@pytest.fixture
def hostile(hostile_root):
    settings.set_data_dir(hostile_root)
    yield hostile_root
    settings.set_data_dir(None)


def read_back(path: Path) -> dict[str, dict[str, list[str]]]:
    """The file's columns (all as text) as Python's csv module, DuckDB and Polars read them."""
    with open(path, encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    by_csv = {c: [r[i] for r in rows] for i, c in enumerate(header)}
    rel = duckdb.read_csv(str(path), header=True, all_varchar=True)
    by_duckdb = {c: [r[i] or "" for r in rel.fetchall()] for i, c in enumerate(rel.columns)}
    by_polars = {
        c: [v or "" for v in s]
        for c, s in pl.read_csv(path, infer_schema=False).to_dict(as_series=False).items()
    }
    return {"csv": by_csv, "duckdb": by_duckdb, "polars": by_polars}


def assert_neutralised(path: Path, column: str, expected: list[str], raw: bool = False) -> None:
    """Each reader finds every value of ``expected`` in ``column``, with a leading ``'`` unless
    ``raw``, and nothing else changed."""
    for reader, columns in read_back(path).items():
        cells = columns[column]
        for value in expected:
            want = value if raw else "'" + value
            assert want in cells, (reader, column, value, cells)
        if not raw:
            for cell in cells:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (reader, cell)


def _run(argv: list[str]) -> int:
    return main([str(a) for a in argv])


# --------------------------------------------------------------------------- the rule


def test_safe_csv_prefixes_text_cells_only_and_keeps_negative_numbers():
    frame = pd.DataFrame(
        {
            "name": FORMULAS + ["Dr Tortue", None],
            "n": [-1, -2, 3, -4, 5, -6, -7, 8],
            "x": [-0.5] * 8,
            "cat": pd.Categorical(["-1"] * 8),
        }
    )
    safe = safe_csv(frame)
    assert safe["name"].tolist()[:6] == ["'" + v for v in FORMULAS]
    assert safe["name"].iloc[6] == "Dr Tortue" and pd.isna(safe["name"].iloc[7])
    assert safe["n"].tolist() == frame["n"].tolist() and safe["n"].dtype == frame["n"].dtype
    assert safe["x"].tolist() == [-0.5] * 8 and safe["cat"].tolist() == ["'-1"] * 8
    assert frame["name"].iloc[0] == FORMULAS[0]  # the caller's frame is not changed


def test_write_csv_keeps_numbers_numbers_for_every_reader(tmp_path):
    path = write_csv(pd.DataFrame({"name": ["-2+3"], "n": [-2], "x": [-0.5]}), tmp_path / "a.csv")
    assert path.read_bytes() == b"name,n,x\r\n'-2+3,-2,-0.5\r\n"
    assert pd.read_csv(path)["n"].tolist() == [-2]
    assert duckdb.read_csv(str(path)).fetchall() == [("'-2+3", -2, -0.5)]
    assert pl.read_csv(path).row(0) == ("'-2+3", -2, -0.5)


def test_a_header_that_is_a_formula_is_neutralised_too(tmp_path):
    path = write_csv(pd.DataFrame({"=cmd|' /C calc'!A0": ["x"]}), tmp_path / "h.csv")
    assert path.read_bytes() == b"'=cmd|' /C calc'!A0\r\nx\r\n"


# --------------------------------------------------------------------------- each command


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw-csv"])
def test_graph_metrics_csv_neutralises_formula_handles(hostile, tmp_path, capsys, raw):
    out = tmp_path / "m.csv"
    assert (
        _run(
            ["graph", "hostile", "--metrics", "--quiet", "--out", out]
            + (["--raw-csv"] if raw else [])
        )
        == 0
    )
    assert_neutralised(out, "username", FORMULAS, raw=raw)
    for reader, columns in read_back(out).items():  # numbers stay numbers
        assert all(c.lstrip("-").replace(".", "").isdigit() for c in columns["pagerank"]), reader


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw-csv"])
def test_accounts_dataset_labels_and_pairs_neutralise_formula_handles(hostile, tmp_path, raw):
    out, pairs = tmp_path / "labels.csv", tmp_path / "pairs.csv"
    assert (
        _run(
            ["accounts", "hostile", "--out", out, "--pairs", pairs] + (["--raw-csv"] if raw else [])
        )
        == 0
    )
    assert_neutralised(out, "username", FORMULAS + [u for _, u, _, _ in PAIR], raw=raw)
    assert_neutralised(pairs, "username_a", [PAIR[0][1]], raw=raw)
    assert_neutralised(pairs, "username_b", [PAIR[1][1]], raw=raw)


def test_accounts_labels_on_standard_output_are_neutralised(hostile, tmp_path, capsys):
    assert _run(["accounts", "hostile"]) == 0
    out = tmp_path / "stdout.csv"
    out.write_bytes(capsys.readouterr().out.encode("utf-8"))
    assert_neutralised(out, "username", FORMULAS)


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw-csv"])
def test_accounts_classify_neutralises_formula_usernames(tmp_path, capsys, raw):
    profiles = tmp_path / "profiles.csv"
    pd.DataFrame({"username": FORMULAS, "name": FORMULAS, "description": FORMULAS}).to_csv(
        profiles, index=False, lineterminator="\r\n"
    )
    out = tmp_path / "labels.csv"
    assert (
        _run(["accounts", "classify", profiles, "--out", out] + (["--raw-csv"] if raw else [])) == 0
    )
    assert_neutralised(out, "username", FORMULAS, raw=raw)


# --------------------------------------------------------------------------- XML


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_export_drops_characters_xml_forbids_and_reads_back(hostile, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    assert _run(["graph", "hostile", "--export", fmt, "--out", out]) == 0
    ET.parse(out)  # well-formed XML
    G = nx.read_gexf(out, node_type=int) if fmt == "gexf" else nx.read_graphml(out, node_type=int)
    assert G.nodes[10]["name"] == xml_text(BAD_XML_NAME) == "Dr Tortue\tMG \U0001f9e0"
    assert G.nodes[20]["username"] == FORMULAS[0]  # other text untouched
    assert G.number_of_nodes() == 9 and G.number_of_edges() == 10


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_export_graph_cleans_node_edge_and_graph_attributes_and_text_ids(tmp_path, suffix):
    from analysis import graph as ag

    bad = "a\x00b\x0bc\ud800d\ufffe\uffffe\x1f"
    G = nx.DiGraph(name=f"g{bad}")
    G.add_edge(f"n{bad}", "m", label=f"e{bad}", weight=2)
    G.nodes[f"n{bad}"].update({"name": bad, f"k{bad}": 1})
    path = ag.export_graph(G, tmp_path / f"g{suffix}")
    root = ET.parse(path).getroot()
    assert root is not None
    H = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    assert set(H) == {"nabcde", "m"}
    assert H.nodes["nabcde"]["name"] == "abcde" and H.nodes["nabcde"]["kabcde"] == 1
    edge = H.edges["nabcde", "m"]
    assert edge["weight"] == 2 and edge.get("label", "eabcde") == "eabcde"
    if suffix == ".graphml":
        assert H.graph["name"] == "gabcde"


def test_report_02_export_cell_path_writes_valid_xml(hostile, tmp_path):
    """Notebook 02's export cell: ``ag.export_graph(G, ..., metrics=metrics)`` and ``read_graph``."""
    from analysis import graph as ag
    from analysis.accounts import label_users
    from analysis.tables import load_dataset

    tables = load_dataset("hostile")
    labels = label_users(tables.users)[["user_id", "role", "identity"]]
    G = ag.graph_from_tables(tables, labels=labels)
    metrics = ag.node_metrics(G, seed=42, backend="igraph")
    back = ag.read_graph(ag.export_graph(G, tmp_path / "graph.gexf", metrics=metrics))
    assert back.nodes[10]["name"] == "Dr Tortue\tMG \U0001f9e0"
    assert back.number_of_edges() == G.number_of_edges()
