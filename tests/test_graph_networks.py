"""Issue 16: every network from the command line, for Gephi (GEXF, GraphML) and as CSV tables.

``medtwitter graph DATASET --network follow|mention|retweet|reply|quote --export
gexf|graphml|csv --out FILE``: each export is read back by networkx, igraph, pandas,
DuckDB and Polars and checked against the network built in Python; the GEXF file's
structure (dynamic mode, declared attributes, spells) is checked with an XML parser.
The small dataset ``quotes`` is written from the documented X API v2 search page
shape (``referenced_tweets`` of type ``quoted``); its accounts are invented (synthetic).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import igraph as ig
import networkx as nx
import pandas as pd
import polars as pl
import pytest

from analysis import graph as ag
from analysis import settings
from analysis.cli import main
from analysis.errors import UsageError
from analysis.graph.networks import iso_texts, nodes_path
from analysis.tables import load_dataset
from tests.conftest import write_jsonl
from tests.pages import prov, user

GEXF_NS = "{http://www.gexf.net/1.2draft}"
#: ISO 8601 UTC to the second, as written for Gephi's timeline.
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
#: What Gephi colours and sizes nodes by, with the GEXF type each is declared with.
NODE_ATTRIBUTES = {
    "role": "string",
    "identity": "string",
    "community": "long",
    "in_degree": "long",
    "out_degree": "long",
    "pagerank": "double",
}
#: A handle a spreadsheet would run as a formula, and a name XML 1.0 cannot hold whole.
FORMULA = '=HYPERLINK("http://x","y")'
BAD_XML_NAME = "Dr\x00 Tor\x0btue\ufffe"


def _tweet(
    tid: int,
    author: int,
    when: str,
    text: str,
    quoted: int | None = None,
    mentions: list[tuple[str, int]] = (),
) -> dict:
    out = {
        "id": str(tid),
        "author_id": str(author),
        "created_at": when,
        "text": text,
        "lang": "fr",
        "conversation_id": str(tid),
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }
    if quoted is not None:
        out["referenced_tweets"] = [{"type": "quoted", "id": str(quoted)}]
    if mentions:
        out["entities"] = {
            "mentions": [
                {"start": 0, "end": len(h) + 1, "username": h, "id": str(i)} for h, i in mentions
            ]
        }
    return out


def quotes_page() -> dict:
    """A search page of quote tweets (synthetic): 21 quotes 12 twice, protected 13 once; 12 quotes
    itself; 14 quotes a tweet the page does not hold. 21 also mentions 12."""
    return {
        "data": [
            _tweet(
                501,
                21,
                "2024-04-30T08:00:00.000Z",
                "@dr_tortue à lire",
                quoted=500,
                mentions=[("dr_tortue", 12)],
            ),
            _tweet(502, 13, "2024-04-30T09:00:00.000Z", "Bien dit", quoted=500),
            _tweet(503, 21, "2024-05-01T07:00:00.000Z", "Encore", quoted=500),
            _tweet(504, 12, "2024-05-01T08:00:00.000Z", "Je précise", quoted=500),
            _tweet(505, 14, "2024-05-01T09:00:00.000Z", "Supprimé ?", quoted=777),
        ],
        "includes": {
            "users": [
                user(21, FORMULA, name="Dr Formule", protected=False),
                user(12, "dr_tortue", name=BAD_XML_NAME, description="MG"),
                user(13, "idel_lyon", name="Infirmière libérale", protected=True),
                user(14, "mr_durand"),
            ],
            "tweets": [_tweet(500, 12, "2024-04-29T20:00:00.000Z", "Question aux confrères")],
        },
        "meta": {"result_count": 5},
        "__medtwitter": prov("search_recent", query="#docstoctoc"),
    }


@pytest.fixture(scope="module")
def quotes_root(tmp_path_factory) -> Path:
    """A data root holding dataset 'quotes', ingested from :func:`quotes_page` by the command."""
    root = tmp_path_factory.mktemp("quotes")
    raw = write_jsonl(root / "quotes.jsonl", [quotes_page()])
    code = main(["--data-dir", str(root), "ingest", str(raw), "--dataset", "quotes", "--quiet"])
    settings.set_data_dir(None)
    assert code == 0
    return root


@pytest.fixture
def quotes(quotes_root):
    settings.set_data_dir(quotes_root)
    yield quotes_root
    settings.set_data_dir(None)


def _run(capsys, argv: list) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("medtwitter: error: "), err
    return lines[0]


def _weights(G: nx.Graph) -> dict:
    return {(u, v): float(w) for u, v, w in G.edges(data="weight", default=1)}


# --------------------------------------------------------------------------- every network


@pytest.mark.parametrize("network", ag.NETWORKS)
def test_every_network_reads_back_the_same_in_networkx_igraph_pandas_and_duckdb(
    data_root, tmp_path, capsys, network
):
    G = ag.network_graph(load_dataset("demo"), network)
    assert G.number_of_edges() > 0
    metrics = ag.node_metrics(G, seed=settings.SEED, backend="igraph").set_index("user_id")
    files = {fmt: tmp_path / f"{network}.{fmt}" for fmt in ("gexf", "graphml", "csv")}
    for fmt, path in files.items():
        code, out, _ = _run(
            capsys, ["graph", "demo", "--network", network, "--export", fmt, "--out", path]
        )
        assert code == 0 and str(path) in out
        assert f"{len(G):,} accounts, {G.number_of_edges():,} " in out

    gexf = nx.read_gexf(files["gexf"], node_type=int)
    graphml = nx.read_graphml(files["graphml"], node_type=int)
    for back in (gexf, graphml):
        assert set(back.nodes) == set(G.nodes) and set(back.edges) == set(G.edges)
        assert _weights(back) == _weights(G)
        for v in list(G)[:40]:
            node = back.nodes[v]
            assert node["label"] == G.nodes[v].get("username", str(v))
            assert node["in_degree"] == metrics.loc[v, "in_degree"] == G.in_degree(v)
            assert node["community"] == metrics.loc[v, "community"]
            assert node["pagerank"] == pytest.approx(metrics.loc[v, "pagerank"])
            assert node.get("role") is not None and node.get("identity") is not None

    first, last = (
        ("first_seen_at", "observed_at") if network == "follow" else ("first_at", "last_at")
    )
    dated = list(G.edges(data=True))[:200]
    starts, ends = iso_texts([d[first] for *_, d in dated]), iso_texts([d[last] for *_, d in dated])
    for (u, v, _), start, end in zip(dated, starts, ends, strict=True):
        assert gexf.edges[u, v]["start"] == start and graphml.edges[u, v]["end"] == end

    edges = pd.read_csv(files["csv"])
    nodes = pd.read_csv(nodes_path(files["csv"]))
    assert list(edges.columns) == ["source", "target", "weight", "start", "end"]
    assert list(nodes.columns[:9]) == [
        "id",
        "label",
        "role",
        "identity",
        "community",
        "in_degree",
        "out_degree",
        "pagerank",
        "start",
    ]
    assert edges["source"].dtype == "int64" and nodes["id"].dtype == "int64"
    pairs = zip(edges["source"], edges["target"], strict=True)
    assert dict(zip(pairs, edges["weight"].astype(float), strict=True)) == _weights(G)
    assert set(nodes["id"]) == set(G) and nodes["id"].is_unique

    graph = ig.Graph.Read_GraphML(str(files["graphml"]))
    assert graph.is_directed() and (graph.vcount(), graph.ecount()) == (len(G), G.number_of_edges())
    assert sum(graph.es["weight"]) == sum(_weights(G).values())
    assert {"label", "role", "identity", "community", "pagerank"} <= set(graph.vs.attributes())

    con = duckdb.connect()
    types = dict(
        con.sql(f"DESCRIBE SELECT * FROM read_csv('{files['csv']}')").fetchall()[i][:2]
        for i in range(5)
    )
    assert types == {
        "source": "BIGINT",
        "target": "BIGINT",
        "weight": "BIGINT",
        "start": "TIMESTAMP WITH TIME ZONE",
        "end": "TIMESTAMP WITH TIME ZONE",
    }
    dangling = con.sql(
        f"SELECT count(*) FROM read_csv('{files['csv']}') e ANTI JOIN "
        f"read_csv('{nodes_path(files['csv'])}') n ON e.source = n.id"
    ).fetchall()[0][0]
    assert dangling == 0
    assert (
        con.sql(
            f"SELECT count(*) FROM read_csv('{files['csv']}') WHERE start > \"end\""
        ).fetchall()[0][0]
        == 0
    )


def test_gexf_is_dynamic_with_declared_node_attributes_and_spells(data_root, tmp_path):
    out = tmp_path / "mentions.gexf"
    assert (
        main(["graph", "demo", "--network", "mention", "--export", "gexf", "--out", str(out)]) == 0
    )
    root = ET.parse(out).getroot()
    assert root.tag == f"{GEXF_NS}gexf" and root.get("version") == "1.2"
    graph = root.find(f"{GEXF_NS}graph")
    assert graph.get("mode") == "dynamic" and graph.get("defaultedgetype") == "directed"
    assert graph.get("timeformat") == "date"  # networkx reads it back; Gephi parses the times
    declared = {
        a.get("title"): a.get("type")
        for block in graph.findall(f"{GEXF_NS}attributes")
        if block.get("class") == "node"
        for a in block.findall(f"{GEXF_NS}attribute")
    }
    assert NODE_ATTRIBUTES.items() <= declared.items()
    node_ids = set()
    starts = {}
    for node in graph.iter(f"{GEXF_NS}node"):
        node_ids.add(node.get("id"))
        assert node.get("label")
        assert ISO_UTC.match(node.get("start")), node.attrib
        starts[node.get("id")] = node.get("start")
    first_link = {}
    edges = list(graph.iter(f"{GEXF_NS}edge"))
    assert edges
    for edge in edges:
        s, t, start, end = (edge.get(k) for k in ("source", "target", "start", "end"))
        assert {s, t} <= node_ids and float(edge.get("weight")) >= 1
        assert ISO_UTC.match(start) and ISO_UTC.match(end) and start <= end
        for node in (s, t):
            first_link[node] = min(first_link.get(node, start), start)
    assert starts == first_link  # a node appears with its first link


# --------------------------------------------------------------------------- the quote network


def test_quote_network_comes_from_quoted_referenced_tweets(quotes, tmp_path, capsys):
    out = tmp_path / "quotes.csv"
    code, stdout, _ = _run(
        capsys, ["graph", "quotes", "--network", "quote", "--export", "csv", "--out", out]
    )
    assert code == 0
    assert stdout.strip() == (
        f"quote network (3 accounts, 2 links, 3 quotes) written to {out} "
        f"and {tmp_path / 'quotes_nodes.csv'}"
    )
    edges = pd.read_csv(out)
    assert edges.to_dict("records") == [
        {
            "source": 13,
            "target": 12,
            "weight": 1,
            "start": "2024-04-30T09:00:00Z",
            "end": "2024-04-30T09:00:00Z",
        },
        {
            "source": 21,
            "target": 12,
            "weight": 2,
            "start": "2024-04-30T08:00:00Z",
            "end": "2024-05-01T07:00:00Z",
        },
    ]  # the self-quote and the quote of an absent tweet are left out
    nodes = pd.read_csv(tmp_path / "quotes_nodes.csv", keep_default_na=False)
    assert nodes["id"].tolist() == [12, 13, 21]
    assert nodes["label"].tolist() == ["dr_tortue", "idel_lyon", "'" + FORMULA]
    assert nodes["start"].tolist() == [
        "2024-04-30T08:00:00Z",
        "2024-04-30T09:00:00Z",
        "2024-04-30T08:00:00Z",
    ]
    assert nodes["in_degree"].tolist() == [2, 0, 0] and nodes["out_degree"].tolist() == [0, 1, 1]
    assert (nodes["role"] != "").all() and (nodes["identity"] != "").all()


def test_quote_graph_in_python_matches_the_tables(quotes):
    tables = load_dataset("quotes")
    G = ag.quote_graph(tables)
    assert sorted(G.edges(data="weight")) == [(13, 12, 1), (21, 12, 2)]
    assert ag.interaction_graph(tables, "quote").edges == G.edges
    edge = G.edges[21, 12]
    assert iso_texts([edge["first_at"], edge["last_at"]]) == [
        "2024-04-30T08:00:00Z",
        "2024-05-01T07:00:00Z",
    ]
    with pytest.raises(UsageError, match="unknown network 'quotes'"):
        ag.network_graph(tables, "quotes")


@pytest.mark.parametrize("raw", [False, True], ids=["safe", "raw-csv"])
def test_csv_labels_are_formula_safe_unless_raw_csv_and_read_the_same_everywhere(
    quotes, tmp_path, raw
):
    out = tmp_path / "mentions.csv"
    assert (
        main(
            ["graph", "quotes", "--network", "mention", "--export", "csv", "--out", str(out)]
            + (["--raw-csv"] if raw else [])
        )
        == 0
    )
    label = FORMULA if raw else "'" + FORMULA
    nodes = nodes_path(out)
    assert pd.read_csv(nodes).set_index("id").loc[21, "label"] == label
    assert pl.read_csv(nodes).filter(pl.col("id") == 21)["label"].to_list() == [label]
    assert duckdb.sql(f"SELECT label FROM read_csv('{nodes}') WHERE id = 21").fetchall() == [
        (label,)
    ]
    assert pd.read_csv(out)[["source", "target", "weight"]].values.tolist() == [[21, 12, 1]]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_exports_drop_characters_xml_forbids_and_keep_handles(quotes, tmp_path, fmt):
    out = tmp_path / f"quotes.{fmt}"
    assert main(["graph", "quotes", "--network", "quote", "--export", fmt, "--out", str(out)]) == 0
    ET.parse(out)
    G = nx.read_gexf(out, node_type=int) if fmt == "gexf" else nx.read_graphml(out, node_type=int)
    assert G.nodes[12]["name"] == "Dr Tortue"
    assert G.nodes[21]["label"] == FORMULA  # neutralising is for spreadsheets, not for Gephi
    if fmt == "graphml":
        assert ig.Graph.Read_GraphML(str(out)).vs.find(label="dr_tortue")["name"] == "Dr Tortue"


def test_drop_protected_leaves_protected_accounts_out_of_interaction_networks(quotes, tmp_path):
    out = tmp_path / "quotes.graphml"
    assert (
        main(
            [
                "graph",
                "quotes",
                "--network",
                "quote",
                "--drop-protected",
                "--export",
                "graphml",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert sorted(nx.read_graphml(out, node_type=int).edges) == [(21, 12)]


def test_anonymised_export_holds_pseudonyms_only(quotes, tmp_path):
    out = tmp_path / "quotes.csv"
    assert (
        main(
            [
                "graph",
                "quotes",
                "--network",
                "quote",
                "--export",
                "csv",
                "--anonymise",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8") + nodes_path(out).read_text(encoding="utf-8")
    for secret in ("dr_tortue", "idel_lyon", "HYPERLINK", "Tortue", "Infirmi", "Formule"):
        assert secret not in text
    for uid in ("12", "13", "21"):
        assert not re.search(rf"(?<!\d){uid}(?!\d)", text)
    anon = load_dataset("quotes", anonymise=True)
    nodes = pd.read_csv(nodes_path(out))
    handles = anon.users.set_index("user_id")["username"]
    assert nodes["label"].tolist() == handles.loc[nodes["id"]].tolist()
    assert nodes["label"].str.startswith("user_").all()
    from analysis.accounts import labels_from_tables

    real = labels_from_tables(load_dataset("quotes")).set_index("user_id")
    assert sorted(nodes["role"]) == sorted(real.loc[[12, 13, 21], "role"])  # from real profiles


def test_anonymised_interaction_networks_keep_every_link(data_root):
    """Pseudonymised reply, retweet and quote ids (19 digits, some null) still join exactly."""
    real, anon = load_dataset("demo"), load_dataset("demo", anonymise=True)
    for network in ("mention", "retweet", "reply", "quote"):
        G, A = ag.network_graph(real, network), ag.network_graph(anon, network)
        assert (len(A), A.number_of_edges()) == (len(G), G.number_of_edges()), network
        assert sorted(_weights(A).values()) == sorted(_weights(G).values()), network
        assert not set(A) & set(real.users["user_id"]), network
        known = sum("username" in d for _, d in A.nodes(data=True))
        assert known == sum("username" in d for _, d in G.nodes(data=True)), network


# --------------------------------------------------------------------------- the follow network


def test_follow_network_is_dated_by_first_and_last_sighting():
    t = ag.tiny_tables()
    H = ag.network_for_export(ag.network_graph(t, "follow"), "follow")
    assert H.edges[3, 1] | {} == {
        "first_seen_at": "2026-01-01T00:00:00+00:00",
        "observed_at": "2026-01-01T00:00:00+00:00",
        "weight": 1,
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-01-01T00:00:00Z",
    }
    assert (H.edges[2, 1]["start"], H.edges[1, 2]["end"]) == (
        "2026-07-01T00:00:00Z",
        "2026-07-01T00:00:00Z",
    )
    assert {v: H.nodes[v]["start"] for v in H} == {
        1: "2026-01-01T00:00:00Z",
        2: "2026-01-01T00:00:00Z",
        3: "2026-01-01T00:00:00Z",
    }
    assert [H.nodes[v]["label"] for v in (1, 2, 3)] == ["ordre", "drmg", "anon"]


def test_a_node_starts_at_its_earliest_link_in_time_not_in_text_order():
    """``07Z`` sorts after ``07.123Z`` as text but comes first in time."""
    t = pd.Timestamp("2024-01-01T00:00:07Z")
    G = nx.DiGraph()
    G.add_edge(1, 2, weight=1, first_at=t + pd.Timedelta("123ms"), last_at=t + pd.Timedelta("1s"))
    G.add_edge(3, 2, weight=4, first_at=t, last_at=t)
    G.add_edge(1, 3, weight=1)  # undated: no start, no end
    H = ag.network_for_export(G, "mention")
    assert H.nodes[2]["start"] == H.nodes[3]["start"] == "2024-01-01T00:00:07Z"
    assert H.nodes[1]["start"] == "2024-01-01T00:00:07.123Z"
    assert H.edges[1, 2] == {
        "weight": 1,
        "start": "2024-01-01T00:00:07.123Z",
        "end": "2024-01-01T00:00:08Z",
    }
    assert H.edges[1, 3] == {"weight": 1}
    edges, _ = ag.network_tables(H)
    assert edges["start"].isna().tolist() == [False, True, False]


def test_default_network_is_the_follower_graph_with_a_timeline(data_root, tmp_path, capsys):
    out = tmp_path / "follows.csv"
    code, stdout, _ = _run(capsys, ["graph", "demo", "--export", "csv", "--out", out])
    assert code == 0 and stdout.startswith("follower graph (800 accounts, ")
    edges = pd.read_csv(out)
    assert list(edges.columns) == ["source", "target", "weight", "start", "end"]
    follows = load_dataset("demo").follows
    assert len(edges) == len(follows) and (edges["weight"] == 1).all()
    assert set(edges["start"]) == set(iso_texts(follows["first_seen_at"].tolist()))


def test_metrics_of_an_interaction_network(data_root, tmp_path, capsys):
    out = tmp_path / "replies.parquet"
    code, stdout, _ = _run(
        capsys, ["graph", "demo", "--network", "reply", "--metrics", "--out", out]
    )
    table = pd.read_parquet(out)
    G = ag.network_graph(load_dataset("demo"), "reply")
    assert code == 0 and f"reply network's {len(G):,} accounts" in stdout
    assert list(table.columns) == list(ag.METRIC_COLUMNS) and set(table["user_id"]) == set(G)


# --------------------------------------------------------------------------- bad arguments


def test_unknown_network_is_one_line_naming_the_choices(quotes, tmp_path, capsys):
    code, _, err = _run(
        capsys,
        ["graph", "quotes", "--network", "likes", "--export", "csv", "--out", tmp_path / "x.csv"],
    )
    line = _one_line_error(err)
    assert code == 2
    assert "invalid choice: 'likes'" in line
    assert "'follow', 'mention', 'retweet', 'reply', 'quote'" in line
    assert list(tmp_path.iterdir()) == []


def test_export_without_out_is_one_line(quotes, capsys):
    code, _, err = _run(capsys, ["graph", "quotes", "--network", "quote", "--export", "gexf"])
    assert code == 2 and "the following arguments are required: --out" in _one_line_error(err)


@pytest.mark.parametrize(
    "argv, network",
    [(["--network", "reply"], "reply"), ([], "follow"), (["--network", "retweet"], "retweet")],
    ids=["reply", "follow", "retweet"],
)
def test_a_network_without_links_is_one_line_and_writes_nothing(
    quotes, tmp_path, capsys, argv, network
):
    code, _, err = _run(
        capsys, ["graph", "quotes", *argv, "--export", "csv", "--out", tmp_path / "x.csv"]
    )
    line = _one_line_error(err)
    assert code == 1
    assert f"dataset 'quotes' has no {network} network" in line and "--network" in line
    assert list(tmp_path.iterdir()) == []


def test_drop_protected_keeps_the_other_links_and_says_when_none_is_left(quotes, tmp_path, capsys):
    code, _, err = _run(
        capsys,
        [
            "graph",
            "quotes",
            "--network",
            "mention",
            "--drop-protected",
            "--export",
            "gexf",
            "--out",
            tmp_path / "m.gexf",
        ],
    )
    assert code == 0 and not err  # 21 -> 12 is not protected
    code, _, err = _run(
        capsys,
        [
            "graph",
            "quotes",
            "--network",
            "reply",
            "--drop-protected",
            "--export",
            "gexf",
            "--out",
            tmp_path / "r.gexf",
        ],
    )
    assert code == 1 and "once protected accounts are left out" in _one_line_error(err)


def test_csv_node_table_that_is_a_folder_is_refused_before_the_work(quotes, tmp_path, capsys):
    (tmp_path / "q_nodes.csv").mkdir()
    code, _, err = _run(
        capsys,
        ["graph", "quotes", "--network", "quote", "--export", "csv", "--out", tmp_path / "q.csv"],
    )
    assert code == 2 and "q_nodes.csv: is a folder" in _one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q_nodes.csv"]
