"""The quarantine: bad raw lines set aside beside a dataset's tables, never lost.

Each entry names the file, the line and the reason, keeps the line's content
(cut to :data:`CONTENT_BYTES`, with the whole line's SHA-256 and length), and
the ids and handles parsed from the whole line, which :mod:`analysis.purge`
matches on. One entry per (file, line, reason): a file ingested twice adds none.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import suppress
from pathlib import Path

import orjson

_ID_FIELD = re.compile(rb'"(?:[a-z_]*_)?ids?"\s*:\s*\[?\s*"?(\d{1,19})"?')
_ID_LIST = re.compile(rb'"?(\d{1,19})"?')
_USERNAME_FIELD = re.compile(rb'"(?:username|screen_name)"\s*:\s*"([A-Za-z0-9_]{1,50})"')
_CSV_CELL = re.compile(rb"(?:^|[,;\t])\s*\"?(\d{1,19})\"?\s*(?=[,;\t\r\n]|$)")


def quarantine_ids(line: bytes) -> list[int]:
    """Return the X ids a raw line names, read from it even when it is not valid JSON.

    Values of ``id`` and ``*_id`` fields (numbers or strings, and id lists) in
    JSON-like text, or the numeric cells of a CSV line; kept with each
    quarantine entry so that a purge matches entries on ids, never on substrings.

    Parameters
    ----------
    line : bytes
        One raw line, possibly truncated or not JSON at all.

    Returns
    -------
    list of int
        The distinct ids found (1 to 2^63-1), sorted.

    Examples
    --------
    >>> quarantine_ids(b'{"data": [{"id": "20", "author_id": "12"}], "x": 1234')
    [12, 20]
    >>> quarantine_ids(b"783214,6253282")
    [783214, 6253282]
    """
    found: set[int] = set()
    if line.lstrip()[:1] in (b"{", b"["):
        for match in _ID_FIELD.finditer(line):
            found.add(int(match.group(1)))
        for match in re.finditer(rb'"(?:[a-z_]*_)?ids"\s*:\s*\[([^\]]*)', line):
            found.update(int(m.group(1)) for m in _ID_LIST.finditer(match.group(1)))
    else:
        found.update(int(m.group(1)) for m in _CSV_CELL.finditer(line.strip()))
    return sorted(i for i in found if 0 < i < 2**63)


def quarantine_usernames(line: bytes) -> list[str]:
    """Return the handles a raw line names in ``username``/``screen_name`` fields.

    Parameters
    ----------
    line : bytes
        One raw line, possibly truncated or not JSON at all.

    Returns
    -------
    list of str
        The distinct handles (without ``@``, case kept), sorted.

    Examples
    --------
    >>> quarantine_usernames(b'{"username": "Dr_Tortue", "name": "MG"')
    ['Dr_Tortue']
    """
    return sorted({m.group(1).decode() for m in _USERNAME_FIELD.finditer(line)})


#: Bytes of a bad line kept in its entry; a longer line keeps its length and SHA-256 besides.
CONTENT_BYTES = 1024


def entry(file: str, line: int, reason: str, raw: bytes) -> dict:
    """Return the quarantine entry of one bad line.

    ``content`` is the line (decoded, bad UTF-8 replaced), cut to its first
    :data:`CONTENT_BYTES` bytes; ``bytes`` and ``sha256`` are the whole line's,
    so that a long line can be found again in its raw file; ``ids`` and
    ``usernames`` are parsed from the whole line (what :mod:`analysis.purge`
    matches on, never a substring of the content).

    Parameters
    ----------
    file : str
        The raw file's path, as the ingest report shows it.
    line : int
        The line's number in the file, from 1.
    reason : str
        Why the line was set aside, one line (e.g. ``"not valid JSON"``).
    raw : bytes
        The line as read, its line end included or not.

    Returns
    -------
    dict
        The entry: ``file``, ``line``, ``reason``, ``content``, ``bytes``, ``sha256``,
        ``ids``, ``usernames``, and ``cut`` (True) if the content was cut.

    Examples
    --------
    >>> e = entry("raw.jsonl", 3, "not valid JSON", b'{"id": "20", "text": ' + b"x" * 2000)
    >>> len(e["content"]), e["bytes"], e["cut"], e["ids"]
    (1024, 2021, True, [20])
    """
    content = raw.rstrip(b"\r\n")
    out = {
        "file": file,
        "line": line,
        "reason": reason,
        "content": content[:CONTENT_BYTES].decode("utf-8", "replace"),
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "ids": quarantine_ids(raw),
        "usernames": quarantine_usernames(raw),
    }
    if len(content) > CONTENT_BYTES:
        out["cut"] = True
    return out


def _key(entry: dict) -> tuple:
    """Return what makes two entries one: the same line of the same file (however named), same reason."""
    file = str(entry.get("file"))
    with suppress(OSError, ValueError):
        file = str(Path(file).resolve())
    return file, entry.get("line"), entry.get("reason")


class Quarantine:
    """Bad lines, appended to the staging dataset's quarantine file as they are found.

    One entry per (file, line, reason): a file ingested again adds none twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.seen: set[tuple] | None = None

    def append(self, entry: dict) -> None:
        """Set aside one entry (see :func:`entry`), unless the file holds it already.

        Parameters
        ----------
        entry : dict
            A quarantine entry, as :func:`entry` makes it; counted even when already in the file.
        """
        if self.seen is None:  # the entries of earlier runs, read once
            self.seen = set()
            if self.path.is_file():
                for line in self.path.read_bytes().splitlines():
                    with suppress(orjson.JSONDecodeError, AttributeError):
                        self.seen.add(_key(orjson.loads(line)))
        key = _key(entry)
        self.count += 1
        if key in self.seen:
            return
        self.seen.add(key)
        with open(self.path, "ab") as fh:
            fh.write(orjson.dumps(entry) + b"\n")

    def __len__(self) -> int:
        """Return the number of entries set aside in this run."""
        return self.count
