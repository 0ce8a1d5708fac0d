"""People named by their place in a community: roles, family links, school years, clubs and villages.

A tweet can single out a patient without a name or an age: "le fils du maire",
"le chef de gare de ...", "the postman from our village", "the ... striker",
"Léa, en CM2", "à Saint-Machin-les-Bois". Each of these is a *kind* of detail,
written here as a lexicon or a shape rather than as the words of one tweet:

* a **role in a community** — the one mayor, priest, postman, baker, station
  master, head teacher, maths teacher, coach, captain, striker, vet of a place —
  with a definite article ("le curé", "the postman"), at the head of a clause
  ("Pompier volontaire de la caserne de ..."), or an indefinite one tied to a
  place or a club ("a striker from ..."), or one of the author's own team ("one
  of our own porters", "une de nos infirmières"). Health professionals are
  otherwise left out: they are the author's colleagues, named in their work;
* a **family link** to someone a reader knows ("le fils du maire", "la nièce de
  notre cadre", "the son of the vicar");
* a **school year** (CP ... terminale, Year 1 ... 13, "in 5th grade") or a named
  school ("Oakfield Infants") or sports club ("l'US Fontclaire", "Kestrel Park
  Rovers");
* a **village by its shape**, not from a list: compound names with a linking word
  ("Brévannes-sur-Loue", "Saint-Véran-d'Orbe", "Stratford-upon-Avon") and English
  prefixes ("Little Wetherby", "Upper Slaughter");
* a **hint that readers know who** ("you know who", "petit monde").

A role or a family link describes a person only when something happens to them
in care (:func:`analysis.confidentiality.rules.care_event`) and nothing in the
tweet puts them in their public role (:data:`PUBLIC_CONTEXT_RE`: a visit, an
opening, a talk, thanks, a retirement): "le maire a inauguré la nouvelle maison
de santé" is not about a patient.
"""

from __future__ import annotations

import re

from analysis.confidentiality.names import _E, _I, _W, _by_first_letter

# --- roles --------------------------------------------------------------------------------------

#: Roles held by one person in a village, a school, a parish, a club (singular, French).
ROLES_FR = (
    r"maire|adjointe?\s+au\s+maire|conseill(?:er|ère)\s+municipale?|curé|prêtre"
    r"|abbé|pasteure?|imam|rabbin|sacristain|facteur|factrice|posti(?:er|ère)|boulang(?:er|ère)"
    r"|bouch(?:er|ère)|charcuti(?:er|ère)|épici(?:er|ère)|fromag(?:er|ère)|fleuriste|libraire|buraliste|cafeti(?:er|ère)"
    r"|garagiste|plombier|électricien(?:ne)?|menuisier|maçon|couvreur|coiffeuse|coiffeur|notaire"
    r"|vétérinaire|véto|institutrice|instituteur|instit|maîtresse|prof(?:esseure?)?\s+(?:de|d')\s*\w+"
    r"|directrice|directeur|proviseure?|principale?\s+du\s+collège|atsem|cantini(?:er|ère)|nounou"
    r"|assistante\s+maternelle|chef(?:fe)?\s+de\s+gare|garde\s+champêtre|garde\s+foresti(?:er|ère)"
    r"|gendarme|polici(?:er|ère)|pompier(?:\s+volontaire)?|chauffeur\s+de\s+(?:bus|car|taxi)"
    r"|patronne?\s+du\s+(?:bar|café|bistrot|restaurant|resto|camping|garage)|gérante?\s+du\s+\w+"
    r"|entraîneuse|entraîneur|coach|capitaine|gardien(?:ne)?\s+de\s+but|gardien(?:ne)?|attaquante?"
    r"|buteuse|buteur|aili(?:er|ère)|demi\s+de\s+mêlée|talonneur|joueuse|joueur|footballeuse"
    r"|footballeur|rugbyman|handballeuse|handballeur|basketteuse|basketteur"
    r"|présidente?\s+du\s+(?:club|comité)|présidente?\s+de\s+l'association"
    r"|champion(?:ne)?\s+de\s+\w+|apprentie?\s+\w+|agricultrice|agriculteur|éleveuse|éleveur"
    r"|vigneron(?:ne)?|viticultrice|viticulteur|pêcheur|berg(?:er|ère)|caissi(?:er|ère)|serveuse|serveur"
    r"|barman|commerçante?"
)  # fmt: skip
#: The same in English.
ROLES_EN = (
    r"mayor|deputy\s+mayor|councillor|vicar|priest|rector|reverend|curate|rabbi|imam"
    r"|churchwarden|postman|postwoman|postie|milkman|paperboy|papergirl|baker|butcher|grocer"
    r"|greengrocer|newsagent|fishmonger|florist|publican|landlord|landlady|shopkeeper|plumber"
    r"|electrician|mechanic|hairdresser|barber|barmaid|barman|vet|solicitor|undertaker"
    r"|(?:maths|math|english|science|music|art|pe|history|french|drama|geography)\s+teacher"
    r"|teacher|head\s*teacher|headmaster|headmistress|deputy\s+head|head\s+of\s+year|caretaker"
    r"|lollipop\s+(?:lady|man)|dinner\s+lady|school\s+secretary|childminder|nanny"
    r"|station\s*master|signalman|(?:bus|taxi|cab|lorry|delivery|van|train|tractor)\s+driver|cabbie"
    r"|police\s+officer"
    r"|policeman|policewoman|pcso|firefighter|fireman|lifeguard|park\s+ranger|gamekeeper"
    r"|farmer|fisherman|shepherd|coach|captain|skipper|striker|goalkeeper|keeper|goalie|winger"
    r"|midfielder|defender|centre[\s-]back|full[\s-]back|fly[\s-]half|scrum[\s-]half|referee"
    r"|footballer|bank\s+manager|branch\s+manager|scout\s+leader|choirmaster"
)  # fmt: skip
_ROLES = _by_first_letter(ROLES_FR + "|" + ROLES_EN)
_FAMILY_NOUNS_FR = (
    r"fils|fille|femme|mari|épouse|époux|mère|père|maman|papa|veuve|veuf|nièce|neveu|cousine?"
    r"|petite?-fille|petit-fils|belle-mère|beau-père|belle-fille|gendre|beau-frère|belle-sœur"
    r"|sœur|soeur|frère|compagne|compagnon|copine|copain|grand-mère|grand-père|bébé|gamine?"
)
_FAMILY_NOUNS_EN = (
    r"wife|husband|son|daughter|mum|mom|dad|mother|father|widow|widower|niece|nephew|grandson"
    r"|granddaughter|sister|brother|partner|girlfriend|boyfriend|kid|baby|fiancée?"
)
#: Health roles: colleagues in their work, but a family link to one points to a household.
_HEALTH_ROLES = (
    r"gp|doctor|médecin(?:\s+du\s+village)?|pharmacien(?:ne)?|pharmacist|chemist|nurse|infirmière?"
    r"|infirmier|midwife|sage-femme|dentiste|dentist|kiné|physio"
)
#: Words that may stand between an article and a role: "the local vicar", "l'ancien maire".
_ROLE_MODIFIERS = (
    r"(?:(?:local|village|new|old|young|former|retired|ancien(?:ne)?|nouvel(?:le)?|nouveau"
    r"|jeune|vieux|vieille|petite?|school|club|team|parish|only|seule?)\s+){0,2}"
)
#: One person named by their role in a community: "le curé", "the Kestrel Park Rovers striker".
ROLE_RE = re.compile(
    _W + r"(?:"
    # a definite article: there is one of them ("le curé", "the Kestrel Park Rovers striker")
    r"(?:le|la|l'|l’|ce|cette|cet|the|this|that|notre|our)\s*" + _ROLE_MODIFIERS
    + r"(?:(?-i:[A-Z][\w'’-]+)\s+){0,4}(?:(?-i:[a-zà-ÿ]+)\s+)?(?:" + _ROLES + r")"
    # an indefinite article tied to a place or a club: "a striker from Kestrel Park"
    r"|(?:un|une|a|an)\s+(?:" + _ROLES + r")(?=\s+(?:de|du|d'|from|at|of|for|in)\s+"
    r"(?:the\s+|l'|la\s+|le\s+)?(?-i:[A-Z]))"
    # a role opening a clause: "Pompier volontaire de la caserne de ...", "Station master, 58,"
    r"|(?:^|(?<=[.!?:;]\s))(?:" + _ROLES + r")(?=\s+(?:volontaire|de|du|des|d'|of|at|from|in)\s|,)"
    # one of the author's own team: "one of our own porters", "une de nos infirmières"
    r"|one\s+of\s+(?:our|my)\s+(?:own\s+)?[\w-]+|une?\s+de\s+(?:nos|mes)\s+[\w-]+"
    r")" + _E,
    _I,
)  # fmt: skip
#: One person named by a family link to someone a reader knows: "le fils du maire".
FAMILY_PERSON_RE = re.compile(
    _W + r"(?:"
    # a family link: "le fils du maire", "la nièce de notre cadre", "the son of the vicar"
    r"(?:le|la|l'|l’)\s*(?:" + _FAMILY_NOUNS_FR + r")\s+(?:du|de\s+la|de\s+l'|des|de|d')"
    r"(?!\s*(?:\d|famille|ménage))\s*[\w’'-]+"
    r"|(?:the\s+)?(?:" + _FAMILY_NOUNS_EN + r")\s+of\s+(?:the|our|my)\s+\w+"
    r"|the\s+(?:[\w-]+\s+)?[\w-]+['’]s\s+(?:" + _FAMILY_NOUNS_EN + r")"
    # the child (parent, partner) of someone known: "her dad is the local GP", "sa mère est la maire"
    r"|(?:her|his|their|son|sa)\s+(?:" + _FAMILY_NOUNS_EN + r"|" + _FAMILY_NOUNS_FR + r")\s+"
    r"(?:is|was|est|était)\s+(?:the|le|la|l'|l’)\s*" + _ROLE_MODIFIERS
    + r"(?:" + _ROLES + r"|" + _HEALTH_ROLES + r")"
    r")" + _E,
    _I,
)  # fmt: skip
#: What puts a person in their public role rather than in care: a visit, an opening, a talk, thanks.
PUBLIC_CONTEXT_RE = re.compile(
    _W + r"(?:inaugur\w*|visite|visité|visit|visited|visits|visiting|opened|opens|ouvre|ouvert"
    r"|présente|présenté|présentera|presented|presents|talk|lecture|conférence|conference"
    r"|congrès|thèse|thesis|retraite|retire|retired|retires|retirement|départ|élue?|elected"
    r"|annonce|annoncé|announced?|campagne|campaign|discours|speech|félicitations|congrats"
    r"|congratulations|bravo|merci\s+(?:à|au|aux)|thanks?\s+to|thank\s+you\s+to|remercie"
    r"|recrute|hiring|recruiting|award|prix|médaille|medal|cérémonie|ceremony|réunion|meeting"
    r"|conseil\s+municipal|collecte|fundraiser|fundraising|charity|ruban|ribbon"
    r"|m'a\s+adressé|nous\s+a\s+adressé|adressée?\s+par|referred|m'envoie|nous\s+envoie)" + _E,
    _I,
)  # fmt: skip

# --- schools, school years, clubs ---------------------------------------------------------------

SCHOOL_YEAR_RE = re.compile(
    _W + r"(?:"
    r"(?:en|de|élève\s+de|classe\s+de)\s+(?:(?-i:CP|CE1|CE2|CM1|CM2|[3-6]e|[3-6]ème|[3-6]è)"
    r"|sixième|cinquième|quatrième|troisième|seconde|première|terminale"
    r"|(?:petite|moyenne|grande)\s+section)(?![\w-])"
    r"(?!\s+(?:année|degré|ligne|intention|fois|étage|âge|classe\s+affaires|main))"
    r"|(?-i:Year)\s+(?:1[0-3]|[1-9])(?!\d)(?!\s+(?:of|in|since|ago|old))"
    r"|(?:in|a|an)\s+(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh"
    r"|eighth|ninth|tenth|eleventh|twelfth)[\s-]grade(?:r)?|\d{1,2}(?:st|nd|rd|th)[\s-]grader"
    r"|sixth[\s-]former|in\s+(?:the\s+)?sixth\s+form|in\s+reception(?:\s+class)?"
    r")" + _E,
    _I,
)  # fmt: skip
#: A named school or sports club: "Oakfield Infants", "l'US Fontclaire", "Kestrel Park Rovers".
SCHOOL_OR_CLUB_NAME_RE = re.compile(
    r"(?<![\w-])(?:"
    r"(?:US|AS|FC|RC|SC|AC|ES|CA|SO|JS|UA|Stade|Olympique|Racing|Entente)\s+[A-ZÉ][\w'’-]+"
    r"|[A-ZÉ][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}\s+(?:Rovers|United|Athletic|Wanderers|Rangers"
    r"|Albion|Harriers|Colts|FC|RFC|U\d{1,2}s?|Infants|Juniors|Primary|Academy|Grammar|High"
    r"|Comprehensive|Prep|Elementary|Middle)"
    r")" + _E
)  # fmt: skip
#: A role in apposition, with no article: "Kevin, 17 ans, apprenti boulanger, admis ...".
ROLE_APPOSITION_RE = re.compile(
    r"(?<=,\s)(?:" + _ROLES + r"|stagiaire\s+\w+|apprentice\s+\w+|trainee\s+\w+)"
    r"(?=\s*[,.;)]|\s+(?:de|du|d'|à|au|at|for|of|from|chez)\s)",
    _I,
)  # fmt: skip

# --- villages by their shape --------------------------------------------------------------------

_LINKERS = r"sur|sous|lès|les|le|la|en|de|du|des|aux|au|on|upon|under|in|by|the|cum|next|et"
#: A place name by its shape: a compound with a linking word, or an English village prefix.
VILLAGE_RE = re.compile(
    r"(?<![\w'’@#-])(?:"
    r"(?:Saint|Sainte|St|Ste)?-?[A-ZÉÈÂÎ][\w’']*(?:-[A-ZÉ][\w’']*)*"
    r"(?:-(?:" + _LINKERS + r")-(?:(?:la|le|les|the)-)?[A-ZÉa-zé][\w’']*|-d['’][A-ZÉ][\w’']*)+"
    r"|(?:Little|Upper|Lower|Great|Much|Nether|Market|Chipping|Steeple|Bishops|Kings|Castle)"
    r"\s+[A-Z][a-z]+(?:\s+(?:Magna|Parva|Regis))?"
    r")" + _E
)  # fmt: skip

#: A street, where someone lives: "rue des Lilas", "Mill Lane".
STREET_RE = re.compile(
    _W + r"(?:(?:rue|avenue|boulevard|impasse|allée|chemin|route|quai|lotissement|résidence)\s+"
    r"(?:de\s+la\s+|des\s+|du\s+|de\s+l'|de\s+|d')?(?-i:[A-ZÉ][\w'’-]+)"
    r"|(?-i:[A-Z][a-z]+)\s+(?-i:Road|Street|Lane|Avenue|Close|Drive|Crescent|Terrace|Grove|Row))"
    + _E,
    _I,
)  # fmt: skip

# --- the author's hint that readers will know who it is -----------------------------------------

HINT_RE = re.compile(
    _W + r"(?:you\s+know\s+who|(?:vous|tu)\s+(?:voyez|vois)\s+(?:qui|de\s+qui)|suivez\s+mon\s+regard"
    r"|je\s+ne\s+dirai\s+pas\s+qui|no\s+names|pas\s+de\s+noms?|small\s+world|petit\s+monde"
    r"|tout\s+le\s+(?:monde|village|quartier)\s+(?:le|la|les)\s+conna[iî]t"
    r"|(?:everyone|everybody)\s+(?:round\s+here\s+|in\s+\w+\s+)?knows\s+(?:him|her|them)"
    r"|the\s+whole\s+(?:village|town)\s+knows|local\s+(?:celebrity|legend)|célébrité\s+locale"
    r"|won't\s+say\s+who|i\s+won't\s+name)" + _E,
    _I,
)  # fmt: skip
