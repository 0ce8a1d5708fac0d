"""Plain raw files read in place (memory-mapped) by the fast path, as gzip files are read."""

from __future__ import annotations

import gzip
import mmap
import random

import pandas as pd
import pytest

from analysis.ingest import ingest_files, stream
from analysis.rawfile import BOM
from analysis.tables import TABLE_NAMES, load_dataset
from tests.conftest import write_jsonl
from tests.pages import search_page

#: Streams the line check must judge the same whether fed as bytes or from a mapped file.
STREAMS = [
    b'{"data": []}\n{"data": [1]}\n',
    b'{"data": []}\r\n{"data": []}',  # \r\n endings, no newline at the end
    BOM + b'{"data": []}\n{"data": []}\n',  # a byte-order mark opens the file
    b'{"a": 1} {"b": 2}\n',  # two pages on a line: as many lines as pages tells
    b'{"a": 1,\n"b": 2}\n',  # a page across two lines
    b' {"a": 1}\n',  # blank before the page
    b'{"a": 1}\n\n{"b": 2}\n',  # a blank line
]


def _fed_as_bytes(data: bytes, cuts: list[int]) -> stream.Lines:
    lines = stream.Lines(bom=True)
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        lines.feed(data[start:end])
    return lines


def _fed_mapped(path, cuts: list[int]) -> stream.Lines:
    lines = stream.Lines(bom=True)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for start, end in zip([0, *cuts], [*cuts, len(mapped)], strict=True):
            lines.feed(mapped, start, end)
    return lines


@pytest.mark.parametrize("data", STREAMS)
def test_line_check_of_a_mapped_file_matches_the_check_of_its_bytes(data, tmp_path):
    path = tmp_path / "raw.jsonl"
    path.write_bytes(data)
    rng = random.Random(0)
    for _ in range(30):  # every way of cutting the stream into blocks
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(0, min(5, len(data) - 1))))
        want, got = _fed_as_bytes(data, cuts), _fed_mapped(path, cuts)
        assert (got.ok, got.count, got.whole) == (want.ok, want.count, want.whole), cuts


def test_mapped_reader_hands_out_the_file_and_drops_only_taken_lines(tmp_path):
    line = b'{"data": [' + b"1, " * 3000 + b"1]}\n"  # about 9 kB: several lines a memory page
    path = tmp_path / "raw.jsonl"
    path.write_bytes(line * 200)
    mapped = stream.Mapped(path, stream.Lines(bom=True))
    blocks = []
    while block := mapped.read(20_000):
        blocks.append(bytes(block))
    assert b"".join(blocks) == line * 200
    assert mapped.lines.matches(200)
    mapped.taken(0)
    assert mapped._dropped == 0  # nothing taken, nothing dropped
    mapped.taken(100)
    # everything before the block holding line 101 goes, to a page's start
    block_start = (100 * len(line)) // 20_000 * 20_000
    assert mapped._dropped == block_start - block_start % mmap.PAGESIZE > 0
    # a dropped page still reads right: it comes back from the page cache
    assert bytes(mapped.view[: len(line)]) == line
    mapped.close()
    assert mapped.closed


def test_plain_file_read_in_place_gives_the_tables_of_its_gzip(tmp_data):
    pages = []
    for i in range(40):
        page = search_page()
        for tweet in page["data"]:
            tweet["id"] = str(int(tweet["id"]) + i * 10_000)
        pages.append(page)
    plain = write_jsonl(tmp_data / "pages.jsonl", pages)
    packed = tmp_data / "pages.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ingest_files([plain], "plain", progress=False)
    ingest_files([packed], "packed", progress=False)
    a = {name: df for name, df in load_dataset("plain")}
    b = {name: df for name, df in load_dataset("packed")}
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    assert len(load_dataset("plain").tweets) > 40
