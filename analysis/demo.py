"""The synthetic demo community and its ground truth.

``medtwitter demo`` generates a **synthetic** French-speaking medical Twitter
community, writes it as raw X API v2 pages (user lookups, user timelines,
followers pages) under ``<data root>/raw/<dataset>/`` and ingests them with the
same code as real data. Every page carries ``"synthetic": true`` in its
provenance block, and the dataset's ``meta.json`` says so too.

The generator plants known structure, written to ``ground_truth.json`` beside
the raw pages; no analysis reads it, only tests and the notebooks' validation
cells:

* roles and identity styles (nominative, anonymous, institutional), personal /
  professional account pairs, protected accounts;
* six communities with homophily by role and language, each with its own
  hashtags (``#docstoctoc`` peer help, ``#sante``/``#esante``, English
  ``#FOAMed``/``#MedTwitter``, care, prevention campaigns, specialties);
* an asymmetric follower graph with a target reciprocity and heavy-tailed
  in-degree, institutions followed by many;
* each account's first professional tweet drawn from a Bass diffusion (p, q);
* French and English text with accents, emoji, URLs, mentions, replies,
  retweets and quotes.
* a small labelled set of invented patient anecdotes, some identifying (for
  the confidentiality check), drawn from its own generator.

Everything is deterministic for a seed. Names, handles and bios are invented;
the few institution handles are public, but nothing they say here is theirs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
from tqdm.auto import tqdm

from analysis import __version__, settings

# load_ground_truth is importable from here too: the notebooks' validation cells import it so
from analysis.ground_truth import load_ground_truth as load_ground_truth
from analysis.ground_truth import write_ground_truth
from analysis.outputs import removed_on_failure

START = datetime(2009, 1, 1, tzinfo=UTC)
END = datetime(2026, 6, 30, tzinfo=UTC)
COLLECTED_AT = "2026-07-01T00:00:00.000Z"
_SNOWFLAKE_EPOCH = datetime(2006, 3, 21, tzinfo=UTC)

ROLES = (
    "physician", "intern", "nurse", "pharmacist", "midwife", "physiotherapist",
    "dentist", "other_hcp", "institution", "public",
)  # fmt: skip
PROFESSIONAL_ROLES = frozenset(ROLES[:8])


@dataclass(frozen=True)
class Community:
    """A planted community: its language, role mix and hashtags."""

    name: str
    lang: str
    roles: dict[str, float]
    tags: tuple[str, ...]


COMMUNITIES: tuple[Community, ...] = (
    Community("docstoctoc", "fr",
              {"physician": .55, "intern": .2, "pharmacist": .05, "nurse": .05, "dentist": .04,
               "other_hcp": .04, "institution": .02, "public": .05},
              ("docstoctoc", "MedecineGenerale", "MG", "garde", "DeserteMedical")),
    Community("esante", "fr",
              {"institution": .15, "physician": .2, "pharmacist": .15, "public": .25,
               "other_hcp": .1, "nurse": .1, "intern": .05},
              ("sante", "esante", "Santé", "santénumérique", "télémédecine")),
    Community("foamed", "en",
              {"physician": .5, "intern": .2, "nurse": .15, "public": .1, "institution": .05},
              ("FOAMed", "MedTwitter", "MedEd", "EmergencyMedicine", "FOAMcc")),
    Community("soins", "fr",
              {"nurse": .35, "midwife": .2, "physiotherapist": .2, "other_hcp": .1,
               "intern": .05, "public": .1},
              ("infirmière", "IDE", "sagefemme", "kiné", "soignants")),
    Community("prevention", "fr",
              {"public": .55, "institution": .12, "nurse": .05, "physician": .1,
               "pharmacist": .05, "other_hcp": .13},
              ("vaccination", "MoisSansTabac", "sida", "OctobreRose", "dépistage")),
    Community("specialites", "fr",
              {"physician": .6, "intern": .15, "nurse": .1, "public": .1, "institution": .05},
              ("cardiologie", "oncologie", "dermatologie", "psychiatrie", "pédiatrie")),
)  # fmt: skip

#: Public institutions followed across the whole community (handles are real, content is not).
NATIONAL_INSTITUTIONS = (
    ("ordre_medecins", "Ordre des Médecins", "Conseil national de l'Ordre des médecins. Compte officiel."),
    ("CroixRouge", "Croix-Rouge française", "Compte officiel de la Croix-Rouge française. Urgence, secourisme."),
    ("assoAIDES", "AIDES", "Association de lutte contre le VIH/sida et les hépatites. Compte officiel."),
)  # fmt: skip

FIRST_FR = (
    "Marie Sophie Camille Julie Claire Anne Laure Pauline Émilie Léa Chloé Manon Inès Hélène "
    "Cécile Nathalie Isabelle Élodie Margaux Agathe Jean Pierre Nicolas Thomas Julien Antoine "
    "Mathieu François Olivier Laurent Sébastien Guillaume Maxime Hugo Louis Étienne Benoît "
    "Jérôme Rémi Théo"
).split()
FIRST_EN = (
    "Emily Sarah Jessica Hannah Olivia Rachel Laura Kate James John Michael David Daniel "
    "Matthew Andrew Ryan Ben Tom"
).split()
LAST_FR = (
    "Durand Martin Bernard Dubois Thomas Robert Richard Petit Lefèvre Moreau Laurent Simon "
    "Michel Garcia Roux Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Muller Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand "
    "Gauthier Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gaillard Brunet"
).split()
LAST_EN = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Clarke Patel Walker Wright "
    "Thompson Hughes Edwards Green Hall Wood Harris Lewis"
).split()
CITIES_FR = (
    "Lyon Paris Marseille Toulouse Nantes Lille Bordeaux Rennes Strasbourg Montpellier "
    "Grenoble Dijon Brest Limoges Clermont-Ferrand Tours Angers Nancy Rouen Amiens"
).split()
CITIES_EN = ("London Manchester Leeds Bristol Dublin Glasgow Toronto Boston Sydney").split()
ANIMALS = (
    "Tortue Milou Hérisson Blaireau Loutre Panda Koala Manchot Écureuil Renard Chouette "
    "Castor Pingouin Marmotte Lama Zèbre Bison Colibri Phoque Lynx"
).split()
ANIMALS_EN = ("Turtle Otter Badger Owl Fox Panda Koala Penguin Beaver Lynx").split()

BIO = {
    "fr": {
        "physician": [
            "Médecin généraliste à {city}.",
            "MG installé·e à {city}, maître de stage.",
            "Cardiologue au CHU de {city} 🩺",
            "Pédiatre à {city}.",
            "Psychiatre, PH à {city}.",
            "Oncologue, PU-PH à {city}.",
        ],
        "intern": [
            "Interne en médecine générale à {city}.",
            "Étudiante en médecine (D4), {city}.",
            "Interne de psychiatrie, {city}.",
        ],
        "nurse": [
            "Infirmière (IDE) aux urgences de {city} 💉",
            "IDEL en campagne près de {city}.",
            "Infirmier de bloc opératoire, {city}.",
        ],
        "pharmacist": ["Pharmacien d'officine à {city}.", "Pharmacienne hospitalière, {city}."],
        "midwife": ["Sage-femme libérale à {city}.", "Sage-femme en maternité, {city}."],
        "physiotherapist": ["Masseur-kinésithérapeute à {city}.", "Kiné du sport, {city}."],
        "dentist": ["Chirurgien-dentiste à {city}.", "Chirurgienne-dentiste, {city}."],
        "other_hcp": [
            "Psychologue clinicienne à {city}.",
            "Orthophoniste à {city}.",
            "Aide-soignante de nuit, {city}.",
            "Directeur d'hôpital, {city}.",
        ],
        "public": [
            "Patiente experte, maman de deux enfants.",
            "Journaliste santé.",
            "Aidant familial. Avis perso.",
            "Passionné de rando et de cuisine.",
            "",
        ],
    },
    "en": {
        "physician": [
            "GP in {city}.",
            "Emergency physician, {city}. #FOAMed",
            "Consultant cardiologist, {city} 🩺",
        ],
        "intern": ["Medical student, {city}.", "Junior doctor (FY2), {city}."],
        "nurse": ["ICU nurse, {city} 💉", "Registered nurse, {city}."],
        "pharmacist": ["Clinical pharmacist, {city}."],
        "midwife": ["Midwife, {city}."],
        "physiotherapist": ["Physiotherapist, {city}."],
        "dentist": ["Dentist, {city}."],
        "other_hcp": ["Clinical psychologist, {city}."],
        "public": ["Patient advocate.", "Health journalist.", "Dog lover. Coffee first.", ""],
    },
}
ANON_BIO = {
    "fr": [
        "{title} en pleine campagne. Anonyme pour parler librement.",
        "{title}. Compte pro anonyme, mes tweets n'engagent que moi.",
        "{title} quelque part en France ⚕️",
        "",
    ],
    "en": ["Anonymous {title}. Views my own.", "{title} somewhere in the UK ⚕️", ""],
}
TITLE = {
    "fr": {"physician": "MG", "intern": "Interne", "nurse": "Infirmière", "pharmacist": "Pharmacien",
           "midwife": "Sage-femme", "physiotherapist": "Kiné", "dentist": "Dentiste",
           "other_hcp": "Soignant", "public": "Patient"},
    "en": {"physician": "Doctor", "intern": "Med student", "nurse": "Nurse", "pharmacist": "Pharmacist",
           "midwife": "Midwife", "physiotherapist": "Physio", "dentist": "Dentist",
           "other_hcp": "Clinician", "public": "Patient"},
}  # fmt: skip
TEXT = {
    "fr": {
        "question": ["Question aux confrères : que faites-vous devant {topic} ?",
                     "Besoin d'avis : {topic}, vous adressez ou pas ?",
                     "Petite question pratique sur {topic}, merci d'avance 🙏"],
        "answer": ["Perso je commence par {topic}, et je réévalue à 48 h.",
                   "Je l'adresse sans hésiter, surtout si {topic}.",
                   "Bonne question ! Les recos HAS sont claires sur {topic}."],
        "original": ["Journée chargée, {topic} encore et toujours. {url}",
                     "À lire : un bon article sur {topic} {url}",
                     "Rappel utile sur {topic} pour les patients 👇 {url}",
                     "Merci à toute l'équipe pour cette garde 💪 {topic}.",
                     "Réunion passionnante sur {topic} ce matin."],
        "topics": ["la fièvre chez l'enfant", "le renouvellement d'ordonnance", "la vaccination",
                   "les déserts médicaux", "la téléconsultation", "l'éducation thérapeutique",
                   "la douleur thoracique", "l'hypertension", "la santé mentale", "le tabac"],
    },
    "en": {
        "question": ["Quick question for colleagues: how do you manage {topic}?"],
        "answer": ["I'd start with {topic} and reassess in 48h."],
        "original": ["Great thread on {topic} {url}", "Reminder about {topic} for patients 👇 {url}",
                     "Long shift, lots of {topic} today.", "Teaching session on {topic} today."],
        "topics": ["sepsis", "chest pain", "airway management", "burnout", "point-of-care ultrasound",
                   "antibiotic stewardship", "delirium"],
    },
}  # fmt: skip


@dataclass
class DemoParams:
    """Parameters of the generator; all of them are recorded in the ground truth."""

    accounts: int = 800
    seed: int = settings.SEED
    mean_following: float = 25.0
    homophily: float = 0.85
    reciprocity: float = 0.30
    anonymous_share: float = 0.40
    protected_share: float = 0.10
    pair_share: float = 0.08
    bass_p: float = 0.015
    bass_q: float = 0.40
    mean_tweets: float = 14.0
    tweet_types: dict[str, float] = field(
        default_factory=lambda: {"original": 0.55, "reply": 0.2, "retweet": 0.2, "quote": 0.05}
    )
    deleted_share: float = 0.01


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray | float:
    """Bass diffusion: share of the market adopted by time ``t`` (same unit as 1/p).

    Examples
    --------
    >>> round(float(bass_cdf(0.0, 0.03, 0.4)), 6)
    0.0
    >>> round(float(bass_cdf(100.0, 0.03, 0.4)), 6)
    1.0
    """
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def bass_sample(rng: np.random.Generator, n: int, p: float, q: float, horizon: float) -> np.ndarray:
    """Draw ``n`` adoption times from a Bass diffusion truncated at ``horizon``."""
    u = rng.uniform(0, bass_cdf(horizon, p, q), size=n)
    return -np.log((1 - u) / (1 + (q / p) * u)) / (p + q)


def _snowflake(ts: datetime, seq: int) -> int:
    ms = int((ts - _SNOWFLAKE_EPOCH).total_seconds() * 1000)
    return (ms << 22) | (seq & 0x3FFFFF)


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _years(ts: datetime) -> float:
    return (ts - START).total_seconds() / (365.25 * 86400)


def _at(years: float) -> datetime:
    return START + timedelta(seconds=float(years) * 365.25 * 86400)


class _Generator:
    def __init__(self, params: DemoParams) -> None:
        self.p = params
        self.rng = np.random.default_rng(params.seed)
        self.accounts: list[dict] = []
        self.usernames: set[str] = set()

    # -- accounts ---------------------------------------------------------------
    def _unique(self, base: str) -> str:
        base = "".join(ch for ch in base if ch.isalnum() or ch == "_")[:15] or "user"
        name, i = base, 1
        while name.lower() in self.usernames:
            i += 1
            suffix = str(i)
            name = base[: 15 - len(suffix)] + suffix
        self.usernames.add(name.lower())
        return name

    @staticmethod
    def _ascii(s: str) -> str:
        import unicodedata

        return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()

    def make_accounts(self) -> None:
        rng, p = self.rng, self.p
        n = p.accounts
        # pairs' second accounts come out of the same budget, so there are exactly n accounts
        base = n - len(NATIONAL_INSTITUTIONS) - int(round(n * p.pair_share * 0.35))
        counts = np.floor(rng.dirichlet(np.full(len(COMMUNITIES), 8.0)) * base).astype(int)
        counts[: base - counts.sum()] += 1
        for handle, name, bio in NATIONAL_INSTITUTIONS:
            self._add("institution", "institutional", 1, "fr", handle=handle, name=name, bio=bio)
        for c, (comm, k) in enumerate(zip(COMMUNITIES, counts, strict=True)):
            roles = list(comm.roles)
            weights = np.array([comm.roles[r] for r in roles])
            for role in rng.choice(roles, size=k, p=weights / weights.sum()):
                self._add_person_or_institution(str(role), c, comm.lang)
        # personal/professional pairs: a nominative professional also runs an anonymous account
        nominative = [a for a in self.accounts if a["identity"] == "nominative"
                      and a["role"] in PROFESSIONAL_ROLES]  # fmt: skip
        n_pairs = min(n - len(self.accounts), len(nominative))
        for pair_id, idx in enumerate(rng.choice(len(nominative), size=n_pairs, replace=False)):
            owner = nominative[idx]
            owner["pair_id"] = pair_id
            twin = self._add(owner["role"], "anonymous", owner["community"], owner["lang"],
                             city=owner["location"])  # fmt: skip
            twin["pair_id"] = pair_id
        for i, a in enumerate(self.accounts):
            a["index"] = i

    def _add_person_or_institution(self, role: str, community: int, lang: str) -> dict:
        if role == "institution":
            return self._add(role, "institutional", community, lang)
        anon_share = self.p.anonymous_share if role != "public" else 0.5
        identity = "anonymous" if self.rng.random() < anon_share else "nominative"
        return self._add(role, identity, community, lang)

    def _add(self, role, identity, community, lang, handle=None, name=None, bio=None, city=None):
        rng = self.rng
        cities = CITIES_EN if lang == "en" else CITIES_FR
        city = city or str(rng.choice(cities))
        if identity == "institutional" and handle is None:
            kind = rng.choice(["chu", "ars", "asso", "societe", "clinique"])
            if lang == "en":
                name, bio = f"{city} NHS Trust", f"Official account of {city} hospitals."
            elif kind == "chu":
                name, bio = (
                    f"CHU de {city}",
                    f"Compte officiel du Centre hospitalier universitaire de {city}.",
                )
            elif kind == "ars":
                name, bio = (
                    f"ARS {city}",
                    f"Agence régionale de santé. Actualités santé de la région de {city}.",
                )
            elif kind == "asso":
                name, bio = (
                    f"France Patients {city}",
                    "Association de patients. Informer, accompagner.",
                )
            elif kind == "societe":
                name, bio = (
                    f"Société de Médecine de {city}",
                    "Société savante. Congrès, formations, recommandations.",
                )
            else:
                name, bio = f"Clinique Saint-{rng.choice(FIRST_FR)}", f"Clinique privée à {city}."  # fmt: skip
            handle = self._unique(self._ascii(name).replace(" ", "_").replace("-", "_"))
        elif identity == "nominative":
            first = str(rng.choice(FIRST_EN if lang == "en" else FIRST_FR))
            last = str(rng.choice(LAST_EN if lang == "en" else LAST_FR))
            dr = role == "physician" and rng.random() < 0.6
            name = f"Dr {first} {last}" if dr else f"{first} {last}"
            style = rng.integers(3)
            base = [f"Dr{first}{last}" if dr else f"{first}{last}", f"{first}_{last}",
                    f"{first[0]}{last}"][style]  # fmt: skip
            handle = self._unique(self._ascii(base))
            bio = str(rng.choice(BIO[lang][role])).format(city=city)
        elif identity == "anonymous":
            title = TITLE[lang][role]
            animal = str(rng.choice(ANIMALS_EN if lang == "en" else ANIMALS))
            form = rng.integers(3)
            if form == 0:
                name = f"Dr {animal}" if role == "physician" else f"{title} {animal}"
            elif form == 1:
                place = "en pleine campagne" if lang == "fr" else "on call"
                name = f"{title} {place}"
            else:
                name = f"{animal} {'masqué' if lang == 'fr' else 'masked'}"
            handle = self._unique(self._ascii(f"{'Dr' if role == 'physician' else title}_{animal}"))
            bio = str(rng.choice(ANON_BIO[lang])).format(title=title)
        protected = identity != "institutional" and bool(rng.random() < self.p.protected_share)
        account = {
            "username": handle, "name": name, "description": bio or "",
            "location": city if identity != "anonymous" else "", "role": role,
            "identity": identity, "community": community, "lang": lang, "protected": protected,
            "pair_id": None,
        }  # fmt: skip
        self.accounts.append(account)
        return account

    # -- adoption and ids -------------------------------------------------------------
    def place_in_time(self) -> None:
        rng, p = self.rng, self.p
        horizon = _years(END)
        adopt = bass_sample(rng, len(self.accounts), p.bass_p, p.bass_q, horizon)
        lead = rng.uniform(0, 4, size=len(self.accounts))
        for a, t, lag in zip(self.accounts, adopt, lead, strict=True):
            a["adopted_at"] = _at(t)
            created = max(_at(t - lag), datetime(2007, 1, 1, tzinfo=UTC))
            a["created_at"] = created
        for seq, a in enumerate(sorted(self.accounts, key=lambda a: a["created_at"])):
            a["user_id"] = _snowflake(a["created_at"], seq) if a["username"] not in {
                h for h, _, _ in NATIONAL_INSTITUTIONS} else 10_000 + seq  # fmt: skip

    # -- follower graph ---------------------------------------------------------------
    def make_follows(self) -> np.ndarray:
        rng, p = self.rng, self.p
        n = len(self.accounts)
        comm = np.array([a["community"] for a in self.accounts])
        role = np.array([a["role"] for a in self.accounts])
        national = np.array([a["username"] in {h for h, _, _ in NATIONAL_INSTITUTIONS}
                             for a in self.accounts])  # fmt: skip
        pop = rng.pareto(1.5, size=n) + 1
        pop[role == "institution"] *= 8
        out_deg = np.maximum(1, rng.lognormal(np.log(p.mean_following) - 0.5, 1.0, size=n)).astype(
            int
        )
        out_deg = np.minimum(out_deg, n - 1)
        src = np.repeat(np.arange(n), out_deg)
        m = len(src)
        draw = rng.random(m)
        to_national = draw < 0.06
        own = (draw >= 0.06) & (draw < 0.06 + p.homophily * 0.94)
        tgt_comm = np.where(own, comm[src], rng.integers(0, len(COMMUNITIES), size=m))
        dst = np.empty(m, dtype=np.int64)
        nat_idx = np.flatnonzero(national)
        dst[to_national] = rng.choice(nat_idx, size=int(to_national.sum()))
        rest = ~to_national
        for c in range(len(COMMUNITIES)):
            members = np.flatnonzero((comm == c) & ~national)
            sel = rest & (tgt_comm == c)
            w = pop[members] / pop[members].sum()
            dst[sel] = rng.choice(members, size=int(sel.sum()), p=w)
        edges = np.unique(np.stack([src, dst], axis=1)[src != dst], axis=0)
        # follow-back: who returns a follow depends on the followed account's role, and the
        # base rate is calibrated so that the expected global reciprocity is p.reciprocity
        code = edges[:, 0] * n + edges[:, 1]
        already = np.isin(edges[:, 1] * n + edges[:, 0], code)
        r0, lone = already.mean(), edges[~already]
        back = {"institution": 0.15, "public": 0.8, "physician": 1.2, "intern": 1.2}
        mult = np.array([back.get(r, 1.1) for r in role])[lone[:, 1]]
        rho = max(0.0, len(edges) * (p.reciprocity - r0) / (len(lone) * (2 - p.reciprocity)))
        prob = np.clip(mult * rho / mult.mean(), 0, 1)
        rev = lone[rng.random(len(lone)) < prob][:, ::-1]
        # pairs: half of them follow each other
        pairs: dict[int, list[int]] = {}
        for a in self.accounts:
            if a["pair_id"] is not None:
                pairs.setdefault(a["pair_id"], []).append(a["index"])
        mutual = [(i, j) for i, j in pairs.values() if rng.random() < 0.5]
        extra = np.array([e for i, j in mutual for e in ((i, j), (j, i))], dtype=np.int64)
        edges = np.unique(np.concatenate([edges, rev, extra.reshape(-1, 2)]), axis=0)
        return edges

    # -- tweets -----------------------------------------------------------------------
    def make_tweets(self) -> list[dict]:
        rng, p = self.rng, self.p
        tweets: list[dict] = []
        horizon = END
        by_comm: dict[int, list[dict]] = {}
        authors = [a for a in self.accounts if not a["protected"]]
        kinds = list(p.tweet_types)
        for a in authors:
            k = max(
                1, int(rng.poisson(p.mean_tweets * (2.5 if a["role"] == "institution" else 1.0)))
            )
            span = (horizon - a["adopted_at"]).total_seconds()
            offsets = np.sort(rng.uniform(0, span, size=k))
            offsets[0] = 0.0
            probs = np.array([p.tweet_types[t] for t in kinds])
            if a["identity"] == "anonymous":  # anonymous accounts reply more
                probs = probs * np.array([0.8, 1.8, 1.0, 1.0])
            types = rng.choice(kinds, size=k, p=probs / probs.sum())
            types[0] = "original"
            for i, (off, kind) in enumerate(zip(offsets, types, strict=True)):
                ts = a["adopted_at"] + timedelta(seconds=float(off))
                ts = self._hour_of_day(ts, a)
                tw = {"author": a, "created_at": min(ts, horizon), "kind": str(kind),
                      "first": i == 0}  # fmt: skip
                tweets.append(tw)
        tweets.sort(key=lambda t: (t["created_at"], t["author"]["index"]))
        # referencing tweets point at an earlier original of the same community (mostly)
        final: list[dict] = []
        for tw in tweets:
            a = tw["author"]
            c = a["community"] if rng.random() < 0.9 else int(rng.integers(len(COMMUNITIES)))
            pool = by_comm.get(c, [])
            if tw["kind"] != "original" and pool:
                if tw["kind"] == "reply" and COMMUNITIES[c].name == "docstoctoc":
                    questions = [q for q in pool[-200:] if q.get("question")]
                    target = questions[int(rng.integers(len(questions)))] if questions else None
                else:
                    target = pool[-1 - int(rng.integers(min(len(pool), 300)))]
                if (
                    target is not None
                    and target["author"] is not a
                    and target["created_at"] >= a["adopted_at"]
                ):
                    tw["target"] = target
                    if tw["kind"] == "reply":
                        # a reply comes hours after what it answers, not at the replier's own pace
                        delay = timedelta(hours=float(rng.exponential(4.0)))
                        tw["created_at"] = min(target["created_at"] + delay, horizon)
            if "target" not in tw:
                tw["kind"] = "original"
            final.append(tw)
            if tw["kind"] == "original":
                tw["question"] = (COMMUNITIES[a["community"]].name == "docstoctoc"
                                  and a["role"] in ("physician", "intern") and rng.random() < 0.35)  # fmt: skip
                by_comm.setdefault(a["community"], []).append(tw)
        final.sort(key=lambda t: (t["created_at"], t["author"]["index"]))
        for seq, tw in enumerate(final):
            tw["id"] = _snowflake(tw["created_at"], seq)
        for tw in final:
            self._write_text(tw)
        return final

    def _hour_of_day(self, ts: datetime, a: dict) -> datetime:
        # nominative and institutional accounts tweet in office hours, anonymous ones in the evening
        mean = 21.0 if a["identity"] == "anonymous" else 13.0
        hour = float(np.clip(self.rng.normal(mean, 2.5), 0, 23.99))
        return ts.replace(
            hour=int(hour), minute=int((hour % 1) * 60), second=int(self.rng.integers(60))
        )

    def _tags_for(self, a: dict) -> list[str]:
        rng = self.rng
        comm = COMMUNITIES[a["community"]]
        k = int(rng.choice([1, 1, 2, 2, 3]))
        tags = []
        for _ in range(k):
            source = (
                comm if rng.random() < 0.92 else COMMUNITIES[int(rng.integers(len(COMMUNITIES)))]
            )
            tag = str(rng.choice(source.tags))
            if tag == "Santé":  # the same tag written three ways; 'sante' stays its own
                tag = str(rng.choice(["Santé", "santé", "SANTÉ"]))
            if tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        return tags

    def _write_text(self, tw: dict) -> None:
        rng, a = self.rng, tw["author"]
        lang = a["lang"]
        t = TEXT[lang]
        topic = str(rng.choice(t["topics"]))
        url = f"https://t.co/{''.join(rng.choice(list('abcdefghijkLMNOP0123456789'), size=10))}"
        tw["lang"] = lang
        if tw["kind"] == "retweet":
            return
        if tw.get("question"):
            body = str(rng.choice(t["question"])).format(topic=topic)
            tags = ["docstoctoc"] + [x for x in self._tags_for(a) if x != "docstoctoc"][:1]
        elif (
            tw["kind"] == "reply"
            and COMMUNITIES[tw["target"]["author"]["community"]].name == "docstoctoc"
        ):
            body = str(rng.choice(t["answer"])).format(topic=topic)
            tags = ["docstoctoc"] if rng.random() < 0.5 else []
        else:
            body = str(rng.choice(t["original"])).format(topic=topic, url=url)
            tags = self._tags_for(a) if (tw["first"] or rng.random() < 0.75) else []
        mentions = []
        if tw["kind"] == "reply":
            mentions.append(tw["target"]["author"])
        elif rng.random() < 0.15:
            mentions.append(self.accounts[int(rng.integers(len(NATIONAL_INSTITUTIONS)))])
        prefix = "".join(f"@{m['username']} " for m in mentions if tw["kind"] == "reply")
        suffix = " ".join(f"#{x}" for x in tags)
        extra = "".join(f" @{m['username']}" for m in mentions if tw["kind"] != "reply")
        tw["text"] = f"{prefix}{body}{extra} {suffix}".strip()
        tw["tags"] = tags
        tw["mentions"] = mentions


#: Planted tweets for the patient-confidentiality check (issue 9): invented anecdotes, some
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


def plant_confidentiality(tweets: list[dict], seed: int) -> list[dict]:
    """Rewrite the text of a few plain original tweets with labelled confidentiality examples.

    Draws from its own generator (``default_rng([seed, 9])``) and only replaces
    the text of originals without hashtags or mentions, so every other table of
    the demo (counts, hashtags, mentions, graph) is unchanged. Anonymous authors
    are twice as likely to be picked for a breach. Returns the labels for the
    ground truth.
    """
    rng = np.random.default_rng([seed, 9])
    pool = [tw for tw in tweets if tw["kind"] == "original" and not tw.get("tags")
            and not tw.get("mentions") and tw["author"]["role"] != "institution"]  # fmt: skip
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
            age=int(rng.integers(18, 96)), city=str(rng.choice(cities)),
            room=int(rng.integers(1, 40)), when=str(rng.choice(_WHEN_FR)),
            when_en=str(rng.choice(_WHEN_EN)), rare=str(rng.choice(_RARE_FR)),
            rare_en=str(rng.choice(_RARE_EN)),
        )  # fmt: skip
        tw["text"] = text[0].upper() + text[1:]
        labels.append({"tweet_id": str(tw["id"]), "breach": breach, "template": template})
    return labels


def _entities(text: str, tags: list[str], mentions: list[dict]) -> dict:
    ent: dict = {}
    if tags:
        ent["hashtags"] = []
        for tag in tags:
            start = text.find(f"#{tag}")
            ent["hashtags"].append({"start": start, "end": start + len(tag) + 1, "tag": tag})
    if mentions:
        ent["mentions"] = []
        for m in mentions:
            start = text.find(f"@{m['username']}")
            ent["mentions"].append({"start": start, "end": start + len(m["username"]) + 1,
                                    "username": m["username"], "id": str(m["user_id"])})  # fmt: skip
    return ent


def _tweet_json(tw: dict, rng: np.random.Generator) -> dict:
    a = tw["author"]
    out = {
        "id": str(tw["id"]), "author_id": str(a["user_id"]), "created_at": _iso(tw["created_at"]),
        "lang": tw["lang"], "possibly_sensitive": False,
    }  # fmt: skip
    if tw["kind"] == "retweet":
        orig = tw["target"]
        text = f"RT @{orig['author']['username']}: {orig['text']}"
        out["text"] = text
        out["referenced_tweets"] = [{"type": "retweeted", "id": str(orig["id"])}]
        out["conversation_id"] = str(tw["id"])
        out["entities"] = _entities(
            text, orig.get("tags", []), [orig["author"], *orig.get("mentions", [])]
        )
        out["public_metrics"] = {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
        }
        return out
    text = tw["text"]
    if tw["kind"] == "quote":
        text = f"{text} https://twitter.com/{tw['target']['author']['username']}/status/{tw['target']['id']}"
        out["referenced_tweets"] = [{"type": "quoted", "id": str(tw["target"]["id"])}]
    out["text"] = text
    conv = tw["id"]
    if tw["kind"] == "reply":
        target = tw["target"]
        conv = target.get("conversation", target["id"])
        tw["conversation"] = conv
        out["referenced_tweets"] = [{"type": "replied_to", "id": str(target["id"])}]
        out["in_reply_to_user_id"] = str(target["author"]["user_id"])
    out["conversation_id"] = str(conv)
    ent = _entities(text, tw.get("tags", []), tw.get("mentions", []))
    if ent:
        out["entities"] = ent
    scale = 8 if a["role"] == "institution" else 1
    out["public_metrics"] = {
        "retweet_count": int(rng.poisson(1.5 * scale)), "reply_count": int(rng.poisson(0.8 * scale)),
        "like_count": int(rng.poisson(6 * scale)), "quote_count": int(rng.poisson(0.2 * scale)),
    }  # fmt: skip
    return out


def _user_json(a: dict, followers: int, following: int, tweets: int) -> dict:
    return {
        "id": str(a["user_id"]), "username": a["username"], "name": a["name"],
        "description": a["description"], "location": a["location"] or None,
        "created_at": _iso(a["created_at"]), "protected": a["protected"],
        "verified": a["identity"] == "institutional",
        "public_metrics": {"followers_count": followers, "following_count": following,
                           "tweet_count": tweets, "listed_count": followers // 20},
    }  # fmt: skip


def _provenance(endpoint: str, params: dict) -> dict:
    return {"endpoint": endpoint, "params": params, "collected_at": COLLECTED_AT,
            "tool_version": __version__, "synthetic": True}  # fmt: skip


def _lean(a: dict) -> dict:
    return {"id": str(a["user_id"]), "name": a["name"], "username": a["username"]}


def generate(params: DemoParams, out_dir: Path, progress: bool = True) -> dict:
    """Write the synthetic community's raw pages and ground truth to ``out_dir``.

    Returns the ground truth (also written to ``out_dir/ground_truth.json``).
    """
    g = _Generator(params)
    g.make_accounts()
    g.place_in_time()
    edges = g.make_follows()
    tweets = g.make_tweets()
    confidentiality = plant_confidentiality(tweets, params.seed)
    rng = g.rng
    accounts = g.accounts
    n = len(accounts)
    indeg = np.bincount(edges[:, 1], minlength=n)
    outdeg = np.bincount(edges[:, 0], minlength=n)
    outside = rng.poisson(30, size=n) + np.array([5000 if a["role"] == "institution" else 0
                                                   for a in accounts])  # fmt: skip
    by_author: dict[int, list[dict]] = {}
    for tw in tweets:
        by_author.setdefault(tw["author"]["index"], []).append(tw)
    out_dir.mkdir(parents=True, exist_ok=True)
    deleted: set[int] = set()

    def write(path: Path, pages) -> None:
        # a full disk, an interrupt: no half-written file left
        with removed_on_failure(path.with_suffix(".jsonl.tmp"), path) as tmp:
            with open(tmp, "wb") as fh:
                for page in pages:
                    fh.write(orjson.dumps(page) + b"\n")
            tmp.replace(path)

    def user_pages():
        for start in range(0, n, settings.USERS_BATCH_SIZE):
            batch = accounts[start : start + settings.USERS_BATCH_SIZE]
            data = [_user_json(a, int(indeg[a["index"]] + outside[a["index"]]), int(outdeg[a["index"]]),
                               len(by_author.get(a["index"], ())) * 3) for a in batch]  # fmt: skip
            ids = [str(a["user_id"]) for a in batch]
            yield {"data": data, "__medtwitter": _provenance("users", {"ids": ",".join(ids)})}

    def timeline_pages():
        for a in tqdm(accounts, desc="demo timelines", unit="account", disable=not progress):
            params = {"user_id": str(a["user_id"])}
            if a["protected"]:
                yield {"errors": [{
                    "value": str(a["user_id"]), "resource_id": str(a["user_id"]), "resource_type": "user",
                    "parameter": "id", "title": "Authorization Error",
                    "detail": f"Sorry, you are not authorized to see the user with id: [{a['user_id']}].",
                    "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"}],
                    "meta": {"result_count": 0}, "__medtwitter": _provenance("timeline", params)}  # fmt: skip
                continue
            own = sorted(by_author.get(a["index"], []), key=lambda t: t["id"], reverse=True)
            for start in range(0, len(own), settings.SEARCH_PAGE_SIZE):
                chunk = own[start : start + settings.SEARCH_PAGE_SIZE]
                data = [_tweet_json(tw, rng) for tw in chunk]
                users = {a["user_id"]: a}
                inc_tweets, errors = [], []
                for tw in chunk:
                    for m in tw.get("mentions", []):
                        users[m["user_id"]] = m
                    target = tw.get("target")
                    if target is None:
                        continue
                    if tw["kind"] != "reply" and rng.random() < params_obj.deleted_share:
                        deleted.add(target["id"])
                    if target["id"] in deleted:
                        errors.append({
                            "value": str(target["id"]), "resource_id": str(target["id"]),
                            "resource_type": "tweet", "parameter": "referenced_tweets.id",
                            "title": "Not Found Error",
                            "detail": f"Could not find tweet with referenced_tweets.id: [{target['id']}].",
                            "type": "https://api.twitter.com/2/problems/resource-not-found"})  # fmt: skip
                    else:
                        inc_tweets.append(_tweet_json(target, rng))
                        users[target["author"]["user_id"]] = target["author"]
                page = {
                    "data": data,
                    "includes": {"users": [_lean(u) | {"created_at": _iso(u["created_at"]),
                                                        "protected": u["protected"]}
                                           for u in users.values()]},
                    "meta": {"result_count": len(data), "newest_id": data[0]["id"],
                             "oldest_id": data[-1]["id"]},
                    "__medtwitter": _provenance("timeline", params),
                }  # fmt: skip
                if inc_tweets:
                    page["includes"]["tweets"] = inc_tweets
                if errors:
                    page["errors"] = errors
                yield page

    order = np.lexsort((edges[:, 0], edges[:, 1]))
    by_followed = np.split(edges[order], np.flatnonzero(np.diff(edges[order][:, 1])) + 1)

    def follower_pages():
        for chunk in by_followed:
            if not len(chunk):
                continue
            followed = accounts[int(chunk[0, 1])]
            params = {"user_id": str(followed["user_id"])}
            followers = chunk[:, 0]
            for start in range(0, len(followers), settings.FOLLOWS_PAGE_SIZE):
                part = followers[start : start + settings.FOLLOWS_PAGE_SIZE]
                yield {"data": [_lean(accounts[int(i)]) for i in part],
                       "meta": {"result_count": len(part)},
                       "__medtwitter": _provenance("followers", params)}  # fmt: skip

    params_obj = params
    write(out_dir / "users.jsonl", user_pages())
    write(out_dir / "timelines.jsonl", timeline_pages())
    write(out_dir / "followers.jsonl", follower_pages())

    edge_set = set(map(tuple, edges.tolist()))
    realised = sum((j, i) in edge_set for i, j in edge_set) / max(len(edge_set), 1)
    tag_comm = {}
    for c, comm in enumerate(COMMUNITIES):
        for tag in comm.tags:
            tag_comm[tag.casefold()] = c
    truth = {
        "synthetic": True,
        "note": "Synthetic ground truth of the medtwitter demo community. Not real accounts.",
        "params": asdict(params),
        "start": _iso(START),
        "end": _iso(END),
        "communities": [c.name for c in COMMUNITIES],
        "reciprocity": realised,
        "hashtag_communities": tag_comm,
        "deleted_tweets": sorted(str(t) for t in deleted),
        "confidentiality": {
            "note": "Planted, invented anecdotes; breach=True: a reader could recognise the patient.",
            "tweets": confidentiality,
        },
        "accounts": [
            {
                "user_id": str(a["user_id"]),
                "username": a["username"],
                "role": a["role"],
                "identity": a["identity"],
                "community": a["community"],
                "lang": a["lang"],
                "protected": a["protected"],
                "pair_id": a["pair_id"],
                "professional": a["role"] in PROFESSIONAL_ROLES,
                "adopted_at": _iso(a["adopted_at"]),
                "created_at": _iso(a["created_at"]),
            }
            for a in accounts
        ],  # fmt: skip
    }
    write_ground_truth(truth, out_dir)
    return truth


def build_demo(
    dataset: str = "demo", accounts: int = 800, seed: int = settings.SEED, progress: bool = True
):
    """Generate the demo community's raw pages and ingest them as ``dataset``.

    The existing tables of ``dataset`` are replaced, so the result depends only
    on ``accounts`` and ``seed``.

    Examples
    --------
    >>> report = build_demo("demo", accounts=300, seed=1)  # doctest: +SKIP
    """

    from analysis.errors import UsageError
    from analysis.ingest import ingest_files

    if accounts < 50:
        raise UsageError(f"--accounts {accounts} is too small for the demo; use 50 or more.")
    from analysis.store import dataset_lock

    raw = settings.raw_dir(dataset)
    # one writer at a time, from the raw pages to the dataset's new version
    with dataset_lock(settings.processed_dir(dataset), "demo"):
        if raw.exists():
            for old in raw.glob("*.jsonl"):
                old.unlink()
        generate(DemoParams(accounts=accounts, seed=seed), raw, progress=progress)
        # one overwrite commit per table, then the manifest: a failed build leaves the
        # previous version as it was
        return ingest_files(
            [raw], dataset, synthetic=True, progress=progress, replace=True, command="demo"
        )


# --- tiny dataset (issue 8): three tweets, no follow links, no labels --------------------------


def tiny_pages() -> list[dict]:
    """One synthetic search page: three tweets by three accounts, no follow links, no labels.

    The smallest dataset every notebook must run on (``medtwitter demo --tiny``):
    an original tweet with a hashtag, a reply to it and a retweet of it.

    Examples
    --------
    >>> [len(p["data"]) + len(p["includes"]["tweets"]) for p in tiny_pages()]
    [3]
    """
    at = datetime(2024, 4, 29, 20, 0, tzinfo=UTC)
    question = "Question aux confrères : vaccin et grossesse ? #docstoctoc"
    users = [
        {"id": "101", "username": "dr_exemple", "name": "Dr Exemple", "protected": False,
         "description": "Médecin généraliste (compte fictif)", "created_at": "2015-03-02T09:00:00.000Z"},
        {"id": "102", "username": "idel_exemple", "name": "Infirmière Exemple", "protected": False,
         "description": "IDEL (compte fictif)", "created_at": "2018-06-11T18:30:00.000Z"},
        {"id": "103", "username": "patient_exemple", "name": "Patient Exemple", "protected": False,
         "description": "", "created_at": "2020-01-05T12:00:00.000Z"},
    ]  # fmt: skip
    original = {"id": str(_snowflake(at, 1)), "author_id": "101", "created_at": _iso(at),
                "text": question, "lang": "fr",
                "conversation_id": str(_snowflake(at, 1)),
                "entities": {"hashtags": [_tiny_tag(question)]},
                "public_metrics": {"retweet_count": 1, "reply_count": 1, "like_count": 2,
                                   "quote_count": 0}}  # fmt: skip
    reply_at, rt_at = at + timedelta(hours=1), at + timedelta(hours=2)
    reply = {"id": str(_snowflake(reply_at, 2)), "author_id": "102", "created_at": _iso(reply_at),
             "text": "@dr_exemple Oui, recommandé au 2e trimestre.", "lang": "fr",
             "conversation_id": original["id"], "in_reply_to_user_id": "101",
             "referenced_tweets": [{"type": "replied_to", "id": original["id"]}],
             "entities": {"mentions": [{"start": 0, "end": 11, "username": "dr_exemple", "id": "101"}]},
             "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1,
                                "quote_count": 0}}  # fmt: skip
    retweet = {"id": str(_snowflake(rt_at, 3)), "author_id": "103", "created_at": _iso(rt_at),
               "text": f"RT @dr_exemple: {question}", "lang": "fr",
               "conversation_id": str(_snowflake(rt_at, 3)),
               "referenced_tweets": [{"type": "retweeted", "id": original["id"]}],
               "entities": {"hashtags": [_tiny_tag(f"RT @dr_exemple: {question}")],
                            "mentions": [{"start": 3, "end": 14, "username": "dr_exemple", "id": "101"}]},
               "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 0,
                                  "quote_count": 0}}  # fmt: skip
    return [{"data": [reply, retweet], "includes": {"users": users, "tweets": [original]},
             "meta": {"result_count": 2},
             "__medtwitter": _provenance("search_recent", {"query": "#docstoctoc"})}]  # fmt: skip


def _tiny_tag(text: str) -> dict:
    start = text.index("#docstoctoc")
    return {"start": start, "end": start + len("#docstoctoc"), "tag": "docstoctoc"}


def build_tiny(dataset: str = "tiny", progress: bool = True):
    """Write :func:`tiny_pages` to the raw folder of ``dataset`` and ingest them (replacing it).

    Examples
    --------
    >>> report = build_tiny("tiny")  # doctest: +SKIP
    >>> report.counts["tweets"], report.counts["follows"]  # doctest: +SKIP
    (3, 0)
    """

    from analysis.ingest import ingest_files

    raw = settings.raw_dir(dataset)
    raw.mkdir(parents=True, exist_ok=True)
    for old in raw.glob("*.jsonl"):
        old.unlink()
    path = raw / "search_tiny.jsonl"
    # a full disk, an interrupt: no half-written file left
    with removed_on_failure(raw / "search_tiny.jsonl.tmp", path) as tmp:
        with open(tmp, "wb") as fh:
            for page in tiny_pages():
                fh.write(orjson.dumps(page) + b"\n")
        tmp.replace(path)
    # the old tables are replaced atomically, at the end: a failed build leaves them as they were
    return ingest_files(
        [raw], dataset, synthetic=True, progress=progress, replace=True, command="demo"
    )
