"""The follower graph: build, measures, communities, change over time, export, fast path."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis import graph as ag
from analysis.cli import main
from analysis.errors import UsageError
from analysis.graph import tiny_labels, tiny_tables
from analysis.graph.metrics import LR_SIGNIFICANCE
from analysis.tables import CONTRACT, Tables


@pytest.fixture
def truth_labels(truth) -> pd.DataFrame:
    """The demo's planted roles and identities, in the shape accounts.label_users returns."""
    acc = pd.DataFrame(truth["accounts"])
    return acc.assign(user_id=acc["user_id"].astype("int64"))[["user_id", "role", "identity"]]


@pytest.fixture
def planted(truth) -> pd.Series:
    acc = pd.DataFrame(truth["accounts"])
    return pd.Series(acc["community"].to_numpy(), index=acc["user_id"].astype("int64"))


@pytest.fixture
def demo_graph(demo_tables, truth_labels) -> nx.DiGraph:
    return ag.graph_from_tables(demo_tables, labels=truth_labels)


# -- build -------------------------------------------------------------------------


def test_edges_run_from_follower_to_followed_with_user_fields_on_nodes(demo_tables, demo_graph):
    f = demo_tables.follows
    assert demo_graph.number_of_edges() == len(f)
    row = f.iloc[0]
    assert demo_graph.has_edge(int(row.follower_id), int(row.followed_id))
    assert set(demo_graph) == set(demo_tables.users["user_id"])
    ordre = demo_tables.users.set_index("username").loc["ordre_medecins", "user_id"]
    node = demo_graph.nodes[int(ordre)]
    assert node["username"] == "ordre_medecins" and node["role"] == "institution"
    assert {"protected", "followers_count", "identity"} <= set(node)
    edge = demo_graph.edges[int(row.follower_id), int(row.followed_id)]
    assert edge["first_seen_at"] <= edge["observed_at"]


def test_followers_seen_only_as_ids_are_kept_on_request_and_protected_can_be_dropped():
    t = tiny_tables()
    extra = pd.DataFrame(
        {
            "follower_id": [99],
            "followed_id": [1],
            "first_seen_at": t.follows["first_seen_at"][:1],
            "observed_at": t.follows["observed_at"][:1],
        }
    )
    t.follows = pd.concat([t.follows, extra], ignore_index=True)
    assert 99 not in ag.graph_from_tables(t)
    G = ag.graph_from_tables(t, only_known=False)
    assert G.has_edge(99, 1) and G.nodes[99] == {}
    H = ag.graph_from_tables(t, drop_protected=True)
    assert 3 not in H and not H.has_edge(3, 1) and H.has_edge(1, 2)


@pytest.mark.parametrize(
    "func",
    [
        ag.reciprocity,
        ag.node_reciprocity,
        ag.group_reciprocity,
        ag.degree_table,
        ag.degree_distribution,
        ag.pagerank,
        ag.hits,
        ag.core_number,
        ag.betweenness,
        ag.top_accounts,
        ag.mixing_table,
        ag.assortativity,
        ag.detect_communities,
        ag.node_metrics,
    ],
)
def test_measures_of_direction_refuse_an_undirected_graph(func):
    with pytest.raises(UsageError, match="needs a directed graph"):
        func(nx.Graph([(1, 2), (2, 3)]))


def test_interaction_graphs_count_tweets_as_weights(demo_tables):
    tw, men = demo_tables.tweets, demo_tables.mentions
    M = ag.mention_graph(demo_tables)
    m = men.dropna(subset=["user_id"]).merge(tw[["tweet_id", "author_id"]], on="tweet_id")
    m = m.loc[m["author_id"] != m["user_id"]]
    assert sum(w for *_, w in M.edges(data="weight")) == len(m)
    R = ag.reply_graph(demo_tables)
    replies = tw.dropna(subset=["reply_to_user_id"])
    replies = replies.loc[replies["author_id"] != replies["reply_to_user_id"]]
    assert sum(w for *_, w in R.edges(data="weight")) == len(replies)
    RT = ag.retweet_graph(demo_tables)
    assert RT.is_directed() and RT.number_of_edges() > 0
    u, v, w = max(RT.edges(data="weight"), key=lambda e: e[2])
    originals = tw.loc[tw["author_id"] == v, "tweet_id"]
    assert ((tw["author_id"] == u) & tw["retweet_of_tweet_id"].isin(originals)).sum() == w


# -- measures ----------------------------------------------------------------------


def test_measured_reciprocity_matches_the_generator(demo_graph, truth):
    assert ag.reciprocity(demo_graph) == pytest.approx(truth["reciprocity"], abs=1e-12)
    assert ag.reciprocity(demo_graph) == pytest.approx(truth["params"]["reciprocity"], abs=0.02)
    per = ag.node_reciprocity(demo_graph)
    assert per.between(0, 1).all()


def test_follows_of_institutions_are_returned_less_than_follows_of_physicians(
    demo_graph, truth_labels
):
    t = ag.group_reciprocity(demo_graph, "role", truth_labels)
    to = t.groupby("followed_group")[["links", "returned"]].sum()
    rate = to["returned"] / to["links"]
    assert rate["institution"] < rate["physician"] / 2
    assert t["links"].sum() == demo_graph.number_of_edges()
    m = ag.as_matrix(ag.group_reciprocity(demo_graph, "identity", truth_labels))
    assert list(m.index) == ["anonymous", "institutional", "nominative"]


def test_mixing_matrix_sums_to_all_links_and_shows_homophily_of_communities(demo_graph, planted):
    nx.set_node_attributes(demo_graph, planted.astype(str).to_dict(), "community_planted")
    t = ag.mixing_table(demo_graph, "community_planted")
    assert t["links"].sum() == demo_graph.number_of_edges()
    assert t["expected"].sum() == pytest.approx(demo_graph.number_of_edges())
    diag = t.loc[t["follower_group"] == t["followed_group"], "ratio"]
    off = t.loc[t["follower_group"] != t["followed_group"], "ratio"]
    assert diag.min() > 1 > off.max()


def test_assortativity_by_role_is_reported_with_degree(demo_graph, truth_labels):
    a = ag.assortativity(demo_graph, truth_labels).set_index("measure")["value"]
    assert set(a.index) == {"role", "identity", "degree (out -> in)"}
    assert a.between(-1, 1).all()
    without = ag.assortativity(ag.graph_from_tables(tiny_tables()), None).set_index("measure")
    assert np.isnan(without.loc["role", "value"])  # no labels: every account 'unknown'


def test_in_degree_is_heavy_tailed_with_a_fitted_exponent_and_range(demo_graph):
    dist = ag.degree_distribution(demo_graph, "in")
    assert dist["accounts"].sum() == len(demo_graph)
    assert dist["ccdf"].iloc[0] == pytest.approx(1.0) and dist["ccdf"].is_monotonic_decreasing
    fit = ag.fit_power_law([d for _, d in demo_graph.in_degree()])
    assert 1.5 < fit.alpha < 5 and 1 <= fit.xmin < fit.xmax and fit.n_tail >= 10
    assert "alpha" in fit.describe()


def test_power_law_fit_recovers_a_known_exponent():
    k = np.random.default_rng(7).zipf(2.2, 20000)
    assert ag.fit_power_law(k).alpha == pytest.approx(2.2, abs=0.05)


def test_power_law_fit_of_a_synthetic_power_law_is_favoured_over_an_exponential():
    # synthetic: a discrete power law (zeta distribution) with alpha = 2.5 from k = 1
    k = np.random.default_rng(2009).zipf(2.5, 5000)
    fit = ag.fit_power_law(k)
    assert fit.alpha == pytest.approx(2.5, abs=0.05)
    assert fit.sigma == pytest.approx((fit.alpha - 1) / np.sqrt(fit.n_tail))
    assert fit.xmin >= 1 and fit.xmax == k.max() and fit.n_tail == (k >= fit.xmin).sum()
    assert 0 < fit.ks < 0.05
    assert fit.r_exponential > 0 and fit.p_exponential < LR_SIGNIFICANCE
    assert "power law favoured over exponential" in fit.verdict()
    assert not np.isnan(fit.r_lognormal) and 0 <= fit.p_lognormal <= 1


def test_power_law_is_not_favoured_for_a_synthetic_exponential_sample():
    # synthetic: a geometric (discrete exponential) sample, mean 20
    k = np.random.default_rng(2009).geometric(0.05, 5000)
    fit = ag.fit_power_law(k)
    assert fit.r_exponential < 0 and fit.p_exponential < LR_SIGNIFICANCE
    assert "exponential favoured over power law (R=-" in fit.verdict()
    assert "power law favoured" not in fit.describe()


def test_power_law_fit_is_deterministic_and_silent(capsys):
    k = np.random.default_rng(5).zipf(2.5, 3000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = ag.fit_power_law(k), ag.fit_power_law(list(k))
    assert first == second
    assert caught == [] and capsys.readouterr() == ("", "")


def test_power_law_verdict_reads_as_plain_language():
    fit = ag.PowerLawFit(2.5, 0.1, 3, 90, 400, 0.03, -1.2, 0.23, 3.1, 0.002)
    assert fit.compare("lognormal") == "power law not favoured over lognormal (R=-1.2, p=0.23)"
    assert fit.compare("exponential") == "power law favoured over exponential (R=3.1, p=0.002)"
    assert fit.describe().endswith(
        "Likelihood ratios on that tail: power law not favoured over lognormal (R=-1.2, p=0.23);"
        " power law favoured over exponential (R=3.1, p=0.002)."
    )
    with pytest.raises(UsageError, match="alternative must be one of lognormal, exponential"):
        fit.compare("weibull")


@pytest.mark.parametrize("degrees", [[1, 2, 2.5, 3], [1, 2, float("nan"), 3]])
def test_power_law_fit_refuses_fractional_or_missing_degrees(degrees):
    with pytest.raises(UsageError, match="whole-number degrees"):
        ag.fit_power_law(degrees)


@pytest.mark.parametrize("degrees", [[], [0, 0, 0], [3] * 50, list(range(1, 6))])
def test_power_law_fit_of_too_few_or_constant_degrees_is_all_nan(degrees):
    fit = ag.fit_power_law(degrees)
    assert np.isnan(fit.alpha) and np.isnan(fit.r_lognormal) and np.isnan(fit.p_exponential)
    assert fit.describe() == "Too few accounts with links to fit a power law."


def test_institutions_are_the_most_followed_accounts(demo_graph, truth_labels):
    top = ag.top_accounts(demo_graph, n=3, labels=truth_labels)
    assert set(top["username"]) == {"ordre_medecins", "CroixRouge", "assoAIDES"}
    assert (top["role"] == "institution").all()
    by_pr = ag.top_accounts(demo_graph, by="pagerank", n=10)
    assert by_pr["pagerank"].is_monotonic_decreasing


def test_sampled_betweenness_is_reproducible_with_a_seed(demo_graph):
    a = ag.betweenness(demo_graph, k=50, seed=3)
    b = ag.betweenness(demo_graph, k=50, seed=3)
    assert a.equals(b) and a.max() > 0


# -- fast path and backends ---------------------------------------------------------


def test_fast_path_equals_networkx(demo_graph):
    G = demo_graph
    pr_nx, pr_fast = ag.pagerank(G, backend="networkx"), ag.pagerank(G, backend="igraph")
    assert np.abs(pr_nx - pr_fast).max() < 1e-6
    nx_only = {"backend": "networkx"}
    assert ag.degree_table(G, **nx_only).equals(ag.degree_table(G, backend="igraph"))
    assert ag.core_number(G, **nx_only).equals(ag.core_number(G, backend="igraph"))
    assert ag.reciprocity(G, **nx_only) == pytest.approx(
        ag.reciprocity(G, backend="igraph"), abs=1e-12
    )
    r_nx, r_fast = ag.node_reciprocity(G, **nx_only), ag.node_reciprocity(G, backend="igraph")
    assert np.allclose(r_nx, r_fast, equal_nan=True)
    h_nx, h_fast = ag.hits(G, **nx_only), ag.hits(G, backend="igraph")
    assert np.abs(h_nx - h_fast).to_numpy().max() < 1e-6
    q_nx = ag.modularity(G, ag.detect_communities(G, seed=1, **nx_only))
    q_ig = ag.modularity(G, ag.detect_communities(G, seed=1, backend="igraph"))
    assert abs(q_nx - q_ig) < 0.01


def test_metrics_from_parquet_equal_the_networkx_metrics(data_root, demo_graph):
    fast_table = ag.metrics_from_dataset("demo")
    nx_table = ag.node_metrics(demo_graph, backend="networkx")
    assert list(fast_table.columns) == list(ag.METRIC_COLUMNS)
    for col in ("user_id", "username", "in_degree", "out_degree", "core_number"):
        assert fast_table[col].tolist() == nx_table[col].tolist(), col
    for col in ("pagerank", "hub", "authority", "reciprocity"):
        assert np.nanmax(np.abs(fast_table[col] - nx_table[col])) < 1e-6, col


def test_a_missing_backend_falls_back_to_networkx_with_a_note(demo_graph):
    with pytest.warns(ag.BackendFallbackWarning, match="not installed.*networkx"):
        pr = ag.pagerank(demo_graph, backend="no_such_backend")
    assert pr.equals(ag.pagerank(demo_graph, backend="networkx"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.pagerank(demo_graph, backend="networkx")


def test_sparse_core_number_matches_networkx_on_random_digraphs():
    for seed in range(5):
        G = nx.gnp_random_graph(200, 0.03, seed=seed, directed=True)
        assert ag.core_number(G, backend="igraph").equals(ag.core_number(G, backend="networkx"))


# -- communities ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "backend"),
    [("louvain", "networkx"), ("louvain", "igraph"), ("label_propagation", None)],
)
def test_recovered_communities_match_the_planted_ones(demo_graph, planted, method, backend):
    found = ag.detect_communities(demo_graph, method=method, seed=42, backend=backend)
    found = found[found >= 0]
    assert ag.normalized_mutual_info(found, planted.reindex(found.index)) >= 0.8
    assert ag.modularity(demo_graph, found) > 0.3


def test_communities_are_labelled_by_their_planted_hashtags(
    demo_tables, demo_graph, truth, truth_labels
):
    found = ag.detect_communities(demo_graph, seed=42)
    desc = ag.describe_communities(demo_graph, found, demo_tables, truth_labels)
    assert desc["accounts"].sum() == (found >= 0).sum()
    tag_comm = truth["hashtag_communities"]
    for _, row in desc.iterrows():
        lead = row["hashtags"].split(" ")[0].lstrip("#")
        members = found[found == row["community"]].index
        planted = pd.Series(
            [a["community"] for a in truth["accounts"] if int(a["user_id"]) in set(members)]
        ).mode()[0]
        assert tag_comm[lead] == planted
        assert row["roles"]


def test_bridges_reach_other_communities(demo_graph):
    found = ag.detect_communities(demo_graph, seed=42)
    bridges = ag.community_bridges(demo_graph, found, n=5, k=100)
    assert len(bridges) == 5 and (bridges["communities_reached"] > 0).all()
    assert bridges["betweenness"].is_monotonic_decreasing


def test_mutual_projection_keeps_only_returned_follows(demo_graph):
    M = ag.projection(demo_graph, "mutual")
    recip = sum(1 for u, v in demo_graph.edges() if demo_graph.has_edge(v, u))
    assert M.number_of_edges() * 2 == recip


# -- change over time -----------------------------------------------------------------


def _three_snapshots() -> pd.DataFrame:
    d = pd.to_datetime(["2025-01-01", "2025-06-01", "2026-01-01"], utc=True)
    log = pd.DataFrame(
        {
            "follower_id": [1, 1, 1, 2, 2, 3, 4],
            "followed_id": [2, 2, 2, 1, 1, 1, 1],
            "observed_at": [d[0], d[1], d[2], d[1], d[2], d[0], d[2]],
        }
    )
    return ag.follow_history(log)


def test_follows_gained_and_lost_between_snapshots_with_first_and_last_seen():
    f = _three_snapshots()
    ch = ag.follow_changes(f, "2025-01-01", "2026-01-01")
    got = {(r.follower_id, r.followed_id): r.change for r in ch.itertuples()}
    assert got == {(2, 1): "gained", (4, 1): "gained", (3, 1): "lost"}
    lost = ch.set_index("change").loc["lost"]
    assert lost["first_seen_at"] == lost["last_seen_at"] == pd.Timestamp("2025-01-01", tz="UTC")
    summary = ag.change_summary(f)
    assert summary[["gained", "lost"]].values.tolist() == [[1, 1], [1, 0]]


def test_graph_as_of_a_date_uses_the_last_snapshot_before_it():
    f = _three_snapshots()
    assert len(ag.follows_as_of(f, "2024-12-31")) == 0
    as_of = ag.follows_as_of(f, "2025-07-15")
    assert sorted(zip(as_of.follower_id, as_of.followed_id, strict=True)) == [(1, 2), (2, 1)]
    with pytest.raises(UsageError, match="swap"):
        ag.follow_changes(f, "2026-01-01", "2025-01-01")


# -- export -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_writes_the_metrics_table_with_the_documented_columns(
    data_root, tmp_path, suffix, capsys
):
    out = tmp_path / f"metrics{suffix}"
    assert main(["graph", "demo", "--metrics", "--out", str(out)]) == 0
    table = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert list(table.columns) == list(ag.METRIC_COLUMNS)
    assert len(table) == 800 and table["user_id"].is_unique
    assert table["pagerank"].sum() == pytest.approx(1.0)
    assert "800 accounts" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_export_round_trips_nodes_edges_and_attributes(data_root, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    assert main(["graph", "demo", "--export", fmt, "--out", str(out)]) == 0
    back = ag.read_graph(out)
    from analysis.tables import load_dataset

    G = ag.graph_from_tables(load_dataset("demo"))
    expected = ag.graph_for_export(G, ag.node_metrics(G, backend="igraph"))
    assert set(back.nodes) == set(expected.nodes)
    assert set(back.edges) == set(expected.edges)
    for v in list(expected)[:50]:
        want = expected.nodes[v]
        got = {k: x for k, x in back.nodes[v].items() if k in want}
        assert got.keys() == want.keys()
        for k, x in want.items():
            assert got[k] == (pytest.approx(x) if isinstance(x, float) else x), (v, k)
    u, v = next(iter(expected.edges))
    assert back.edges[u, v]["first_seen_at"] == expected.edges[u, v]["first_seen_at"]


def test_graph_command_needs_an_output_kind_and_a_known_suffix(data_root, tmp_path, capsys):
    assert main(["graph", "demo", "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["graph", "demo", "--metrics", "--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "--metrics" in err and ".parquet or .csv" in err and "Traceback" not in err
    assert not (tmp_path / "x.txt").exists()


# -- empty and tiny ---------------------------------------------------------------------


def _no_follows() -> Tables:
    t = tiny_tables()
    t.follows = t.follows.iloc[0:0]
    return t


def test_a_dataset_without_follow_links_gives_isolated_accounts_not_errors():
    G = ag.graph_from_tables(_no_follows())
    assert len(G) == 3 and G.number_of_edges() == 0
    assert np.isnan(ag.reciprocity(G))
    m = ag.node_metrics(G)
    assert (m["community"] == -1).all() and m["reciprocity"].isna().all()
    assert m[["in_degree", "out_degree", "core_number"]].eq(0).all().all()
    assert ag.node_metrics(G, backend="igraph")["pagerank"].tolist() == pytest.approx(
        m["pagerank"].tolist()
    )
    assert ag.group_reciprocity(G).empty and ag.mixing_table(G).empty
    assert np.isnan(ag.fit_power_law([0, 0, 0]).alpha)
    assert ag.describe_communities(G, ag.detect_communities(G)).empty


def test_tiny_graph_measures_by_group_with_labels():
    G = ag.graph_from_tables(tiny_tables(), labels=tiny_labels())
    assert G.nodes[3]["identity"] == "anonymous"
    t = ag.group_reciprocity(G, "identity").set_index(["follower_group", "followed_group"])
    assert t.loc[("anonymous", "institutional"), "reciprocity"] == 0.0
    assert t.loc[("nominative", "institutional"), "reciprocity"] == 1.0


def test_labels_without_the_needed_columns_are_refused():
    with pytest.raises(UsageError, match="lacks column"):
        ag.graph_from_tables(tiny_tables(), labels=pd.DataFrame({"user_id": [1]}))


def test_contract_of_follows_is_unchanged():
    assert CONTRACT["follows"].names == [
        "follower_id",
        "followed_id",
        "first_seen_at",
        "observed_at",
    ]


def test_metrics_from_parquet_honour_the_protected_and_followers_options(data_root, demo_tables):
    for only_known, drop in [(True, True), (False, True), (False, False)]:
        G = ag.graph_from_tables(demo_tables, only_known=only_known, drop_protected=drop)
        table = ag.metrics_from_dataset("demo", only_known=only_known, drop_protected=drop)
        assert table["user_id"].tolist() == sorted(G)
        assert table["in_degree"].sum() == G.number_of_edges()
    protected = demo_tables.users.loc[demo_tables.users["protected"], "user_id"]
    assert not ag.metrics_from_dataset("demo", drop_protected=True)["user_id"].isin(protected).any()


def test_notebook_runs_on_a_tiny_dataset_without_follow_links_and_says_so(tmp_data):
    from conftest import write_jsonl
    from pages import search_page

    from analysis.ingest import ingest_files
    from analysis.report import run_notebook
    from analysis.settings import notebooks_dir

    raw = write_jsonl(tmp_data / "search.jsonl", [search_page()])
    ingest_files([raw], "tiny", progress=False)
    nb, error = run_notebook(
        notebooks_dir() / "02_follower_graph.ipynb", {"dataset": "tiny", "data_dir": str(tmp_data)}
    )
    assert error == ""
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "Nothing to show: this dataset has no follow links" in text
    assert "Too few accounts with links to fit a power law." in text


def test_metrics_table_is_identical_from_run_to_run(data_root):
    assert ag.metrics_from_dataset("demo", seed=7).equals(ag.metrics_from_dataset("demo", seed=7))
