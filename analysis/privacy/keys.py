"""The pseudonym key: a random secret in a local file, created on first use (see :mod:`analysis.privacy`)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from analysis import settings
from analysis.errors import MedtwitterError

#: Environment variable naming the key file.
KEY_ENV = "MEDTWITTER_KEY_FILE"
#: File name of the key (listed in .gitignore).
KEY_FILE_NAME = ".medtwitter-key"


class KeyFileError(MedtwitterError):
    """The pseudonym key file cannot be read or created."""


def key_path() -> Path:
    """Where the pseudonym key lives: ``$MEDTWITTER_KEY_FILE``, else beside the data root.

    The default is ``<data root>/../.medtwitter-key``: the project root for the
    default ``data/`` folder, never inside the data root itself.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return settings.data_dir().parent / KEY_FILE_NAME


def load_key(path: str | os.PathLike[str] | None = None, create: bool = True) -> bytes:
    """Read the secret pseudonym key, creating it (32 random bytes, mode 600) if missing.

    The key is random, not seeded: pseudonyms must not be recomputable from the code.

    Parameters
    ----------
    path : str or os.PathLike or None, optional
        Key file; None uses :func:`key_path` (the environment variable, else the default place).
    create : bool, default True
        Create the key if the file is missing; False makes a missing file an error.

    Returns
    -------
    bytes
        The key (16 bytes or more).

    Raises
    ------
    KeyFileError
        If the file is not a hex key, is missing with create=False, or cannot be created.
    """
    path = Path(path) if path is not None else key_path()
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise KeyFileError(
                f"the pseudonym key file {path} is not a hex key of 16 bytes or more; restore it "
                f"from your backup, or delete it to start new pseudonyms."
            )
        return key
    if not create:
        raise KeyFileError(f"no pseudonym key at {path}; run once with anonymise on to create it.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created meanwhile by another process: use that one
        return load_key(path, create=False)
    except OSError as exc:
        raise KeyFileError(
            f"cannot create the pseudonym key file {path} ({exc.strerror}); set {KEY_ENV} "
            f"to a writable path outside the data folder."
        ) from exc
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def key_fingerprint(key: bytes) -> str:
    """Return a short, non-reversible label of a key, to tell reports made with different keys apart.

    Parameters
    ----------
    key : bytes
        The pseudonym key.

    Returns
    -------
    str
        key- and 8 hex digits of a hash of the key.

    Examples
    --------
    >>> key_fingerprint(b"k" * 32)
    'key-479eda8b'
    """
    return "key-" + hashlib.sha256(b"medtwitter-fingerprint:" + key).hexdigest()[:8]
