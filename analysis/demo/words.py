"""What the synthetic community is made of: its communities, names, towns, bios and tweet texts.

All invented (the few institution handles are public, nothing said here is theirs),
French and English, with accents and emoji, as the demo's raw pages carry them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Community:
    """A planted community: its language, role mix and hashtags."""

    name: str
    lang: str
    roles: dict[str, float]
    tags: tuple[str, ...]


COMMUNITIES: tuple[Community, ...] = (
    Community(
        "docstoctoc",
        "fr",
        {
            "physician": 0.55,
            "intern": 0.2,
            "pharmacist": 0.05,
            "nurse": 0.05,
            "dentist": 0.04,
            "other_hcp": 0.04,
            "institution": 0.02,
            "public": 0.05,
        },
        ("docstoctoc", "MedecineGenerale", "MG", "garde", "DeserteMedical"),
    ),
    Community(
        "esante",
        "fr",
        {
            "institution": 0.15,
            "physician": 0.2,
            "pharmacist": 0.15,
            "public": 0.25,
            "other_hcp": 0.1,
            "nurse": 0.1,
            "intern": 0.05,
        },
        ("sante", "esante", "Santé", "santénumérique", "télémédecine"),
    ),
    Community(
        "foamed",
        "en",
        {"physician": 0.5, "intern": 0.2, "nurse": 0.15, "public": 0.1, "institution": 0.05},
        ("FOAMed", "MedTwitter", "MedEd", "EmergencyMedicine", "FOAMcc"),
    ),
    Community(
        "soins",
        "fr",
        {
            "nurse": 0.35,
            "midwife": 0.2,
            "physiotherapist": 0.2,
            "other_hcp": 0.1,
            "intern": 0.05,
            "public": 0.1,
        },
        ("infirmière", "IDE", "sagefemme", "kiné", "soignants"),
    ),
    Community(
        "prevention",
        "fr",
        {
            "public": 0.55,
            "institution": 0.12,
            "nurse": 0.05,
            "physician": 0.1,
            "pharmacist": 0.05,
            "other_hcp": 0.13,
        },
        ("vaccination", "MoisSansTabac", "sida", "OctobreRose", "dépistage"),
    ),
    Community(
        "specialites",
        "fr",
        {"physician": 0.6, "intern": 0.15, "nurse": 0.1, "public": 0.1, "institution": 0.05},
        ("cardiologie", "oncologie", "dermatologie", "psychiatrie", "pédiatrie"),
    ),
)

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
    "fr": {
        "physician": "MG",
        "intern": "Interne",
        "nurse": "Infirmière",
        "pharmacist": "Pharmacien",
        "midwife": "Sage-femme",
        "physiotherapist": "Kiné",
        "dentist": "Dentiste",
        "other_hcp": "Soignant",
        "public": "Patient",
    },
    "en": {
        "physician": "Doctor",
        "intern": "Med student",
        "nurse": "Nurse",
        "pharmacist": "Pharmacist",
        "midwife": "Midwife",
        "physiotherapist": "Physio",
        "dentist": "Dentist",
        "other_hcp": "Clinician",
        "public": "Patient",
    },
}
TEXT = {
    "fr": {
        "question": [
            "Question aux confrères : que faites-vous devant {topic} ?",
            "Besoin d'avis : {topic}, vous adressez ou pas ?",
            "Petite question pratique sur {topic}, merci d'avance 🙏",
        ],
        "answer": [
            "Perso je commence par {topic}, et je réévalue à 48 h.",
            "Je l'adresse sans hésiter, surtout si {topic}.",
            "Bonne question ! Les recos HAS sont claires sur {topic}.",
        ],
        "original": [
            "Journée chargée, {topic} encore et toujours. {url}",
            "À lire : un bon article sur {topic} {url}",
            "Rappel utile sur {topic} pour les patients 👇 {url}",
            "Merci à toute l'équipe pour cette garde 💪 {topic}.",
            "Réunion passionnante sur {topic} ce matin.",
        ],
        "topics": [
            "la fièvre chez l'enfant",
            "le renouvellement d'ordonnance",
            "la vaccination",
            "les déserts médicaux",
            "la téléconsultation",
            "l'éducation thérapeutique",
            "la douleur thoracique",
            "l'hypertension",
            "la santé mentale",
            "le tabac",
        ],
    },
    "en": {
        "question": ["Quick question for colleagues: how do you manage {topic}?"],
        "answer": ["I'd start with {topic} and reassess in 48h."],
        "original": [
            "Great thread on {topic} {url}",
            "Reminder about {topic} for patients 👇 {url}",
            "Long shift, lots of {topic} today.",
            "Teaching session on {topic} today.",
        ],
        "topics": [
            "sepsis",
            "chest pain",
            "airway management",
            "burnout",
            "point-of-care ultrasound",
            "antibiotic stewardship",
            "delirium",
        ],
    },
}

#: Where the demo's shortened links lead, per language: health authorities, journals and
#: news, as a community shares them. The paths are invented; a link's target is chosen from
#: its t.co code (see :func:`analysis.demo.pages.link_target`), never from the random stream.
LINK_SOURCES = {
    "fr": (
        "https://www.has-sante.fr/jcms/p_{code}/fr/recommandation",
        "https://www.santepubliquefrance.fr/dossiers/{code}",
        "https://www.ameli.fr/assure/sante/{code}",
        "https://www.who.int/fr/news-room/fact-sheets/detail/{code}",
        "https://www.revmed.ch/revue-medicale-suisse/{code}",
        "https://www.lequotidiendumedecin.fr/actus-medicales/{code}",
        "https://www.lemonde.fr/sante/article/{code}.html",
    ),
    "en": (
        "https://www.who.int/news-room/fact-sheets/detail/{code}",
        "https://www.nice.org.uk/guidance/{code}",
        "https://www.bmj.com/content/{code}",
        "https://www.thelancet.com/journals/lancet/article/{code}",
        "https://www.nejm.org/doi/full/{code}",
        "https://www.bbc.co.uk/news/health-{code}",
    ),
}
