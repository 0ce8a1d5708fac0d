"""Accounts: roles and identity styles with reasons, overrides, pairs, evaluation, CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.accounts import IDENTITIES, ROLES, LabelsError, classify_profile, label_users
from analysis.accounts.evaluate import (
    classification_report,
    confusion_matrix,
    evaluate_labels,
    truth_frame,
)
from analysis.accounts.names import first_name_strength, first_names
from analysis.accounts.pairs import find_pairs
from analysis.cli import main

PROFILES = Path(__file__).parent / "data" / "profiles_labelled.csv"


def _profiles() -> pd.DataFrame:
    return pd.read_csv(PROFILES, dtype=str, keep_default_na=False)


def test_label_users_returns_the_contract_columns_and_vocabularies(demo_tables):
    labels = label_users(demo_tables.users)
    assert list(labels.columns[:6]) == [
        "user_id",
        "username",
        "role",
        "identity",
        "confidence",
        "role_confidence",
    ]
    assert {"reasons", "protected", "source"} <= set(labels.columns)
    assert set(labels["role"]) <= set(ROLES) and set(labels["identity"]) <= set(IDENTITIES)
    assert labels["confidence"].between(0, 1).all()
    assert labels["reasons"].str.len().gt(0).all()
    assert labels["user_id"].tolist() == demo_tables.users["user_id"].tolist()


def test_demo_ground_truth_macro_f1_meets_the_targets(demo_tables, truth):
    result = evaluate_labels(label_users(demo_tables.users), truth_frame(truth))
    assert result["n"] == len(truth["accounts"])
    assert result["identity"]["report"].loc["macro avg", "f1"] >= 0.85
    assert result["role"]["report"].loc["macro avg", "f1"] >= 0.80
    cm = result["role"]["confusion"]
    assert cm.values.sum() == result["n"]


def test_hand_labelled_profiles_are_evaluated_per_class():
    truth = _profiles()
    assert (truth["synthetic"] == "true").all()  # made up for the tests, labelled so
    labels = label_users(truth.drop(columns=["role", "identity"]))
    held = truth["edge_case"].str.startswith("held-out")
    f1 = {}
    for batch, rows in (("edge cases", ~held), ("held-out", held), ("all", held | ~held)):
        for col in ("role", "identity"):
            rep = classification_report(truth.loc[rows, col], labels.loc[rows, col])
            f1[batch, col] = rep.loc["macro avg", "f1"]
    # Measured macro-F1 (role / identity): edge cases 0.985 / 0.966, written alongside the rules;
    # held-out 0.650 / 0.607, written after the rules were frozen and never tuned on; all
    # 0.915 / 0.898. The bounds below guard against regressions, they are not the targets.
    assert f1["all", "role"] >= 0.85 and f1["all", "identity"] >= 0.85
    assert f1["held-out", "role"] >= 0.6 and f1["held-out", "identity"] >= 0.55
    assert f1["held-out", "role"] < f1["edge cases", "role"]  # the honest gap stays visible


@pytest.mark.parametrize(
    "edge_case, role, identity",
    [
        ("fan account of a TV doctor", "public", "anonymous"),
        ("band called Doctor something", "public", "institutional"),
        ("hospital with a person's name", "institution", "institutional"),
        ("English-speaking doctor", "physician", "nominative"),
        ("emoji-only name", "physician", "anonymous"),
        ("emoji-only name, empty bio", "unknown", "anonymous"),
        ("empty bio", "public", "nominative"),
        ("hospital manager (institution words in a person's bio)", "other_hcp", "nominative"),
        ("institution word in a doctor's name", "physician", "nominative"),
    ],
)
def test_edge_cases_from_the_issue(edge_case, role, identity):
    rows = _profiles()
    row = rows[rows["edge_case"] == edge_case].iloc[0]
    lab = classify_profile(row["username"], row["name"], row["description"])
    assert (lab.role, lab.identity) == (role, identity), lab.reasons


def test_reasons_name_the_cues_matched_in_both_languages():
    fr = classify_profile("IDE_x", "Infirmière Lama", "IDE aux urgences 💉")
    assert fr.role == "nurse" and fr.identity == "anonymous"
    assert any("infirmiere" in r for r in fr.reasons) and any("ide" in r for r in fr.reasons)
    en = classify_profile("kate_rn", "Kate Walsh", "ICU nurse, Dublin")
    assert en.role == "nurse" and en.identity == "nominative"
    assert any("first name 'Kate'" in r for r in en.reasons)


def test_titles_with_a_non_name_are_anonymous_and_given_plus_family_names_nominative():
    assert classify_profile("Dr_Tortue", "Dr Tortue", "").identity == "anonymous"
    assert classify_profile("x", "Dr Milou", "").identity == "anonymous"  # a rare first name alone
    assert classify_profile("x", "MG en pleine campagne", "").identity == "anonymous"
    assert classify_profile("x", "Dr Jean-Pierre Lambert", "").identity == "nominative"
    assert classify_profile("x", "LAMBERT Hélène", "Sage-femme").identity == "nominative"


def test_first_names_come_from_a_real_list_not_a_handful():
    assert len(first_names()) > 40_000
    assert first_name_strength("Émilie") > 0 and first_name_strength("Siobhan") > 0
    assert first_name_strength("Tortue") == 0 and first_name_strength("Hôpital") == 0


def test_protected_accounts_are_flagged():
    users = pd.DataFrame(
        {
            "username": ["a", "b"],
            "name": ["Ana Roy", "Léo Petit"],
            "description": ["", ""],
            "protected": ["true", "false"],
        }
    )
    labels = label_users(users)
    assert labels["protected"].tolist() == [True, False]
    assert "protected account" in labels.loc[0, "reasons"]


def test_overrides_win_by_user_id_or_username(tmp_path):
    users = pd.DataFrame(
        {
            "user_id": [1, 2, 3],
            "username": ["DrA", "Bee", "Cee"],
            "name": ["Dr Tortue", "Anne Roux", "Paul Roy"],
            "description": ["MG", "Infirmière", ""],
        }
    )
    path = tmp_path / "overrides.csv"
    path.write_text("user_id,username,role,identity\n1,,intern,\n,bee,,anonymous\n")
    labels = label_users(users, overrides=path)
    assert labels["role"].tolist() == ["intern", "nurse", "public"]
    assert labels["identity"].tolist() == ["anonymous", "anonymous", "nominative"]
    assert labels["source"].tolist() == ["override", "override", "rules"]
    assert labels.loc[0, "reasons"].startswith("override by researcher: role physician -> intern")


def test_bad_overrides_name_the_problem_and_the_fix(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("username,role\nx,surgeon\n")
    with pytest.raises(LabelsError, match=r"unknown role value\(s\) \['surgeon'\]; use one of"):
        label_users(pd.DataFrame({"username": ["x"]}), overrides=path)
    path.write_text("handle,role\nx,nurse\n")
    with pytest.raises(LabelsError, match="'user_id' or 'username'"):
        label_users(pd.DataFrame({"username": ["x"]}), overrides=path)


def test_pairs_are_listed_with_evidence_and_never_merged():
    users = pd.DataFrame(
        {
            "user_id": [1, 2, 3, 4],
            "username": ["LucieVernhes", "DocLucieV", "PaulRoy", "CHU_Brest"],
            "name": ["Lucie Vernhes", "Dr Lucie Vernhes (pro)", "Paul Roy", "CHU de Brest"],
            "description": [
                "Compte perso.",
                "Médecin généraliste, CHU de Brest",
                "",
                "Compte officiel",
            ],
            "location": ["Brest", "Brest", "Quimper", "Brest"],
        }
    )
    follows = pd.DataFrame({"follower_id": [1, 2, 3], "followed_id": [2, 1, 1]})
    pairs = find_pairs(users, follows)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert {pair["username_a"], pair["username_b"]} == {"LucieVernhes", "DocLucieV"}
    assert pair["likelihood"] == "likely"
    for evidence in ("shared name parts", "vernhes", "mutual follow", "same location 'brest'"):
        assert evidence in pair["evidence"]
    assert len(label_users(users)) == 4  # nothing merged


def test_classification_report_and_confusion_matrix_agree():
    t = pd.Series(["a", "a", "b", "c"])
    p = pd.Series(["a", "b", "b", "b"])
    rep = classification_report(t, p)
    assert rep.loc["a", "precision"] == 1.0 and rep.loc["a", "recall"] == 0.5
    assert rep.loc["c", "f1"] == 0.0 and rep.loc["accuracy", "f1"] == 0.5
    cm = confusion_matrix(t, p)
    assert cm.loc["a", "b"] == 1 and cm.loc["c", "b"] == 1 and cm.values.sum() == 4


def test_cli_classify_keeps_the_input_username_and_writes_the_columns(tmp_path, capsys):
    src = tmp_path / "profiles.csv"
    src.write_text(
        'username,name,description\n@Dr_Tortue,Dr Tortue,"MG, anonyme"\n'
        "ChuLille,CHU de Lille,Compte officiel\n",
        encoding="utf-8",
    )
    out = tmp_path / "labels.csv"
    assert main(["accounts", "classify", str(src), "--out", str(out), "--raw-csv"]) == 0
    labels = pd.read_csv(out)
    assert labels["username"].tolist() == ["@Dr_Tortue", "ChuLille"]
    # without --raw-csv, a cell starting with '@' is text for spreadsheets (see test_exports_safe)
    assert main(["accounts", "classify", str(src), "--out", str(out)]) == 0
    assert pd.read_csv(out)["username"].tolist() == ["'@Dr_Tortue", "ChuLille"]
    assert {"role", "identity", "confidence", "reasons"} <= set(labels.columns)
    assert labels["role"].tolist() == ["physician", "institution"]


def test_cli_classify_without_username_column_is_one_line_error(tmp_path, capsys):
    src = tmp_path / "p.csv"
    src.write_text("handle,bio\nx,y\n")
    assert main(["accounts", "classify", str(src)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no 'username' column" in err and "Traceback" not in err


def test_cli_dataset_writes_labels_pairs_and_prints_the_evaluation(data_root, tmp_path, capsys):
    out, pairs = tmp_path / "labels.csv", tmp_path / "pairs.csv"
    assert main(["accounts", "demo", "--out", str(out), "--pairs", str(pairs), "--evaluate"]) == 0
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "confusion matrix" in printed and "precision" in printed
    labels = pd.read_csv(out)
    assert len(labels) == 800 and labels.columns[1] == "username"
    assert {"score", "likelihood", "evidence"} <= set(pd.read_csv(pairs).columns)


def test_cli_dataset_to_stdout(data_root, capsys):
    assert main(["accounts", "demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("user_id,username,role,identity,confidence") and len(lines) > 800


def test_pair_recovery_counts_the_planted_pairs_listed(demo_tables, truth):
    from analysis.accounts.evaluate import pair_recovery

    pairs = find_pairs(demo_tables.users, demo_tables.follows, label_users(demo_tables.users))
    table = pair_recovery(pairs, truth).set_index("level")
    planted = len({a["pair_id"] for a in truth["accounts"] if a["pair_id"] is not None})
    assert (table["planted"] == planted).all()
    assert table.loc["all", "listed"] == len(pairs)
    assert table.loc["all", "planted_found"] == (
        table.loc["likely", "planted_found"] + table.loc["possible", "planted_found"]
    )
    # the demo's pairs share no name part (the second account is a pseudonym): only mutual
    # follows of a nominative and an anonymous account of one role find them
    assert table.loc["all", "recall"] > 0.5


def test_anonymised_reasons_say_the_kind_of_name_part_never_the_part():
    lab = classify_profile(
        "AFontaine", "Dr Anne Fontaine", "Médecin généraliste à Toulouse", anonymise=True
    )
    assert lab.identity == "nominative"
    assert "name: first name (name list) and family name also in the username -> nominative" in (
        lab.reasons
    )
    assert not any("Anne" in r or "Fontaine" in r or "frequency" in r for r in lab.reasons)
    anon = classify_profile("Dr_Ecureuil", "Dr Écureuil", "MG en pleine campagne", anonymise=True)
    assert "name: title with a non-name -> anonymous" in anon.reasons
    assert not any("cureuil" in r for r in anon.reasons)


def test_anonymised_pair_evidence_names_the_kinds_of_evidence_only():
    users = pd.DataFrame(
        {
            "user_id": [1, 2],
            "username": ["AnneFontaine", "Dr_Fontaine_pro"],
            "name": ["Anne Fontaine", "Dr A. Fontaine"],
            "description": ["MG", "MG, compte pro au CHU de Toulouse"],
            "location": ["Toulouse", "Toulouse"],
        }
    )
    plain = find_pairs(users)
    anon = find_pairs(users, anonymise=True)
    assert "fontaine" in plain["evidence"].iloc[0] and "toulouse" in plain["evidence"].iloc[0]
    evidence = anon["evidence"].iloc[0]
    assert "shared name parts: 1 family-name-like" in evidence and "same location" in evidence
    assert "fontaine" not in evidence.lower() and "toulouse" not in evidence.lower()
    assert anon[["score", "likelihood"]].equals(plain[["score", "likelihood"]])
