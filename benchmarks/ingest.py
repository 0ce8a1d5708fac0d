"""Ingest benchmark: our ingest vs the orjson parse-only floor vs twarc-csv, side by side.

Generates realistic X API v2 search pages as twarc2 writes them (synthetic: 100
tweets a page with ``includes.users``/``includes.tweets``, hashtags, mentions,
retweets, quotes, replies, French text with accents and emoji), then times, each
as a whole separate process (start-up included), on the same file:

* ``ingest``: ``analysis.ingest.ingest_files`` writing every table (Delta Lake tables);
* ``floor``: a process that only reads the file and parses every line with orjson;
* ``twarc-csv``: ``twarc2 csv`` converting the file to CSV, in its own virtual
  environment under ``benchmarks/out/`` (created on first use: it needs pandas < 3);
* ``append``, at every size: adding a file of 10,000 tweets to the dataset, against
  ingesting that file alone into an empty dataset, to show append cost follows the
  new file, not the dataset; twice: new tweets and accounts, then the size's own
  last pages again (every tweet and account already in the dataset: re-observations
  that replace rows);
* ``load``: ``analysis.tables.load_table(..., 'tweets')`` of the largest dataset,
  against the same call of "today's" code (commit 3318314, the Parquet-parts layout,
  checked out as a git worktree under ``benchmarks/out/``) on a dataset that code
  ingested from the same file; both with this venv's python.

It prints tweets per second, ratios, peak RSS and PASS/FAIL per target::

    .venv/bin/python benchmarks/ingest.py --sizes 100000 1000000

Generated files (and the worktree of the old code) go to ``benchmarks/out/``
(git-ignored) and are deleted at the end unless ``--keep``. Timings on a shared
machine are noisy: run it once, idle.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PAGE_TWEETS = 100
TWEETS_PER_S_TARGET = 100_000
TWARC_RATIO_TARGET = 20.0
RSS_TARGET_MB = 1536
#: Tweets of the appended files (fewer for a dataset under twice that: a tenth of it).
APPEND_TWEETS = 10_000
#: Append cost at most this many times the same file ingested alone: new tweets, re-observed.
APPEND_RATIO_TARGETS = {"new": 1.5, "seen": 3.0}
#: Each append ratio at the largest size at most this many times itself at the smallest.
APPEND_GROWTH_TARGET = 1.5
#: "Today's" code for the load_table comparison: the last commit of the Parquet-parts layout.
OLD_COMMIT = "3318314"
OLD_CODE = OUT / "old-code"
#: load_table may take up to 10% longer than today's code: the noise allowance of a shared
#: 2-core machine (the README's runs of nearly the same ingest code varied by about 10%).
#: To keep single slow runs from deciding, each side is timed LOAD_RUNS times, alternating
#: old and new (a change in the machine's load hits both), and the best runs are compared
#: (noise only ever adds time). On a busy machine single runs still varied up to 2x in
#: trials: the verdict means something only on an idle machine, as the docstring says.
LOAD_SLACK = 0.10
LOAD_RUNS = 5

_WORDS = (
    "santé patient médecin infirmière urgences hôpital soins prévention vaccination "
    "ordonnance consultation pédiatrie fièvre enfant diabète cœur hypertension "
    "étude essai clinique garde nuit interne externe pharmacie sage-femme kiné "
    "télémédecine déserts médicaux formation congrès article revue thèse "
    "question confrères avis aide merci bravo équipe épuisement burnout"
).split()
_TAGS = (
    "docstoctoc santé sante esante FOAMed MedTwitter médecine urgences pédiatrie "
    "vaccination SantéPublique internat IDE kiné sagefemme diabète cardiologie "
    "SantéNumérique COVID19 Prévention"
).split()
_EMOJI = ["🩺", "💉", "🏥", "👩‍⚕️", "❤️", "🙏", "😷", "📚", "✅", ""]
_ROLES = [
    "Médecin généraliste",
    "Interne",
    "IDE",
    "Pharmacienne",
    "Sage-femme",
    "Kiné",
    "Urgentiste",
    "Pédiatre",
    "Patient·e",
    "Cardiologue",
]


def _snowflake(ts: float, rng: random.Random) -> str:
    """A 19-digit tweet id from a time, as X makes them."""
    return str(((int(ts * 1000) - 1288834974657) << 22) | rng.getrandbits(22))


def _users(n: int, rng: random.Random) -> list[dict]:
    users = []
    for i in range(n):
        uid = str(rng.choice([10**7, 10**9, 10**17]) + i * 7919 + rng.randrange(7919))
        handle = (
            f"{rng.choice(['dr', 'ide', 'pharma', 'sf', 'kine', 'doc'])}_{rng.choice(_WORDS)}{i}"
        )
        users.append(
            {
                "id": uid,
                "username": handle,
                "name": f"{rng.choice(['Dr', 'Pr', '', 'Mme', 'M.'])} {rng.choice(_WORDS).title()} {rng.choice(_EMOJI)}".strip(),
                "description": f"{rng.choice(_ROLES)} · {' '.join(rng.choices(_WORDS, k=5))} #{rng.choice(_TAGS)}",
                "location": rng.choice(
                    ["Paris", "Lyon", "Montréal", "Bruxelles", "Genève", "Nîmes", ""]
                ),
                "created_at": f"20{rng.randint(9, 22):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000Z",
                "protected": rng.random() < 0.03,
                "verified": rng.random() < 0.05,
                "public_metrics": {
                    "followers_count": int(rng.paretovariate(1.2) * 50),
                    "following_count": rng.randint(10, 3000),
                    "tweet_count": rng.randint(10, 90000),
                    "listed_count": rng.randint(0, 300),
                },
            }
        )
    return users


def _tweet(ts: float, author: dict, users: list[dict], rng: random.Random) -> dict:
    tid = _snowflake(ts, rng)
    tags = rng.sample(_TAGS, rng.choice([0, 1, 1, 2, 3]))
    mentioned = rng.sample(users, rng.choice([0, 0, 0, 1, 2]))
    text = " ".join(
        [
            *(f"@{m['username']}" for m in mentioned),
            *rng.choices(_WORDS, k=rng.randint(8, 30)),
            rng.choice(_EMOJI),
            *(f"#{t}" for t in tags),
        ]
    )
    entities: dict = {}
    if tags:
        entities["hashtags"] = [{"start": 0, "end": len(t) + 1, "tag": t} for t in tags]
    if mentioned:
        entities["mentions"] = [
            {"start": 0, "end": len(m["username"]) + 1, "username": m["username"], "id": m["id"]}
            for m in mentioned
        ]
    if rng.random() < 0.3:
        entities["urls"] = [
            {
                "start": 0,
                "end": 23,
                "url": "https://t.co/abcdefghij",
                "expanded_url": "https://www.has-sante.fr/jcms/recommandations",
                "display_url": "has-sante.fr/jcms/recomm…",
            }
        ]
    created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".000Z"
    tweet = {
        "id": tid,
        "text": text,
        "author_id": author["id"],
        "created_at": created,
        "lang": rng.choice(["fr"] * 8 + ["en", "und"]),
        "conversation_id": tid,
        "possibly_sensitive": False,
        "reply_settings": "everyone",
        "edit_history_tweet_ids": [tid],
        "public_metrics": {
            "retweet_count": int(rng.paretovariate(1.5)) - 1,
            "reply_count": rng.randint(0, 5),
            "like_count": int(rng.paretovariate(1.2)) - 1,
            "quote_count": rng.randint(0, 2),
            "impression_count": rng.randint(10, 50000),
        },
    }
    if entities:
        tweet["entities"] = entities
    return tweet


def generate(path: Path, tweets: int, *, seed: int = 42, users: int = 50_000) -> Path:
    """Write ``tweets`` tweets of synthetic API v2 search pages (twarc2 style) to ``path``."""
    rng = random.Random(seed)
    pool = _users(users, rng)
    by_id = {u["id"]: u for u in pool}
    ts = 1_600_000_000.0 + seed * 10_000_000
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")  # a file cut short is never mistaken for whole
    with open(partial, "wb") as fh:
        for page_no in range(0, tweets, PAGE_TWEETS):
            data, inc_tweets, inc_users = [], [], {}
            for _ in range(min(PAGE_TWEETS, tweets - page_no)):
                ts += rng.random() * 30
                author = rng.choice(pool)
                tw = _tweet(ts, author, pool, rng)
                inc_users[author["id"]] = author
                roll = rng.random()
                if roll < 0.45:  # retweet: text 'RT @x: ...', original in includes
                    orig_author = rng.choice(pool)
                    orig = _tweet(ts - rng.random() * 86400, orig_author, pool, rng)
                    tw["text"] = f"RT @{orig_author['username']}: {orig['text']}"[:280]
                    tw["referenced_tweets"] = [{"type": "retweeted", "id": orig["id"]}]
                    inc_tweets.append(orig)
                    inc_users[orig_author["id"]] = orig_author
                elif roll < 0.55:  # quote
                    orig_author = rng.choice(pool)
                    orig = _tweet(ts - rng.random() * 86400, orig_author, pool, rng)
                    tw["referenced_tweets"] = [{"type": "quoted", "id": orig["id"]}]
                    inc_tweets.append(orig)
                    inc_users[orig_author["id"]] = orig_author
                elif roll < 0.75:  # reply
                    to = rng.choice(pool)
                    parent = _snowflake(ts - rng.random() * 3600, rng)
                    tw["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
                    tw["in_reply_to_user_id"] = to["id"]
                    tw["conversation_id"] = parent
                for m in tw.get("entities", {}).get("mentions", ()):
                    inc_users[m["id"]] = by_id[m["id"]]
                data.append(tw)
            page = {
                "data": data[::-1],
                "includes": {"users": list(inc_users.values()), "tweets": inc_tweets},
                "meta": {
                    "newest_id": data[-1]["id"],
                    "oldest_id": data[0]["id"],
                    "result_count": len(data),
                    "next_token": f"b26v89c19zqg8o3f{page_no:x}",
                },
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all?query=%23docstoctoc&max_results=100",
                    "version": "2.14.0",
                    "retrieved_at": time.strftime(
                        "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts + 86400)
                    ),
                },
            }
            fh.write(orjson.dumps(page) + b"\n")
    os.replace(partial, path)
    return path


# --- measuring -----------------------------------------------------------------------------

TWARC_VENV = OUT / "twarc-venv"


def _run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Run a command as its own process: (wall seconds, peak RSS in MB)."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: chatty tools never block
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {tail}")
    return wall, usage.ru_maxrss / 1024  # Linux reports kB


def _python(code: str, code_dir: Path = ROOT) -> list[str]:
    """A python command running ``code`` with the ``analysis`` package of ``code_dir``.

    It fails if ``analysis`` came from elsewhere (run it with :func:`_where`).
    """
    check = (
        "import pathlib, analysis; "
        f"assert pathlib.Path(analysis.__file__).resolve().is_relative_to({str(code_dir)!r}), "
        "analysis.__file__\n"
    )
    return [sys.executable, "-c", check + code]


def _where(code_dir: Path = ROOT) -> dict:
    """``_run``'s env and cwd for a command using the code of ``code_dir``.

    The current code is the venv's editable install; another checkout comes first
    on PYTHONPATH (and is the working directory, which ``python -c`` puts first).
    """
    if code_dir == ROOT:
        return {"env": None, "cwd": ROOT}
    return {"env": {**os.environ, "PYTHONPATH": str(code_dir)}, "cwd": code_dir}


def _ingest_cmd(raw: Path, root: Path, dataset: str, code_dir: Path = ROOT) -> list[str]:
    code = (
        "from analysis import settings; from analysis.ingest import ingest_files; "
        f"settings.set_data_dir({str(root)!r}); "
        f"ingest_files([{str(raw)!r}], {dataset!r}, progress=False)"
    )
    return _python(code, code_dir)


def _load_cmd(root: Path, dataset: str, rows_file: Path, code_dir: Path = ROOT) -> list[str]:
    """``load_table(dataset, 'tweets')``; its row count goes to ``rows_file``."""
    code = (
        "from analysis import settings; from analysis.tables import load_table; "
        f"settings.set_data_dir({str(root)!r}); "
        f"rows = len(load_table({dataset!r}, 'tweets')); "
        f"open({str(rows_file)!r}, 'w').write(str(rows))"
    )
    return _python(code, code_dir)


def _floor_cmd(raw: Path) -> list[str]:
    code = f"import orjson\nfor line in open({str(raw)!r}, 'rb'):\n    orjson.loads(line)\n"
    return [sys.executable, "-c", code]


def _twarc_venv() -> Path:
    """twarc2 with the twarc-csv plugin in its own venv (it needs pandas < 3)."""
    twarc2 = TWARC_VENV / "bin" / "twarc2"
    if not twarc2.exists():
        print(f"creating {TWARC_VENV.relative_to(ROOT)} with twarc-csv (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TWARC_VENV)], check=True)
        pip = [str(TWARC_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "twarc", "twarc-csv", "pandas<3"], check=True)
    return twarc2


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _append_tweets(n: int) -> int:
    """Tweets of the files appended to an ``n``-tweet dataset."""
    return APPEND_TWEETS if n >= 2 * APPEND_TWEETS else max(PAGE_TWEETS, n // 10)


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _old_code() -> Path:
    """A git worktree of :data:`OLD_COMMIT` at :data:`OLD_CODE` (reused if present)."""
    want = _git("rev-parse", f"{OLD_COMMIT}^{{commit}}")
    if OLD_CODE.exists():
        have = _git("rev-parse", "HEAD", cwd=OLD_CODE)
        if have != want:
            raise RuntimeError(
                f"{OLD_CODE} is at {have}, not {OLD_COMMIT}: remove it "
                f"(git worktree remove --force {OLD_CODE})"
            )
        return OLD_CODE
    print(f"git worktree of {OLD_COMMIT} -> {OLD_CODE.relative_to(ROOT)}", flush=True)
    _git("worktree", "add", "--detach", str(OLD_CODE), OLD_COMMIT)
    return OLD_CODE


def _compare_load(n: int, raw: Path, root: Path, made: list[Path]) -> dict:
    """``load_table('tweets')`` of the ``n``-tweet dataset ``root``, new code vs old code.

    The old code ingests ``raw`` into its own dataset first. Returns the old
    ingest's (seconds, MB), each side's load runs, and the rows each loaded.
    """
    old_code = _old_code()
    old_root = OUT / f"data-{n}-old"
    shutil.rmtree(old_root, ignore_errors=True)
    made.append(old_root)
    old_ingest = _run(_ingest_cmd(raw, old_root, "bench", old_code), **_where(old_code))
    print(f"  ingest at {OLD_COMMIT} {old_ingest[0]:6.1f} s", flush=True)
    sides = {"new": (root, ROOT), "old": (old_root, old_code)}
    runs: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    rows: dict[str, int] = {}
    for _ in range(LOAD_RUNS):  # alternating, so a change in the machine's load hits both
        for side in ("old", "new"):
            data, code_dir = sides[side]
            rows_file = OUT / f"load-rows-{side}.txt"
            made.append(rows_file)
            runs[side].append(
                _run(_load_cmd(data, "bench", rows_file, code_dir), **_where(code_dir))
            )
            rows[side] = int(rows_file.read_text())
            print(f"  load_table {side}  {runs[side][-1][0]:8.2f} s", flush=True)
    if rows["new"] != rows["old"]:
        raise RuntimeError(
            f"load_table('tweets') read {rows['new']:,} rows, but "
            f"{rows['old']:,} at {OLD_COMMIT}, from the same file"
        )
    return {"old ingest": old_ingest, "runs": runs, "rows": rows["new"]}


def _measure_appends(n: int, raw: Path, root: Path, made: list[Path]) -> dict:
    """Append a new-tweets file, then a re-observed one, to the ``n``-tweet dataset ``root``.

    Each against the same file ingested alone into an empty dataset. Returns
    ``{kind: (tweets, alone (s, MB), appended (s, MB))}``.
    """
    k = _append_tweets(n)
    new_file = OUT / f"append-{k}.jsonl"
    if not new_file.exists():
        generate(new_file, k, seed=7)
    seen_file = _tail_pages(raw, OUT / f"again-{n}-{k}.jsonl", k)
    made += [new_file, seen_file]
    out = {}
    for kind, file in (("new", new_file), ("seen", seen_file)):
        # twice each, alternating, the faster run counting (runs of about a second vary by
        # half a second here); each append goes to its own copy of the dataset
        alones, appendeds, copy = [], [], None
        for trial in range(2):
            alone_root = OUT / f"data-alone-{kind}"
            shutil.rmtree(alone_root, ignore_errors=True)
            made.append(alone_root)
            alones.append(_run(_ingest_cmd(file, alone_root, "alone"), **_where()))
            copy = OUT / f"data-{n}-{kind}-{trial}"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(root, copy)
            made.append(copy)
            os.sync()
            appendeds.append(_run(_ingest_cmd(file, copy, "bench"), **_where()))
        shutil.rmtree(root)
        os.replace(copy, root)  # the dataset goes on with this file appended
        alone, appended = min(alones), min(appendeds)
        out[kind] = (k, alone, appended)
        print(
            f"  append {kind:<4}   {appended[0]:8.1f} s ({k:,} tweets; {alone[0]:.1f} s alone; "
            f"runs {', '.join(f'{a[0]:.2f}' for a in appendeds)} and "
            f"{', '.join(f'{a[0]:.2f}' for a in alones)} s)",
            flush=True,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="tweets per generated file (default: 100000 1000000)",
    )
    parser.add_argument("--no-twarc", action="store_true", help="skip twarc-csv")
    parser.add_argument(
        "--keep", action="store_true", help="keep generated files and the worktree of the old code"
    )
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    big = sizes[-1]
    OUT.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    twarc2 = None if args.no_twarc else _twarc_venv()
    results: dict[int, dict[str, tuple[float, float]]] = {}
    appends: dict[int, dict] = {}
    load: dict = {}
    made: list[Path] = []
    try:
        for n in sizes:
            raw = OUT / f"search-{n}.jsonl"
            if not raw.exists():
                print(f"generating {n:,} tweets (synthetic) -> {raw.relative_to(ROOT)}", flush=True)
                generate(raw, n)
            made.append(raw)
            root = OUT / f"data-{n}"
            shutil.rmtree(root, ignore_errors=True)
            made.append(root)
            r = results[n] = {}
            print(f"{n:,} tweets, {raw.stat().st_size / 1e9:.2f} GB:", flush=True)
            # the generated file's pages written out first: their writeback would slow
            # whichever tool runs next (seen: +35% on the ingest right after generating)
            os.sync()
            # floor and ingest alternate, twice each, and the faster run of each counts:
            # a 2-core machine shared with other work varies by 10-30% from run to run
            runs: dict[str, list] = {"floor": [], "ingest": []}
            for _ in range(2):
                runs["floor"].append(_run(_floor_cmd(raw)))
                shutil.rmtree(root, ignore_errors=True)
                runs["ingest"].append(_run(_ingest_cmd(raw, root, "bench"), **_where()))
            for tool, timed in runs.items():
                r[tool] = min(timed)
                shown = ", ".join(f"{w:.1f}" for w, _ in timed)
                print(f"  {tool:<13} {r[tool][0]:8.1f} s (runs {shown} s)", flush=True)
            if twarc2 is not None:
                csv = OUT / f"search-{n}.csv"
                made.append(csv)
                # twarc2 wants a token even to convert files offline: a dummy one, no network
                env = {**os.environ, "BEARER_TOKEN": "offline-benchmark"}
                r["twarc-csv"] = _run([str(twarc2), "csv", str(raw), str(csv)], env=env, cwd=OUT)
                print(f"  twarc-csv     {r['twarc-csv'][0]:8.1f} s", flush=True)
            if n == big:  # before the appends: both datasets hold exactly this file
                load = _compare_load(n, raw, root, made)
                r["old-ingest"] = load["old ingest"]
            appends[n] = _measure_appends(n, raw, root, made)
    finally:
        if not args.keep:
            for path in made:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            if OLD_CODE.exists():  # never hiding the error that brought us here
                cmd = ["git", "worktree", "remove", "--force", str(OLD_CODE)]
                if subprocess.run(cmd, cwd=ROOT).returncode:
                    print(f"could not remove the worktree {OLD_CODE}", file=sys.stderr)
    _print_report(results, big, appends, load)
    print(
        f"machine: {os.cpu_count()} cores; load average (1 min) {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every tool)"
    )
    return 0


def _tail_pages(source: Path, out: Path, tweets: int) -> Path:
    """The last pages of ``source`` holding ``tweets`` tweets, collected again a day later.

    Every tweet and account is already in the dataset: the pages get a newer
    ``retrieved_at`` and each tweet one more like, so every row they carry is a newer
    observation that replaces the stored one (newer metrics, newer snapshots).
    """
    with open(source, "rb") as fh:
        lines = collections.deque(fh, maxlen=max(1, tweets // PAGE_TWEETS))
    with open(out, "wb") as fh:
        for line in lines:
            page = orjson.loads(line)
            when = time.strptime(page["__twarc"]["retrieved_at"], "%Y-%m-%dT%H:%M:%S+00:00")
            later = time.gmtime(calendar.timegm(when) + 86400)
            page["__twarc"]["retrieved_at"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", later)
            for tw in [*page["data"], *page["includes"]["tweets"]]:
                tw["public_metrics"]["like_count"] += 1
            fh.write(orjson.dumps(page) + b"\n")
    return out


def _print_report(results, big, appends, load) -> None:
    print()
    print(f"{'tweets':>10} {'tool':<10} {'seconds':>8} {'tweets/s':>10} {'peak RSS MB':>12}")
    for n, r in results.items():
        for tool, (wall, rss) in r.items():
            print(f"{n:>10,} {tool:<10} {wall:>8.1f} {n / wall:>10,.0f} {rss:>12,.0f}")
    print(f"(old-ingest: the ingest of commit {OLD_COMMIT}, for the load_table comparison)")
    print()
    r = results[big]
    ingest_s, ingest_rss = r["ingest"]
    rate = big / ingest_s
    print(f"targets at {big:,} tweets:")
    print(
        f"  ingest speed {rate:,.0f} tweets/s >= {TWEETS_PER_S_TARGET:,}: "
        f"{_verdict(rate >= TWEETS_PER_S_TARGET)}"
    )
    floor_ratio = r["floor"][0] / ingest_s
    print(
        f"  ingest vs orjson parse-only floor: {floor_ratio:.2f}x the floor's speed (>= 1): "
        f"{_verdict(floor_ratio >= 1)}"
    )
    if "twarc-csv" in r:
        twarc_ratio = r["twarc-csv"][0] / ingest_s
        print(
            f"  ingest vs twarc-csv: {twarc_ratio:.1f}x faster (>= {TWARC_RATIO_TARGET:.0f}): "
            f"{_verdict(twarc_ratio >= TWARC_RATIO_TARGET)}"
        )
    peaks = {n: res["ingest"][1] for n, res in results.items()}
    print(
        f"  peak RSS {', '.join(f'{p:,.0f} MB at {n:,}' for n, p in peaks.items())} "
        f"(< {RSS_TARGET_MB:,} MB): {_verdict(max(peaks.values()) < RSS_TARGET_MB)}"
    )
    if len(peaks) > 1:
        lo, hi = min(peaks), max(peaks)
        print(
            f"  memory growth: {hi // lo}x the input -> {peaks[hi] / peaks[lo]:.2f}x the peak RSS"
        )
    new_runs, old_runs = load["runs"]["new"], load["runs"]["old"]
    new_s, old_s = min(w for w, _ in new_runs), min(w for w, _ in old_runs)
    limit = old_s * (1 + LOAD_SLACK)
    print(
        f"  load_table('tweets') of the {big:,}-tweet dataset ({load['rows']:,} rows), "
        f"best of {LOAD_RUNS} processes: {new_s:.2f} s, peak RSS "
        f"{max(m for _, m in new_runs):,.0f} MB (runs {_seconds(new_runs)}); today's code "
        f"({OLD_COMMIT}, its own ingest of the same file): {old_s:.2f} s, peak RSS "
        f"{max(m for _, m in old_runs):,.0f} MB (runs {_seconds(old_runs)}); "
        f"{new_s / old_s:.2f}x today's, <= {1 + LOAD_SLACK:.2f}x ({LOAD_SLACK:.0%} is the "
        f"noise allowance of a shared 2-core machine): {_verdict(new_s <= limit)}"
    )
    what = {"new": "new tweets", "seen": "re-observed tweets (already in it)"}
    ratios: dict[str, dict[int, float]] = {kind: {} for kind in what}
    print("  appends, each against the same file ingested alone into an empty dataset:")
    for n, measured in appends.items():
        for kind, (k, alone, appended) in measured.items():
            ratio = ratios[kind][n] = appended[0] / alone[0]
            target = APPEND_RATIO_TARGETS[kind]
            full = f"; full ingest {results[n]['ingest'][0]:.1f} s" if kind == "new" else ""
            print(
                f"    {k:,} {what[kind]} to the {n:,}-tweet dataset: {appended[0]:.2f} s "
                f"(peak RSS {appended[1]:,.0f} MB) vs {alone[0]:.2f} s alone{full}: "
                f"{ratio:.2f}x (<= {target:g}x): {_verdict(ratio <= target)}"
            )
    lo, hi = min(appends), max(appends)
    if lo != hi:
        for kind, by_size in ratios.items():
            growth = by_size[hi] / by_size[lo]
            print(
                f"  append ratio, {what[kind]}: {by_size[lo]:.2f}x at {lo:,} tweets -> "
                f"{by_size[hi]:.2f}x at {hi:,}: {growth:.2f}x itself "
                f"(<= {APPEND_GROWTH_TARGET:g}x): {_verdict(growth <= APPEND_GROWTH_TARGET)}"
            )


def _seconds(runs: list[tuple[float, float]]) -> str:
    return ", ".join(f"{w:.2f}" for w, _ in runs) + " s"


if __name__ == "__main__":
    raise SystemExit(main())
