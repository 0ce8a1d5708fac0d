"""Accounts compared: metrics per account, effect sizes, corrected tests, sentences, notebook 05."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.accounts import label_users
from analysis.accounts.compare import (
    account_metrics,
    activity_profile,
    adjust_pvalues,
    authored_tweets,
    cliffs_delta,
    compare_groups,
    describe_differences,
    hashtag_preferences,
    kind_shares,
)
from analysis.ingest import ingest_files
from analysis.report import run_notebook
from analysis.settings import notebooks_dir
from analysis.tables import load_dataset
from tests.conftest import write_jsonl
from tests.pages import search_page


def _tiny(tmp_data):
    write_jsonl(tmp_data / "page.jsonl", [search_page()])
    ingest_files([tmp_data / "page.jsonl"], "tiny", progress=False)
    return load_dataset("tiny")


def test_account_metrics_count_each_accounts_own_tweets_and_mentions(tmp_data):
    tables = _tiny(tmp_data)
    labels = label_users(tables.users)
    m = account_metrics(tables, labels).set_index("username")
    # 11 retweeted, 13 replied (both collected); 12's tweet is only in includes
    assert m.loc["mr_durand", "tweets"] == 1 and m.loc["mr_durand", "retweet_share"] == 1.0
    assert m.loc["idel_lyon", "reply_share"] == 1.0
    assert m.loc["dr_tortue", "tweets"] == 0 and np.isnan(m.loc["dr_tortue", "tweets_per_week"])
    assert (
        m.loc["dr_tortue", "mentions_received"] == 1
    )  # the reply; the retweet's mention is not counted
    assert m["reciprocity_received"].isna().all()  # no follows: missing, not zero


def test_reciprocity_received_is_the_share_of_followed_accounts_that_follow_back(demo_tables):
    labels = label_users(demo_tables.users)
    m = account_metrics(demo_tables, labels)
    f = demo_tables.follows
    uid = int(f["follower_id"].value_counts().index[0])
    followed = set(f.loc[f["follower_id"] == uid, "followed_id"])
    back = set(f.loc[f["followed_id"] == uid, "follower_id"])
    expected = len(followed & back) / len(followed)
    assert m.set_index("user_id").loc[uid, "reciprocity_received"] == expected


def test_demo_planted_differences_are_found_with_large_effects(demo_tables):
    labels = label_users(demo_tables.users)
    m, tw = account_metrics(demo_tables, labels), authored_tweets(demo_tables, labels)
    table = compare_groups(m, tw, by="identity").set_index(["metric", "group_a", "group_b"])
    # the demo plants evening tweeting and more replies for anonymous accounts
    hour = table.loc[("median_hour", "nominative", "anonymous")]
    assert hour["significant"] and hour["effect_size"] < -0.474 and hour["magnitude"] == "large"
    replies = table.loc[("reply_share", "nominative", "anonymous")]
    assert replies["significant"] and replies["effect_size"] < 0
    # and institutions followed by many
    followers = table.loc[("followers_count", "anonymous", "institutional")]
    assert followers["significant"] and followers["effect_size"] < -0.474
    assert (table["p_adjusted"] >= table["p_value"]).all()


def test_roles_are_compared_each_against_the_rest(demo_tables):
    labels = label_users(demo_tables.users)
    m = account_metrics(demo_tables, labels)
    table = compare_groups(m, by="role", mode="vs_rest")
    assert set(table["group_b"]) == {"rest"}
    assert "dentist" not in set(table["group_a"])  # 3 dentists: below min_n
    inst = table[(table["group_a"] == "institution") & (table["metric"] == "followers_count")]
    assert inst["significant"].item() and inst["effect_size"].item() > 0.474


def test_sentences_are_computed_from_the_table(demo_tables):
    labels = label_users(demo_tables.users)
    m, tw = account_metrics(demo_tables, labels), authored_tweets(demo_tables, labels)
    table = compare_groups(m, tw, by="identity")
    sentences = describe_differences(table)
    top = table[table["significant"]].sort_values("effect_size", key=abs).iloc[-1]
    assert f"{abs(top['effect_size']):.2f}" in sentences[0]
    assert any("anonymous accounts" in s and "20:00" in s for s in sentences)
    assert sentences[-1].startswith("No difference of at least a small size")


def test_hashtag_preferences_find_each_groups_own_tags(demo_tables):
    labels = label_users(demo_tables.users)
    tw = authored_tweets(demo_tables, labels)
    prefs = hashtag_preferences(tw, demo_tables.hashtags, by="identity")
    assert (prefs["log_odds"] > 0).all() and (prefs["p_adjusted"] < 0.05).all()
    inst = set(prefs.loc[prefs["group"] == "institutional", "tag"])
    assert inst & {"sante", "esante", "santénumérique", "télémédecine"}
    assert "docstoctoc" in set(prefs.loc[prefs["group"] == "anonymous", "tag"])


def test_activity_and_kind_shares_sum_to_one_per_group(demo_tables):
    labels = label_users(demo_tables.users)
    tw = authored_tweets(demo_tables, labels)
    hours = activity_profile(tw, unit="hour")
    assert list(hours.index) == list(range(24))
    assert np.allclose(hours.sum(), 1.0)
    assert np.allclose(kind_shares(tw).sum(axis=1), 1.0)
    assert list(activity_profile(tw, unit="weekday").index)[0] == "Mon"


def test_effect_size_and_holm_correction_match_hand_computation():
    assert cliffs_delta(np.array([1, 2, 3]), np.array([1, 2, 3])) == 0.0
    assert cliffs_delta(np.array([1.0]), np.array([2.0, 3.0])) == -1.0
    p = pd.Series([0.01, 0.02, np.nan, 0.04])
    assert adjust_pvalues(p).round(3).tolist()[:2] == [0.03, 0.04]
    assert np.isnan(adjust_pvalues(p)[2]) and adjust_pvalues(p)[3] == 0.04


# p-value vectors and the Holm-adjusted values the hand-written step-down correction gave
# (m - i) * p_(i), running maximum, capped at 1, NaN left out of m and kept as NaN
HOLM_BEFORE = [
    ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
    ([0.02, 0.02, 0.01, 0.5, 0.02], [0.08, 0.08, 0.05, 0.5, 0.08]),
    ([0.01, np.nan, 0.04, np.nan, 0.001], [0.02, np.nan, 0.04, np.nan, 0.003]),
    ([0.3, 0.6, 0.9, 0.2], [0.8999999999999999, 1.0, 1.0, 0.8]),
    ([0.0, 1.0, 0.049999999999999996, 0.05, 1e-300], [0.0, 1.0, 0.15, 0.15, 4e-300]),
    ([0.7], [0.7]),
    ([np.nan, np.nan], [np.nan, np.nan]),
    ([], []),
]


@pytest.mark.parametrize(("p", "before"), HOLM_BEFORE)
def test_holm_correction_from_statsmodels_equals_the_former_values_exactly(p, before):
    index = [f"test {i}" for i in range(len(p))][::-1]  # labels, not positions
    got = adjust_pvalues(pd.Series(p, index=index, dtype=float))
    assert list(got.index) == index
    np.testing.assert_array_equal(got.to_numpy(), np.array(before, dtype=float))


def test_unknown_correction_is_refused():
    with pytest.raises(ValueError, match="unknown correction 'bonferroni'; use 'holm' or 'bh'"):
        adjust_pvalues(pd.Series([0.01, 0.02]), "bonferroni")


def test_nothing_to_compare_on_a_tiny_dataset(tmp_data):
    tables = _tiny(tmp_data)
    labels = label_users(tables.users)
    m, tw = account_metrics(tables, labels), authored_tweets(tables, labels)
    table = compare_groups(m, tw)
    assert table.empty
    assert describe_differences(table) == [
        "Nothing to compare: no group has enough accounts with data."
    ]


def test_notebook_05_runs_on_a_tiny_dataset_and_says_nothing_to_show(tmp_data):
    _tiny(tmp_data)
    nb, error = run_notebook(
        notebooks_dir() / "05_anonymous_vs_nominative.ipynb",
        {"dataset": "tiny", "data_dir": str(tmp_data)},
    )
    assert error == ""
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "No ground truth for this dataset: nothing to show." in text
    assert "Nothing to compare" in text and "nothing to show" in text
