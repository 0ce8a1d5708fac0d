"""Adoption per account, curves, the Bass fit and activity measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.adoption import (
    ProfessionalRule,
    active_accounts,
    adoption_curves,
    adoption_table,
    bass_curve,
    fit_bass,
    retention,
    survey_comparison,
    try_fit_bass,
    tweet_kinds,
    tweet_type_shares,
    weekly_activity,
)
from analysis.demo import bass_sample
from analysis.errors import InsufficientDataError, MedtwitterError
from analysis.tables import Tables

# Tolerances for recovering the demo's planted Bass parameters (per year) from 800 accounts:
# bootstrap standard errors are about 0.002 for p and 0.02 for q, so these are ~2.5 SE.
P_TOL, Q_TOL = 0.005, 0.06


def _truth_accounts(truth) -> pd.DataFrame:
    acc = pd.DataFrame(truth["accounts"])
    acc["user_id"] = acc["user_id"].astype("int64")
    return acc


def test_bass_fit_recovers_planted_p_and_q_from_ground_truth_dates(truth):
    dates = _truth_accounts(truth)["adopted_at"]
    fit = fit_bass(dates, n_boot=60, seed=1)
    assert fit.unit == "year"
    assert abs(fit.p - truth["params"]["bass_p"]) < P_TOL
    assert abs(fit.q - truth["params"]["bass_q"]) < Q_TOL
    assert fit.p_ci[0] < truth["params"]["bass_p"] < fit.p_ci[1]
    assert fit.q_ci[0] < truth["params"]["bass_q"] < fit.q_ci[1]
    assert fit.m_ci[0] <= fit.m <= fit.m_ci[1]
    assert len(dates) <= fit.m < 1.1 * len(dates)


def test_bass_fit_recovers_planted_p_and_q_from_first_tweets_in_the_data(demo_tables, truth):
    adoption = adoption_table(demo_tables)
    fit = fit_bass(adoption["first_professional_at"], n_boot=0)
    assert abs(fit.p - truth["params"]["bass_p"]) < P_TOL
    assert abs(fit.q - truth["params"]["bass_q"]) < Q_TOL
    # protected accounts show no tweet, so the measured market is the visible accounts
    visible = (~_truth_accounts(truth)["protected"]).sum()
    assert abs(fit.m - visible) < 0.05 * visible


def test_bass_fit_takes_naive_strings_and_is_reproducible_for_a_seed():
    years = bass_sample(np.random.default_rng(3), 400, 0.03, 0.3, 12.0)
    dates = pd.Timestamp("2010-01-01") + pd.to_timedelta(years * 365.25, "D")
    a = fit_bass([str(d) for d in dates], start="2010-01-01", end="2022-01-01", n_boot=30, seed=7)
    b = fit_bass(pd.Series(dates), start="2010-01-01", end="2022-01-01", n_boot=30, seed=7)
    assert (a.p, a.q, a.m, a.q_ci) == (b.p, b.q, b.m, b.q_ci)
    assert abs(a.p - 0.03) < 0.012 and abs(a.q - 0.3) < 0.08


def test_bass_fit_with_too_few_adopters_raises_a_user_error():
    with pytest.raises(InsufficientDataError, match="at least 10"):
        fit_bass(pd.to_datetime(["2020-01-01", "2021-01-01"], utc=True))
    assert issubclass(InsufficientDataError, MedtwitterError)
    assert try_fit_bass(pd.to_datetime(["2020-01-01"], utc=True)) is None


def test_adoption_table_has_one_row_per_account_with_ordered_dates(demo_tables, truth):
    a = adoption_table(demo_tables)
    assert a["user_id"].is_unique and len(a) == len(demo_tables.users)
    dated = a.dropna(subset=["first_tweet_at", "first_professional_at"])
    assert (dated["first_tweet_at"] <= dated["first_professional_at"]).all()
    assert (a["created_at"] <= a["first_tweet_at"]).all() or a["first_tweet_at"].isna().any()
    acc = _truth_accounts(truth).set_index("user_id")
    visible = acc.index[~acc["protected"]]
    first = a.set_index("user_id").loc[visible, "first_tweet_at"]
    planted = pd.to_datetime(acc.loc[visible, "adopted_at"], utc=True)
    # the first tweet is posted on the day the generator planted the adoption
    assert ((first - planted).abs() < pd.Timedelta(days=1)).mean() > 0.99


def test_professional_rule_is_a_parameter(demo_tables):
    none = ProfessionalRule(tags=frozenset(), cues=None)
    a = adoption_table(demo_tables, rule=none)
    assert a["first_professional_at"].isna().all()
    foamed = adoption_table(
        demo_tables, rule=ProfessionalRule(tags=frozenset({"foamed"}), cues=None)
    )
    assert 0 < foamed["first_professional_at"].notna().sum() < a["first_tweet_at"].notna().sum()


def test_adoption_curves_have_no_gap_in_months_and_add_up(demo_tables, truth):
    a = adoption_table(demo_tables)
    curves = adoption_curves(a)
    months = pd.DatetimeIndex(curves["month"])
    assert (months[1:] - months[:-1]).days.max() <= 31
    assert curves["new"].sum() == a["first_professional_at"].notna().sum()
    assert curves["cumulative"].iloc[-1] == curves["new"].sum()
    assert curves.attrs["undated"] == a["first_professional_at"].isna().sum()
    labels = _truth_accounts(truth)[["user_id", "role", "identity"]]
    by = adoption_curves(a, labels=labels, by="identity")
    assert set(by["group"]) == {"anonymous", "nominative", "institutional"}
    assert by.groupby("month")["new"].sum().tolist() == curves["new"].tolist()


def test_bass_curve_puts_fit_beside_the_observed_cumulative(demo_tables):
    a = adoption_table(demo_tables)
    curves = adoption_curves(a)
    fit = fit_bass(a["first_professional_at"], n_boot=0)
    both = bass_curve(curves, fit)
    assert {"month", "observed", "fitted"} <= set(both.columns)
    assert np.abs(both["observed"] - both["fitted"]).max() < 0.05 * fit.m


def test_tweet_kinds_and_shares_use_every_collected_tweet_as_denominator(demo_tables):
    shares = tweet_type_shares(demo_tables, freq="Y")
    kinds = ["original", "reply", "retweet", "quote"]
    filled = shares[shares["tweets"] > 0]
    assert np.allclose(filled[kinds].sum(axis=1), 1.0)
    assert shares["tweets"].sum() == demo_tables.tweets["collected"].sum()
    years = shares["period"].dt.year
    assert years.tolist() == list(range(years.min(), years.max() + 1))
    overall = tweet_kinds(demo_tables.tweets).value_counts(normalize=True)
    assert 0.1 < overall["retweet"] < 0.3 and 0.1 < overall["reply"] < 0.35


def test_weekly_activity_counts_all_tweets_without_gaps(demo_tables, truth):
    labels = _truth_accounts(truth)[["user_id", "role", "identity"]]
    weekly = weekly_activity(demo_tables, labels=labels, by="role")
    assert weekly["tweets"].sum() == demo_tables.tweets["collected"].sum()
    per_group = weekly.groupby("group")["week"].agg(["min", "max", "size"])
    span = (per_group["max"] - per_group["min"]).dt.days // 7 + 1
    assert (span == per_group["size"]).all()
    assert (
        weekly["accounts"].diff().fillna(0)[weekly["group"].eq(weekly["group"].shift())] >= 0
    ).all()


def test_active_accounts_share_never_exceeds_one_and_denominator_grows(demo_tables):
    act = active_accounts(demo_tables)
    assert (act["active"] <= act["adopted"]).all()
    assert act["adopted"].is_monotonic_increasing
    assert act["share_active"].between(0, 1).all()


def _small_tables(rows) -> Tables:
    tweets = pd.DataFrame(rows, columns=["tweet_id", "author_id", "created_at"])
    tweets["created_at"] = pd.to_datetime(tweets["created_at"], utc=True)
    for col in ("retweet_of_tweet_id", "reply_to_tweet_id", "quote_of_tweet_id"):
        tweets[col] = pd.NA
    tweets["text"], tweets["collected"] = "", True
    ids = sorted(tweets["author_id"].unique())
    users = pd.DataFrame(
        {
            "user_id": ids,
            "username": [f"u{i}" for i in ids],
            "created_at": pd.Timestamp("2019-01-01", tz="UTC"),
            "protected": False,
        }
    )
    hashtags = pd.DataFrame({"tweet_id": pd.Series([], dtype="int64"), "tag_norm": []})
    return Tables(tweets, users, pd.DataFrame(), hashtags, pd.DataFrame(), pd.DataFrame())


def test_retention_counts_only_accounts_old_enough():
    t = _small_tables([
        (1, 1, "2020-01-10"), (2, 1, "2021-01-10"),   # still tweeting a year on
        (3, 2, "2020-01-10"),                          # never again
        (4, 3, "2020-12-01"), (5, 3, "2021-02-15"),   # adopted late: too recent for 6 months
    ])  # fmt: skip
    ret = retention(t, months=(1, 6)).set_index("months_after")
    assert ret.loc[1, ["eligible", "retained"]].tolist() == [3, 2]
    assert ret.loc[6, ["eligible", "retained"]].tolist() == [2, 1]
    assert ret.loc[6, "share_retained"] == 0.5


def test_retention_on_demo_never_exceeds_its_denominator(demo_tables):
    ret = retention(demo_tables, months=(1, 12, 120))
    assert (ret["retained"] <= ret["eligible"]).all()
    assert ret["eligible"].is_monotonic_decreasing and ret["eligible"].iloc[-1] > 0


def test_survey_figures_are_labelled_as_the_surveys_beside_measured_ones(demo_tables, truth):
    labels = _truth_accounts(truth)[["user_id", "role", "identity"]]
    table = survey_comparison(demo_tables, labels=labels)
    assert table["survey (reference, not ours)"].tolist() == [0.71, 0.11, 0.61]
    assert np.isnan(table["measured here"].iloc[0])
    assert 0 < table["measured here"].iloc[2] < 1
    unlabelled = survey_comparison(demo_tables)
    assert "needs account labels" in unlabelled["note"].iloc[2]


def test_activity_on_an_empty_dataset_returns_empty_frames():
    cols = {
        "tweets": [
            "tweet_id",
            "author_id",
            "created_at",
            "text",
            "collected",
            "retweet_of_tweet_id",
            "reply_to_tweet_id",
            "quote_of_tweet_id",
        ]
    }
    tweets = pd.DataFrame(columns=cols["tweets"])
    tweets["created_at"] = pd.to_datetime(tweets["created_at"], utc=True)
    users = pd.DataFrame(
        {
            "user_id": pd.Series([], dtype="int64"),
            "username": [],
            "created_at": pd.to_datetime([], utc=True),
            "protected": [],
        }
    )
    t = Tables(
        tweets,
        users,
        pd.DataFrame(),
        pd.DataFrame(columns=["tweet_id", "tag_norm"]),
        pd.DataFrame(),
        pd.DataFrame(),
    )
    assert adoption_curves(adoption_table(t)).empty
    assert weekly_activity(t).empty and active_accounts(t).empty and retention(t).empty


def test_quiet_weeks_and_months_show_as_zero_not_as_gaps():
    t = _small_tables([(1, 1, "2020-01-06"), (2, 1, "2020-01-28"), (3, 2, "2020-04-02")])
    weekly = weekly_activity(t)
    assert len(weekly) == 13 and (weekly["tweets"] == 0).sum() == 10
    assert weekly["accounts"].tolist()[-1] == 2
    act = active_accounts(t)
    assert act["month"].dt.month.tolist() == [1, 2, 3, 4]
    assert act["active"].tolist() == [1, 0, 0, 1] and act["adopted"].tolist() == [1, 1, 1, 2]
