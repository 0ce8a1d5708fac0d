"""People named by their place in a community: roles, family links, school years, villages.

Round 3 of the confidentiality rules. The risky tweets are those round 2's held-out
set (now ``dev_3``) missed, kind by kind, and tweets of the same kinds in other
words; the safe ones are look-alikes the labelling rules call safe: a role in its
public role, groups, the author's own child, a peer question with one detail.
All synthetic, written for these tests.
"""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from analysis.confidentiality import check_tweet, clear_caches, entities
from analysis.confidentiality.community import (
    FAMILY_PERSON_RE,
    ROLE_RE,
    SCHOOL_YEAR_RE,
    VILLAGE_RE,
)
from analysis.confidentiality.rules import care_event, rule_cues

LABELLED = Path(__file__).parent / "data" / "confidentiality_labelled.csv"
BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "confidentiality.py"


def _cues(text: str, ner: bool = False) -> set[tuple[str, str]]:
    return {(c.kind, c.match) for c in check_tweet(text, ner=ner).cues}


# --- the kinds dev_3 missed, and the same kinds in words no labelled tweet holds ---------------

RISKY = [
    # a role in the community (le curé, the postman, the striker, the station master...)
    "Le fils du maire de Brévannes-sur-Loue est passé aux urgences cette nuit",
    "La prof de maths du lycée Condorcet de Saint-Véran-d'Orbe hospitalisée chez nous pour burn-out",
    "Le chef de gare de Lormières, 58 ans, pontage hier",
    "the postman from our village (Cawsby) came in this morning with a dog bite",
    "The Kestrel Park Rovers striker (you know who) came in with a broken ankle after Saturday's "
    "match",
    "Pompier volontaire de la caserne de Roquefeuil-en-Val, 38 ans, brûlé pendant l'intervention "
    "de cette nuit",
    "Le maire de Saint-Machin-les-Bois hospitalisé cette nuit chez nous en cardio",
    "The station master at Little Wetherby, 61, had a bypass on Monday",
    "Our village vet came in this morning with a broken wrist after a horse kick",
    "la boulangère du village est en réa depuis hier, choc anaphylactique",
    "A striker from Kestrel Park Rovers came in tonight with a dislocated shoulder",
    "Le capitaine de l'US Fontclaire, 24 ans, entorse grave du genou ce matin",
    "Le facteur de Brévannes-sur-Loue s'est fait mordre par un chien ce matin",
    "Le gendarme de la brigade de Roquefeuil-en-Val a été transporté aux urgences cette nuit",
    "The head teacher of Oakfield Primary had a stroke this morning, we saw her in resus",
    "Le seul boulanger de Plouzané est passé ce matin pour son diabète, toujours le sourire",
    "He's the only black cab driver in Tenby and he came in with chest pain this morning",
    # one of the author's own team as the patient
    "One of our own porters, 58, was admitted overnight after a cardiac arrest in the car park",
    "Une de nos infirmières de nuit, 29 ans, a accouché ce matin dans notre maternité",
    # a family link to someone a reader knows
    "La nièce de notre cadre de santé accouche en ce moment en salle 4",
    "The pharmacist's daughter from Upper Slaughter came in tonight with an overdose",
    "Le fils de la boulangère, élève de 3e, admis cette nuit pour une intoxication",
    "Noah's mum brought him in again tonight, third time this week with the same wheeze",
    # a first name with a school year, a named school or club
    "Léa, en CM2, opérée de l'appendicite hier à la clinique des Tilleuls",
    "Sarah, a Year 10 student, came in this morning with her asthma",
    "Ellie, a Year 6 pupil at Oakfield Primary, admitted last night with sepsis",
    "Tom, in 5th grade at Lincoln Elementary, treated for anaphylaxis yesterday at our ED",
    "Le jeune de 19 ans, gardien de but de l'US Fontclaire, rupture du LCA ce week-end",
    # a colleague with an initial as the patient; a rare disease by its shape; newborns
    "Dr P. (oui, un confrère !) hospitalisé dans notre service depuis mardi",
    "Bed 9 on Ward 22, 60yo man with Erdheim-Chester disease. Only my second ever case.",
    "Jumeaux nés le 02/11 à 23h47 à la maternité de Vaudrecourt",
    # a description with adjectives, times and places the rules did not know
    "A lovely old man from Ashford came to see me at 3am with chest pain",
    "Une charmante dame de Quimperlé est passée me voir au cabinet ce matin pour ses vertiges",
    "Un petit bonhomme de l'école de Plouha, vu en pleine nuit pour une otite",
    "A frail elderly gentleman who lives on Mill Lane fell overnight, found by his neighbour",
    "Our oldest patient turned 104 today in room 12 🎂",
]


@pytest.mark.parametrize("text", RISKY, ids=[t[:40] for t in RISKY])
def test_a_person_named_by_their_place_in_a_community_is_high_by_the_rules_alone(text):
    check = check_tweet(text, ner=False)
    assert check.risk == "high", check.reason


SAFE = [
    "Le maire a inauguré la nouvelle maison de santé",
    "Le maire de Brévannes-sur-Loue a inauguré ce matin le nouveau service des urgences",
    "Le curé de Saint-Amand-la-Forêt est venu bénir la nouvelle maternité ce matin",
    "La pharmacienne de garde ce soir à Saint-Machin-les-Bois, pensez-y",
    "The vicar visited the children's ward this morning with chocolate eggs for everyone",
    "The mayor of Little Wetherby opened our new dementia unit today",
    "Merci au Dr P. pour sa conférence d'hier sur l'AVC à Lyon",
    "Le Dr B. m'a adressé ce matin un patient pour un avis, merci à lui",
    "Le boulanger du village nous a offert des croissants ce matin pour toute l'équipe de garde",
    "Les élèves de CM2 de l'école de Vervillers ont visité la caserne des pompiers hier",
    "Congratulations to the Kestrel Park Rovers captain on his call-up this week",
    "Vacances à Saint-Machin-les-Bois ce week-end, pas un seul bip",
    "Croisé le facteur ce matin à Brévannes-sur-Loue, il m'a demandé des nouvelles de ma mère",
    "Mon fils, en CM2, a la varicelle : télétravail aujourd'hui",
    "My daughter, in Year 3 at Oakfield Primary, has chickenpox, so I'm working from home today",
    "The postman asked me today if he should get the flu jab. Yes!",
    "#docstoctoc Le gardien de but de mon club, 19 ans, rupture du LCA : vous opérez ?",
    "La fille du voisin m'a demandé ce matin si le vaccin faisait mal",
    "The vet's daughter is doing work experience with us this week, she wants to be a GP",
    "Ebola outbreak: 14 cases confirmed in Saint-Machin-les-Bois region",
    "Un monsieur de 80 ans m'a appris hier à faire un nœud de cravate",
    "Étudiante en 4e année, je viens de réussir ma première ponction lombaire",
    "Femme de 52 ans, bouffées de chaleur : vous proposez quoi en première intention ?",
    "Our head teacher ran the Great North Run yesterday for the children's hospital charity",
    "Mme la ministre, les urgences de Saint-Machin-les-Bois ferment la nuit depuis lundi",
    "Les pompiers de Roquefeuil-en-Val ont été formidables cette nuit sur l'accident, merci",
    "30% des élèves de Year 10 ont déjà vapoté selon la dernière enquête",
    "Notre nouveau maire a signé la convention pour la maison de santé de Saint-Machin-les-Bois",
    "One of our nurses ran the Paris marathon this weekend, so proud!",
    "Une de nos infirmières part à la retraite ce vendredi après 40 ans de service",
    "One of my patients told me today that I look tired. Thanks 😅",
]


@pytest.mark.parametrize("text", SAFE, ids=[t[:40] for t in SAFE])
def test_public_roles_groups_and_own_family_are_not_high(text, nlp):
    check = check_tweet(
        text, learnt=False
    )  # the rules' answer; the model's: test_confidentiality_learnt
    assert check.risk != "high", check.reason


def test_the_role_is_named_in_the_reason_with_its_details():
    check = check_tweet("Le chef de gare de Lormières, 58 ans, pontage hier", ner=False)
    assert check.reason == (
        "one individual in care with 3 kinds of narrowing detail: who (Le chef de gare), "
        "where (Lormières), when (hier)"
    )
    check = check_tweet("Le fils du maire de Brévannes-sur-Loue est passé aux urgences cette nuit")
    assert "who (Le fils du maire)" in check.reason
    check = check_tweet(
        "The Kestrel Park Rovers striker (you know who) came in with a broken ankle"
    )
    assert "singled out (you know who)" in check.reason and check.risk == "high"


def test_a_role_in_its_public_role_or_without_care_describes_no_patient():
    for text in ("Le maire a inauguré la nouvelle maison de santé", "Le curé est passé ce matin"):
        check = check_tweet(text, ner=False)
        assert check.risk == "none" and "role" not in check.reason
    assert not care_event("Le maire a inauguré le service des urgences")
    assert not care_event("La pharmacienne de garde ce soir")
    assert care_event("Le curé, opéré hier") and care_event("came in with a dog bite")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("le curé de la paroisse", "le curé"),
        ("the postman", "the postman"),
        ("The Kestrel Park Rovers striker came in", "The Kestrel Park Rovers striker"),
        ("la prof de maths du lycée", "la prof de maths"),
        ("the local head teacher", "the local head teacher"),
        ("le chef de gare de Lormières", "le chef de gare"),
        ("Station master, 58, from Tenby", "Station master"),
        ("our village vet", "our village vet"),
        ("a striker from Kestrel Park", "a striker"),
    ],
)
def test_roles_in_a_community_are_found_in_both_languages(text, match):
    assert ROLE_RE.search(text).group() == match


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("le fils du maire est là", "le fils du maire"),
        ("la femme du boulanger", "la femme du boulanger"),
        ("the vicar's wife", "the vicar's wife"),
        ("the son of our councillor", "the son of our councillor"),
        ("her dad is the local GP", "her dad is the local GP"),
    ],
)
def test_family_links_to_someone_known_are_found(text, match):
    assert FAMILY_PERSON_RE.search(text).group() == match


def test_family_persons_are_not_ages_or_generic_phrases():
    assert FAMILY_PERSON_RE.search("la fille de 15 ans") is None
    assert FAMILY_PERSON_RE.search("la mère de famille") is None


@pytest.mark.parametrize(
    "text",
    [
        "en CP",
        "élève de CE1",
        "en CM2",
        "en 6e",
        "en terminale",
        "en grande section",
        "a Year 10 student",
        "in Year 1",
        "in 5th grade",
        "a fifth grader",
        "in the sixth form",
    ],
)
def test_school_years_are_found(text):
    assert SCHOOL_YEAR_RE.search(text), text


@pytest.mark.parametrize(
    "text",
    [
        "vous proposez quoi en première intention ?",
        "Étudiante en 4e année",
        "brûlure de 3e degré",
        "Year 2 of the study",
        "the first year of practice",
    ],
)
def test_look_alikes_of_school_years_are_not(text):
    assert SCHOOL_YEAR_RE.search(text) is None, text


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("vu à Saint-Machin-les-Bois", "Saint-Machin-les-Bois"),
        ("de Brévannes-sur-Loue", "Brévannes-sur-Loue"),
        ("du lycée de Saint-Véran-d'Orbe", "Saint-Véran-d'Orbe"),
        ("pompier de Roquefeuil-en-Val", "Roquefeuil-en-Val"),
        ("a GP near Stratford-upon-Avon", "Stratford-upon-Avon"),
        ("in Little Wetherby", "Little Wetherby"),
        ("from Upper Slaughter", "Upper Slaughter"),
        ("rue des Lilas", "rue des Lilas"),
    ],
)
def test_villages_no_list_knows_are_places_by_their_shape(text, place):
    assert ("place", place) in {(c.kind, c.match) for c in rule_cues(text)}


def test_shapes_that_are_not_villages():
    assert VILLAGE_RE.search("Little Ellie, 5, came in") is not None  # the shape matches...
    kinds = {(c.kind, c.match) for c in rule_cues("Little Ellie, 5, came in")}
    assert ("person", "Ellie") in kinds and not any(k == "place" for k, _ in kinds)  # ...a child
    for region in ("en Île-de-France", "dans les Hauts-de-France", "West Nile virus in Essex"):
        assert not any(c.kind == "place" and "-" in c.match for c in rule_cues(region)), region
    assert ("person", "Val") not in _cues("Pompier de Roquefeuil-en-Val, 38 ans")


def test_first_names_with_a_school_year_or_an_apposition_are_people():
    assert ("person", "Léa") in _cues("Léa, en CM2, opérée hier")
    assert ("person", "Sarah") in _cues("Sarah, a Year 10 student, came in")
    assert ("person", "Tom") in _cues("Tom, in 5th grade at Lincoln Elementary")
    assert ("person", "Noah") in _cues("Noah's mum brought him in")
    assert ("person", "Lucas") in _cues("La maman de Lucas m'a appelé cette nuit")
    assert "person" not in check_tweet("Merci à Sophie, notre cadre de santé").kinds


def test_a_title_with_an_initial_is_a_person_only_in_care_and_not_in_public_role():
    assert ("person", "Dr P.") in _cues("Dr P. (un confrère) hospitalisé depuis mardi")
    assert ("person", "Dr P.") not in _cues("Merci au Dr P. pour sa conférence d'hier")
    assert ("person", "Dr B.") not in _cues("Le Dr B. m'a adressé un patient ce matin")


def test_age_and_sex_describe_and_do_not_narrow():
    # one time only: the description (age, sex, a person noun) needs two narrowing details
    check = check_tweet("Un monsieur de 80 ans m'a appris hier à faire un nœud de cravate")
    assert check.risk == "low"
    assert check_tweet("Un monsieur de 80 ans vu hier à Millau").risk == "high"


def test_an_address_to_an_official_is_not_a_sex_cue():
    assert "sex" not in check_tweet("Mme la ministre, les urgences ferment", ner=False).kinds
    assert "sex" in check_tweet("Mme D. en box 3", ner=False).kinds


def test_a_full_name_after_in_is_a_place_not_a_person():
    check = check_tweet("I'm Dr Tom Reeve, GP in Fenwick Magna, running the flu clinic on Saturday")
    assert check.risk != "high" and "Fenwick Magna" not in {c.match for c in check.cues}


# --- the named-entity pass: a possessive, a child, and texts it cannot find a cue in -------------


def test_spacy_cues_lose_a_possessive_and_little_before_a_first_name_makes_a_child(nlp):
    check = check_tweet("The striker came in after Saturday's match")
    assert not any(c.match.endswith("'") for c in check.cues)
    check = check_tweet("Little Ellie, 5, back at school after her leukaemia treatment")
    assert ("place", "Little Ellie") not in {(c.kind, c.match) for c in check.cues}


def test_texts_without_a_capital_that_could_start_a_cue_are_not_read_by_spacy():
    assert not entities.may_hold_a_cue("bonne garde à tous #MedTwitter @DrJones")
    assert not entities.may_hold_a_cue("IRM et AVC ce matin. Bonne journée")  # acronyms, openings
    assert entities.may_hold_a_cue("vu l'Ardèche hier")  # a capital after an apostrophe
    assert entities.may_hold_a_cue("Jeanne MARTIN vue ce matin")  # two capitalised words
    assert entities.may_hold_a_cue("revu Jeanne")


def test_skipping_spacy_on_those_texts_gives_the_same_cues(nlp, demo_tables):
    """Every cue of the full pass, on the labelled set and demo tweets, with and without the skip."""
    texts = pd.read_csv(LABELLED)["text"].tolist()
    demo = pd.Series(demo_tables.tweets["text"].dropna().unique())
    texts += demo.sample(n=min(800, len(demo)), random_state=3).tolist()
    texts += ["Jeanne MARTIN vue ce matin", "vu l'Ardèche hier", "", "ÉLODIE Durand, 34 ans"]
    clear_caches()
    raw = entities._raw_entities(texts)
    every = [entities._entity_cues(t, e) for t, e in zip(texts, raw, strict=True)]
    clear_caches()
    assert entities.entity_cues(texts) == every
    skipped = sum(not entities.may_hold_a_cue(t) for t in texts)
    assert skipped > len(texts) / 2  # measured: most demo tweets have no capital to read


# --- the benchmark quotes round 6's held-out set, and only it --------------------------------


def _benchmark(monkeypatch, labelled):
    spec = importlib.util.spec_from_file_location("confidentiality_benchmark", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "LABELLED", labelled)
    monkeypatch.setattr(bench, "measure_speed", lambda texts, copies, ner=True: 10_000.0)
    monkeypatch.setattr(bench, "measure_dataset", lambda dataset: None)
    monkeypatch.setattr("sys.argv", ["confidentiality.py", "--copies", "1"])
    return bench


#: Stand-ins for held_out_6 rows (the real set is written blind, outside the repository, until the
#: freeze): synthetic tweets written for this test, labelled under the labelling rules.
HELD_OUT_STAND_INS = [
    ("Le petit Mathéo, 7 ans, opéré hier à la clinique de Fontbrune, élève de CE1", "risky", "fr"),
    ("Mrs Aldridge from the Old Forge in Lower Penbury, 93, admitted last night", "risky", "en"),
    ("Congrès de pédiatrie à Tours la semaine prochaine, inscrivez-vous", "safe", "fr"),
    ("Flu season is here: book your jab at the surgery", "safe", "en"),
]


def _without_held_out_6(tmp_path, stand_ins=()):
    labelled = tmp_path / LABELLED.name
    df = pd.read_csv(LABELLED)
    df = df[df["split"] != "held_out_6"]
    rows = pd.DataFrame(stand_ins, columns=["text", "label", "lang"]).assign(split="held_out_6")
    pd.concat([df, rows], ignore_index=True).to_csv(labelled, index=False)
    return labelled


def test_benchmark_says_there_is_no_held_out_figure_and_fails_without_held_out_6(
    monkeypatch, capsys, nlp, tmp_path
):
    bench = _benchmark(monkeypatch, _without_held_out_6(tmp_path))
    assert bench.QUOTED == "held_out_6" and bench.SPLITS[:2] == ("held_out_6", "dev_6")
    assert bench.main() == 1
    out = capsys.readouterr().out
    assert "no 'held_out_6' tweets" in out
    assert "held-out precision" not in out  # no figure line, only the speed's


@pytest.mark.parametrize("speed", [10_000.0, 10.0])
def test_benchmark_quotes_held_out_6_and_exits_0_only_when_every_target_passes(
    monkeypatch, capsys, nlp, tmp_path, speed
):
    bench = _benchmark(monkeypatch, _without_held_out_6(tmp_path, HELD_OUT_STAND_INS))
    monkeypatch.setattr(bench, "measure_speed", lambda texts, copies, ner=True: speed)
    code = bench.main()
    verdicts = [
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith(("held-out precision", "held-out recall", "speed, tweets/s"))
    ]
    assert len(verdicts) == 3
    assert all(line.endswith(("PASS", "FAIL")) for line in verdicts)
    assert code == (0 if all(line.endswith("PASS") for line in verdicts) else 1)
    assert verdicts[2].endswith("PASS" if speed >= bench.TARGET_SPEED else "FAIL")


# --- the word lists, grouped by first letter for speed, match what they matched ungrouped --------


def test_grouping_alternatives_by_first_letter_keeps_every_match(demo_tables):
    import re

    from analysis.confidentiality import community, rules
    from analysis.confidentiality.names import _E, _I, _W, _by_first_letter

    texts = pd.read_csv(LABELLED)["text"].tolist() + RISKY + SAFE
    demo = pd.Series(demo_tables.tweets["text"].dropna().unique())
    texts += demo.sample(n=min(3000, len(demo)), random_state=5).tolist()
    for words in (
        rules._CARE_WORDS,
        community.ROLES_FR + "|" + community.ROLES_EN,
        "|".join(re.escape(c) for c in rules.RARE_CONDITIONS),
    ):
        plain = re.compile(_W + "(?:" + words + ")" + _E, _I)
        grouped = re.compile(_W + "(?:" + _by_first_letter(words) + ")" + _E, _I)
        assert grouped.pattern != plain.pattern
        for text in texts:
            spans = [m.span() for m in plain.finditer(text)]
            assert [m.span() for m in grouped.finditer(text)] == spans, text
