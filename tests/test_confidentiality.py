import json
from pathlib import Path

import pandas as pd
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
    # the rules' answer: the learnt model may raise a look-alike to high (test_confidentiality_learnt)
    assert check_tweet(text, learnt=False).risk == expected


def test_precision_and_recall_on_the_hand_written_examples():
    texts, labels = [e[0] for e in EXAMPLES], [e[1] for e in EXAMPLES]
    high = evaluate(texts, labels, learnt=False)
    assert high["positives"] == 20 and high["n"] == len(EXAMPLES)
    # measured on this set: 20 of 20 identifying tweets flagged high, no false alarm (round 4:
    # someone in care needs no person noun, so "Le seul pharmacien de ..." is no longer missed)
    assert high["true_positives"] == 20 and high["flagged"] == 20
    assert high["precision"] == 1.0 and high["recall"] == 1.0
    assert KNOWN_MISSES == []
    # round 6, with the learnt model: the same 20, and two false alarms ("Belle photo de l'équipe
    # du service de cardiologie ...", "Cette nuit en garde, 40 passages aux urgences ...")
    full = evaluate(texts, labels)
    assert full["true_positives"] == 20 and full["flagged"] == 22


def test_cues_name_what_a_reader_could_infer():
    check = check_tweet("Mon patient de 45 ans ce matin à Quimper, un homme adorable")
    assert check.risk == "high"
    assert {"patient", "age", "date", "place", "sex"} <= set(check.kinds)
    matches = {(c.kind, c.match) for c in check.cues}
    assert ("age", "45 ans") in matches and ("place", "Quimper") in matches
    assert check.reason == (
        "one individual in care with 2 kinds of narrowing detail: when (ce matin), where (Quimper)"
    )


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
    scores = evaluate(demo_tables.tweets["text"].fillna(""), labels, learnt=False)
    # the planted templates were written alongside the rules: this checks the wiring, and that
    # none of the thousands of ordinary demo tweets raises a false alarm by the rules
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0
    # round 6: the learnt model finds every planted breach too, and raises false alarms on a few
    # ordinary demo tweets (measured: test_confidentiality_learnt)
    assert evaluate(demo_tables.tweets["text"].fillna(""), labels)["recall"] == 1.0


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
    from analysis.demo import pages
    from analysis.tables import load_dataset

    def build(root, plant):
        if not plant:
            monkeypatch.setattr(pages, "plant_confidentiality", lambda tweets, seed: [])
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
            changed = df["text"] != other["text"]
            assert 0 < changed.sum() < len(df) / 10
            rewritten = set(df.loc[changed, "tweet_id"])
            df, other = df.drop(columns="text"), other.drop(columns="text")
        if name == "urls":  # a planted anecdote replaces a text, and the links it held
            df = df[~df["tweet_id"].isin(rewritten)].reset_index(drop=True)
            other = other[~other["tweet_id"].isin(rewritten)].reset_index(drop=True)
        assert df.equals(other), name


# --- issue 15: new cue kinds, the person-described rule, spaCy, the labelled set ------------------

LABELLED = Path(__file__).parent / "data" / "confidentiality_labelled.csv"


def _cues(check) -> set[tuple[str, str]]:
    return {(c.kind, c.match) for c in check.cues}


def test_a_full_name_in_a_care_situation_is_high(nlp):
    check = check_tweet("J'ai revu Jeanne Martin ce matin, elle va mieux depuis la chimio")
    assert check.risk == "high"
    assert check.reason == "one individual in care with an identifier (person: Jeanne Martin)"
    assert [c.match for c in check.cues if c.kind == "person"] == ["Jeanne Martin"]


def test_spacy_finds_names_the_rules_miss(nlp):
    text = "J'ai opéré ce matin Yannick Le Goff, quel courage"
    check = check_tweet(text)
    assert [(c.kind, c.match, c.source) for c in check.cues if c.kind == "person"] == [
        ("person", "Yannick Le Goff", "spacy")
    ]
    assert check.risk == "high" and check_tweet(text, ner=False).risk != "high"


def test_a_childs_first_name_with_age_and_hospital_is_high(nlp):
    check = check_tweet("Le petit Lucas, 6 ans, hospitalisé au CHU de Nantes depuis lundi")
    assert check.risk == "high"
    assert {("person", "Lucas"), ("age", "6 ans"), ("place", "Nantes")} <= _cues(check)
    assert "patient" not in check.kinds


def test_person_cue_for_first_names_the_rules_see_without_spacy():
    assert ("person", "Kylian") in _cues(check_tweet("Kylian, 12 ans, diabétique", ner=False))
    assert ("person", "Oliver") in _cues(check_tweet("Little Oliver was admitted", ner=False))
    check = check_tweet("Just finished a home visit with Arthur Penrose", ner=False)
    assert ("person", "Arthur Penrose") in _cues(check)


def test_colleagues_public_figures_and_sentence_starts_are_not_a_person(nlp):
    for text in (
        "Bravo au Dr Claire Fontaine pour sa thèse soutenue ce matin à Bordeaux",
        "Merci à Sophie, notre cadre de santé, qui part à la retraite",
        "Great talk by Prof Alan Reid in Glasgow this morning on sepsis",
        "@LouisFontaine Bonne question ! Les recos HAS sont claires.",
    ):
        assert "person" not in check_tweet(text).kinds, text
        assert check_tweet(text).risk == "none", text


def test_school_or_employer_cue():
    for text, match in (
        ("Une ado de 15 ans, élève au lycée Jean-Jaurès", "élève au lycée"),
        ("Cette patiente de 34 ans, caissière au Leclerc de Lannion", "caissière au L"),
        ("A man in his 50s, works at the Nissan plant in Sunderland", "works at the Nissan"),
        ("The young lad from the chip shop in Skegness", "the chip shop"),
    ):
        assert ("school_or_employer", match) in _cues(check_tweet(text, ner=False)), text


def test_family_cue_is_a_link_to_someone_else_not_the_authors_own_child():
    for text, match in (
        ("Accouchement cette nuit pour la femme du boulanger", "la femme du boulanger"),
        ("Un ado de 14 ans amené par sa mère ce matin", "sa mère"),
        ("A 16-year-old girl, her dad is the head teacher", "her dad"),
        ("Delivered twins tonight for the vicar's wife", "the vicar's wife"),
    ):
        assert ("family", match) in _cues(check_tweet(text, ner=False)), text
    own = check_tweet("Ma fille de 5 ans a de la fièvre ce soir, garde annulée", ner=False)
    assert "family" not in own.kinds and "patient" not in own.kinds and own.risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Un monsieur de 80 ans vu ce matin aux urgences de Millau",  # the example
        "80 ans, vu ce matin aux urgences de Millau, un grand bonhomme",
        "Kylian, 12 ans, diabétique depuis hier, joue au club de foot de Vierzon",
        "Elderly gent, 94, from Tenby, came to clinic today with his wife of 70 years",
        "Teen boy, 15, plays rugby for Bath U16s, ACL tear seen in clinic this afternoon",
        "Un patient de 94 ans vu en consultation à Bressuire",  # 90 or more narrows
    ],
)
def test_a_person_described_with_two_narrowing_details_is_high(text):
    check = check_tweet(text, ner=False)
    assert check.risk == "high", check.reason


def test_the_person_described_rule_needs_no_patient_cue():
    check = check_tweet("80 ans, vu ce matin aux urgences de Millau", ner=False)
    assert "patient" not in check.kinds and check.risk == "high"
    # a town and a ward are both "where": details of one kind count once
    assert check.reason == (
        "one individual in care with 2 kinds of narrowing detail: when (ce matin), "
        "where (aux urgences)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "#docstoctoc Homme de 60 ans, FA découverte en consultation ce matin, vous anticoagulez ?",
        "How do you manage a 70-year-old woman on warfarin with an INR of 7? #MedTwitter",
        "Un patient de 64 ans vu en consultation à Bressuire",  # one detail: the town
        "My son, 4, has chickenpox so I'm off today, sorry team",
    ],
)
def test_a_person_with_one_narrowing_detail_is_not_high(text):
    assert check_tweet(text, learnt=False).risk != "high"  # the rules' answer


def test_diseases_named_after_places_or_people_are_neither(nlp):
    for text in (
        "Maladie de Lyme : les tiques sont de sortie",
        "Ebola outbreak update: 14 cases confirmed",
        "West Nile virus detected in mosquitoes in Essex",
        "Virus Zika : les femmes enceintes doivent consulter",
        "Maladie de Marburg : un cas confirmé, l'OMS renforce la surveillance",
        "Maladie de Parkinson : nouvelle recommandation",
    ):
        cues = _cues(check_tweet(text))
        assert not {m for k, m in cues if k in ("place", "person")} - {"Essex"}, text


def test_check_texts_batches_and_agrees_with_check_tweet(nlp):
    from analysis.confidentiality import check_texts

    texts = ["J'ai revu Jeanne Martin ce matin", "Bonne garde", None, "Mme D. en box 3"]
    assert [c.risk for c in check_texts(texts)] == ["high", "none", "none", "high"]
    assert [check_tweet(t or "").risk for t in texts] == ["high", "none", "none", "high"]


def test_check_tweet_command_explains_the_new_cue_kinds(capsys, nlp):
    assert main(["check-tweet", "J'ai revu Jeanne Martin ce matin"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("risk: high") and "person" in out and "a person's name" in out


def test_importing_the_module_does_not_import_spacy():
    import subprocess
    import sys

    code = "import analysis.confidentiality, sys; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_labelled_set_has_both_languages_splits_and_labels_and_no_duplicates():
    df = pd.read_csv(LABELLED)
    assert list(df.columns) == ["text", "label", "lang", "split"]
    assert len(df) >= 200 and not df["text"].duplicated().any()
    assert set(df["label"]) == {"risky", "safe"} and set(df["lang"]) == {"fr", "en"}
    # each round's held-out set became tuning data: round 1's is dev_2, round 2's dev_3, round 3's
    # dev_4, round 4's dev_5, round 5's dev_6; round 6's held-out set, held_out_6, is committed after
    # the round-6 freeze
    tuning = {"dev", "dev_2", "dev_3", "dev_4", "dev_5", "dev_6"}
    assert tuning <= set(df["split"]) <= tuning | {"held_out_6"}
    for (split, _), part in df.groupby(["split", "lang"]):
        if split != "held_out_6":
            assert set(part["label"]) == {"risky", "safe"} and len(part) >= 40


def test_dev_split_scores_stay_at_what_was_measured(nlp):
    dev = pd.read_csv(LABELLED).query("split == 'dev'")
    scores = evaluate(dev["text"], dev["label"] == "risky")
    # measured when the rules were frozen: 49 of 49 risky tweets flagged high, no false alarm
    assert (scores["n"], scores["positives"]) == (104, 49)
    assert scores["true_positives"] == 49 and scores["flagged"] == 49


def test_dev_2_split_scores_stay_at_what_was_measured(nlp):
    dev2 = pd.read_csv(LABELLED).query("split == 'dev_2'")
    scores = evaluate(dev2["text"], dev2["label"] == "risky")
    # measured at the round-2 freeze and again at round 3: 54 of 54 risky tweets flagged high, one
    # false alarm ("Une maman m'a demandé ... le foie de son bébé"); round 4: an ordinary question
    # put to the author with no care given is excused, so no false alarm
    assert (scores["n"], scores["positives"]) == (108, 54)
    assert scores["true_positives"] == 54 and scores["flagged"] == 54


def test_dev_3_split_scores_stay_at_what_was_measured(nlp):
    dev3 = pd.read_csv(LABELLED).query("split == 'dev_3'")
    scores = evaluate(dev3["text"], dev3["label"] == "risky")
    # round 2's held-out set, measured once at 39 of 56 with 2 false alarms, then tuned on in
    # round 3: 56 of 56 risky tweets flagged high, no false alarm
    assert (scores["n"], scores["positives"]) == (115, 56)
    assert scores["true_positives"] == 56 and scores["flagged"] == 56


def test_dev_4_split_scores_stay_at_what_was_measured(nlp):
    dev4 = pd.read_csv(LABELLED).query("split == 'dev_4'")
    scores = evaluate(dev4["text"], dev4["label"] == "risky")
    # round 3's held-out set, measured once at 41 of 60 with 3 false alarms; round 4's structural
    # rule, before any of its misses was read, 47 of 60 with 1 false alarm; tuned on in round 4:
    # 60 of 60 risky tweets flagged high, no false alarm
    assert (scores["n"], scores["positives"]) == (120, 60)
    assert scores["true_positives"] == 60 and scores["flagged"] == 60
