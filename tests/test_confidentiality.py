import json

import pytest
from confidentiality_examples import EXAMPLES, KNOWN_MISSES

from analysis.cli import main
from analysis.confidentiality import (
    check_tweet,
    check_tweets,
    evaluate,
    planted_labels,
    redact,
)


@pytest.mark.parametrize(("text", "label", "expected"), EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_hand_written_examples_get_their_expected_risk(text, label, expected):
    assert check_tweet(text).risk == expected


def test_precision_and_recall_on_the_hand_written_examples():
    texts, labels = [e[0] for e in EXAMPLES], [e[1] for e in EXAMPLES]
    high = evaluate(texts, labels)
    assert high["positives"] == 20 and high["n"] == len(EXAMPLES)
    # measured on this set: 19 of 20 identifying tweets flagged high, 2 false alarms of 21
    assert high["true_positives"] == 19 and high["flagged"] == 21
    assert high["precision"] == 19 / 21 and high["recall"] == 0.95
    assert len(KNOWN_MISSES) == 3


def test_cues_name_what_a_reader_could_infer():
    check = check_tweet("Mon patient de 45 ans ce matin à Quimper, un homme adorable")
    assert check.risk == "high"
    assert {"patient", "age", "date", "place", "sex"} <= set(check.kinds)
    matches = {(c.kind, c.match) for c in check.cues}
    assert ("age", "45 ans") in matches and ("place", "Quimper") in matches
    assert "age, sex" in check.reason


def test_generic_age_ranges_are_not_a_patient():
    assert check_tweet("Dépistage pour les femmes de 50 à 74 ans").risk == "none"
    assert check_tweet("Booster for adults aged 65 and over").risk == "none"


def test_rare_condition_with_a_town_is_high_even_without_the_word_patient():
    assert check_tweet("Atteint de la maladie de Pompe, suivi à Vannes depuis l'enfance").risk == (
        "high"
    )
    assert check_tweet("Journée mondiale de la maladie de Pompe à Vannes").risk == "none"


def test_redaction_removes_identifying_details_and_keeps_the_sense():
    out = redact("Ma patiente de 45 ans ce matin à Dijon, chambre 12")
    assert "45" not in out and "Dijon" not in out and "12" not in out
    assert out.startswith("Ma patiente")


def test_check_tweets_adds_risk_and_cue_columns():
    import pandas as pd

    df = pd.DataFrame({"tweet_id": [1, 2, 3], "text": ["Bonne garde", None, EXAMPLES[0][0]]})
    out = check_tweets(df)
    assert out["risk"].tolist() == ["none", "none", "high"]
    assert "age" in out["cues"].iloc[2]


def test_check_tweet_command_prints_risk_and_cues(capsys):
    assert main(["check-tweet", "A 45-year-old woman in the ED tonight"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("risk: high") and "45-year-old" in out


def test_check_tweet_json_is_for_other_programs(capsys):
    assert main(["check-tweet", "--json", "Bonne garde à tous"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk"] == "none" and data["cues"] == []
    assert main(["check-tweet", "--json", "Mme D. en box 3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk"] == "high" and {"kind": "identifier", "match": "Mme D."} in data["cues"]


def test_demo_plants_a_labelled_set_the_rules_recover(demo_tables, truth):
    planted = truth["confidentiality"]["tweets"]
    assert len(planted) >= 8 and any(p["breach"] for p in planted)
    assert any(not p["breach"] for p in planted)
    ids = set(demo_tables.tweets["tweet_id"])
    assert all(int(p["tweet_id"]) in ids for p in planted)
    labels = planted_labels(demo_tables.tweets, planted)
    scores = evaluate(demo_tables.tweets["text"].fillna(""), labels)
    # the planted templates were written alongside the rules: this checks the wiring, and that
    # none of the thousands of ordinary demo tweets raises a false alarm
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0


def test_planting_changes_only_the_text_of_a_few_originals(demo_tables, truth):
    planted = {int(p["tweet_id"]) for p in truth["confidentiality"]["tweets"]}
    rows = demo_tables.tweets[demo_tables.tweets["tweet_id"].isin(planted)]
    assert rows["retweet_of_tweet_id"].isna().all() and rows["reply_to_tweet_id"].isna().all()
    assert not demo_tables.hashtags["tweet_id"].isin(planted).any()
    assert not demo_tables.mentions["tweet_id"].isin(planted).any()


def test_planting_draws_from_its_own_generator_so_the_rest_of_the_demo_is_unchanged(
    tmp_path, monkeypatch
):
    from analysis import demo, settings
    from analysis.tables import load_dataset

    def build(root, plant):
        if not plant:
            monkeypatch.setattr(demo, "plant_confidentiality", lambda tweets, seed: [])
        settings.set_data_dir(root)
        try:
            demo.build_demo("small", accounts=120, seed=3, progress=False)
            return load_dataset("small")
        finally:
            settings.set_data_dir(None)
            monkeypatch.undo()

    with_plant, without = build(tmp_path / "a", True), build(tmp_path / "b", False)
    for name, df in with_plant:
        other = getattr(without, name)
        if name == "tweets":
            changed = (df["text"] != other["text"]).sum()
            assert 0 < changed < len(df) / 10
            df, other = df.drop(columns="text"), other.drop(columns="text")
        assert df.equals(other), name
