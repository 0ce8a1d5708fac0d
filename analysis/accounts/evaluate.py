"""How good are the labels? Precision, recall, F1 per class and confusion matrices.

Compared against a ground truth: the demo community's planted labels
(``ground_truth.json``) or a hand-labelled CSV of profiles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.accounts.vocabulary import IDENTITIES, ROLES, LabelsError
from analysis.errors import UnknownDatasetError
from analysis.ground_truth import load_ground_truth
from analysis.privacy import match_pseudonyms

if TYPE_CHECKING:
    from analysis.tables import Tables


def classification_report(
    truth: pd.Series, predicted: pd.Series, labels: list[str] | None = None
) -> pd.DataFrame:
    """Precision, recall, F1 and support per class, plus ``macro avg`` and ``accuracy`` rows.

    Classes are those of ``labels`` (default: every class seen in the truth or
    the predictions). A class never predicted has precision 0; the macro
    average is the unweighted mean over classes present in the truth.

    Parameters
    ----------
    truth : pandas.Series
        True class per account.
    predicted : pandas.Series
        Predicted class per account, aligned with truth.
    labels : list of str or None, optional
        Classes to report, in this order; None takes every class seen.

    Returns
    -------
    pandas.DataFrame
        Rows per class, macro avg and accuracy; columns precision, recall, f1, support.

    Examples
    --------
    >>> t = pd.Series(["a", "a", "b", "b"]); p = pd.Series(["a", "b", "b", "b"])
    >>> classification_report(t, p).round(2).loc["macro avg", "f1"]
    np.float64(0.73)
    """
    truth = truth.astype(str).reset_index(drop=True)
    predicted = predicted.astype(str).reset_index(drop=True)
    classes = labels or sorted(set(truth) | set(predicted))
    rows = []
    for c in classes:
        tp = int(((predicted == c) & (truth == c)).sum())
        n_pred, n_true = int((predicted == c).sum()), int((truth == c).sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {"class": c, "precision": precision, "recall": recall, "f1": f1, "support": n_true}
        )
    out = pd.DataFrame(rows).set_index("class")
    present = out[out["support"] > 0]
    out.loc["macro avg"] = [
        *present[["precision", "recall", "f1"]].mean().tolist(),
        int(present["support"].sum()),
    ]
    out.loc["accuracy"] = [
        float("nan"),
        float("nan"),
        float((truth == predicted).mean()),
        len(truth),
    ]
    out["support"] = out["support"].astype(int)
    return out


def confusion_matrix(
    truth: pd.Series, predicted: pd.Series, labels: list[str] | None = None
) -> pd.DataFrame:
    """Count true class (rows) by predicted class (columns), every class on both axes.

    Parameters
    ----------
    truth : pandas.Series
        True class per account.
    predicted : pandas.Series
        Predicted class per account, aligned with truth.
    labels : list of str or None, optional
        Classes on the axes, in this order; None takes every class seen.

    Returns
    -------
    pandas.DataFrame
        Counts, true classes as rows and predicted ones as columns.

    Examples
    --------
    >>> confusion_matrix(pd.Series(["a", "b"]), pd.Series(["a", "a"])).values.tolist()
    [[1, 0], [1, 0]]
    """
    truth = truth.astype(str).reset_index(drop=True)
    predicted = predicted.astype(str).reset_index(drop=True)
    classes = labels or sorted(set(truth) | set(predicted))
    cm = pd.crosstab(truth, predicted).reindex(index=classes, columns=classes, fill_value=0)
    cm.index.name, cm.columns.name = "true", "predicted"
    return cm.astype(int)


def truth_frame(ground_truth: dict) -> pd.DataFrame:
    """Return the ground truth's accounts as a frame with int64 ``user_id``.

    Parameters
    ----------
    ground_truth : dict
        A demo's ground_truth.json content, with an accounts list.

    Returns
    -------
    pandas.DataFrame
        One row per account (user_id, role, identity...).
    """
    frame = pd.DataFrame(ground_truth["accounts"])
    frame["user_id"] = frame["user_id"].astype("int64")
    return frame


def evaluate_labels(labels: pd.DataFrame, truth: pd.DataFrame, key: str = "user_id") -> dict:
    """Per-class reports and confusion matrices for ``role`` and ``identity``.

    ``labels`` is :func:`~analysis.accounts.label_users`' result, ``truth`` a
    frame with ``key``, ``role`` and ``identity`` (e.g. :func:`truth_frame`).
    Returns ``{"role": {"report": ..., "confusion": ...}, "identity": {...},
    "n": rows compared}``.

    Parameters
    ----------
    labels : pandas.DataFrame
        Predicted labels.
    truth : pandas.DataFrame
        True labels.
    key : str, default "user_id"
        Column matching the two frames (e.g. "username").

    Returns
    -------
    dict
        Reports and confusion matrices per column, and n.
    """
    merged = labels.merge(truth[[key, "role", "identity"]], on=key, suffixes=("", "_true"))
    out: dict = {"n": len(merged)}
    for col, vocab in (("role", ROLES), ("identity", IDENTITIES)):
        seen = set(merged[f"{col}_true"]) | set(merged[col])
        classes = [c for c in vocab if c in seen] + sorted(seen - set(vocab))
        out[col] = {
            "report": classification_report(merged[f"{col}_true"], merged[col], classes),
            "confusion": confusion_matrix(merged[f"{col}_true"], merged[col], classes),
        }
    return out


def describe_evaluation(result: dict, what: str = "the ground truth") -> str:
    """Describe an evaluation: macro-F1, accuracy and the weakest class, per label kind.

    Parameters
    ----------
    result : dict
        The evaluation (:func:`evaluate_labels`).
    what : str
        What the labels were compared against, as the sentence names it.

    Returns
    -------
    str
        One sentence.
    """
    parts = []
    for col in ("role", "identity"):
        rep = result[col]["report"]
        per = rep.drop(index=["macro avg", "accuracy"])
        per = per[per["support"] > 0]
        worst = per["f1"].idxmin() if len(per) else "-"
        parts.append(
            f"{col}: macro-F1 {rep.loc['macro avg', 'f1']:.2f}, accuracy "
            f"{rep.loc['accuracy', 'f1']:.2f} (weakest class: {worst}, F1 {per['f1'].min():.2f})"
        )
    return f"Against {what} ({result['n']} accounts) — " + "; ".join(parts) + "."


def format_evaluation(result: dict, what: str = "the ground truth") -> str:
    """Return the evaluation as text: a sentence, then per-class tables and confusion matrices.

    Parameters
    ----------
    result : dict
        Result of :func:`evaluate_labels`.
    what : str, default "the ground truth"
        What the labels were compared with, said in the first sentence.

    Returns
    -------
    str
        Multi-line text for the terminal.
    """
    blocks = [describe_evaluation(result, what)]
    for col in ("role", "identity"):
        blocks.append(f"\n{col}: precision, recall and F1 per class")
        blocks.append(result[col]["report"].round(3).to_string())
        blocks.append(f"\n{col}: confusion matrix (rows: true, columns: predicted)")
        blocks.append(result[col]["confusion"].to_string())
    return "\n".join(blocks)


def evaluate_dataset(dataset: str, labels: pd.DataFrame, tables: Tables | None = None) -> dict:
    """Evaluate ``labels`` of a demo dataset against its ``ground_truth.json``.

    ``tables``: the tables the labels come from; anonymised, the ground truth's
    ids are pseudonymised like them (:func:`analysis.privacy.match_pseudonyms`).

    Parameters
    ----------
    dataset : str
        A demo dataset's name (it has a ground_truth.json).
    labels : pandas.DataFrame
        Labels of its accounts.
    tables : Tables or None, optional
        Tables the labels were made from, to pseudonymise the truth's ids like them; None compares raw ids.

    Returns
    -------
    dict
        As :func:`evaluate_labels`.
    """
    frame = truth_frame(load_ground_truth(dataset))
    if tables is not None:
        frame = match_pseudonyms(frame, tables)
    return evaluate_labels(labels, frame)


def evaluate_if_possible(
    dataset: str,
    labels: pd.DataFrame | None,
    pairs: pd.DataFrame | None = None,
    tables: Tables | None = None,
) -> dict | pd.DataFrame | None:
    """Evaluate labels (or, given ``pairs``, pairs) of a dataset that has a ground truth.

    Given the ``tables`` the labels come from, anonymised ones included, the
    ground truth's ids are pseudonymised like them
    (:func:`analysis.privacy.match_pseudonyms`), so the scores are the same.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    labels : pd.DataFrame
        Account labels (:func:`analysis.accounts.label_users`).
    pairs : pd.DataFrame, optional
        Candidate pairs (:func:`analysis.accounts.find_pairs`): evaluate them instead.
    tables : Tables, optional
        The tables the labels come from.

    Returns
    -------
    dict or pd.DataFrame or None
        :func:`evaluate_labels`' result, :func:`pair_recovery`'s table given ``pairs``, or
        ``None`` when the dataset has no ground truth (collected data).
    """
    try:
        truth = load_ground_truth(dataset)
    except UnknownDatasetError:
        return None
    frame = truth_frame(truth)
    if tables is not None:
        frame = match_pseudonyms(frame, tables)
    if pairs is not None:
        return pair_recovery(pairs, frame)
    return evaluate_labels(labels, frame)


def evaluate_against_columns(labels: pd.DataFrame, profiles: pd.DataFrame) -> dict:
    """Evaluate labels against hand labels carried by the profiles themselves.

    ``profiles`` is the labelled input (a CSV with ``username`` and the
    researcher's ``role`` and ``identity`` columns); rows are matched in order.

    Parameters
    ----------
    labels : pandas.DataFrame
        Labels made from profiles, in the same row order.
    profiles : pandas.DataFrame
        The profiles with hand-made role and identity columns.

    Returns
    -------
    dict
        As :func:`evaluate_labels`.
    """
    missing = {"role", "identity"} - set(profiles.columns)
    if missing:
        raise LabelsError(
            f"--evaluate needs hand labels in the profiles CSV: add the column(s) "
            f"{sorted(missing)} (a role and an identity per row)."
        )
    truth = profiles[["role", "identity"]].reset_index(drop=True).assign(row=lambda f: f.index)
    return evaluate_labels(
        labels.reset_index(drop=True).assign(row=lambda f: f.index), truth, key="row"
    )


def pair_recovery(pairs: pd.DataFrame, ground_truth: dict | pd.DataFrame) -> pd.DataFrame:
    """How many of the demo's planted account pairs each likelihood level lists, and its precision.

    ``ground_truth`` is the demo's ground truth, or its accounts as a frame
    (:func:`truth_frame`). Returns one row per level (``likely``, ``possible``,
    ``all``): pairs listed, planted pairs among them, precision and recall.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Candidate pairs (``user_id_a``, ``user_id_b``, ``likelihood``) from :func:`analysis.accounts.find_pairs`.
    ground_truth : dict or pandas.DataFrame
        The demo's ground truth or its accounts frame.

    Returns
    -------
    pandas.DataFrame
        ``level``, ``listed``, ``planted_found``, ``planted``, ``precision``, ``recall``.
    """
    frame = ground_truth if isinstance(ground_truth, pd.DataFrame) else truth_frame(ground_truth)
    truth = frame.dropna(subset=["pair_id"])
    planted = {tuple(sorted(g)) for g in truth.groupby("pair_id")["user_id"].apply(list)}
    rows = []
    for level in ("likely", "possible", "all"):
        sub = pairs if level == "all" else pairs[pairs["likelihood"] == level]
        listed = {tuple(sorted(p)) for p in zip(sub["user_id_a"], sub["user_id_b"], strict=True)}
        hit = len(listed & planted)
        rows.append(
            {
                "level": level,
                "listed": len(listed),
                "planted_found": hit,
                "planted": len(planted),
                "precision": hit / len(listed) if listed else float("nan"),
                "recall": hit / len(planted) if planted else float("nan"),
            }
        )
    return pd.DataFrame(rows)
