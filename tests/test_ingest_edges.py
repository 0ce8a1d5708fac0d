"""Edge lists (CSV, CSV.gz, Parquet) read with Arrow batch by batch (issue 21).

Every edge list here is synthetic. The links must be exactly those of the file,
bad rows set aside with their line (or row) number, content and reason, dates
from ``--observed-at`` or the file's modification time, and the same ``follows``
and ``users`` rows as the page-at-a-time reading of earlier versions.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from analysis import formats, settings
from analysis.cli import main
from analysis.ingest import QUARANTINE_FILE, edges, ingest_files
from analysis.ingest.read import username_lookup
from analysis.ingest.rows import Rows
from analysis.tables import load_dataset
from tests import xapi
from tests.conftest import write_jsonl

DAY = "2024-05-01"
WHEN = pd.Timestamp(DAY, tz="UTC")
LINKS = [(11, 12), (13, 12), (12, 11), (14, 15), (9_223_372_036_854_775_807, 11)]


def entries(dataset: str) -> list[dict]:
    path = settings.processed_dir(dataset) / QUARANTINE_FILE
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.is_file() else []


def links(dataset: str) -> list[tuple[int, int]]:
    f = load_dataset(dataset).follows
    return sorted(zip(f.follower_id.tolist(), f.followed_id.tolist(), strict=True))


def write_edges(path: Path, rows: list[tuple], names=("follower", "followed")) -> Path:
    """An edge list in the format its name says (.csv, .csv.gz, .parquet)."""
    if path.name.endswith(".parquet"):
        columns = list(zip(*rows, strict=True)) if rows else [[], []]
        pq.write_table(pa.table({names[0]: columns[0], names[1]: columns[1]}), path)
        return path
    text = ",".join(names) + "\n" + "".join(f"{a},{b}\n" for a, b in rows)
    data = text.encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


# --- exact links ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["follows.csv", "follows.csv.gz", "follows.parquet"])
@pytest.mark.parametrize("names", [("follower", "followed"), ("Follower_ID", "followed_id")])
def test_an_edge_list_gives_exactly_its_links_dated_observed_at(tmp_data, name, names):
    raw = write_edges(tmp_data / name, LINKS, names)
    report = ingest_files([raw], "t", progress=False, observed_at=DAY)
    assert report.bad_lines == 0
    assert report.files[0].format == (
        "edge-list-parquet" if name.endswith("parquet") else "edge-list-csv"
    )
    assert links("t") == sorted(LINKS)
    t = load_dataset("t")
    assert (t.follows.first_seen_at == WHEN).all() and (t.follows.observed_at == WHEN).all()
    # each follower gets an account stub, as the page-at-a-time reading made them
    assert sorted(t.users.user_id) == sorted({a for a, _ in LINKS})
    assert (t.users.observed_at == WHEN).all() and t.users.username.isna().all()


def test_columns_in_another_order_with_more_columns_are_found(tmp_data):
    raw = tmp_data / "edges.csv"
    raw.write_text("when,followed,follower\n2024,12,11\n2024,11,13\n")
    ingest_files([raw], "t", progress=False, observed_at=DAY)
    assert links("t") == [(11, 12), (13, 11)]


def test_usernames_resolve_against_the_accounts_read_in_the_same_ingest(tmp_data):
    users = write_jsonl(
        tmp_data / "users.jsonl",
        [
            dict(
                xapi.users_page([xapi.user(12, "Dr_Tortue"), xapi.user(13, "idel_lyon")]),
                __medtwitter={"endpoint": "users", "params": {}},
            )
        ],
    )
    csv_file = tmp_data / "edges.csv"
    csv_file.write_text("follower,followed\n11,dr_tortue\n@IDEL_lyon, Dr_Tortue \n13,12\n")
    parquet = write_edges(tmp_data / "more.parquet", [("@idel_lyon", "11"), ("dr_tortue", "13")])
    report = ingest_files([csv_file, parquet, users], "t", progress=False, observed_at=DAY)
    assert report.bad_lines == 0
    assert links("t") == [(11, 12), (12, 13), (13, 11), (13, 12)]
    names = dict(
        zip(load_dataset("t").users.user_id, load_dataset("t").users.username, strict=True)
    )
    assert names[12] == "Dr_Tortue"  # the stub written for follower 12 does not hide its profile


# --- bad rows -----------------------------------------------------------------------------------

HOSTILE = [
    ("9223372036854775808", "not an X id"),  # 2^63
    ("-5", "neither an X id"),
    ("1.5", "neither an X id"),
    ("1e18", "username '1e18' is not among the accounts"),  # a handle, not a number
    ("١٢٣", "neither an X id"),  # Arabic-Indic digits
    ("²", "neither an X id"),
    ("", "an empty follower or followed"),
    ("00000000000000000000011", "not an X id"),  # 23 ASCII digits
    ("nobody_here", "is not among the accounts read so far"),
]


@pytest.mark.parametrize("cell,why", HOSTILE)
@pytest.mark.parametrize("name", ["follows.csv", "follows.csv.gz"])
def test_a_bad_csv_cell_sets_aside_its_line_only_with_its_number_and_content(
    tmp_data, cell, why, name
):
    body = f"follower,followed\n11,12\n13,{cell}\n14,12\n".encode()
    raw = tmp_data / name
    raw.write_bytes(gzip.compress(body) if name.endswith(".gz") else body)
    report = ingest_files([raw], "t", progress=False, observed_at=DAY)
    assert report.bad_lines == 1
    assert links("t") == [(11, 12), (14, 12)]
    (entry,) = entries("t")
    assert (entry["line"], entry["content"]) == (3, f"13,{cell}")
    assert why in entry["reason"]


def test_every_hostile_cell_in_one_file_keeps_each_line_number(tmp_data):
    rows = [f"{cell},12" for cell, _ in HOSTILE]
    lines = ["follower,followed", "11,12", *rows, "13", "", "14,12"]  # "13": the column missing
    raw = tmp_data / "follows.csv"
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_files([raw], "t", progress=False, observed_at=DAY)
    assert links("t") == [(11, 12), (14, 12)]
    got = {e["line"]: (e["content"], e["reason"]) for e in entries("t")}
    want = {n: lines[n - 1] for n in range(3, 3 + len(HOSTILE) + 1)}
    assert {n: c for n, (c, _) in got.items()} == want
    assert all(why in got[3 + i][1] for i, (_, why) in enumerate(HOSTILE))
    assert "empty follower or followed" in got[3 + len(HOSTILE)][1]
    assert report.bad_lines == len(HOSTILE) + 1


def test_bad_rows_after_many_good_blocks_keep_their_line_numbers(tmp_data, monkeypatch):
    monkeypatch.setattr(edges, "CSV_BLOCK_BYTES", 4096)  # many blocks, some with blank lines
    lines = ["follower,followed"]
    for i in range(5000):
        lines.append("" if i % 997 == 5 else f"{100 + i},{7 + i % 3}")
    lines[3001], lines[4500] = "-1,7", "x y,7"
    raw = tmp_data / "follows.csv"
    raw.write_text("\n".join(lines) + "\n")
    ingest_files([raw], "t", progress=False, observed_at=DAY)
    assert [(e["line"], e["content"]) for e in entries("t")] == [(3002, "-1,7"), (4501, "x y,7")]
    assert len(links("t")) == sum(1 for line in lines[1:] if line) - 2


def test_hostile_parquet_values_set_aside_their_row_with_the_reason(tmp_data):
    path = tmp_data / "follows.parquet"
    floats = pa.table({"follower": pa.array([11.0, 1.5, 13.0]), "followed": [12, 12, 12]})
    pq.write_table(floats, path)
    ingest_files([path], "f", progress=False, observed_at=DAY)
    assert links("f") == []
    assert [e["reason"] for e in entries("f")][:2] == [
        "11.0 is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1)",
        "1.5 is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1)",
    ]
    cells = pa.array(["11", "9223372036854775808", "-5", "١٢٣", "²", "", None, "14"])
    pq.write_table(pa.table({"follower_id": cells, "followed_id": ["12"] * 8}), path)
    ingest_files([path], "s", progress=False, observed_at=DAY)
    assert links("s") == [(11, 12), (14, 12)]
    got = [(e["line"], e["content"]) for e in entries("s")]
    assert got == [
        (2, "9223372036854775808,12"),
        (3, "-5,12"),
        (4, "١٢٣,12"),
        (5, "²,12"),
        (6, ",12"),
        (7, ",12"),
    ]
    unsigned = pa.table({"follower": pa.array([2**63, 11], pa.uint64()), "followed": [12, 12]})
    pq.write_table(unsigned, path)
    ingest_files([path], "u", progress=False, observed_at=DAY)
    assert (
        links("u") == [(11, 12)]
        and "9223372036854775808 is not an X id" in entries("u")[0]["reason"]
    )


def test_a_parquet_file_without_the_columns_is_named_with_the_fix(tmp_data):
    path = tmp_data / "graph.parquet"
    pq.write_table(pa.table({"source": [11], "target": [12]}), path)
    report = ingest_files([path, write_edges(tmp_data / "ok.csv", [(11, 12)])], "t", progress=False)
    (problem,) = next(f for f in report.files if f.rejected).problems
    assert "no `follower` and `followed` columns (it has 'source', 'target')" in problem
    assert links("t") == [(11, 12)]


# --- duplicates and dates -----------------------------------------------------------------------


def test_duplicates_collapse_with_first_and_last_sighting(tmp_data):
    march = write_edges(tmp_data / "march.csv", [(11, 12), (11, 12), (13, 12)])
    may = write_edges(tmp_data / "may.parquet", [(11, 12), (14, 12), (14, 12)])
    ingest_files([march], "t", progress=False, observed_at="2024-03-01")
    ingest_files([may], "t", progress=False, observed_at=DAY)
    f = load_dataset("t").follows.set_index(["follower_id", "followed_id"]).sort_index()
    assert f.index.tolist() == [(11, 12), (13, 12), (14, 12)]
    assert f.first_seen_at.tolist() == [
        pd.Timestamp("2024-03-01", tz="UTC"),
        pd.Timestamp("2024-03-01", tz="UTC"),
        WHEN,
    ]
    assert f.observed_at.tolist() == [WHEN, pd.Timestamp("2024-03-01", tz="UTC"), WHEN]


def test_the_default_date_is_the_files_modification_time_and_the_command_says_so(tmp_data, capsys):
    raw = write_edges(tmp_data / "follows.csv", [(11, 12)])
    stamp = datetime(2023, 9, 14, 8, 30, tzinfo=UTC).timestamp()
    os.utime(raw, (stamp, stamp))
    assert main(["ingest", str(raw), "--dataset", "t", "--quiet"]) == 0
    out = capsys.readouterr().out
    dated = [line for line in out.splitlines() if "links dated" in line]
    assert dated == [
        f"{raw}: links dated 2023-09-14 08:30:00 UTC (the file's modification "
        "time; give --observed-at DATE for the day they were seen)"
    ]
    assert load_dataset("t").follows.observed_at.tolist() == [
        pd.Timestamp("2023-09-14 08:30", tz="UTC")
    ]
    assert main(["ingest", str(raw), "--dataset", "u", "--quiet", "--observed-at", DAY]) == 0
    assert f"{raw}: links dated 2024-05-01 00:00:00 UTC (--observed-at)" in capsys.readouterr().out
    assert load_dataset("u").follows.observed_at.tolist() == [WHEN]


def test_an_observed_at_that_is_not_a_date_is_refused_in_one_line(tmp_data, capsys):
    raw = write_edges(tmp_data / "follows.csv", [(11, 12)])
    assert main(["ingest", str(raw), "--dataset", "t", "--observed-at", "last May"]) == 2
    err = capsys.readouterr().err
    assert (
        "--observed-at 'last May' is not a date; give the day the links were seen as YYYY-MM-DD"
        in err
    )
    assert "Traceback" not in err


# --- the same rows as the page-at-a-time reading -------------------------------------------------


def test_the_arrow_reading_gives_the_rows_of_the_page_at_a_time_reading(tmp_data):
    users = write_jsonl(
        tmp_data / "users.jsonl",
        [
            dict(
                xapi.users_page([xapi.user(12, "Dr_Tortue"), xapi.user(13, "idel_lyon")]),
                __medtwitter={"endpoint": "users", "params": {}},
            )
        ],
    )
    body = [
        "follower,followed",
        "11,12",
        "@idel_lyon,dr_tortue",
        "inconnu,12",
        "11,12",
        "-5,3",
        "",
        "14, 15",
        "15,14",
        "16,15",
        "13,11",
    ]
    raw = tmp_data / "edges.csv"
    raw.write_text("\n".join(body) + "\n", encoding="utf-8")
    ingest_files([users, raw], "fast", progress=False, observed_at=DAY)
    # the reading of earlier versions: one followers page per followed account, collected on DAY
    rows = Rows()
    from analysis.ingest.pages import add_page

    add_page(rows, orjson.loads(users.read_bytes()))
    pages = []
    for _, _, page, _, *_ in formats.read_pages(raw, formats.EDGE_CSV, username_lookup(rows)):
        if page is not None:
            page["__medtwitter"]["collected_at"] = f"{DAY}T00:00:00.000Z"
            pages.append(page)
    slow = write_jsonl(tmp_data / "slow.jsonl", [orjson.loads(users.read_bytes()), *pages])
    ingest_files([slow], "slow", progress=False)
    for table in ("follows", "users", "user_snapshots"):
        key = ["user_id", "observed_at"] if table != "follows" else ["follower_id", "followed_id"]
        fast = getattr(load_dataset("fast"), table).sort_values(key, ignore_index=True)
        ref = getattr(load_dataset("slow"), table).sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(fast, ref)
    assert [e["line"] for e in entries("fast")] == [4, 6]


# --- memory -------------------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import deltalake, pandas  # loaded by the ingest: not counted in its growth
    from analysis import settings
    from analysis.ingest import edges, ingest_files

    def memory():  # (peak, current) resident MB
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        return int(status["VmHWM"].split()[0]) // 1024, int(status["VmRSS"].split()[0]) // 1024

    # a 50-million-link list's blocks and buckets, at 1/25 of its size
    edges.CSV_BLOCK_BYTES, edges.BUCKET_LINKS = (32 << 20) // 25, edges.BUCKET_LINKS // 25
    settings.set_data_dir(Path(sys.argv[1]))
    before = memory()[1]
    report = ingest_files([sys.argv[2]], "big", progress=False, observed_at="2024-05-01")
    print(json.dumps({"before": before, "peak": memory()[0], "follows": report.counts["follows"]}))
    """
)


def _peak_growth(folder: Path, links: int) -> dict:
    """Ingest ``links`` synthetic random links among 100,000 accounts in a child process."""
    rng = np.random.default_rng(7)
    ids = 10_000_000 + np.arange(100_000, dtype=np.int64) * 7919
    table = pa.table(
        {
            "follower": ids[rng.integers(0, len(ids), links)],
            "followed": ids[rng.integers(0, len(ids), links)],
        }
    )
    folder.mkdir()
    path = folder / "follows.csv"
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="none"))
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    pairs = table.group_by(["follower", "followed"]).aggregate([]).num_rows
    assert got["follows"] == pairs
    return got["peak"] - got["before"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_memory_follows_the_batch_not_the_file(tmp_path):
    small = _peak_growth(tmp_path / "small", 500_000)
    large = _peak_growth(tmp_path / "large", 2_000_000)
    # 1.5 million links more: 24 MB as int64 pairs, 60 MB to de-duplicate them whole (pairs,
    # permutation, sorted copy); measured on 2 shared cores: growths of 108-161 MB either way,
    # the fixed cost of the reader's blocks, the merge's buckets and delta-rs's writer
    assert large - small < 48, (small, large)
    assert large < 250, (small, large)


def test_links_whose_hashes_collide_are_still_told_apart_in_the_merge():
    from analysis import merge

    k1, k2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
    m = 1 << 64

    def signed(x: int) -> int:
        return x - m if x >= 1 << 63 else x

    a, b = 11, 12
    a2 = 13  # the followed id giving (13, b2) the hash of (11, 12)
    b2 = (((a * k1) ^ (b * k2)) % m ^ (a2 * k1) % m) * pow(k2, -1, m) % m

    def hashed(x: int, y: int) -> int:
        return (((x * k1) % m ^ (y * k2) % m) * k1) % m

    assert hashed(a, b) == hashed(a2, b2)  # two links, one hash
    ts = pa.timestamp("us", tz="UTC")
    rows = pa.table(
        {
            "follower_id": [a, a2, a],
            "followed_id": [b, signed(b2), b],
            "first_seen_at": pa.array([5, 6, 3], ts),
            "observed_at": pa.array([5, 6, 3], ts),
            "_seq": [0, 1, 2],
        }
    )
    out = merge.dedup("follows", rows).to_pylist()
    assert [(r["follower_id"], r["followed_id"]) for r in out] == [(a, b), (a2, signed(b2))]
    assert [r["first_seen_at"].microsecond for r in out] == [3, 6]
    assert [r["observed_at"].microsecond for r in out] == [5, 6]


def test_a_purge_removes_the_accounts_rows_from_a_parquet_edge_list(tmp_data):
    from analysis.purge import purge

    users = write_jsonl(
        tmp_data / "users.jsonl",
        [
            dict(
                xapi.users_page([xapi.user(12, "Dr_Tortue"), xapi.user(13, "idel_lyon")]),
                __medtwitter={"endpoint": "users", "params": {}},
            )
        ],
    )
    path = write_edges(
        tmp_data / "follows.parquet",
        [("12", "13"), ("13", "012"), ("14", "13"), ("@DR_tortue", "14")],
    )
    ingest_files([users, path], "d", progress=False, observed_at=DAY)
    assert (12, 14) in links("d")
    report = purge("d", user_ids=[12])
    assert report.raw_pages_dropped == 3
    assert pq.read_table(path).to_pylist() == [{"follower": "14", "followed": "13"}]
    ingest_files([path], "again", progress=False, observed_at=DAY)
    assert links("again") == [(14, 13)]
