"""Places of persons in anonymised text: each account's location field, replaced by '[place]'."""

import pandas as pd
import pytest

from analysis.privacy import KEY_ENV, PLACE_PLACEHOLDER, Pseudonymiser, anonymise_tables
from analysis.privacy.pseudonyms import fold


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / ".medtwitter-key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def _p(*locations: str) -> Pseudonymiser:
    p = Pseudonymiser(b"k" * 32)
    p.add_places(locations)
    return p


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oncologue, PU-PH à Amiens.", "Oncologue, PU-PH à [place]."),
        ("AMIENS ce soir, amiens demain", "[place] ce soir, [place] demain"),  # casing
        ("Interne à Besancon puis BESANÇON", "Interne à [place] puis [place]"),  # accents
        ("Né à Évreux", "Né à [place]"),  # the field says 'Evreux', the text 'Évreux'
        ("Clermont-Ferrand, clermont ferrand", "[place], [place]"),
        (
            "#Amiens #CHUAmiens #chuamiens #ClermontFerrand",
            "#[place] #CHU[place] #chu[place] #[place]",
        ),
        ("Amienois, Amiens-Nord", "Amienois, [place]-Nord"),  # whole words only
        ("https://chu-amiens.fr @amiens", "[link] @user_"),  # links and handles go anyway
    ],
)
def test_places_are_replaced_whole_words_case_and_accents_ignored(text, expected):
    p = _p("Amiens", "Besançon", "Evreux", "Clermont-Ferrand")
    out = p.text(text)
    if expected.endswith("@user_"):
        assert out.startswith("[link] @user_") and "amiens" not in fold(out)
    else:
        assert out == expected


def test_a_place_that_is_also_an_ordinary_word_is_replaced_wherever_it_is_written():
    # 'Tours' the town and 'tours' the word cannot be told apart: the word goes too
    p = _p("Tours", "Nancy")
    assert p.text("Trois tours de piste à Tours avec Nancy") == (
        "Trois [place] de piste à [place] avec [place]"
    )
    assert p.text("Des détours, un toursime") == "Des détours, un toursime"
    assert p.text("#detours") == "#de[place]"  # inside a hashtag, any part of it


def test_location_fields_give_every_part_and_short_parts_are_left_alone():
    p = _p("Lyon, France", "Paris / Londres", "FR", "69", None, "")  # type: ignore[arg-type]
    assert {"lyon france", "lyon", "france", "paris", "londres"} <= p.places
    assert not {"fr", "69"} & p.places
    assert p.text("De Lyon à Londres, FR 69") == "De [place] à [place], FR 69"


def test_anonymised_tables_replace_persons_places_in_bios_tweets_and_snapshots(
    demo_tables, key_file
):
    real = demo_tables
    places = {fold(x) for x in real.users["location"].dropna()}
    anon = anonymise_tables(real)
    assert anon.users["location"].dropna().map(fold).isin(places).sum() == 0
    for frame, col in (
        (anon.users, "description"),
        (anon.tweets, "text"),
        (anon.user_snapshots, "description"),
    ):
        if col not in frame:
            continue
        text = " ".join(frame[col].dropna()).casefold()
        words = set(pd.Series(text.split()).str.strip(".,;:!?()#\"'"))
        assert not {fold(x) for x in places} & words, col
    bios = real.users["description"].fillna("")
    amiens = bios.str.contains("Amiens").to_numpy()
    assert amiens.any()  # the demo's bios name the towns people work in
    # 'Cardiologue au CHU de Amiens': an institution's display name, pseudonymised whole first
    done = anon.users.loc[amiens, "description"].str.contains(r"\[place\]|user_\w+", regex=True)
    assert done.all()
    assert PLACE_PLACEHOLDER == "[place]"
