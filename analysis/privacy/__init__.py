"""Pseudonymised publication: keyed pseudonyms, redacted text, small-cell suppression.

With ``--anonymise`` (reports) or ``anonymise=True`` (notebook parameter) the
outputs of the toolkit name no account: every handle, display name, user id and
tweet id is replaced by a **stable pseudonym** derived with a keyed hash
(HMAC-SHA256). The key is a random secret kept in a local file outside the data
root (``.medtwitter-key``, git-ignored), created on first use, so

* the same account gets the same pseudonym in every report of a project;
* nobody without the key can recompute a pseudonym from a known handle (a plain
  hash of a handle can be reversed by hashing every handle of the platform).

Where the key lives, in order of precedence: the ``MEDTWITTER_KEY_FILE``
environment variable, else ``.medtwitter-key`` in the data root's parent
folder (the project root for the default ``data/``). Keep it out of version
control and out of shared folders; losing it only means new pseudonyms.

Institutions on an allow-list (:data:`ALLOWLIST`, e.g. ``@ordre_medecins``)
keep their handle and name: they speak publicly as institutions. Tweet text
keeps its words but its URLs (and bare ``twitter.com/handle/status/id`` paths)
are removed and its @mentions pseudonymised; accounts' display names (of two
words or more) found in text are replaced too. Profile locations are left out, and the places
they name (each account's location field, whole and each part: "Lyon, France")
are replaced by ``[place]`` wherever text, bios or the locations institutions
keep write them: whole words, accents and case ignored, inside hashtags too.
The text of protected accounts never appears in anonymised tables, nor that of
retweets and quotes of them, or of accounts no longer in the dataset (purged),
or whose author cannot be told: they count in aggregates only
(:func:`protected_tweet_ids`).

Small cells: in anonymised outputs, a table or chart cell describing fewer than
``k`` accounts (:data:`DEFAULT_K` = 5) is suppressed (:func:`suppress_small_cells`)
or merged into an "other" group (:func:`merge_small_groups`).

**One pseudonymisation point.** Everything anonymised is read through
``load_dataset(dataset, anonymise=True)`` (or ``load_table``, ``connect`` and
``sql`` with ``anonymise=True``), which returns :func:`anonymise_tables`' copy;
a notebook passes its ``anonymise`` parameter there and writes no branch of its
own. Whatever is derived from the real profiles (role and identity labels,
their reasons, likely pairs of accounts of one person and their evidence) is
computed before pseudonymisation, worded without any name, place or handle,
keyed by the pseudonyms, and reached through the anonymised tables only
(:func:`analysis.accounts.labels_from_tables`,
:func:`analysis.accounts.pairs_from_tables`); :func:`analysis.accounts.label_users`
and :func:`analysis.accounts.pairs.find_pairs` refuse pseudonymised profiles
(their labels would be wrong). Frames from outside the tables keyed by real ids
(a demo's ground truth) join through :func:`match_pseudonyms`.
"""

from analysis.privacy.cells import DEFAULT_K, merge_small_groups, suppress_small_cells
from analysis.privacy.keys import (
    KEY_ENV,
    KEY_FILE_NAME,
    KeyFileError,
    key_fingerprint,
    key_path,
    load_key,
)
from analysis.privacy.pseudonyms import (
    ALLOWLIST,
    HANDLE_COLUMNS,
    MENTION_RE,
    NAME_COLUMNS,
    PLACE_PLACEHOLDER,
    RETWEET_RE,
    STATUS_RE,
    TEXT_COLUMNS,
    TWEET_ID_COLUMNS,
    URL_PLACEHOLDER,
    URL_RE,
    USER_ID_COLUMNS,
    Pseudonymiser,
    anonymise_frame,
    pseudonymiser_for,
)
from analysis.privacy.tables import (
    ANONYMISED_ATTR,
    ProfileDerived,
    anonymise_tables,
    is_anonymised,
    match_pseudonyms,
    protected_tweet_ids,
)

__all__ = [
    "ALLOWLIST",
    "ANONYMISED_ATTR",
    "DEFAULT_K",
    "HANDLE_COLUMNS",
    "KEY_ENV",
    "KEY_FILE_NAME",
    "MENTION_RE",
    "NAME_COLUMNS",
    "PLACE_PLACEHOLDER",
    "RETWEET_RE",
    "STATUS_RE",
    "TEXT_COLUMNS",
    "TWEET_ID_COLUMNS",
    "URL_PLACEHOLDER",
    "URL_RE",
    "USER_ID_COLUMNS",
    "KeyFileError",
    "ProfileDerived",
    "Pseudonymiser",
    "anonymise_frame",
    "anonymise_tables",
    "is_anonymised",
    "key_fingerprint",
    "key_path",
    "load_key",
    "match_pseudonyms",
    "merge_small_groups",
    "protected_tweet_ids",
    "pseudonymiser_for",
    "suppress_small_cells",
]
