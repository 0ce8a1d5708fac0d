"""Likely personal/professional account pairs of one person: listed with evidence, never merged.

Candidates are accounts that share a name part (in display names or
usernames, titles and profession words left out) or follow each other. Each
candidate pair is scored on its evidence:

* shared name parts (+2 for a family-name-like part, +1 for a common first name);
* mutual follow (+1);
* same location (+1) or the same institution named in both bios (+1);
* same role (+1), and one nominative with one anonymous account (+1);
* a bio that says "compte perso"/"compte pro"/"personal account"/"alt" (+1).

Institutions are left out, and so are parts that are place names (found in
any account's location) or shared by many accounts. Pairs scoring at least
``min_score`` with a shared name part, a mutual follow or a bio mentioning a
second account are listed with their evidence, the strongest first:
``likely`` when they share a family-name-like part, ``possible`` otherwise.
Nothing is merged: a researcher decides.

Anonymised (``anonymise=True``, and :func:`pairs_from_tables` on anonymised
tables) the evidence says which kinds of evidence matched ("shared
family-name-like part", "same location", "same institution named in both
bios", "same role"...), never the shared value: the link between a nominative
and an anonymous account is what the anonymous account exists to hide.
"""

from __future__ import annotations

import itertools
import re

import pandas as pd

from analysis.accounts import cues as C
from analysis.accounts.classify import (
    PROFESSIONAL_ROLES,
    _refuse_pseudonymised,
    label_users,
    split_username,
)
from analysis.accounts.names import COMMON_FREQUENCY, first_name_strength, fold, words

_SECOND_ACCOUNT = re.compile(
    r"compte (perso|personnel|secondaire)|personal account|\balt\b|alt account|"
    r"autre compte|other account|mon compte (pro|perso)"
)
_INSTITUTION_IN_BIO = re.compile(
    r"\b(chu|ch|chru|hopital|clinique|hospital|nhs trust) (de |d')?([a-z-]+)"
)
#: Profile words that are no evidence of one person ("student", "official"...).
_GENERIC = frozenset(
    "student students etudiant etudiante doc docs team equipe official officiel officielle compte "
    "account pro perso sante health med medical medecine care soins info news".split()
)
PAIR_COLUMNS = (
    "user_id_a",
    "username_a",
    "user_id_b",
    "username_b",
    "score",
    "likelihood",
    "evidence",
)


def _name_parts(name: str, username: str) -> set[str]:
    parts: set[str] = set()
    for token in words(name) + words(split_username(username)):
        f = fold(token)
        if len(f) < 3 or f in C.PARTICLES or f in _GENERIC or C.NAME_TITLES.match(f):
            continue
        if any(c.pattern.search(f) for c in C.ROLE_CUES + C.PSEUDONYM_CUES if c.kind != "emoji"):
            continue
        parts.add(f)
    # a truncated username ("chevalie") repeats a name part ("chevalier"): keep the longer
    return {p for p in parts if not any(q != p and q.startswith(p) for q in parts)}


def find_pairs(
    users: pd.DataFrame,
    follows: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
    min_score: int = 3,
    max_part_share: float = 0.02,
    anonymise: bool = False,
) -> pd.DataFrame:
    """Likely pairs of accounts run by one person, with the evidence for each.

    A pseudonymised users table is refused (name parts would all differ):
    :func:`pairs_from_tables` gives the pairs of anonymised tables.

    Parameters
    ----------
    users
        ``tables.users`` (``user_id``, ``username``, ``name``, ``description``, ``location``).
    follows
        ``tables.follows`` (directed); mutual follows are evidence.
    labels
        :func:`label_users`' result (computed if not given).
    min_score
        Lowest score listed.
    max_part_share
        Name parts shared by more than this share of accounts (e.g. a city) are not evidence.
    anonymise
        Word the evidence by kind only, never the shared name part, place or institution.

    Examples
    --------
    >>> users = pd.DataFrame({"user_id": [1, 2, 3], "username": ["JulieVernet", "DrJulieV_pro", "zz"],
    ...     "name": ["Julie Vernet", "Dr J. Vernet", "Paul Roy"], "description": ["", "MG, compte pro", ""],
    ...     "location": ["Brest", "Brest", ""]})
    >>> find_pairs(users)[["username_a", "username_b"]].values.tolist()
    [['JulieVernet', 'DrJulieV_pro']]
    """
    _refuse_pseudonymised(users, "pairs")
    if labels is None:
        labels = label_users(users)
    lab = labels.set_index("user_id")[["role", "identity"]] if "user_id" in labels else None
    u = users.reset_index(drop=True)
    n = len(u)
    parts = [
        _name_parts(str(a or ""), str(b or ""))
        for a, b in zip(u["name"], u["username"], strict=True)
    ]
    index: dict[str, list[int]] = {}
    for i, ps in enumerate(parts):
        for p in ps:
            index.setdefault(p, []).append(i)
    limit = max(2, int(max_part_share * n))
    locations = u.get("location", pd.Series([], dtype=str)).dropna().astype(str).map(fold)
    places = {w for x in locations for w in x.replace("-", " ").split()} | set(locations)
    person = [True] * n
    if lab is not None:
        person = [
            lab.loc[uid, "identity"] != "institutional" if uid in lab.index else True
            for uid in u["user_id"]
        ]
    candidates: dict[tuple[int, int], set[str]] = {}
    for p, members in index.items():
        members = [m for m in members if person[m]]
        if p not in places and 2 <= len(members) <= limit:
            for i, j in itertools.combinations(sorted(members), 2):
                candidates.setdefault((i, j), set()).add(p)
    mutual: set[tuple[int, int]] = set()
    if follows is not None and len(follows):
        pos = {uid: i for i, uid in enumerate(u["user_id"])}
        edges = set(zip(follows["follower_id"], follows["followed_id"], strict=True))
        for a, b in edges:
            if a < b and (b, a) in edges and a in pos and b in pos:
                i, j = sorted((pos[a], pos[b]))
                if person[i] and person[j]:
                    mutual.add((i, j))
                    candidates.setdefault((i, j), set())
    blank = pd.Series([""] * n)
    # as objects first: a column of nulls only is float64, which pandas 4 will not fill with ""
    loc = [fold(x).strip() for x in u.get("location", blank).astype(object).fillna("").astype(str)]
    bios = [fold(x) for x in u.get("description", blank).astype(object).fillna("").astype(str)]
    inst = [{m.group(0) for m in _INSTITUTION_IN_BIO.finditer(b)} for b in bios]
    rows = []
    for (i, j), shared in candidates.items():
        score, evidence = 0, []
        family = {p for p in shared if first_name_strength(p) < COMMON_FREQUENCY}
        if shared:
            score += sum(2 if p in family else 1 for p in shared)
            evidence.append(
                _shared_evidence(shared, family)
                if anonymise
                else "shared name parts: " + ", ".join(sorted(shared))
            )
        if (i, j) in mutual:
            score += 1
            evidence.append("mutual follow")
        if loc[i] and loc[i] == loc[j]:
            score += 1
            evidence.append("same location" if anonymise else f"same location '{loc[i]}'")
        common = inst[i] & inst[j]
        if common:
            score += 1
            evidence.append(
                "same institution named in both bios"
                if anonymise
                else f"same institution '{sorted(common)[0]}'"
            )
        if lab is not None:
            ri, rj = (lab.loc[u.at[k, "user_id"]] for k in (i, j))
            if ri["role"] == rj["role"] and ri["role"] in PROFESSIONAL_ROLES:
                score += 1
                evidence.append("same role" if anonymise else f"same role {ri['role']}")
            if {ri["identity"], rj["identity"]} == {"nominative", "anonymous"}:
                score += 1
                evidence.append("one nominative, one anonymous")
        if _SECOND_ACCOUNT.search(bios[i]) or _SECOND_ACCOUNT.search(bios[j]):
            score += 1
            evidence.append("a bio mentions a second account")
        second = bool(_SECOND_ACCOUNT.search(bios[i]) or _SECOND_ACCOUNT.search(bios[j]))
        complementary = "one nominative, one anonymous" in evidence
        if score >= min_score and (family or second or ((i, j) in mutual and complementary)):
            rows.append(
                {
                    "user_id_a": u.at[i, "user_id"],
                    "username_a": u.at[i, "username"],
                    "user_id_b": u.at[j, "user_id"],
                    "username_b": u.at[j, "username"],
                    "score": score,
                    "likelihood": "likely" if family and score >= 4 else "possible",
                    "evidence": "; ".join(evidence),
                }
            )
    out = pd.DataFrame(rows, columns=list(PAIR_COLUMNS))
    return out.sort_values(
        ["score", "username_a", "username_b"], ascending=[False, True, True], ignore_index=True
    )


def _shared_evidence(shared: set[str], family: set[str]) -> str:
    """Return the kinds of name parts two accounts share, without the parts.

    Examples
    --------
    >>> _shared_evidence({"anne", "fontaine"}, {"fontaine"})
    'shared name parts: 1 family-name-like, 1 first name'
    """
    kinds = []
    if family:
        kinds.append(f"{len(family)} family-name-like")
    if len(shared) - len(family):
        kinds.append(f"{len(shared) - len(family)} first name")
    return "shared name parts: " + ", ".join(kinds)


def pairs_from_tables(
    tables, labels: pd.DataFrame | None = None, min_score: int = 3
) -> pd.DataFrame:
    """Find the likely account pairs of a dataset (:func:`find_pairs`), anonymised tables included.

    On anonymised tables (``load_dataset(..., anonymise=True)``) the pairs were
    found on the real profiles before pseudonymisation: keyed by pseudonymous
    ids and handles, their evidence worded by kind only (``labels`` is not
    needed there: the labels of the real profiles are used).

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`).
    labels : pd.DataFrame, optional
        Account labels (:func:`analysis.accounts.label_users`), for the identity evidence.
    min_score : int
        The lowest evidence score listed.

    Returns
    -------
    pd.DataFrame
        One row per candidate pair (:func:`find_pairs`).

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> len(pairs_from_tables(tiny_tables()))
    0
    """
    if tables.meta.get("anonymised"):
        return tables.derived.pairs(min_score=min_score)
    return find_pairs(tables.users, tables.follows, labels, min_score=min_score)


def describe_pairs(pairs: pd.DataFrame) -> str:
    """Describe the pairs found, in one sentence.

    Parameters
    ----------
    pairs : pd.DataFrame
        :func:`find_pairs`' result.

    Returns
    -------
    str
        How many pairs, by likelihood.
    """
    if pairs.empty:
        return "No likely personal/professional pair of accounts: nothing to show."
    counts = pairs["likelihood"].value_counts()
    return (
        f"{len(pairs)} candidate pair(s) of accounts that one person may run: "
        f"{counts.get('likely', 0)} likely (a shared family-name-like part and more evidence), "
        f"{counts.get('possible', 0)} possible (mutual follow of a nominative and an anonymous "
        "account, or a shared first name). None is merged."
    )
