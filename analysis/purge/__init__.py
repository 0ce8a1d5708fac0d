"""Remove an account's data (or given tweets) from a dataset's raw and processed files.

Raw pages are otherwise never edited; deletion is the documented exception. A
person may ask to be removed from a study (GDPR art. 17, and X's developer terms
require honouring deletions), and :mod:`analysis.compliance` removes what the API
reports deleted, suspended or protected. :func:`purge` then:

* rewrites every raw file of the dataset (:func:`raw_files`: its ``raw/<dataset>/``
  folder and the sources listed in its ``meta.json``), in each format ingest
  reads (:mod:`analysis.formats`), without the account's tweets, retweets of
  them, user objects, mentions of its id, follow edges either way, errors about
  it, links to its X profile or to the removed tweets, and pages fetched for it
  (:func:`analysis.ingest.filter_page` for API pages), then checks each kept record as ingest would read it
  (:func:`analysis.formats.page_names`);
* refuses, before changing any file or table, when a raw file cannot be cleaned
  reliably: an X archive of the account itself (it holds more than ingest
  reads), a file in no format ingest knows, a damaged JSON document or gzip
  stream, that names the account (:class:`~analysis.errors.UsageError`, one line
  naming the file and the fix);
* deletes the same rows from the processed Delta tables (tweets, hashtags,
  mentions and links of those tweets, others' links to the account's X profile
  or to those tweets, the user row and snapshots, follow links either way,
  ``missing`` rows) in a new dataset version, then deletes every file and
  log entry of the older versions (vacuum with zero retention), which are
  marked dropped: no file under the dataset keeps the account;
* removes the quarantine entries whose parsed ids or handles name it.

Accounts are given by id or by handle (:mod:`analysis.purge.accounts`); with
``strict`` (``medtwitter purge``), one the dataset does not hold makes the whole
purge refuse, naming it, before anything changes
(:class:`~analysis.purge.accounts.AccountNotFoundError`, exit status 1).

Every raw file is first rewritten to a temporary file beside it; only when all
are written are they renamed over the originals, so a refusal changes nothing
and an interruption leaves every file either as before or purged, never
half-written; running the purge again finishes the job. Others' tweets that
mention or answer the account keep their text and the tweet they reply to or
quote (they are the other authors' data), not the account's id. Lines ingest cannot read (it sets them aside in
quarantine) are dropped when their ids or usernames name the account.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import UsageError
from analysis.purge.accounts import (
    AccountNotFoundError,
    check_present,
    handle_ids,
    parse_account,
)
from analysis.purge.processed import _purge_processed, _tweets_to_remove
from analysis.purge.raw import _purge_raw, raw_files
from analysis.purge.report import PurgeReport
from analysis.store import DatasetWriter
from analysis.tables import dataset_dir, load_arrow

__all__ = ["AccountNotFoundError", "PurgeReport", "parse_account", "purge", "raw_files"]


def purge(
    dataset: str,
    user_ids: Iterable[int] = (),
    tweet_ids: Iterable[int] = (),
    handles: Iterable[str] = (),
    strict: bool = False,
) -> PurgeReport:
    """Remove accounts (all their data) and tweets from a dataset's raw and processed files.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    user_ids : Iterable of int, optional
        The accounts to remove, by id; default none.
    tweet_ids : Iterable of int, optional
        Tweets to remove (compliance: deleted tweets); default none.
    handles : Iterable of str, optional
        The accounts to remove, by handle (``@`` optional, any case; a current
        handle, else a former one); default none.
    strict : bool, optional
        Refuse (:class:`AccountNotFoundError`, before anything changes) if an id or
        handle names no account of the dataset, naming the absent ones
        (``medtwitter purge``); default False: such an account has nothing to
        remove, and a purge run again finishes one cut short.

    Returns
    -------
    PurgeReport
        What was removed: raw files read, raw pages rewritten and dropped, and the
        processed rows removed per table.

    Raises
    ------
    UsageError
        If nothing is given to purge, or a raw file cannot be cleaned reliably.
    AccountNotFoundError
        With ``strict``, if an id or handle names no account of the dataset.

    Examples
    --------
    >>> purge("demo", user_ids=[1460323737035677698])  # doctest: +SKIP
    >>> purge("demo", handles=["@nobody"], strict=True)  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    analysis.purge.accounts.AccountNotFoundError: not in dataset 'demo': @nobody; nothing was purged...
    """
    user_ids = {int(u) for u in user_ids}
    tweet_ids = {int(t) for t in tweet_ids}
    asked = [str(h) for h in handles]
    if not user_ids and not tweet_ids and not asked:
        raise UsageError("nothing to purge; give --user ID (or tweet ids from compliance).")
    folder = dataset_dir(dataset)
    with DatasetWriter(folder, "purge") as writer:
        if strict:
            user_ids = check_present(dataset, user_ids, asked, writer.manifest)
        elif asked:
            user_ids |= set(handle_ids(dataset, asked).values())
        users = load_arrow(dataset, "users", ["user_id", "username"])
        known = pc.is_in(users["user_id"], value_set=pa.array(sorted(user_ids), pa.int64()))
        handles = {h for h in pc.filter(users["username"], known).to_pylist() if h}
        tweet_ids = _tweets_to_remove(dataset, user_ids, tweet_ids)
        report = PurgeReport(dataset, sorted(user_ids), tweet_ids=len(tweet_ids))
        _purge_raw(dataset, user_ids, tweet_ids, handles, report)
        _purge_processed(writer, user_ids, tweet_ids, handles, report)
    return report
