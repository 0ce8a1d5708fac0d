"""Interactive tables, the network view, figure files and the chart fixes of issue 17.

Each chart fix is tested on the data that showed the defect (the demo report's
numbers, written out here as small literal tables) or on the demo data itself.
"""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import graph as ag  # noqa: E402
from analysis.figures import collect_figures, figure_caption, inline_png, save_figure  # noqa: E402
from analysis.interactive import format_numbers, interactive_table, readable_frame  # noqa: E402
from analysis.plots import (  # noqa: E402
    plot_active_accounts,
    plot_flag_rates,
    plot_metric_by_group,
    plot_network,
    plot_retention,
    plot_weekly_activity,
)
from analysis.plots.network_view import (  # noqa: E402
    network_view,
    network_view_html,
    select_accounts,
    view_layout,
)
from analysis.stats import (  # noqa: E402
    compare_shares,
    format_pvalues,
    shares_with_intervals,
    wilson_interval,
)
from tests.conftest import HOSTILE  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- interactive tables ---------------------------------------------------------------------


def test_interactive_table_has_readable_names_no_bare_index_and_every_row():
    df = pd.DataFrame({"in_degree": range(45), "p_value": np.linspace(0, 1, 45)})
    page = interactive_table(df)
    args = re.search(r"let dt_args = (\{.*?\});", page, re.DOTALL).group(1)
    options = json.loads(args)
    assert json.loads(options["data_json"])[44][0] == 44  # 45 rows, none dropped
    assert "<th>in degree</th>" in options["table_html"] and "p value" in options["table_html"]
    assert options["paging"] is True and options["pageLength"] == 15
    assert [options["lengthMenu"][0][-1], options["lengthMenu"][1][-1]] == [-1, "All"]
    assert "<th></th>" not in options["table_html"]  # no index column


def test_a_meaningful_index_becomes_a_named_column():
    counts = pd.Series([3, 5], index=pd.Index([4, 5], name="core_number"), name="accounts")
    assert readable_frame(counts).columns.tolist() == ["core number", "accounts"]


def test_interactive_table_escapes_hostile_cells():
    page = interactive_table(pd.DataFrame({"bio": [HOSTILE]}))
    assert HOSTILE not in page
    assert "<script>window.__mtPwned" not in page


def test_table_ids_are_numbered_not_random():
    ids = re.findall(r'<table id="(mt-table-\d+)"', interactive_table(pd.DataFrame({"a": [1]})))
    assert ids and not re.search(r"[0-9a-f]{8}_[0-9a-f]{4}", ids[0])


# --- chart and statistics fixes (each on the data that showed the defect) ------------------


def test_size_table_prints_counts_as_integers():
    # notebook 02, "Size", on the demo data: `ag.graph_summary(G).round(4)` printed 800.0000
    summary = pd.DataFrame(
        {
            "measure": ["accounts", "follow links", "reciprocity", "density"],
            "value": [800.0, 16113.0, 0.2990, 0.0252],
        }
    )
    shown = format_numbers(summary)["value"].tolist()
    assert shown == ["800", "16,113", "0.299", "0.0252"]
    assert "800.0000" not in format_numbers(summary).to_string()


def test_statistics_table_writes_p_below_0001_never_0000():
    # notebook 05's 45-row table: `by_identity.round(3)` printed p_value 0.000
    table = pd.DataFrame(
        {
            "metric": ["tweets_per_week", "kind"],
            "p_value": [2.3e-9, 0.0412],
            "p_adjusted": [1e-7, 0.08],
        }
    ).round(3)
    assert table["p_value"].tolist()[0] == 0.0  # the defect
    shown = format_pvalues(pd.DataFrame({"p_value": [2.3e-9, 0.0412], "p_adjusted": [1e-7, 0.08]}))
    assert shown.values.tolist() == [["< 0.001", "< 0.001"], ["0.041", "0.080"]]


FLAG_RATES = pd.DataFrame(
    {  # notebook 06 on the demo data, "By identity style"
        "identity": ["anonymous", "institutional", "nominative"],
        "accounts": [301, 60, 370],
        "accounts_flagged": [10, 0, 10],
        "tweets": [3528, 1768, 4370],
        "tweets_flagged": [11, 0, 10],
        "share_accounts_flagged": [10 / 301, 0.0, 10 / 370],
    }
)


def test_flag_shares_get_wilson_intervals_and_a_test():
    rates = shares_with_intervals(FLAG_RATES, "accounts_flagged", "accounts")
    assert (rates["ci_low"] <= rates["share"]).all() and (rates["share"] <= rates["ci_high"]).all()
    # 0 of 60 institutions: the share is 0 but the interval says up to 6%
    assert rates.loc[1, "ci_low"] == 0 and rates.loc[1, "ci_high"] == pytest.approx(
        0.0602, abs=1e-3
    )
    test = compare_shares(rates, "accounts_flagged", "accounts")
    assert test.test == "chi-square" and test.dof == 2 and test.p > 0.05
    sentence = test.describe("share of accounts with a high-risk tweet", "identity")
    assert "does not differ" in sentence and "not show that being in a group causes it" in sentence


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson_interval(81, 263)  # Wilson (1927) worked example style: 81 of 263
    assert (round(float(low), 4), round(float(high), 4)) == (0.2553, 0.3662)


def test_suppressed_groups_are_left_out_of_the_test_and_intervals():
    rates = FLAG_RATES.assign(accounts_flagged=[10, np.nan, 10])
    out = shares_with_intervals(rates, "accounts_flagged", "accounts")
    assert out["ci_low"].isna().tolist() == [False, True, False]
    assert compare_shares(out, "accounts_flagged", "accounts").groups == 2


def test_clearly_different_shares_are_found_different():
    t = pd.DataFrame({"yes": [40, 5], "n": [100, 100]})
    result = compare_shares(t, "yes", "n")
    assert result.p < 0.001 and "more than chance" in result.describe("share", "identity")


def test_flag_rate_chart_draws_the_intervals():
    rates = shares_with_intervals(FLAG_RATES, "accounts_flagged", "accounts")
    fig, ax = plot_flag_rates(rates, by="identity")
    assert any(c.get_label() == "95% interval (Wilson)" for c in ax.containers)


def test_mentions_received_axis_shows_no_negative_count():
    # notebook 05, "Mentions received": most accounts have 0, the symlog axis showed -10^0, -10^1
    rng = np.random.default_rng(1)
    metrics = pd.DataFrame(
        {
            "identity": ["nominative"] * 50 + ["anonymous"] * 50,
            "mentions_received": np.r_[np.zeros(30), rng.integers(1, 300, 70)],
        }
    )
    fig, ax = plot_metric_by_group(metrics, "mentions_received", log=True)
    fig.canvas.draw()
    assert ax.get_ylim()[0] == 0
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and not any(t.startswith(("-", "−")) for t in labels), labels
    assert "0" in labels and "10" in labels


def _weekly_demo_like() -> pd.DataFrame:
    """Ten groups whose first weeks have one or two accounts started (the spikes to 1.0)."""
    weeks = pd.date_range("2020-01-06", periods=60, freq="W-MON")
    rows = []
    for g in range(10):
        accounts = np.minimum(1 + np.arange(60) // 2, 40)
        tweets = np.where(np.arange(60) < 3, accounts, accounts // 5)
        rows += [(w, f"role{g}", t, a) for w, t, a in zip(weeks, tweets, accounts, strict=True)]
    df = pd.DataFrame(rows, columns=["week", "group", "tweets", "accounts"])
    return df.assign(tweets_per_account=df["tweets"] / df["accounts"])


def test_per_account_weekly_lines_get_one_panel_per_group_without_early_spikes():
    weekly = _weekly_demo_like()
    assert weekly["tweets_per_account"].max() == 1.0  # the defect's data
    fig, _ = plot_weekly_activity(weekly, per_account=True)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) == 10  # small multiples, not ten overlapping lines
    for ax in panels:
        y = ax.lines[0].get_ydata()
        assert np.nanmax(y) < 0.5  # weeks with under 10 accounts started are left out


def test_share_active_is_not_drawn_on_tiny_denominators():
    months = pd.date_range("2015-01-01", periods=12, freq="MS")
    active = pd.DataFrame(
        {
            "month": months,
            "group": "all",
            "active": [1, 2, 2, 3] + [8] * 8,
            "adopted": [1, 2, 3, 4] + [40] * 8,
        }
    )
    fig, ax = plot_active_accounts(active)
    share_line = [ln for a in fig.axes for ln in a.lines if "share active" in ln.get_label()][0]
    y = np.asarray(share_line.get_ydata(), dtype=float)
    assert np.isnan(y[:4]).all() and np.nanmax(y) == 20.0  # no 100% at the start


def test_retention_axis_spreads_94_to_100_percent():
    ret = pd.DataFrame(
        {
            "months_after": [1, 3, 6, 12],
            "group": "all",
            "eligible": [700] * 4,
            "retained": [700, 690, 675, 660],
            "share_retained": [1.0, 0.986, 0.964, 0.943],
        }
    )
    fig, ax = plot_retention(ret)
    low, high = ax.get_ylim()
    assert low >= 80 and high <= 101
    assert "axis from 80%" in ax.get_ylabel()


# --- network view and static figure --------------------------------------------------------


def _labelled_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for i, (ident, role) in enumerate(
        [
            ("nominative", "physician"),
            ("anonymous", "nurse"),
            ("institutional", "institution"),
            ("anonymous", "public"),
        ]
    ):
        G.add_node(
            i + 1,
            username=f"acct{i + 1}",
            name=f"Real Name {i}",
            role=role,
            identity=ident,
            followers_count=100 * (i + 1),
        )
    G.add_edges_from([(1, 2), (2, 1), (3, 1), (4, 1), (4, 3)])
    return G


def test_network_view_embeds_handles_roles_in_degrees_and_no_display_name():
    view = network_view(_labelled_graph(), pd.Series({1: 0, 2: 0, 3: 1, 4: 1}), seed=1)
    [g] = view.graphs
    by_handle = {n["handle"]: n for n in g["nodes"]}
    assert by_handle["acct1"]["in_degree"] == 3 and by_handle["acct1"]["role"] == "physician"
    assert (
        by_handle["acct3"]["identity"] == "institutional" and by_handle["acct4"]["community"] == 1
    )
    assert by_handle["acct2"]["followers"] == 200
    assert len(g["edges"]) == 5 and g["note"] == "All 4 accounts."
    page = view.to_html()
    assert "Real Name" not in page  # display names never embedded
    assert "vis.Network" in page and "<script src=" not in page  # library inline, no CDN
    assert 'class="mt-net-search"' in page and "mt-net-colour" in page


def test_network_view_data_cannot_break_out_of_its_script():
    G = nx.DiGraph([(1, 2)])
    G.nodes[1]["username"] = "</script><script>window.__mtPwned = 1</script>"
    page = network_view_html(network_view(G).graphs, "mt-network-test")
    data = re.search(r'class="mt-net-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert "</script" not in data and "<" not in data
    assert json.loads(data)[0]["nodes"][0]["handle"].startswith("</script>")


def test_above_the_cap_the_view_takes_a_core_or_the_top_pagerank_and_says_so():
    G = nx.gnp_random_graph(300, 0.05, seed=3, directed=True)
    nodes, note = select_accounts(G, 100)
    assert len(nodes) <= 100
    assert (
        note.startswith(("The 100 accounts with the highest PageRank", "The ")) and "of 300" in note
    )
    ranks = ag.pagerank(G)
    if "PageRank" in note:
        assert set(nodes) == set(ranks.sort_values(ascending=False, kind="stable").index[:100])
    with pytest.raises(ValueError, match="at least 1"):
        select_accounts(G, 0)


def test_layout_is_seeded():
    G = nx.gnp_random_graph(60, 0.1, seed=2, directed=True)
    assert view_layout(G, seed=5) == view_layout(G, seed=5)


def test_mention_graph_nodes_take_roles_from_the_follower_graph():
    G = _labelled_graph()
    mentions = nx.DiGraph()
    mentions.add_node(1, username="acct1")
    mentions.add_node(3, username="acct3")
    mentions.add_edge(1, 3, weight=4)
    view = network_view({"Follower graph": G, "Mentions": mentions}, accounts=G)
    m = view.graphs[1]
    assert {n["role"] for n in m["nodes"]} == {"physician", "institution"}
    assert m["edges"] == [[0, 1, 4]]
    assert 'class="mt-net-graph"' in view.to_html()


def test_static_network_figure_colours_by_identity_with_a_legend():
    view = network_view(_labelled_graph(), seed=1)
    fig, ax = plot_network(view.graphs[0], by="identity", source="Source: test")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == ["anonymous (2)", "institutional (1)", "nominative (1)"]
    colours = {tuple(c) for c in ax.collections[-1].get_facecolors().round(3)}
    assert len(colours) == 3
    with pytest.raises(ValueError, match="by must be"):
        plot_network(view.graphs[0], by="colour")


def test_network_view_on_the_demo_graph_shows_every_account(demo_root):
    from analysis import settings
    from analysis.accounts import labels_from_tables
    from analysis.tables import load_dataset

    settings.set_data_dir(demo_root)
    try:
        tables = load_dataset("demo")
    finally:
        settings.set_data_dir(None)
    labels = labels_from_tables(tables)[["user_id", "role", "identity"]]
    G = ag.graph_from_tables(tables, labels=labels)
    view = network_view(G, seed=42)
    [g] = view.graphs
    assert len(g["nodes"]) == G.number_of_nodes() and len(g["edges"]) == G.number_of_edges()
    assert {n["identity"] for n in g["nodes"]} >= {"nominative", "anonymous", "institutional"}
    assert len(view.to_html()) < 2_000_000


# --- figure files -----------------------------------------------------------------------------


def test_inline_png_is_twice_the_resolution_it_is_shown_at():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, 1])
    data, meta = inline_png(fig)
    width = int.from_bytes(data[16:20], "big")
    assert width == pytest.approx(2 * meta["width"], abs=2)


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_figures_are_collected_with_slug_and_caption(tmp_path, fmt):
    raw = tmp_path / "raw"
    raw.mkdir()
    for n, title in enumerate(["Tweets per month", "Share of follows returned (0–1)"], 1):
        fig, ax = plt.subplots()
        ax.set_title(title)
        fig.text(0.9, 0.01, "Source: demo data — synthetic")
        save_figure(fig, raw / f"fig-{n:03d}.{fmt}")
        (raw / f"fig-{n:03d}.json").write_text(
            json.dumps({"caption": figure_caption(fig), "title": title}), encoding="utf-8"
        )
    written = collect_figures(raw, tmp_path / "figures" / "00_overview", ["Volume", "Reciprocity"])
    assert [p.name for p in written] == [
        f"01_tweets-per-month.{fmt}",
        f"02_share-of-follows-returned-01.{fmt}",
    ]
    caption = (tmp_path / "figures" / "00_overview" / "01_tweets-per-month.txt").read_text()
    assert caption == (
        "Figure 1. Tweets per month. Source: demo data — synthetic. (section: Volume)\n"
    )
    head = written[0].read_bytes()[:8]
    assert {"svg": b"<?xml", "pdf": b"%PDF", "png": b"\x89PNG"}[fmt] in head
    if fmt == "png":
        from PIL import Image

        dpi = Image.open(written[0]).info["dpi"]
        assert round(dpi[0]) == 300
