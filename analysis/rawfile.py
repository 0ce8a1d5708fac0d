"""Open raw files as collected, the same way for every reader.

The readers are :mod:`analysis.ingest`, :mod:`analysis.formats` and :mod:`analysis.purge`:

* gzip is told by the file's first bytes, not by its name: a ``.gz`` that is not
  gzip is named as such (:func:`problem`) instead of failing a whole folder;
* a UTF-8 byte-order mark (which Excel and some Windows tools write) is skipped;
* an empty or whitespace-only file is told apart from a file of bad lines;
* a JSON line with invalid UTF-8 bytes is read with each bad byte sequence
  replaced by U+FFFD (:func:`loads`), and the replacements are counted, never
  stored as invalid strings that make every later query on the column fail.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson

#: The first bytes of every gzip stream (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"
#: The UTF-8 encoding of U+FEFF, which some tools write at the start of a text file.
BOM = b"\xef\xbb\xbf"
_REPLACEMENT = "\ufffd".encode()


def is_gzip(path: Path) -> bool:
    """Whether a file starts with gzip's magic bytes.

    Parameters
    ----------
    path : pathlib.Path
        The raw file, whatever its name ends with.

    Returns
    -------
    bool
        True if its first two bytes are ``1f 8b``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.jsonl.gz"
    >>> _ = p.write_bytes(b"not gzip")
    >>> is_gzip(p)
    False
    """
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_raw(path: Path) -> io.BufferedIOBase:
    r"""Open a raw file for reading bytes: gunzipped if it is gzip, after any byte-order mark.

    Parameters
    ----------
    path : pathlib.Path
        The raw file (plain or gzip, told by its bytes).

    Returns
    -------
    io.BufferedIOBase
        A binary file object positioned after any UTF-8 byte-order mark; the caller closes it.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "p.jsonl"
    >>> _ = p.write_bytes(BOM + b'{"data": []}\n')
    >>> with open_raw(p) as fh:
    ...     fh.read()
    b'{"data": []}\n'
    """
    fh = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")  # noqa: SIM115 (returned)
    try:
        if fh.peek(len(BOM))[: len(BOM)] == BOM:
            fh.read(len(BOM))
    except (OSError, EOFError):  # a damaged gzip: the caller's read reports it
        pass
    return fh


def read_bytes(path: Path) -> bytes:
    """Return a whole raw file's bytes (gunzipped, without a byte-order mark).

    Parameters
    ----------
    path : pathlib.Path
        The raw file (plain or gzip).

    Returns
    -------
    bytes
        Its whole content, decompressed, byte-order mark removed.
    """
    with open_raw(path) as fh:
        return fh.read()


def problem(path: Path) -> str | None:
    r"""Why a raw file cannot be read at all (one line naming the fix), or None if it can.

    Checks that the file can be opened, is not empty or blank, and that a file
    named ``.gz`` is gzip. Damage further in (a bad line, a truncated gzip) is
    the readers' to report, line by line.

    Parameters
    ----------
    path : pathlib.Path
        The raw file to check before reading it.

    Returns
    -------
    str or None
        One line naming the file, what is wrong and the fix; None if it can be read.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "empty.jsonl"
    >>> _ = p.write_bytes(b" \n\t\n")
    >>> problem(p)  # doctest: +ELLIPSIS
    '...empty.jsonl: the file is empty (only blank lines); nothing to ingest: check that ...'
    """
    try:
        gz = is_gzip(path)
        if path.suffix.lower() == ".gz" and not gz:
            return (
                f"{path}: named .gz but not gzip; decompress it or rename it without .gz "
                "if it is plain text."
            )
        with open_raw(path) as fh:
            while block := fh.read1(1 << 16):  # what is there before any damage
                if block.strip():
                    return None
    except (EOFError, gzip.BadGzipFile) as exc:
        return f"{path}: damaged gzip ({exc}); recompress it from its source."
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc}); check its permissions."
    return (
        f"{path}: the file is empty (only blank lines); nothing to ingest: check that "
        "the collection that wrote it finished."
    )


def decode(data: bytes) -> tuple[str, int]:
    r"""Decode bytes as UTF-8, each invalid sequence replaced by U+FFFD: (text, sequences replaced).

    Parameters
    ----------
    data : bytes
        Text that should be UTF-8 (a raw line or file).

    Returns
    -------
    tuple of (str, int)
        The decoded text, and how many invalid byte sequences were replaced (U+FFFD
        characters already in ``data`` are not counted).

    Examples
    --------
    >>> text, replaced = decode(b"caf\xe9 \xef\xbf\xbd")  # a U+FFFD already there is not counted
    >>> text == "caf\ufffd \ufffd", replaced
    (True, 1)
    """
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        return text, text.count("\ufffd") - data.count(_REPLACEMENT)


def loads(line: bytes) -> tuple[object, int]:
    r"""Parse a JSON line; (value, invalid UTF-8 sequences replaced by U+FFFD).

    Raises :class:`orjson.JSONDecodeError` if the line is not JSON once decoded.

    Parameters
    ----------
    line : bytes
        One line of a raw file (a JSON document), without its newline or with it.

    Returns
    -------
    tuple of (object, int)
        The parsed value, and how many invalid UTF-8 sequences were replaced before parsing.

    Raises
    ------
    orjson.JSONDecodeError
        If the line is not JSON, even with its invalid bytes replaced.

    Examples
    --------
    >>> loads(b'{"text": "caf\xe9"}') == ({"text": "caf\ufffd"}, 1)
    True
    >>> loads(b'{"text": "ok"}')
    ({'text': 'ok'}, 0)
    """
    try:
        return orjson.loads(line), 0
    except orjson.JSONDecodeError:
        text, replaced = decode(line)
        if not replaced:
            raise
        return orjson.loads(text), replaced
