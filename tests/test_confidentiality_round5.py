"""Round 5's kinds: local people, workplaces, addresses, floors and rooms by their shape.

Each kind of round 4's held-out misses and false alarms, in words no labelled tweet holds,
with safe look-alikes of each shape. All synthetic: written for this project, names,
businesses, streets and places invented.
"""

import pytest

from analysis.confidentiality import check_tweet
from analysis.confidentiality.shapes import (
    ABOUT_AUTHOR_RE,
    ADDRESS_RE,
    BUSINESS_RE,
    DISGUISED_RE,
    NAME_APPOSITION_RE,
    ROOM_AT_HOSPITAL_RE,
    STREET_OR_FLOOR_RE,
    TITLE_NAME_RE,
)


@pytest.mark.parametrize(
    "text",
    [
        # an English first name with an apposition tying them to a job at a place
        "Gareth, the caretaker at Westbrook Primary, in with a nasty hand laceration this afternoon",
        "Fiona, our lollipop lady from Ashby Road, back on her feet after her knee",
        # Little/Baby <Name> with an age, care said by what was done
        "Little Harriet, 4, so brave while we glued her forehead today",
        "Baby Oscar, 10 days old, admitted overnight with bronchiolitis",
        "Little Jasper, 5, drew me a picture for mending his wrist",
        # a title with a surname or an initial, addressed about their care or in care
        "Mrs Pennyfeather-Lowe, your scan results are in, please ring the surgery",
        "Mrs Okonjo-Reade, please book in with the nurse, your smear needs repeating",
        "Mme D. du 2e étage, 96 ans, tombée cette nuit",
        "Mr K. on the fourth floor, 91, sent to theatre this morning",
        "M. R. du 1er étage a refusé son repas pendant la toilette, 93 ans",
        # a workplace by its shape as who, a street as where
        "The mechanic at Benson's garage on Quarry Rd was brought in after a fall this morning",
        "Barman at the Fox and Hounds on Mill St came into resus at 2am",
        "Waitress from Rossi's pizzeria in clinic this afternoon with a burnt hand",
        # a home address by its number
        "Visite chez le monsieur du 14 rue des Glycines à Vernac, plaie au pied",
        "Home visit to the lady at 7 Orchard Close, leg ulcer dressed",
        # a room or bed at a named hospital
        "Bed 7 at St Aldric's Hospital: the retired headmaster, 84, not doing well",
        "Chambre 214 à la clinique Beauséjour : l'ancien notaire, 79 ans, très confus",
        # a role of local renown with its employer or town
        "The breakfast DJ from Radio Kestrel in my clinic today with shingles",
        "Our lollipop lady in Lower Brockley was admitted last night",
        "The landlady of the Crown in Nether Ashford was in my chair today for an extraction",
        # two people from a named place: one identifiable group
        "The two sisters from Patel's corner shop both came in with food poisoning tonight",
        "The brothers from Hartley's farm shop both in with the same rash this morning",
        # a hint that everyone knows them is not a group
        "Our milkman in Upper Dunsby (everyone knows him) was blue-lighted last night",
    ],
)
def test_round5_kinds_are_high(text, nlp):
    check = check_tweet(text)
    assert check.risk == "high", check.reason


@pytest.mark.parametrize(
    "text",
    [
        # the author as the topic of a patient's remark
        "A patient told me today that I looked like her granddaughter, made my week",
        "Une patiente m'a dit ce matin que je ressemblais à son fils",
        "Un monsieur m'a dit aujourd'hui que j'avais les mains froides 😅",
        # a patient's memories, nothing narrowing
        "Lovely chat with an elderly lady on the ward about her years as a bus conductor",
        "Un patient m'a raconté ses années de mineur, quel bonheur",
        # a named colleague in a public role: an award, a promotion
        "Our practice nurse Mel Dawkins just won Practice Nurse of the Year!",
        "Congratulations to our ward sister Amy Trent on her promotion to matron",
        # a title with a surname in a public role, or the surgeon
        "Mr Hancock announced a new plan for the NHS today",
        "Mr Okafor operated on three hips this morning, what a list",
        # a business or a street with no one in care
        "Great coffee at the Daily Bean before my shift",
        "Roadworks on Mill St again, leave early for clinic",
        # a group, a statistic, a teaching case with its details changed
        "Twins are more common than you think: 1 in 60 births in the UK",
        "Delivered the twins at 3am, all well",
        "Case details changed: 50s builder from the North, seen last week with haemoptysis. DDx?",
        # the author's own surgery (their practice) as where they work, no one in it
        "Flu clinic in my surgery on Saturday, book now",
    ],
)
def test_round5_look_alikes_stay_safe(text, nlp):
    check = check_tweet(
        text, learnt=False
    )  # the rules' answer; the model's: test_confidentiality_learnt
    assert check.risk != "high", check.reason


def test_shapes_read_what_they_say():
    assert NAME_APPOSITION_RE.search("Gareth, the caretaker at Westbrook").group(1) == "Gareth"
    assert TITLE_NAME_RE.search("call Mrs Pennyfeather-Lowe now").group() == "Mrs Pennyfeather-Lowe"
    assert TITLE_NAME_RE.search("Mme D. du 2e étage").group() == "Mme D."
    assert BUSINESS_RE.search("from Nolan's chippy").group() == "Nolan's chippy"
    assert BUSINESS_RE.search("at the Fox and Hounds on").group() == "at the Fox and Hounds"
    assert BUSINESS_RE.search("from the Midlands") is None  # a region, not a workplace
    assert ADDRESS_RE.search("le monsieur du n°12").group() == "du n°12"
    assert ADDRESS_RE.search("at 7 Orchard Close").group() == "7 Orchard Close"
    assert ADDRESS_RE.search("rue des Tanneurs") is None  # no number: a street, not a home
    assert STREET_OR_FLOOR_RE.search("du 3e étage").group() == "3e étage"
    assert STREET_OR_FLOOR_RE.search("the third floor").group() == "third floor"
    assert ROOM_AT_HOSPITAL_RE.search("Room 312 at Mercy General")
    assert ROOM_AT_HOSPITAL_RE.search("room 3 was cleaned") is None
    assert ABOUT_AUTHOR_RE.search("m'a dit aujourd'hui que je ressemblais")
    assert DISGUISED_RE.search("age, job and location changed for privacy")
