"""Invented patient anecdotes planted in the demo, labelled for the confidentiality check."""

from __future__ import annotations

import numpy as np

from analysis import settings
from analysis.demo.words import CITIES_EN, CITIES_FR

#: Planted tweets for the patient-confidentiality check: invented anecdotes, some
#: describing an identifiable patient (``breach``), some only tempting the rules (safe).
#: Each template: (language, breach, text with {age} {city} {room} {when} {rare} slots).
CONFIDENTIALITY_TEMPLATES: tuple[tuple[str, bool, str], ...] = (
    ("fr", True, "Vu {when} à {city} un monsieur de {age} ans qui marchait encore 10 km par jour, respect"),
    ("fr", True, "{when} aux urgences de {city}, une mamie de {age} ans avec une fracture du poignet"),
    ("fr", True, "Ma patiente de {age} ans, chambre {room}, a enfin pu rentrer chez elle 🥲"),
    ("fr", True, "Une patiente de {age} ans atteinte de {rare}, suivie à {city}, quel parcours"),
    ("fr", True, "Photo de l'ulcère de mon patient {when}, qui a une idée ? #docstoctoc"),
    ("fr", True, "Mme L., lit {room}, nous a chanté une chanson {when} 🎶"),
    ("fr", True, "Un jeune homme de {age} ans {when} à {city}, arrêt cardiaque au stade, récupéré"),
    ("en", True, "{age}F in bed {room} {when_en}, delirious and pulling at her lines"),
    ("en", True, "A {age}-year-old man from {city} came in {when_en}, quite the story"),
    ("en", True, "My patient with {rare_en} in {city} just ran a marathon! 🏃"),
    ("fr", False, "Pensez au dépistage pour vos patients de plus de {age} ans"),
    ("fr", False, "Merci à mes patients pour leur confiance, {when} comme toujours"),
    ("fr", False, "Conférence à {city} sur {rare}, passionnant"),
    ("fr", False, "Belle photo de l'équipe du service de cardiologie de {city} 💙"),
    ("fr", False, "Un patient m'a offert des chocolats, ça fait plaisir"),
    ("en", False, "Adults over {age} should be offered the booster this autumn"),
    ("en", False, "Great talk in {city} {when_en} on consent and confidentiality"),
    ("en", False, "A patient said thank you. That's all."),
)  # fmt: skip
_WHEN_FR = ("ce matin", "hier soir", "cette nuit", "lundi", "ce soir")
_WHEN_EN = ("this morning", "last night", "today", "tonight")
_RARE_FR = ("la maladie de Fabry", "la maladie de Pompe", "la progéria", "la maladie de Wilson")
_RARE_EN = ("Fabry disease", "Pompe disease", "progeria", "Wilson's disease")


def plant_confidentiality(tweets: list[dict], seed: int | None = None) -> list[dict]:
    """Rewrite the text of a few plain original tweets with labelled confidentiality examples.

    Draws from its own generator (``default_rng([seed, 9])``, ``seed`` from
    :data:`analysis.settings.SEED` if ``None``) and only replaces
    the text of originals without hashtags or mentions, so every other table of
    the demo (counts, hashtags, mentions, graph) is unchanged. Anonymous authors
    are twice as likely to be picked for a breach. Returns the labels for the
    ground truth.

    Parameters
    ----------
    tweets : list of dict
        The demo's generated tweets (with ``kind``, ``tags``, ``mentions``, ``author``); the
        chosen ones' text is rewritten in place.
    seed : int or None, optional
        Seed of the draw; None (default) uses :data:`analysis.settings.SEED`.

    Returns
    -------
    list of dict
        One label per rewritten tweet, for the ground truth; empty when no tweet qualifies.
    """
    seed = settings.SEED if seed is None else seed
    rng = np.random.default_rng([seed, 9])
    pool = [
        tw
        for tw in tweets
        if tw["kind"] == "original"
        and not tw.get("tags")
        and not tw.get("mentions")
        and tw["author"]["role"] != "institution"
    ]
    if not pool:
        return []
    n = min(len(pool), max(8, len(tweets) // 250))
    weights = np.array([2.0 if tw["author"]["identity"] == "anonymous" else 1.0 for tw in pool])
    chosen = rng.choice(len(pool), size=n, replace=False, p=weights / weights.sum())
    labels = []
    for i in sorted(int(c) for c in chosen):
        tw = pool[i]
        lang = tw["author"]["lang"]
        options = [t for t in CONFIDENTIALITY_TEMPLATES if t[0] == lang]
        _, breach, template = options[int(rng.integers(len(options)))]
        cities = CITIES_EN if lang == "en" else CITIES_FR
        text = template.format(
            age=int(rng.integers(18, 96)),
            city=str(rng.choice(cities)),
            room=int(rng.integers(1, 40)),
            when=str(rng.choice(_WHEN_FR)),
            when_en=str(rng.choice(_WHEN_EN)),
            rare=str(rng.choice(_RARE_FR)),
            rare_en=str(rng.choice(_RARE_EN)),
        )
        tw["text"] = text[0].upper() + text[1:]
        labels.append({"tweet_id": str(tw["id"]), "breach": breach, "template": template})
    return labels
