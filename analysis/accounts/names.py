"""Is this a person's name? First-name plausibility from a maintained name list.

The first names come from the ``gender-guesser`` package (PyPI and conda-forge),
which ships Jörg Michael's ``nam_dict.txt``: about 48,000 curated first names
with how common each is in some 50 countries (frequency classes 1 to 13). Only
the list and the frequencies are used here, not the gender guess. Names are
compared case-folded and without accents, so ``Émilie`` finds ``Emilie``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from gender_guesser.detector import Detector

#: Countries whose frequencies count as "common here" (the community is French and English speaking).
HOME_COUNTRIES = ("great_britain", "ireland", "usa", "france", "belgium", "luxembourg", "swiss")
#: A first name at least this common (1-13 scale) in a home country is a strong cue.
COMMON_FREQUENCY = 3

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Case-fold and strip accents, for matching.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Lower-cased text without accents.

    Examples
    --------
    >>> fold("Émilie CHU de Nîmes")
    'emilie chu de nimes'
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Return the words of a text (letters, with inner hyphens or apostrophes), in order.

    Parameters
    ----------
    text : str
        Any text (a name, a bio).

    Returns
    -------
    list of str
        The words, case and accents kept.

    Examples
    --------
    >>> words("Dr Jean-Pierre Durand 🩺 (he/him)")
    ['Dr', 'Jean-Pierre', 'Durand', 'he', 'him']
    """
    return _WORD.findall(text or "")


def _frequency(values: str) -> int:
    return max((int(ch, 16) for ch in values if ch.strip()), default=0)


@cache
def first_names() -> dict[str, tuple[int, int]]:
    """Folded first name -> (highest frequency anywhere, highest in a home country).

    Read once from the ``gender-guesser`` package's data (about 61,000 spellings).
    """
    countries = Detector.COUNTRIES
    home = [countries.index(c) for c in HOME_COUNTRIES]
    out: dict[str, tuple[int, int]] = {}
    for name, by_gender in Detector(case_sensitive=False).names.items():
        for values in by_gender.values():
            anywhere = _frequency(values)
            here = _frequency("".join(values[i] for i in home if i < len(values)))
            key = fold(name)
            old = out.get(key, (0, 0))
            out[key] = (max(old[0], anywhere), max(old[1], here))
    return out


@lru_cache(maxsize=65536)
def first_name_strength(word: str) -> int:
    """How common ``word`` is as a first name: 0 (not one), 1 (rare) ... 13 (very common).

    A hyphenated name counts when every part is a first name (``Jean-Pierre``);
    the home countries' frequency is preferred, else half the frequency anywhere.

    Parameters
    ----------
    word : str
        One word of a name, any case.

    Returns
    -------
    int
        Frequency class from 0 (not a first name) to 13 (very common).

    Examples
    --------
    >>> first_name_strength("Marie") > 5, first_name_strength("Tortue")
    (True, 0)
    >>> first_name_strength("Jean-Pierre") > 0
    True
    """
    key = fold(word)
    if len(key) < 2 or not key.replace("-", "").isalpha():
        return 0
    table = first_names()
    if key in table:
        anywhere, here = table[key]
        return here if here else max(1, anywhere // 2)
    parts = [p for p in re.split(r"[-'’]", key) if p]
    if len(parts) > 1:
        strengths = [first_name_strength(p) for p in parts]
        return min(strengths) if all(strengths) else 0
    return 0
