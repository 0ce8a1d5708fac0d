"""Shapes the round-4 decision reads: a care context, identifiers by shape, and who is excused.

The cue extractors of :mod:`analysis.confidentiality.rules` find words; the
patterns here say, by the **shape** of the text rather than by a list of words
seen in tweets, three things the decision of
:func:`analysis.confidentiality.check.assess` needs:

- that a tweet is about someone in care even when no person noun was read
  ("Patiente vue ce matin", "Pt in resus tonight", "brought in by his own crew"):
  :data:`CARE_CONTEXT_RE`;
- identifiers in shapes no word list holds: a record number ("NHS no. 482 913
  7706", "Hospital no. T4471893", "IPP 0045821"), a photo or scan of records
  ("pic of the discharge letter attached"): :data:`RECORD_NUMBER_RE`,
  :data:`RECORDS_PHOTO_RE`; and narrowing details by shape: a named hospital or
  an acute unit (:data:`HOSPITAL_RE`), a person heading a team, crew or club
  (:data:`HEAD_OF_RE`), the author's own relative (:data:`OWN_RELATIVE_RE`);
- when the one in care is excused by the labelling rules: a group or a
  statistic (:data:`GROUP_RE`), the author's own health (:data:`OWN_HEALTH_RE`)
  or own child (:data:`OWN_CHILD_RE`);
- local identity by shape: names with an apposition or a title
  (:data:`NAME_APPOSITION_RE`, :data:`TITLE_NAME_RE`), a room at a named
  hospital, a numbered home address, a floor or a street
  (:data:`ROOM_AT_HOSPITAL_RE`, :data:`ADDRESS_RE`, :data:`STREET_OR_FLOOR_RE`),
  a workplace or a role of local renown (:data:`BUSINESS_RE`,
  :data:`LOCAL_ROLE_RE`), care said by its setting (:data:`LOCAL_CARE_RE`), and
  what stays safe: a remark about the author, a patient's memories, a
  colleague's award, a teaching case with its details changed.
"""

from __future__ import annotations

import re

from analysis.confidentiality.names import _E, _I, _W

_NOT_TAG = r"(?<![\w#@])"  # a word, not inside a hashtag or a handle ("#patient" is a topic)

#: Someone in care, said in words the care-word list of the rules does not hold: the patient
#: nouns on their own ("Patiente vue", "Pt in resus"), arrivals ("brought in by", "reçue"),
#: vaccination and delivery, and being under someone's care.
CARE_CONTEXT_RE = re.compile(
    _NOT_TAG + r"(?:"
    r"pte?|patiente?|patient|reçue?|recue?|accueillie?|arrivée?\s+(?:aux|au|en|à\s+l')"
    r"|brought\s+in|came\s+in|come\s+in|wheeled\s+in|arrived\s+(?:in|at|on)|blue[\s-]lighted"
    r"|vaccinée?|vaccinated|jabbed|immunised|immunized"
    r"|accouchée?|delivery|gave\s+birth|a\s+accouché|césarisée?"
    r"|sous\s+(?:ma|notre)\s+(?:responsabilité|surveillance)|under\s+(?:my|our)\s+care"
    r"|en\s+soins|in\s+care|on\s+(?:the\s+)?(?:table|trolley)|sur\s+le\s+brancard"
    r"|bilan\s+de|work[\s-]?up|triage|triaged|transférée?|transferred|evacuated|évacuée?"
    r"|airlifted|hélitreuillée?|héliportée?|secourue?|rescued"
    r"|sa\s+dose|(?:his|her)\s+(?:dose|jab)"
    # a visit to someone at home, someone's records
    r"|visite(?:\s+[\w']+){0,3}\s+chez|(?:passée?|allée?)\s+chez\s+(?:mme|m\.|mr|madame|monsieur|lui|elle)"
    r"|visited\s+(?:him|her|mrs|mr|ms)|dossier\s+(?:médical\s+)?(?:de|du|d')"
    r"|medical\s+(?:records?|notes)|(?:his|her|their)\s+(?:notes|records|chart|obs)"
    r")" + _E,
    _I,
)  # fmt: skip
#: Something happening to one person in care (a participle or verb of care), as opposed to a
#: setting or a condition named as a topic ("aux urgences", "on sepsis"): with a person
#: described or a care shape above, it says the tweet is about one individual.
CARE_EVENT_RE = re.compile(
    _NOT_TAG + r"(?:"
    r"(?:admise?|hospitalisée?|opérée?|intubée?|transférée?|réanimée?|décédée?|amenée?|adressée?"
    r"|accouchée?|diagnostiquée?|soignée?|suturée?|recousue?|plâtrée?|perfusée?|transfusée?"
    r"|amputée?|vue?|revue?|examinée?|tombée?|blessée?|brûlée?|mordue?|née?|sortie?|ventilée?"
    r"|atteinte?|suivie?|traitée?|malade|enceinte|guérie?|rétablie?"
    r"|sédatée?|intoxiquée?|dialysée?|greffée?|biopsiée?|césarisée?|déclarée?)"
    r"|s'est\s+(?:cassée?|fait|faite|blessée?|brûlée?|coupée?|effondrée?)|est\s+décédée?"
    r"|admitted|operated|intubated|ventilated|died|seen|saw|examined|diagnosed|treated"
    r"|delivered|discharged|transferred|resuscitated|stitched|sutured|collapsed|fainted|fell"
    r"|injured|burned|burnt|bitten|hospitali[sz]ed|passed\s+away|broke\s+(?:his|her|their)"
    r"|presented\s+with|came\s+to\s+see|a\s+(?:convulsé|fait\s+un\w*|eu\s+(?:sa|son|un|une))"
    r"|convulsed|seized|kicked|had\s+(?:his|her|their)\s+\w+\s+(?:done|removed|replaced|fixed)"
    r"|had\s+(?:a|an|his|her)\s+(?:seizure|fit|stroke|fall|op|operation|baby|heart\s+attack)"
    r"|accouchement|naissance|delivery|gave\s+birth|birth\s+of|intervention|admission"
    r")" + _E,
    _I,
)  # fmt: skip
#: One person by the grammar alone: a singular third-person pronoun ("il s'en sort", "had her
#: hip done", "kicked by his bull") or a room or bed number, which holds one patient.
ONE_PERSON_RE = re.compile(
    _NOT_TAG + r"(?:il(?!\s+(?:faut|fallait|faudra|y\s+a|y\s+avait|manque|reste|pleut|fait|semble"
    r"|paraît|est\s+(?:temps|urgent|important|possible|vrai|clair|difficile|rare)))|elle|lui|he"
    r"|she|him|his|her|hers|herself|himself|celui-ci|celle-ci"
    r"|(?:chambre|lit|box|bed|room|bay|cubicle)\s+(?:n°\s?)?\d+)" + _E,
    _I,
)  # fmt: skip
#: Care named as a topic or a document, not yet about anyone: vaccination, records. Enough for a
#: care context ("Pic of the discharge letter attached"), not for one individual ("Réunion sur
#: la vaccination").
CARE_TOPIC_RE = re.compile(
    _W + r"(?:vaccin|vaccins|vaccination|booster|flu\s+jab"
    r"|compte[\s-]rendu(?:\s+opératoire)?|lettre\s+de\s+sortie|courrier\s+de\s+sortie"
    r"|discharge\s+(?:letter|summary)|drug\s+chart|obs\s+chart|blood\s+cultures?"
    r"|(?:résultats?|results?)\s+(?:de|of)\s+(?:sa|son|ses|his|her)\s+\w+)" + _E,
    _I,
)  # fmt: skip
#: A record number by its shape: a label (no., n°, nº, #, MRN, IPP, NHS, hospital or record
#: number, dossier) then a token holding three digits or more, digits grouped like an NHS number
#: (3-3-4), or a full date in the last century (a birth date).
RECORD_NUMBER_RE = re.compile(
    _W + r"(?:"
    r"(?:(?i:nhs|mrn|ipp|chi|hospital|hosp|record|patient|unit|case|dossier|file|réf|ref)"
    r"\s*(?:(?i:no|number|num|nr)\b\.?|n°|nº|#)?\s*:?\s*"
    r"|(?i:no)\.\s*|n°\s*|nº\s*)"
    r"(?:[A-Z]{1,3}[\s-]?)?\d{3,}(?:[\s/-]?\d+){0,4}"
    r"|\d{3}[\s-]\d{3}[\s-]\d{4}"
    # a full date with a year of the last century is a birth date: "12/03/1947"
    r"|\d{1,2}[/.]\d{1,2}[/.](?:19\d\d)"
    r")" + _E
)  # fmt: skip
#: A photo, picture, scan or copy of records: letters, charts, notes, ECGs, results, X-rays.
RECORDS_PHOTO_RE = re.compile(
    _W + r"(?:(?:photo|pic|picture|image|scan|screenshot|capture(?:\s+d'écran)?|copy|copie"
    r"|snap|photocopie)s?\s+(?:of|de|du|des|d')\s*(?:the|his|her|their|my|a|la|le|les|sa|son"
    r"|ses|l')?\s*(?:[\w'’]+\s+){0,3}?(?:letters?|charts?|notes|ecgs?|ekgs?|results?|x-rays?|scans?|bloods"
    r"|obs|prescriptions?|courriers?|lettres?|dossiers?|ordonnances?|comptes?[\s-]rendus?"
    r"|résultats?|radios?|bilans?|ecg|feuilles?|wristbands?|bracelets?|records?|files?)"
    r"|(?:letter|chart|notes|ecg|x-ray|results|courrier|ordonnance|compte[\s-]rendu|radio"
    r"|wristband|bracelet)s?\s+(?:attached|ci-jointe?s?|en\s+pj|below|ci-dessous)"
    r"|(?:attached|ci-jointe?s?|en\s+pj)\s*:?\s*(?:the|his|her|sa|son|le|la)?\s*\w*\s*"
    r"(?:letter|chart|notes|ecg|x-ray|results|courrier|ordonnance|compte[\s-]rendu|radio))"
    + _E,
    _I,
)  # fmt: skip
#: A named hospital or an acute unit: "Thornwick General", "Hôpital Nord", "MAU", "SAU", "HDU".
HOSPITAL_RE = re.compile(
    r"(?<![\w'@#-])(?:"
    r"(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+)){0,2}\s+(?:General|Infirmary|Royal|Hospital"
    r"|Memorial|Community\s+Hospital|Cottage\s+Hospital|Hospice|Medical\s+Centre|Health\s+Centre)"
    r"|(?:St\.?|Saint|Royal)\s+(?-i:[A-Z][\w'’-]+)(?:['’]s)?(?=\s+(?i:hospital|infirmary|ward))"
    r"|(?:(?<=at\s)|(?<=in\s)|(?<=to\s)|(?<=from\s)|(?<=the\s))Royal\s+(?-i:[A-Z][\w'’-]+)"
    r"|(?i:hôpital|hopital|clinique|polyclinique|centre\s+hospitalier|ch|chu|chr|ehpad|maternité"
    r"|maison\s+de\s+santé|hospital|infirmary)\s+(?:(?i:de\s+|d'|du\s+|des\s+|of\s+))?"
    r"(?-i:[A-Z][\w'’-]+)"
    r"|(?-i:MAU|AMU|EAU|SAU|CDU|HDU|ITU|SCBU|UHCD|USIC|USC|UHCD|AAU|SDEC|ACU|CAU|PAU|DSU)"
    r")" + _E
)  # fmt: skip
#: A person heading or belonging to a named team: "Head of the Kilmarden mountain rescue team",
#: "capitaine de l'équipe de ...", "one of the lifeboat crew".
HEAD_OF_RE = re.compile(
    _W + r"(?:(?:head|leader|chief|captain|chair|chairman|chairwoman|manager|owner|founder"
    r"|landlord|landlady|coach|président|présidente|chef|cheffe|directeur|directrice|patron"
    r"|patronne|responsable|capitaine|entraîneur|entraîneuse|gérant|gérante)\s+(?:of|de|du|des"
    r"|d')\s*(?:the\s+|la\s+|le\s+|l')?(?:[\w'’-]+\s+){0,4}?(?:team|crew|club|squad|brigade"
    r"|band|choir|station|lifeboat|rescue|school|équipe|caserne|chorale|fanfare|harmonie|amicale"
    r"|association|comité|pub|bar|café|restaurant|shop|farm|ferme|boulangerie|mairie|village)"
    r"|(?:his|her|their)\s+own\s+(?:crew|team|colleagues|squad|staff|pupils|players)"
    r"|(?:ses|son|sa)\s+propres?\s+(?:collègues|équipe|élèves|joueurs|pompiers))" + _E,
    _I,
)  # fmt: skip
#: The author's own relative who is not their child: "my nan", "ma mère" (a family link).
OWN_RELATIVE_RE = re.compile(
    _W + r"(?:my|our|mon|ma|notre)\s+(?:(?:own|old|dear|little|poor|petite?|vieille|vieux)\s+)?"
    r"(?:nan|nana|nanna|gran|granny|grandma|grandad|granddad|grandpa|grandmother|grandfather"
    r"|mum|mom|mother|dad|father|wife|husband|partner|sister|brother|aunt|uncle|niece|nephew"
    r"|cousin|mère|père|maman|papa|femme|mari|épouse|époux|sœur|soeur|frère|tante|oncle|nièce"
    r"|neveu|cousine?|grand-mère|grand-père|mamie|mamy|papy|papi|mémé|pépé|belle-mère|beau-père"
    r"|compagne|compagnon)" + _E,
    _I,
)  # fmt: skip
#: The author's own child as the one in care: excused by the labelling rules.
OWN_CHILD_RE = re.compile(
    _W + r"(?:my|our|mon|ma|notre|nos|mes)\s+(?:(?:own|little|youngest|eldest|oldest|baby"
    r"|petite?|grande?|aînée?|cadette?|dernière?|\d{1,2}[\s-]?(?:yo|year[\s-]old|ans))\s+)?"
    r"(?:son|sons|daughter|daughters|kid|kids|child|children|boy|girl|baby|little\s+one|toddler"
    r"|twins|fils|fille|filles|enfant|enfants|bébé|loulou|puce|jumeaux|jumelles|garçon"
    r"|bambin)" + _E,
    _I,
)  # fmt: skip
#: The author speaking of their own health: "j'ai été opérée", "I was admitted", "my own scan".
OWN_HEALTH_RE = re.compile(
    _W + r"(?:(?:j'ai\s+été|je\s+suis|je\s+me\s+suis\s+fait|i\s+was|i've\s+been|i\s+have\s+been"
    r"|i'm|i\s+am|i\s+got|i\s+had)\s+(?:\w+\s+)?(?:opérée?|hospitalisée?|admise?|vaccinée?"
    r"|diagnostiquée?|soignée?|perfusée?|plâtrée?|opérer|vacciner|admitted|operated|vaccinated"
    r"|jabbed|diagnosed|discharged|hospitalised|hospitalized|sick|ill|malade|positive|positif"
    r"|positive)|(?<!in\s)(?<!at\s)(?<!to\s)(?:my|mon|ma|mes)\s+(?:own\s+)?(?:surgery|operation|opération|scan|diagnosis"
    r"|diagnostic|chemo|chimio|jab|vaccin|booster|rappel|bloods|biopsy|biopsie|fracture"
    r"|hospitalisation|admission|recovery|convalescence|arrêt\s+maladie|sick\s+leave)"
    # the author's own body as the one operated: "opérée hier de mon canal carpien"
    r"|(?:de|du|sur|on|of)\s+(?:mon|ma|mes|my)\s+(?:\w+\s+)?(?:canal\s+carpien|genou|hanche"
    r"|épaule|dos|cheville|poignet|main|pied|ménisque|dent|dents|yeux|œil|oeil|appendicite"
    r"|vésicule|knee|hip|shoulder|back|ankle|wrist|hand|foot|tooth|teeth|eyes?|gallbladder"
    r"|appendix|carpal\s+tunnel))" + _E,
    _I,
)  # fmt: skip
#: A group or a statistic as the subject: plural people, counts, rates, campaigns.
GROUP_RE = re.compile(
    _W + r"(?:"
    r"(?:les|des|nos|vos|ces|aux|de|tous\s+les|toutes\s+les|plusieurs|beaucoup\s+de|trop\s+de"
    r"|\d+)\s+(?:\w+\s+)?(?:patients|patientes|malades|enfants|personnes|gens|résidents"
    r"|femmes|hommes|bébés|nourrissons|ados|adolescents|cas|admissions|hospitalisations"
    r"|passages|consultations|décès|seniors|aînés|soignants|parents|familles|entrées)"
    r"|(?:the|our|your|these|those|all|many|several|some|more|most|\d+|of)\s+(?:\w+\s+)?"
    r"(?:patients|people|children|kids|babies|women|men|residents|adults|cases|admissions"
    r"|attendances|deaths|families|parents|elderly|teens|teenagers|over-\d+s|under-\d+s)"
    r"|\d+(?:[.,]\d+)?\s?%|per\s+cent|pour\s+cent|statistiques|statistics|figures|chiffres"
    r"|outbreak|épidémie|epidemic|pandémie|pandemic|campagne|campaign|dépistage|screening"
    r"|drop-in|walk-in|guidelines?|recommandations|reminder|rappel\s+:|pensez\s+à|don't\s+forget"
    r"|n'oubliez\s+pas|everyone|tout\s+le\s+monde)" + _E,
    _I,
)  # fmt: skip
#: When, by the shape of an event: "le soir du loto", "the day after the Harnby Show".
EVENT_TIME_RE = re.compile(
    _W + r"(?:(?:le|la|au)\s+(?:soir|nuit|matin|jour|lendemain|veille|surlendemain|fin)\s+"
    r"(?:du|de\s+la|de\s+l'|des|d')\s*[\w'’-]+"
    r"|(?:the\s+)?(?:day|night|morning|evening|week|weekend)\s+(?:after|before|of)\s+(?:the\s+)?"
    r"(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+))*)" + _E,
    _I,
)  # fmt: skip
#: Who, by the shape of a workplace after a job: "la secrétaire de mairie", "la cantinière de
#: l'école", "our ward manager Sue"; and a job after an age: "a 45yo farmer", "34M, firefighter".
WORKPLACE_RE = re.compile(
    _W + r"(?:(?:le|la|l'|un|une|the|our|notre|a|an)\s*[\w'’-]+\s+(?:de\s+(?:la\s+)?mairie"
    r"|de\s+l'école|du\s+collège|du\s+lycée|de\s+la\s+poste|de\s+la\s+banque|de\s+la\s+pharmacie"
    r"|du\s+garage|du\s+club|de\s+la\s+cantine|de\s+la\s+crèche|of\s+the\s+(?:school|club|council"
    r"|parish|village|pub|team))"
    r"|(?:our|my|notre|mon|ma)\s+(?:[\w-]+\s+)?(?:manager|cadre|secrétaire|secretary|boss|chef"
    r"|cheffe|receptionist|porter|brancardier|housekeeper)\s+(?-i:[A-Z][a-zéèëïîçô]+)"
    r"|\d{1,3}\s?(?:yo|y/o|-year-old|ans|[MF])\s*,?\s+(?:[\w-]+\s+)?(?:farmer|builder|miner"
    r"|firefighter|teacher|nurse|driver|postman|vicar|priest|baker|butcher|fisherman|jockey"
    r"|footballer|agriculteur|agricultrice|pompier|instituteur|institutrice|boulanger"
    r"|boulangère|pêcheur|facteur|curé|maçon|chauffeur))" + _E,
    _I,
)  # fmt: skip
#: An ordinary question put to the author ("m'a demandé si", "asked me if"): with no care event,
#: the person asking is not one in care ("Une maman m'a demandé si le paracétamol ...").
QUESTION_RE = re.compile(
    _W + r"(?:(?:m'a|nous\s+a)\s+demandé(?:\s+[\w'’]+){0,2}\s+(?:si|s'il|s'ils|ce\s+que|comment"
    r"|pourquoi|quand|combien)|m'a\s+posé\s+(?:la|une)\s+question"
    r"|(?:asked|asks|asking)\s+(?:me|us)(?:\s+[\w'’]+){0,2}?\s+(?:if|whether|about|how|what|why|when)"
    r"|wanted\s+to\s+know|voulait\s+savoir|se\s+demandait)" + _E,
    _I,
)  # fmt: skip

# --- round 5: local people, businesses, addresses and floors by their shape ---------------------

_CAP = r"(?-i:[A-Z][\w'’-]+)"  # a capitalised word
#: Care said by the setting of one visit (dentist's chair, a clinic, resus) or a small procedure:
#: "in my chair today for a root canal", "in with a laceration", "came into resus", "we glued".
LOCAL_CARE_RE = re.compile(
    _W + r"(?:in\s+my\s+(?:chair|clinic|surgery|room)|in\s+with\s+(?:a|an|his|her|their|the)|came\s+into"
    r"|(?:into|in)\s+resus|root\s+canal|filling|extraction|glued|stitches|plastered|dans\s+mon"
    r"\s+fauteuil|en\s+consultation|au\s+cabinet|recousu|recollé|au\s+bloc"
    r"|(?:sent|taken|went|gone|back)\s+(?:to|from)\s+theatre"
    # nursing care, results given back, mending a body part, walking aids, "after his hip"
    r"|(?:pendant|après|during|after)\s+(?:la|sa|the|his|her)\s+(?:toilette|bed\s+bath|wash)"
    r"|(?:your|his|her|their|vos|ses|tes)\s+(?:bloods|blood\s+tests?|results|résultats|analyses"
    r"|smear|biopsy|biopsie|x-rays?|radios?)"
    r"|(?:fix|fixing|fixed|mend|mending|mended|set|setting|réparé|soigné)\s+(?:my|his|her|their"
    r"|mon|ma|son|sa)\s+(?:arm|leg|wrist|ankle|hip|knee|hand|finger|nose|shoulder|elbow|collarbone"
    r"|bras|jambe|poignet|cheville|genou|main|doigt|nez|épaule|coude|clavicule)"
    r"|(?:his|her|their|sa|son|ses)\s+(?:frame|zimmer|crutches|walker|walking\s+stick|cast"
    r"|plaster|sling|wheelchair|déambulateur|béquilles|plâtre|attelle|fauteuil\s+roulant)"
    r"|after\s+(?:his|her|their)\s+(?:hip|knee|op|operation|surgery|stroke|fall|bypass))" + _E,
    _I,
)  # fmt: skip
#: A first name with an apposition tying them to a job at a place: "Gareth, the caretaker at ...".
NAME_APPOSITION_RE = re.compile(
    r"(?<![\w'’-])((?-i:[A-Z][a-zéèëïîçô]+)),\s+(?:the|our|le|la|l'|notre)\s*(?:[\w-]+\s+){0,2}?"
    r"[\w-]+\s+(?:at|from|of|in|du|de\s+la|de\s+l'|des|de|chez|à)\s+" + _CAP
)  # fmt: skip
#: A title with a surname or an initial: "Mrs Pennyfeather-Lowe", "Mr K.", "Mme D.", "M. B.".
TITLE_NAME_RE = re.compile(
    r"(?<![\w])(?-i:Mr|Mrs|Ms|Miss|Mx|Mme|Mlle|M\.|Monsieur|Madame)\.?\s+"
    r"(?:(?-i:[A-Z])\.(?!\w)|(?-i:[A-Z][a-zéèëïîçô]+(?:-[A-Z][a-zéèëïîçô]+)?))"
)  # fmt: skip
#: The title-named person is the clinician or a public figure: "Mr Khan operated", "Mr X announced".
TITLE_CLINICIAN_RE = re.compile(
    r"^(?:\s+(?:operated|performed|did\s+the|has\s+operated|a\s+opéré)|['’]s\s+(?:list|clinic|team"
    r"|theatre)|,\s+(?:the\s+|our\s+|le\s+|notre\s+)?(?:consultant|surgeon|chirurgien))",
    _I,
)  # fmt: skip
#: Addressed in the second person about their care: "your results are in", "votre résultat".
ADDRESSED_RE = re.compile(
    r"^\s*,\s+(?:(?:please|merci\s+de)\b.*)?(?:your|votre|vos|you|vous)(?![\w])", _I
)
#: A workplace by its shape (a region after "from the" is not one): "at the Fox and Hounds", "Benson's garage", "Radio Kestrel", "WKTV".
BUSINESS_RE = re.compile(
    r"(?<![\w'’@#-])(?:"
    r"(?:(?i:at)\s+the\s+(?!(?-i:Royal|Hospital|General))" + _CAP
    + r"(?:\s+(?:(?i:and|&|of)\s+)?" + _CAP + r")*)"
    r"|" + _CAP + r"['’]s\s+(?i:(?:corner\s+)?(?:shop|chippy|café|cafe|pub|bar|garage|salon|bakery"
    r"|deli|butchers?|takeaway|restaurant|farm|hardware|newsagents?|store|gym|kebab))"
    r"|" + _CAP + r"\s+(?i:café|cafe|chippy|pub|garage|salon|bakery|deli|takeaway|brasserie"
    r"|pizzeria|supermarket|hotel|inn|motors|tavern)(?![\w])"
    r"|(?i:from|at|of|on|sur|de|chez)\s+(?:(?-i:Radio)\s+" + _CAP + r"|(?-i:[A-Z]{3,5})(?![\w])"
    r"|(?-i:Tesco|Sainsbury['’]?s|Asda|Lidl|Aldi|Morrisons|Carrefour|Leclerc|Intermarché"
    r"|Monoprix)))"
)  # fmt: skip
#: A role of local renown in a town: presenter, DJ, councillor, landlord, chef, barista...
LOCAL_ROLE_RE = re.compile(
    _W + r"(?:(?:the|our|their|a|le|la|notre|l')\s+(?:[\w-]+\s+)?(?:presenter|newsreader"
    r"|weatherman|weathergirl|dj|councillor|landlord|landlady|chef|footballer|barista|groundsman"
    r"|postmistress|postmaster|mechanic|barman|barmaid|présentatrice|présentateur|animatrice"
    r"|animateur|conseillère|conseiller|cuisinière|cuisinier|mécanicien|receptionist|cleaner"
    r")"
    r"|(?:barman|barmaid|barista|mechanic|chef)\s+(?:at|from|of)"
    # two people from a named place are one identifiable group: "the twins from Nolan's chippy"
    r"|(?:the|les|our|nos)\s+(?:two\s+|deux\s+)?(?:twins|jumeaux|jumelles|sisters|brothers|sœurs"
    r"|frères|siblings|couple)\s+(?:from|at|of|du|de\s+la|de\s+l'|de|des|d')\s*(?:the\s+)?"
    r"(?-i:[A-Z]))",
    _I,
)  # fmt: skip
#: A home address by its number: "14 rue des Glycines", "12 Quarry Rd", "le monsieur du n°12".
ADDRESS_RE = re.compile(
    _W + r"(?:\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|impasse|allée"
    r"|chemin|route|place|quai)\s+\w|\d{1,4}\s+" + _CAP + r"(?:\s+" + _CAP + r")?\s+(?-i:Street|St"
    r"|Road|Rd|Lane|Avenue|Ave|Close|Drive|Crescent|Terrace|Grove|Row|Way)(?![\w])"
    r"|(?:du|au|le|the|at)\s+(?:n°|nº|no\.|number)\s?\d{1,4}"
    r")",
    _I,
)  # fmt: skip
#: Where, less than a home: a street without a number, a floor ("du 3e étage", "the third floor").
STREET_OR_FLOOR_RE = re.compile(
    _W + r"(?:on\s+" + _CAP + r"\s+(?-i:St|Rd|Street|Road|Lane|Ave)(?![\w])"
    r"|(?:\d{1,2}\s?(?:e|è|ème|er|ere|st|nd|rd|th)|premier|deuxième|troisième|quatrième"
    r"|cinquième|first|second|third|fourth|fifth|sixth|top)\s+(?:étage|floor)"
    r")",
    _I,
)  # fmt: skip
#: A room or bed at a named hospital: one bed in one place, known to everyone working there.
ROOM_AT_HOSPITAL_RE = re.compile(
    _W + r"(?:room|bed|bay|chambre|lit|box)\s+(?:n°\s?)?\d+\s+(?:at|in|of|à|au|du|de)\s+(?:l')?"
    r"(?:(?:la|le|the)\s+)?(?:(?:clinique|hôpital|hopital|hospital|maternité)\s+(?:de\s+|du\s+)?)?"
    r"(?:St\.?\s+|Saint\s+)?" + _CAP,
    _I,
)  # fmt: skip
#: The author as the topic of a patient's remark: "told me I looked like ...", "m'a dit que je".
ABOUT_AUTHOR_RE = re.compile(
    _W + r"(?:told\s+me\s+(?:\w+\s+){0,2}?(?:that\s+)?i(?:'m|\s+was|\s+am|\s+looked?|\s+remind|\s+had|\s+should)"
    r"|said\s+i\s+(?:looked?|was|remind)|m'a\s+dit\s+(?:[\w'’]+\s+){0,2}?que\s+(?:je|j')"
    r"|(?:m'a\s+trouvée?|thinks\s+i)\s)",
    _I,
)  # fmt: skip
#: A patient's memories: the job or place in them is the past, not who they are now.
MEMORIES_RE = re.compile(
    _W + r"(?:about\s+(?:his|her|their)\s+(?:years|days|time|life|career|war)|(?:chat|talk"
    r"|conversation|discussion)\s+with|m'a\s+raconté|raconté\s+(?:sa|ses|son)"
    r"|(?:ses|sa)\s+(?:années|jeunesse|souvenirs|carrière)|souvenirs?|memories|reminisc\w*)",
    _I,
)  # fmt: skip
#: A named colleague honoured in their public role: an award won, a promotion, a new post.
HONOUR_RE = re.compile(
    _W + r"(?:won|wins|winner|nominated|shortlisted|promoted|promotion|of\s+the\s+year"
    r"|new\s+role|new\s+post|lauréate?|promue?|nommée?|a\s+remporté)" + _E,
    _I,
)  # fmt: skip
#: The author says the case's details were changed: a teaching case, not a person to recognise.
DISGUISED_RE = re.compile(
    _W + r"(?:(?:details?|age|job|location|name|names|détails?|âge|métier|lieu|prénom)"
    r"(?:[\s,]+(?:and|et|&)?\s*\w+){0,4}\s+(?:changed|altered|modified|modifiée?s?|changée?s?)"
    r"|changed\s+for\s+(?:privacy|confidentiality|anonymity)|(?:cas|case)\s+anonymi[sz]ée?"
    r"|anonymi[sz]ed|fictionali[sz]ed|composite\s+case|cas\s+fictif)" + _E,
    _I,
)  # fmt: skip
