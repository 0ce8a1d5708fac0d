"""Round 4's structural decision: someone in care with an identifier or two kinds of narrowing detail.

The exact inputs of the brief (round 3's misses and false alarms, by kind), other tweets of
the same kinds in words no labelled tweet holds, and safe look-alikes of each shape. All
synthetic: written for this project, names and places invented.
"""

import pytest

from analysis.confidentiality import check_texts, check_tweet, find_cues, in_care_situation
from analysis.confidentiality.shapes import (
    GROUP_RE,
    OWN_CHILD_RE,
    RECORD_NUMBER_RE,
    RECORDS_PHOTO_RE,
)

# --- someone in care, whether or not a person noun was read ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # the brief's inputs: two narrowing details or more, no word read as the person before
        "Patiente vue ce matin au cabinet, institutrice à l'école publique de Plouvenec",
        "Pt in resus tonight is the head teacher of Thornwick Primary",
        "Head of the Kilmarden mountain rescue team brought in by his own crew last night",
        "My nan, 92, admitted last night to MAU",
        # the same kinds, other words
        "Patiente vue ce matin au cabinet, institutrice à l'école publique de Kerbrat",
        "Pt in resus tonight is the head teacher of Ashgrove Primary",
        "Head of the Dunmore lifeboat crew brought in by his own crew last night",
        "Reçue cette nuit aux urgences de Saint-Brieuc, la boulangère de la place du marché",
        "Ma mère hospitalisée hier en cardio à Morlaix",
        "Vaccinée ce matin à la pharmacie, la doyenne du village, 101 ans",
        "Accouchement cette nuit à Roscanvel-sur-Mer, la fille du garagiste",
        "The day after the Brockley Fair a 50yo farmer came in with a crush injury",
        "Our practice manager Linda had her knee done today at Royal Hartwell",
    ],
)
def test_someone_in_care_with_two_kinds_of_narrowing_detail_is_high(text, nlp):
    check = check_tweet(text)
    assert check.risk == "high", check.reason


@pytest.mark.parametrize(
    "text",
    [
        # the brief's identifiers in shapes no word list held
        "NHS no. 482 913 7706",
        "Hospital no. T4471893",
        "Pic of the discharge letter attached",
        # the same shapes, other words
        "NHS no. 615 204 9981, can someone chase the bloods",
        "Hospital no. K5520931 still waiting for a bed",
        "IPP 0045821 : quelqu'un peut rappeler le labo ?",
        "Screenshot of her obs chart below, what do we think?",
        "Photo du compte rendu de Mme K. envoyée au mauvais groupe",
        "MRN 00771234, bloods still not back",
    ],
)
def test_someone_in_care_with_an_identifier_by_its_shape_is_high(text, nlp):
    check = check_tweet(text)
    assert check.risk == "high", check.reason
    assert check.reason.startswith("one individual in care with an identifier")


@pytest.mark.parametrize(
    "text",
    [
        # the author's own child, in care (the labelling rules excuse it)
        "Mon fils de 8 ans plâtré hier à Vannes, il est ravi de son plâtre bleu",
        "Ma fille de 3 ans aux urgences cette nuit, merci à l'équipe de Quimper",
        "My daughter was seen in A&E last night in Leeds, great care",
        "My son, 6, admitted to the children's ward last night at Royal Hartwell",
        # the author's own health
        "J'ai été opérée hier à la clinique des Lilas, tout va bien",
        "Opérée hier de mon genou à la clinique des Lilas, chambre 12",
        # a named person in a public role with no care event
        "Mme Le Goff part à la retraite après 30 ans au service de pédiatrie de Lorient, merci !",
        "Thesis defence by Dr Paul Martin this morning in Lyon, bravo !",
        "Great talk by Dr Sarah Khan at the Royal Infirmary today on sepsis",
        # a group or a statistic
        "Ce matin aux urgences de Rennes, 40 patients en attente",
        "Cette nuit en réa à Brest, 5 admissions, tous non vaccinés",
        "Campagne de vaccination ce samedi à la mairie de Plérin",
        "Flu jab clinic on Saturday at Oakwood surgery, all over-65s welcome",
        # a setting or a topic, no one in care
        "Il faut des moyens aux urgences de Nantes ce soir",
        "Proud of the nurses on ward 12 tonight",
        "Réunion sur la vaccination ce matin à Dijon",
        # an ordinary question put to the author
        "Une maman m'a demandé aujourd'hui si le paracétamol pouvait abîmer le foie de son bébé",
        "The postman asked me today if he should get the flu jab. Yes!",
    ],
)
def test_excused_and_look_alike_tweets_are_not_high(text, nlp):
    check = check_tweet(
        text, learnt=False
    )  # the rules' answer; the model's: test_confidentiality_learnt
    assert check.risk != "high", check.reason


def test_the_author_s_parent_is_not_excused_like_their_child(nlp):
    # the labelling rules excuse the author's own child, not their nan, dad or mother
    assert check_tweet("My nan, 92, admitted last night to MAU").risk == "high"
    assert check_tweet("Ma mère hospitalisée hier en cardio à Morlaix").risk == "high"
    assert check_tweet("Ma fille hospitalisée hier en pédiatrie à Morlaix", learnt=False).risk != (
        "high"
    )


def test_the_reason_names_the_kinds_of_narrowing_detail_and_counts_one_kind_once():
    check = check_tweet("Pt in resus tonight is the head teacher of Thornwick Primary", ner=False)
    assert check.reason == (
        "one individual in care with 3 kinds of narrowing detail: where (in resus), "
        "when (tonight), who (the head teacher)"
    )
    # a town and a ward are both "where": one kind, so one patient with when + where + where is 2
    check = check_tweet("Patiente vue ce matin aux urgences de Millau", ner=False)
    assert check.reason.startswith("one individual in care with 2 kinds")


def test_the_excuse_is_the_reason_given():
    assert check_tweet("Ma fille de 3 ans aux urgences cette nuit").reason == (
        "the author's own child or own health"
    )
    assert check_tweet("Cette nuit en réa à Brest, 5 admissions").reason == (
        "a group or a statistic, not one person"
    )


# --- the shapes, on their own -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("NHS no. 482 913 7706", "NHS no. 482 913 7706"),
        ("Hospital no. T4471893", "Hospital no. T4471893"),
        ("MRN: 00982716", "MRN: 00982716"),
        ("IPP 0045821", "IPP 0045821"),
        ("dossier n° 2024-5531", "dossier n° 2024-5531"),
        ("n° 4471893", "n° 4471893"),
        ("482 913 7706", "482 913 7706"),
        ("née le 12/03/1947", "12/03/1947"),
    ],
)
def test_record_numbers_and_birth_dates_by_their_shape(text, match):
    assert RECORD_NUMBER_RE.search(text).group() == match


@pytest.mark.parametrize(
    "text",
    [
        "#1 tip for junior docs today",
        "Call 111 tonight if you're worried, not 999",
        "No. 10 said nothing",
        "chambre n° 12",
        "le 15/03/2024",
        "#copie12",
        "Appel au 15 ce soir",
    ],
)
def test_numbers_that_are_not_records_are_not_identifiers(text):
    assert RECORD_NUMBER_RE.search(text) is None


def test_a_record_number_outside_care_is_not_high():
    assert check_tweet("Commande n° 4471893 livrée, merci la poste", ner=False).risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Pic of the discharge letter attached",
        "Snapped a pic of Mr Okonkwo's drug chart",
        "Photo du compte rendu opératoire",
        "ECG attached, thoughts?",
        "Courrier ci-joint",
    ],
)
def test_photos_of_records_by_their_shape(text):
    assert RECORDS_PHOTO_RE.search(text)


@pytest.mark.parametrize(
    "text", ["Photo of the new ward", "Belle photo de l'équipe", "Pic of the team at the 10k"]
)
def test_photos_of_places_and_teams_are_not_records(text):
    assert RECORDS_PHOTO_RE.search(text) is None
    assert check_tweet(text, ner=False).risk != "high"


def test_care_context_needs_no_person_noun():
    for text in ("Pt in resus tonight", "Patiente vue ce matin", "brought in by his crew"):
        assert in_care_situation(text, find_cues(text, ner=False)), text
    text = "Congrès de cardiologie à Lyon"
    assert not in_care_situation(text, find_cues(text, ner=False))


def test_own_child_and_group_shapes():
    assert OWN_CHILD_RE.search("Mon fils de 8 ans") and OWN_CHILD_RE.search("my kid")
    assert OWN_CHILD_RE.search("My nan") is None and OWN_CHILD_RE.search("ma mère") is None
    assert GROUP_RE.search("40 patients en attente") and GROUP_RE.search("12% of admissions")
    assert GROUP_RE.search("Mon patient de 45 ans") is None


def test_spacy_only_where_care_gives_the_same_risks_on_the_new_cases(nlp):
    texts = [
        "Patiente vue ce matin au cabinet, institutrice à l'école publique de Plouvenec",
        "Ma fille de 3 ans aux urgences cette nuit, merci à l'équipe de Quimper",
        "Great talk by Dr Sarah Khan at the Royal Infirmary today on sepsis",
        "NHS no. 482 913 7706",
        "Réunion sur la vaccination ce matin à Dijon",
    ]
    full = [c.risk for c in check_texts(texts, ner=True)]
    assert [c.risk for c in check_texts(texts, ner="care")] == full
