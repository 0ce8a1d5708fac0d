"""Label accounts: role and identity style, with the reasons and a confidence.

Rule-based and explainable: every label lists the cues that produced it. Role
cues come from the display name, the username and the bio (French and English,
see :mod:`analysis.accounts.cues`); identity style comes from the display name,
checked against a real first-name list (:mod:`analysis.accounts.names`).
Researchers' overrides (a CSV of ``user_id`` or ``username``, ``role``,
``identity``) win over the rules.

The module is long because a label and its reasons are made in one place: the
name reading, the per-profile rules, the overrides and the dataset-level calls
share the cue weights and the wording of the reasons.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from analysis.accounts import cues as C
from analysis.accounts.evaluate import evaluate_against_columns
from analysis.accounts.names import COMMON_FREQUENCY, first_name_strength, fold, words
from analysis.accounts.vocabulary import IDENTITIES, PROFESSIONAL_ROLES, ROLES, LabelsError
from analysis.outputs import check_out_file, write_csv
from analysis.privacy import is_anonymised
from analysis.tables import load_table

#: Columns of :func:`label_users`' result, after ``user_id`` (when the input has one).
LABEL_COLUMNS: tuple[str, ...] = (
    "username",
    "role",
    "identity",
    "confidence",
    "role_confidence",
    "identity_confidence",
    "protected",
    "reasons",
    "source",
)

# weight of a cue by the field it is found in
_FIELD_WEIGHT = {"name": 1.0, "bio": 1.0, "username": 0.7}
# ties between roles go to the more specific one
_SPECIFICITY = {
    r: i
    for i, r in enumerate(
        (
            "intern",
            "midwife",
            "dentist",
            "pharmacist",
            "physiotherapist",
            "nurse",
            "physician",
            "other_hcp",
            "public",
        )
    )
}


@dataclass
class Label:
    """The classifier's answer for one profile."""

    role: str
    identity: str
    role_confidence: float
    identity_confidence: float
    reasons: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """The lower of the role's and the identity's confidence."""
        return round(min(self.role_confidence, self.identity_confidence), 2)


def split_username(username: str) -> str:
    """Return a username as words: underscores, digits and camelCase split.

    Parameters
    ----------
    username : str
        An X handle, without the @.

    Returns
    -------
    str
        Its parts separated by single spaces.

    Examples
    --------
    >>> split_username("DrMarieDurand")
    'Dr Marie Durand'
    >>> split_username("IDELucie_69")
    'IDE Lucie 69'
    """
    return " ".join(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z\u00e0-\u00ff]+|\d+", username or ""))


def _matches(cues: Iterable[C.Cue], fields: dict[str, str]) -> dict[C.Cue, tuple[str, str, float]]:
    """Each cue found -> (field, matched text, weighted score), best field kept."""
    found: dict[C.Cue, tuple[str, str, float]] = {}
    for cue in cues:
        for fname, text in fields.items():
            if not text:
                continue
            m = cue.pattern.search(text)
            if m:
                score = cue.weight * _FIELD_WEIGHT[fname]
                if cue not in found or score > found[cue][2]:
                    found[cue] = (fname, m.group(0).strip(), score)
    return found


def _cue_reason(cue: C.Cue, where: str, text: str, target: str, anonymise: bool = False) -> str:
    """Describe a cue as ``where: kind 'text' -> target``.

    With ``anonymise``, a display name's or a username's text is not quoted (a bio's cue words
    are the classifier's own vocabulary and stay).
    """
    return f"{where}: {cue.kind}{_quote(text, anonymise and where != 'bio')} -> {target}"


@dataclass
class _NameReading:
    identity: str
    confidence: float
    reason: str
    person: bool  # a given and family name was found


@lru_cache(maxsize=65536)
def _is_cue_word(token: str) -> bool:
    f = fold(token)
    if C.NAME_TITLES.match(f.rstrip(".")):
        return True
    pools = (C.ROLE_CUES, C.INSTITUTION_NAME_CUES, C.PSEUDONYM_CUES)
    return any(cue.pattern.search(f) for pool in pools for cue in pool if cue.kind != "emoji")


def _quote(text: str, anonymise: bool) -> str:
    """`` 'text'`` for a reason, or nothing when the reason must not quote the profile."""
    return "" if anonymise else f" '{text}'"


def read_name(name: str, username: str = "", anonymise: bool = False) -> _NameReading:
    """Tell whether a display name is a person's given and family name, a pseudonym, or no name.

    With ``anonymise`` the reason says which kind of name part was found, never
    the part itself (nor its frequency class, which narrows it down).

    Parameters
    ----------
    name : str
        The profile's display name.
    username : str, optional
        The account's handle; a family name also found in it is said in the reason. Empty by default.
    anonymise : bool, default False
        Keep the profile's own words out of the reason.

    Returns
    -------
    _NameReading
        identity (nominative/anonymous...), confidence (0-1), reason and person.

    Examples
    --------
    >>> read_name("Dr Marie Durand").identity, read_name("Dr Tortue").identity
    ('nominative', 'anonymous')
    >>> read_name("MG en pleine campagne").reason
    "name: pseudonym 'en pleine campagne'"
    >>> read_name("Anne Fontaine", anonymise=True).reason
    'name: first name (name list) and family name'
    """
    q = lambda text: _quote(text, anonymise)  # noqa: E731
    folded = fold(name)
    for cue in C.PSEUDONYM_CUES:
        m = cue.pattern.search(folded)
        if m:
            return _NameReading("anonymous", 0.9, f"name: pseudonym{q(m.group(0))}", False)
    tokens = words(name)
    if not tokens:
        what = "no name at all" if not (name or "").strip() else "a name without letters"
        return _NameReading("anonymous", 0.8, f"name: {what}", False)
    title = [t for t in tokens if C.NAME_TITLES.match(fold(t).rstrip("."))]
    rest = [t for t in tokens if t not in title and fold(t) not in C.PARTICLES]
    cue_words = [t for t in rest if _is_cue_word(t)]
    rest = [t for t in rest if t not in cue_words]
    # a first name is capitalised (unless the whole name is in one case)
    one_case = name.islower() or name.isupper()
    given = [
        (t, first_name_strength(t)) for t in rest if len(t) > 1 and (t[0].isupper() or one_case)
    ]
    given = [(t, s) for t, s in given if s > 0]
    if given:
        common = [ts for ts in given if ts[1] >= COMMON_FREQUENCY]
        first, strength = common[0] if common else max(given, key=lambda ts: ts[1])
        family = [
            t for t in rest if t != first and len(t) > 1 and (t[0].isupper() or name.islower())
        ]
        if family:
            conf = 0.8 if strength >= COMMON_FREQUENCY else 0.65
            handle = fold(username)
            if handle and any(fold(t).replace(" ", "") in handle for t in family):
                conf += 0.1
            listed = "name list" if anonymise else f"name list, frequency {strength}/13"
            why = f"name: first name{q(first)} ({listed}) and family name{q(family[0])}"
            if handle and conf > 0.8:
                why += " also in the username"
            return _NameReading("nominative", round(min(conf, 0.95), 2), why, True)
        if title or cue_words:
            label = "title" if title else "profession word"
            return _NameReading(
                "anonymous",
                0.8,
                f"name: {label}{q((title or cue_words)[0])} with a first name"
                f"{q(first)} but no family name",
                False,
            )
        return _NameReading(
            "anonymous", 0.6, f"name: first name{q(first)} alone, no family name", False
        )
    initials = [t for t in tokens if len(t) == 1 and t.isupper()]
    if initials and rest and not title:
        return _NameReading(
            "nominative",
            0.55,
            f"name: initial{q(initials[0] + '.')} and family name{q(rest[0])}",
            True,
        )
    if title and rest:
        return _NameReading(
            "anonymous", 0.85, f"name: title{q(title[0])} with a non-name{q(' '.join(rest))}", False
        )
    if rest:
        return _NameReading(
            "anonymous",
            0.6,
            f"name: no known first name in{q(' '.join(rest))}"
            if not anonymise
            else "name: no known first name",
            False,
        )
    return _NameReading(
        "anonymous",
        0.85,
        f"name: only titles or profession words{q(' '.join(title + cue_words))}",
        False,
    )


def classify_profile(
    username: str = "",
    name: str = "",
    description: str = "",
    protected: bool | None = None,
    anonymise: bool = False,
) -> Label:
    """Label one profile with a role and an identity style, with reasons and confidences.

    Parameters
    ----------
    username : str
        The handle, without ``@``.
    name : str
        The display name.
    description : str
        The bio.
    protected : bool, optional
        Whether the account is protected (kept on the label).
    anonymise : bool
        Reasons that quote no part of the display name or the username
        (``name: first name (name list) and family name``); the labels are the same.

    Returns
    -------
    Label
        The role, the identity style, their confidences and the reasons.

    Examples
    --------
    >>> lab = classify_profile("DrMarieDurand", "Dr Marie Durand", "Médecin généraliste à Lyon")
    >>> lab.role, lab.identity
    ('physician', 'nominative')
    >>> classify_profile("Dr_Tortue", "Tortue masqué", "").identity
    'anonymous'
    >>> classify_profile("CHU_Nimes", "CHU de Nîmes", "Compte officiel").role
    'institution'
    """
    username, name, description = (
        str(x) if isinstance(x, str) else "" for x in (username, name, description)
    )
    fields = {
        "name": fold(name),
        "bio": fold(description),
        "username": fold(split_username(username)),
    }
    reasons: list[str] = []
    reading = read_name(name, username, anonymise=anonymise)

    def _reason(cue: C.Cue, where: str, text: str, target: str) -> str:
        return _cue_reason(cue, where, text, target, anonymise)

    # 1. fan accounts and bands: never a professional, whatever title they use
    context = _matches(C.FAN_CUES + C.BAND_CUES, {"bio": fields["bio"], "name": fields["name"]})
    if context:
        cue, (where, text, _) = max(context.items(), key=lambda kv: kv[1][2])
        band = cue in C.BAND_CUES
        reasons.append(_reason(cue, where, text, "public"))
        identity = "institutional" if band else "anonymous"
        reasons.append(f"{cue.kind}: identity {identity}" + (" (an organisation)" if band else ""))
        return _finish(Label("public", identity, 0.85, 0.7, reasons), protected)

    # 2. institutions: an institutional word in the name, or an organisation's self-description
    inst = _matches(
        C.INSTITUTION_NAME_CUES, {"name": fields["name"], "username": fields["username"]}
    )
    inst |= _matches(C.INSTITUTION_BIO_CUES, {"bio": fields["bio"]})
    inst_score = sum(s for _, _, s in inst.values())
    found = _matches(C.ROLE_CUES, fields)
    academic = _matches(C.ACADEMIC_CUES, {"name": fields["name"], "bio": fields["bio"]})
    if academic:  # "Dr" from a PhD says nothing of a medical role
        for cue in [c for c in found if c.kind == "title" and c.weight <= 2]:
            del found[cue]
        cue, (where, text, _) = next(iter(academic.items()))
        shown = _quote(text, anonymise and where != "bio")
        reasons.append(f"{where}: academic title{shown}: a lone Dr or Pr is not a medical cue")
    scores: dict[str, float] = {}
    for cue, (_, _, s) in found.items():
        scores[cue.role] = scores.get(cue.role, 0.0) + s
    pro = max((s for r, s in scores.items() if r in PROFESSIONAL_ROLES), default=0.0)
    if inst_score >= 4 and not (reading.person and pro >= 3):
        for cue, (where, text, _) in sorted(inst.items(), key=lambda kv: -kv[1][2]):
            reasons.append(_reason(cue, where, text, "institution"))
        conf = inst_score / (inst_score + pro + 1)
        reasons.append("identity institutional: an institution's account")
        return _finish(
            Label("institution", "institutional", round(conf, 2), round(conf, 2), reasons),
            protected,
        )

    # 3. the role with the highest score; ties go to the more specific role
    for cue, (where, text, _) in sorted(found.items(), key=lambda kv: (-kv[1][2], kv[0].role)):
        reasons.append(_reason(cue, where, text, cue.role))
    if scores:
        ranked = sorted(scores.items(), key=lambda rs: (-rs[1], _SPECIFICITY.get(rs[0], 99)))
        role, top = ranked[0]
        if role == "public" and pro >= top:  # a profession beats 'patient' on a tie
            role = next(r for r, s in ranked if r in PROFESSIONAL_ROLES and s == pro)
            top = pro
        second = max((s for r, s in scores.items() if r != role), default=0.0)
        role_conf = top / (top + second + 1)
    elif words(name) or words(description):
        role, role_conf = "public", 0.4
        reasons.append(
            "no health-professional or institutional cue in a readable profile -> public"
        )
    else:
        role, role_conf = "unknown", 0.3
        reasons.append("nothing readable in the name or bio -> unknown")

    # 4. identity style from the display name (and the bio's word for it)
    reasons.append(f"{reading.reason} -> {reading.identity}")
    identity, id_conf = reading.identity, reading.confidence
    anon_bio = _matches(C.ANONYMOUS_BIO_CUES, {"bio": fields["bio"]})
    if anon_bio:
        cue, (where, text, _) = next(iter(anon_bio.items()))
        reasons.append(_reason(cue, where, text, "anonymous"))
        if identity == "anonymous":
            id_conf = min(0.95, id_conf + 0.1)
        elif id_conf < 0.7:
            identity, id_conf = "anonymous", 0.6
    return _finish(
        Label(role, identity, round(role_conf, 2), round(id_conf, 2), reasons), protected
    )


def _finish(label: Label, protected: bool | None) -> Label:
    if protected is True:
        label.reasons.append("protected account (tweets visible to approved followers only)")
    return label


def _as_bool(values: pd.Series) -> pd.Series:
    if values.dtype == bool or str(values.dtype) == "boolean":
        return values.astype("boolean")
    text = values.astype("string").str.strip().str.lower()
    out = text.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False})
    return out.astype("boolean")


def label_users(
    users: pd.DataFrame,
    overrides: pd.DataFrame | str | os.PathLike | None = None,
    anonymise: bool = False,
) -> pd.DataFrame:
    """Role, identity style, confidence and reasons for every account of a users table.

    The labels read the real display names and bios: a pseudonymised users
    table (from ``load_dataset(..., anonymise=True)``) is refused with a
    :class:`LabelsError`; :func:`labels_from_tables` gives its labels, computed
    before pseudonymisation. ``anonymise`` words the reasons without quoting
    any display name or username part (see :func:`classify_profile`).

    Parameters
    ----------
    users
        A frame with ``username`` and, when known, ``user_id``, ``name``,
        ``description`` and ``protected`` (``tables.users`` or a profiles CSV).
    overrides
        Researchers' labels (a frame or a CSV path with ``user_id`` or
        ``username``, and ``role`` and/or ``identity``); they win.

    Returns
    -------
    One row per input row, in the input's order: ``user_id`` (when the input
    has one), ``username`` as given, ``role``, ``identity``, ``confidence``
    (the lower of ``role_confidence`` and ``identity_confidence``),
    ``protected``, ``reasons`` ("; "-joined) and ``source`` (``rules`` or
    ``override``).

    Examples
    --------
    >>> users = pd.DataFrame({"username": ["IDE_Lucie", "ARS_Bretagne"],
    ...                       "name": ["Lucie Martin", "ARS Bretagne"],
    ...                       "description": ["Infirmière libérale", "Agence régionale de santé"]})
    >>> label_users(users)[["username", "role", "identity"]].values.tolist()
    [['IDE_Lucie', 'nurse', 'nominative'], ['ARS_Bretagne', 'institution', 'institutional']]
    """
    _refuse_pseudonymised(users, "labels")
    if "username" not in users.columns:
        raise LabelsError(
            f"the profiles have no 'username' column (columns: {', '.join(map(str, users.columns))}); "
            "add one (name and description are optional but needed for good labels)."
        )
    get = {
        c: (users[c] if c in users.columns else pd.Series([""] * len(users), index=users.index))
        for c in ("username", "name", "description")
    }
    protected = (
        _as_bool(users["protected"])
        if "protected" in users.columns
        else pd.Series(pd.NA, index=users.index, dtype="boolean")
    )
    rows = []
    for u, n, d, p in zip(get["username"], get["name"], get["description"], protected, strict=True):
        lab = classify_profile(
            u, n, d, protected=None if pd.isna(p) else bool(p), anonymise=anonymise
        )
        rows.append(
            {
                "role": lab.role,
                "identity": lab.identity,
                "confidence": lab.confidence,
                "role_confidence": lab.role_confidence,
                "identity_confidence": lab.identity_confidence,
                "reasons": "; ".join(lab.reasons),
                "source": "rules",
            }
        )
    out = pd.DataFrame(
        rows,
        index=users.index,
        columns=[c for c in LABEL_COLUMNS if c not in ("username", "protected")],
    )
    out.insert(0, "username", users["username"])
    out.insert(out.columns.get_loc("reasons"), "protected", protected)
    if "user_id" in users.columns:
        out.insert(0, "user_id", users["user_id"])
    out = out.reset_index(drop=True)
    if overrides is not None:
        out = apply_overrides(out, overrides)
    return out


def _refuse_pseudonymised(users: pd.DataFrame, what: str) -> None:
    if is_anonymised(users):
        raise LabelsError(
            f"these profiles are pseudonymised, so {what} read from them would be wrong; use "
            f"{'labels_from_tables' if what == 'labels' else 'pairs_from_tables'}(tables), "
            "computed from the real profiles before pseudonymisation."
        )


def labels_from_tables(
    tables, overrides: pd.DataFrame | str | os.PathLike | None = None
) -> pd.DataFrame:
    """Label a dataset's accounts (:func:`label_users`), anonymised tables included.

    On anonymised tables (``load_dataset(..., anonymise=True)``) the labels were
    computed from the real profiles before pseudonymisation: keyed by
    pseudonymous ids and handles, with reasons that quote no name or handle.
    Overrides name real accounts, so they apply to real tables only.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`).
    overrides : pd.DataFrame or path, optional
        Researchers' labels (``user_id`` or ``username``, ``role``, ``identity``), which win.

    Returns
    -------
    pd.DataFrame
        One row per account: ``user_id`` and :data:`LABEL_COLUMNS`.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> labels_from_tables(tiny_tables())["identity"].tolist()
    ['anonymous', 'anonymous', 'anonymous']
    """
    if tables.meta.get("anonymised"):
        if overrides is not None:
            raise LabelsError(
                "overrides name real accounts and cannot apply to pseudonymised tables; label "
                "the real tables (anonymise=False) with the overrides, then publish aggregates."
            )
        return tables.derived.labels()
    return label_users(tables.users, overrides=overrides)


def _read_csv(path: str | os.PathLike, what: str, hint: str) -> pd.DataFrame:
    """Return a CSV as strings (BOM tolerated, blanks kept as ''), or a one-line :class:`LabelsError`."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelsError(f"no {what} file at {path}; check the path.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise LabelsError(f"cannot read the {what} CSV {path} ({exc}); {hint}") from None
    return frame.rename(columns=lambda c: str(c).strip())


def load_overrides(path: str | os.PathLike) -> pd.DataFrame:
    """Read and check an overrides CSV (``user_id`` or ``username``; ``role``, ``identity``).

    Parameters
    ----------
    path : str or os.PathLike
        UTF-8 CSV file of overrides.

    Returns
    -------
    pandas.DataFrame
        The overrides, checked by :func:`check_overrides`.

    Raises
    ------
    LabelsError
        If the file cannot be read or its columns or values are not usable.
    """
    frame = _read_csv(
        path, "overrides", "save it as UTF-8 CSV (user_id or username, role, identity)."
    )
    return check_overrides(frame, str(path))


def check_overrides(frame: pd.DataFrame, where: str = "the overrides") -> pd.DataFrame:
    """Raise :class:`LabelsError` unless an overrides frame is usable; return it cleaned.

    Parameters
    ----------
    frame : pandas.DataFrame
        Overrides with user_id or username and role and/or identity.
    where : str, default "the overrides"
        Name of the source (e.g. the file path), said in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with stripped column names, role and identity as text ("" where blank).

    Raises
    ------
    LabelsError
        If a key or label column is missing, or a role or identity is not in the vocabulary.
    """
    frame = frame.rename(columns=lambda c: str(c).strip())
    if not {"user_id", "username"} & set(frame.columns):
        raise LabelsError(f"{where} needs a 'user_id' or 'username' column; add one.")
    if not {"role", "identity"} & set(frame.columns):
        raise LabelsError(f"{where} needs a 'role' or 'identity' column; add one.")
    frame = frame.copy()
    for col, vocab in (("role", ROLES), ("identity", IDENTITIES)):
        if col not in frame.columns:
            frame[col] = ""
        frame[col] = frame[col].fillna("").astype(str).str.strip()
        bad = sorted(set(frame[col]) - set(vocab) - {""})
        if bad:
            raise LabelsError(
                f"{where} has unknown {col} value(s) {bad}; use one of {list(vocab)}."
            )
    return frame


def apply_overrides(
    labels: pd.DataFrame, overrides: pd.DataFrame | str | os.PathLike
) -> pd.DataFrame:
    """Labels with researchers' overrides applied (matched on ``user_id``, else ``username``).

    A blank role or identity in the overrides keeps the rules' label; the row's
    confidence becomes 1 and its reasons say what was overridden.

    Parameters
    ----------
    labels : pandas.DataFrame
        Labels from :func:`label_users`.
    overrides : pandas.DataFrame or str or os.PathLike
        The overrides, as a frame or the path of their CSV (:func:`load_overrides`).

    Returns
    -------
    pandas.DataFrame
        The labels with overridden rows changed; source is override on those rows.

    Examples
    --------
    >>> labels = label_users(pd.DataFrame({"username": ["x"], "name": ["Dr Tortue"]}))
    >>> fixed = apply_overrides(labels, pd.DataFrame({"username": ["X"], "role": ["nurse"]}))
    >>> fixed[["role", "source"]].values.tolist()
    [['nurse', 'override']]
    """
    if not isinstance(overrides, pd.DataFrame):
        overrides = load_overrides(overrides)
    else:
        overrides = check_overrides(overrides)
    out = labels.copy()
    by_id, by_name = {}, {}
    for row in overrides.to_dict("records"):
        uid, uname = str(row.get("user_id", "") or "").strip(), str(row.get("username", "") or "")
        if uid:
            by_id[uid] = row
        elif uname.strip():
            by_name[uname.strip().lstrip("@").casefold()] = row
    ids = out["user_id"].astype("string") if "user_id" in out.columns else None
    names = out["username"].astype("string").str.lstrip("@").str.casefold()
    for i in range(len(out)):
        row = by_id.get(str(ids.iloc[i])) if ids is not None and pd.notna(ids.iloc[i]) else None
        if row is None and pd.notna(names.iloc[i]):
            row = by_name.get(names.iloc[i])
        if row is None:
            continue
        notes = []
        for col in ("role", "identity"):
            new = row[col]
            if new and new != out.at[i, col]:
                notes.append(f"{col} {out.at[i, col]} -> {new}")
                out.at[i, col] = new
        for col in ("confidence", "role_confidence", "identity_confidence"):
            out.at[i, col] = 1.0
        out.at[i, "source"] = "override"
        note = "override by researcher: " + (", ".join(notes) if notes else "labels confirmed")
        out.at[i, "reasons"] = f"{note}; rules said: {out.at[i, 'reasons']}"
    return out


def load_profiles(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV of profiles (``username``, ``name``, ``description``; optional ``protected``...).

    Parameters
    ----------
    path : str or os.PathLike
        UTF-8 CSV file with a header row.

    Returns
    -------
    pandas.DataFrame
        One row per profile, columns as in the file.

    Raises
    ------
    LabelsError
        If the file cannot be read or has no username column.
    """
    frame = _read_csv(
        path, "profiles", "save it as UTF-8 CSV with a header row (username,name,description)."
    )
    if "username" not in frame.columns:
        raise LabelsError(
            f"{path} has no 'username' column (columns: {', '.join(frame.columns)}); "
            "add a header row with username,name,description."
        )
    return frame


def save_labels(
    labels: pd.DataFrame, path: str | os.PathLike | None, raw_csv: bool = False
) -> None:
    """Write labels as CSV to ``path`` (atomically), or to standard output when ``path`` is None.

    The file's folder must exist (see :func:`analysis.outputs.write_atomic`).
    Through :func:`analysis.outputs.write_csv`: a cell a spreadsheet would run as
    a formula (a name or description starting with ``=``, ``+``, ``-``, ``@``...)
    gets a leading ``'``, unless ``raw_csv``.

    Parameters
    ----------
    labels : pandas.DataFrame
        Labels to write, e.g. from :func:`label_users`.
    path : str or os.PathLike or None
        CSV file to write; None prints to standard output.
    raw_csv : bool, default False
        Write cells as they are, without the leading ' guard.
    """
    write_csv(labels, None if path is None or str(path) == "-" else path, raw=raw_csv)


def classify_file(
    profiles: str | os.PathLike,
    out: str | os.PathLike | None = None,
    overrides: str | os.PathLike | None = None,
    evaluate: bool = False,
    raw_csv: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Label a CSV of profiles and write the labels (``medtwitter accounts classify``).

    The output keeps the input's ``username`` (and ``user_id`` if any) and adds
    ``role``, ``identity``, ``confidence``, ``reasons``...; ``out=None`` writes
    to standard output. With ``evaluate``, the CSV's own ``role`` and
    ``identity`` columns are hand labels, and the evaluation against them is
    returned too (``(labels, result)``). ``raw_csv``: see :func:`save_labels`.

    Parameters
    ----------
    profiles : str or os.PathLike
        CSV of profiles (see :func:`load_profiles`).
    out : str or os.PathLike or None, optional
        CSV file for the labels; None writes to standard output.
    overrides : str or os.PathLike or None, optional
        CSV of researchers' overrides applied to the labels; None applies none.
    evaluate : bool, default False
        Evaluate the labels against the profiles' own role and identity columns.
    raw_csv : bool, default False
        Write cells as they are, without the spreadsheet-formula guard.

    Returns
    -------
    pandas.DataFrame or tuple of (pandas.DataFrame, dict)
        The labels, or with evaluate the labels and the evaluation result.
    """
    if out is not None and str(out) != "-":
        check_out_file(out)  # before the work, not after it
    frame = load_profiles(profiles)
    labels = label_users(
        frame.drop(columns=["role", "identity"], errors="ignore"), overrides=overrides
    )
    result = None
    if evaluate:
        result = evaluate_against_columns(labels, frame)
    save_labels(labels, out, raw_csv=raw_csv)
    return (labels, result) if evaluate else labels


def label_dataset(dataset: str, overrides: str | os.PathLike | None = None) -> pd.DataFrame:
    """Labels of a processed dataset's users (``medtwitter accounts DATASET``).

    Parameters
    ----------
    dataset : str
        The processed dataset's name.
    overrides : str or os.PathLike or None, optional
        CSV of researchers' overrides applied to the labels; None applies none.

    Returns
    -------
    pandas.DataFrame
        One row of labels per account of the users table.
    """
    return label_users(load_table(dataset, "users"), overrides=overrides)


def label_counts(labels: pd.DataFrame) -> pd.DataFrame:
    """Count accounts per role (rows, vocabulary order) and identity style (columns), with totals.

    Parameters
    ----------
    labels : pd.DataFrame
        Account labels with ``role`` and ``identity``.

    Returns
    -------
    pd.DataFrame
        The counts, with a ``total`` row and column.

    Examples
    --------
    >>> labels = pd.DataFrame({"role": ["nurse", "nurse"], "identity": ["anonymous", "nominative"]})
    >>> label_counts(labels).loc["nurse", "total"]
    np.int64(2)
    """
    table = pd.crosstab(labels["role"], labels["identity"])
    table = table.reindex(
        index=[r for r in ROLES if r in table.index],
        columns=[i for i in IDENTITIES if i in table.columns],
    )
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum()
    return table


def example_labels(
    labels: pd.DataFrame, per_identity: int = 3, anonymise: bool = False
) -> pd.DataFrame:
    """Return a few labelled accounts of each identity style, highest confidence first.

    Parameters
    ----------
    labels : pd.DataFrame
        Account labels (:func:`label_users`).
    per_identity : int
        How many accounts of each identity style.
    anonymise : bool
        Leave usernames and ids out.

    Returns
    -------
    pd.DataFrame
        Columns ``username`` (unless ``anonymise``), ``role``, ``identity``, ``confidence``,
        ``reasons``.
    """
    cols = ["username", "role", "identity", "confidence", "reasons"]
    rows = (
        labels.sort_values(["identity", "confidence", "username"], ascending=[True, False, True])
        .groupby("identity", sort=False)
        .head(per_identity)
    )
    rows = rows[[c for c in cols if not (anonymise and c == "username")]]
    return rows.reset_index(drop=True)
