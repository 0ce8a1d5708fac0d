"""Build X API v2 search queries from hashtags, keywords, accounts and languages.

A medical community is usually found through a handful of hashtags
(``#docstoctoc``, ``#sante``), a few keywords and seed accounts, in one or two
languages. :func:`build_query` joins them into the API's query syntax and
checks the query against the length limit of the access level, so that a
collection fails before its first request rather than on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.errors import UsageError

#: Query length limits of the X API v2 search endpoints (characters).
#: Self-serve recent search takes 512; full-archive search (Academic) took 1,024;
#: Pro and Enterprise accept 4,096 on both: pass ``limit=`` to use yours.
QUERY_LIMITS: dict[str, int] = {"recent": 512, "archive": 1024}


def _term(word: str) -> str:
    """Quote a keyword with spaces; leave operators and single words alone."""
    word = word.strip()
    if not word:
        raise UsageError("an empty keyword in the query; remove it from the list.")
    if " " in word and not (word.startswith('"') and word.endswith('"')):
        return f'"{word}"'
    return word


def build_query(
    hashtags: Iterable[str] = (),
    keywords: Iterable[str] = (),
    accounts: Iterable[str] = (),
    languages: Iterable[str] = (),
    *,
    exclude_retweets: bool = True,
    extra: str = "",
    archive: bool = False,
    limit: int | None = None,
) -> str:
    """Join hashtags, keywords and accounts with OR, then add language and retweet filters.

    Parameters
    ----------
    hashtags : Iterable of str, optional
        Tags with or without ``#``; default none.
    keywords : Iterable of str, optional
        Words or phrases (a phrase with spaces is quoted); default none.
    accounts : Iterable of str, optional
        Usernames (with or without ``@``); each adds ``from:NAME``; default none.
    languages : Iterable of str, optional
        BCP 47 codes; several are OR-ed (``(lang:fr OR lang:en)``); default none (any language).
    exclude_retweets : bool, optional
        Add ``-is:retweet`` (retweets are still seen through quotes and replies); default True.
    extra : str, optional
        More operators appended as written, e.g. ``-is:nullcast``; default none.
    archive : bool, optional
        Check against the full-archive limit instead of the recent-search one; default False.
    limit : int or None, optional
        The query length limit of your access level in characters; None (default) uses
        :data:`QUERY_LIMITS`.

    Returns
    -------
    str
        The query, as ``medtwitter collect search`` sends it in the API's ``query`` parameter.

    Raises
    ------
    UsageError
        If no hashtag, keyword or account is given, a keyword is empty, or the query
        is longer than the limit.

    Examples
    --------
    >>> build_query(["docstoctoc", "#sante", "esante"], languages=["fr"])
    '(#docstoctoc OR #sante OR #esante) lang:fr -is:retweet'
    >>> build_query(keywords=["médecin généraliste"], accounts=["@ordre_medecins"],
    ...             exclude_retweets=False)
    '("médecin généraliste" OR from:ordre_medecins)'
    """
    terms = [f"#{h.strip().lstrip('#')}" for h in hashtags if h.strip().lstrip("#")]
    terms += [_term(k) for k in keywords]
    terms += [f"from:{a.strip().lstrip('@')}" for a in accounts if a.strip().lstrip("@")]
    if not terms:
        raise UsageError("a query needs at least one hashtag, keyword or account.")
    parts = [terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"]
    langs = [f"lang:{code.strip()}" for code in languages if code.strip()]
    if langs:
        parts.append(langs[0] if len(langs) == 1 else "(" + " OR ".join(langs) + ")")
    if exclude_retweets:
        parts.append("-is:retweet")
    if extra.strip():
        parts.append(extra.strip())
    query = " ".join(parts)
    check_query(query, archive=archive, limit=limit)
    return query


def check_query(query: str, *, archive: bool = False, limit: int | None = None) -> str:
    """Return ``query`` if the API would accept its length, else raise :class:`UsageError`.

    Parameters
    ----------
    query : str
        The search query as it will be sent (leading and trailing spaces are removed).
    archive : bool, optional
        Check against the full-archive search limit (1,024) instead of recent search (512);
        default False.
    limit : int or None, optional
        The query length limit of your access level in characters; None uses
        :data:`QUERY_LIMITS` for the endpoint chosen by ``archive``.

    Returns
    -------
    str
        The query, stripped of surrounding spaces.

    Raises
    ------
    UsageError
        If the query is empty or longer than the limit.

    Examples
    --------
    >>> check_query("#docstoctoc lang:fr")
    '#docstoctoc lang:fr'
    >>> check_query("x" * 600)
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: the query is 600 characters long but recent search accepts 512; split it into several queries (or pass your access level's limit).
    """
    query = query.strip()
    if not query:
        raise UsageError("the search query is empty; give hashtags, keywords or accounts.")
    limit = limit or QUERY_LIMITS["archive" if archive else "recent"]
    if len(query) > limit:
        kind = "full-archive search" if archive else "recent search"
        raise UsageError(
            f"the query is {len(query)} characters long but {kind} accepts {limit}; "
            "split it into several queries (or pass your access level's limit)."
        )
    return query
