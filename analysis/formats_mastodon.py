"""Mastodon API responses (as ``medtwitter collect mastodon`` keeps them) -> v2-shaped pages.

A raw line holds one response of a Mastodon instance whole: ``response`` (the JSON
body: an array of Status or Account entities, or one Account), ``subject`` (the
Account the request was about, from ``/api/v1/accounts/lookup``) and the
``__medtwitter`` provenance block (``platform: "mastodon"``, ``endpoint``, the
``instance`` asked). :func:`mastodon_page` makes the page
:func:`analysis.ingest.add_page` reads:

- accounts are ``user@instance`` (a local account's ``acct`` has no domain: the
  instance asked is added; a remote one keeps its own), the users' ``username``;
- statuses are ``<instance>/statuses/<id>``: ids are the instance's own;
- a reblog is a status whose ``retweet_of_tweet_id`` is the reblogged one
  (``RT @user@instance: text``, like an X retweet); a quote (``quote.quoted_status``,
  Mastodon 4.4) is ``quote_of_tweet_id``; ``in_reply_to_id`` is the reply's parent,
  and ``in_reply_to_account_id`` its author where the page names that account;
- the text is the status's HTML ``content`` as text; hashtags are its ``tags``,
  mentions its ``mentions``, links the content's links that are neither (a reblog
  carries the reblogged status's, as an X retweet does);
- a bio is the ``note`` as text, followed by the profile's fields (``name: value``),
  where people often name their other accounts.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from analysis.platforms import MASTODON, NativePage

FORMAT = "mastodon-api"
#: Endpoints (as the collector names them) and the page kind each makes.
ENDPOINTS = {
    "tag": "tweets",
    "statuses": "tweets",
    "accounts": "users",
    "followers": "followers",
    "following": "following",
}


def instance_host(url: str) -> str:
    """Return the host of an instance URL, lower case: ``https://Mastodon.Social/`` -> ``mastodon.social``.

    Parameters
    ----------
    url : str
        An instance's URL or bare host name.

    Returns
    -------
    str
        The host name, lower case.

    Raises
    ------
    ValueError
        If ``url`` names no host.

    Examples
    --------
    >>> instance_host("https://Mastodon.Social/"), instance_host("piaille.fr")
    ('mastodon.social', 'piaille.fr')
    """
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    if not host:
        raise ValueError(f"{url!r} names no instance host")
    return host


def full_acct(acct: str, host: str) -> str:
    """``user@instance`` of an account's ``acct`` (local accounts have no domain in it).

    Parameters
    ----------
    acct : str
        An account's ``acct`` (``user`` for a local account, ``user@domain`` for a remote one;
        a leading ``@`` is dropped).
    host : str
        The instance the response came from, used for a local account.

    Returns
    -------
    str
        ``user@domain``, the domain lower case.

    Raises
    ------
    ValueError
        If ``acct`` has no user part.

    Examples
    --------
    >>> full_acct("dr_a", "piaille.fr"), full_acct("Dr_B@Mastodon.Social", "piaille.fr")
    ('dr_a@piaille.fr', 'Dr_B@mastodon.social')
    """
    acct = acct.lstrip("@")
    user, _, domain = acct.partition("@")
    if not user:
        raise ValueError(f"{acct!r} is not a Mastodon account")
    return f"{user}@{(domain or host).lower()}"


class _Text(HTMLParser):
    """A status's or bio's HTML as text, and its links that are not mentions or hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._anchor: list[str] = []
        self._invisible = 0

    def handle_starttag(self, tag, attrs):
        """Start a paragraph, line break, link or invisible span of the text.

        Parameters
        ----------
        tag : str
            The tag's name, lower case.
        attrs : list of tuple of (str, str or None)
            The tag's attributes, as :class:`html.parser.HTMLParser` gives them.
        """
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "a":
            plain = not {"mention", "hashtag", "u-url"} & set(classes)
            self._href = attrs.get("href") if plain else None
            self._anchor = []
        elif tag == "span" and "invisible" in classes:
            self._invisible += 1

    def handle_endtag(self, tag):
        """Record a plain link's text and address when it closes.

        Parameters
        ----------
        tag : str
            The tag's name, lower case.
        """
        if tag == "a" and self._href:
            self.links.append(("".join(self._anchor), self._href))
            self._href = None

    def handle_data(self, data):
        """Add text, to the link's text as well inside a plain link.

        Parameters
        ----------
        data : str
            Text between tags (entities already decoded).
        """
        self.parts.append(data)
        if self._href is not None:
            self._anchor.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


def html_text(html: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    r"""(text, [(link text, href)]) of Mastodon HTML.

    Parameters
    ----------
    html : str or None
        A status's ``content``, a profile's ``note`` or field value (HTML).

    Returns
    -------
    tuple of (str or None, list of tuple of (str, str))
        The plain text (None for None) and the plain links as (link text, href); mention and
        hashtag links are not listed.

    Examples
    --------
    >>> html_text('<p>Lire <a href="https://has-sante.fr/x">has-sante.fr/x</a><br>#<a class="mention hashtag" href="t">MedMastodon</a></p>')
    ('Lire has-sante.fr/x\n#MedMastodon', [('has-sante.fr/x', 'https://has-sante.fr/x')])
    """
    if html is None:
        return None, []
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text, parser.links


class _Page(NativePage):
    platform = MASTODON

    def __init__(self, host: str) -> None:
        super().__init__()
        self.host = host
        self.local: dict[str, str] = {}  # the instance's account id -> user@instance

    def status_key(self, status_id: object) -> str | None:
        """Return the derived key of a status of this instance, as text.

        Parameters
        ----------
        status_id : object
            The status's id on this instance; None or empty for none.

        Returns
        -------
        str or None
            The key of ``<host>/statuses/<id>``, or None without an id.
        """
        return self.key(f"{self.host}/statuses/{status_id}") if status_id else None

    def user(self, account: dict) -> str | None:
        """Add an account as a v2 user; return its key.

        Parameters
        ----------
        account : dict
            A Mastodon account (``acct``, ``display_name``, ``note``, ``fields``...).

        Returns
        -------
        str or None
            The account's derived key as text, or None for an object without ``acct``.
        """
        if not isinstance(account, dict) or not account.get("acct"):
            return None
        acct = full_acct(account["acct"], self.host)
        key = self.key(acct)
        if key is None:  # an empty ``acct`` was refused above: never the case
            return None
        if account.get("id") is not None:
            self.local[str(account["id"])] = acct
        bio, _ = html_text(account.get("note"))
        fields = [
            f"{f.get('name')}: {html_text(f.get('value'))[0]}"
            for f in account.get("fields") or ()
            if isinstance(f, dict)
        ]
        description = "\n".join(x for x in [bio, *fields] if x) or bio
        self.users[key] = {
            "id": key,
            "native_id": acct,
            "username": acct,
            "name": account.get("display_name") or None,
            "description": description,
            "created_at": account.get("created_at"),
            "protected": account.get("locked"),
            "public_metrics": {
                "followers_count": account.get("followers_count"),
                "following_count": account.get("following_count"),
                "tweet_count": account.get("statuses_count"),
            },
        }
        return key

    def status(self, status: dict) -> dict:
        """Return a status as a v2 tweet; its account, reblogged and quoted statuses are added.

        Parameters
        ----------
        status : dict
            A Mastodon status (``id``, ``account``, ``content``, ``reblog``...).

        Returns
        -------
        dict
            The v2 tweet, a reblog written ``RT @user: text`` with the original's entities.
        """
        author = self.user(status.get("account") or {})
        for m in status.get("mentions") or ():
            if isinstance(m, dict) and m.get("acct") and m.get("id") is not None:
                self.local[str(m["id"])] = full_acct(m["acct"], self.host)
        native = f"{self.host}/statuses/{status['id']}"
        refs = []
        if status.get("in_reply_to_id"):
            refs.append({"type": "replied_to", "id": self.status_key(status["in_reply_to_id"])})
        reblog = status.get("reblog")
        quoted = (status.get("quote") or {}).get("quoted_status")
        text, links = html_text(status.get("content"))
        shared = None  # a reblog's entities: the reblogged status's, like an X retweet's
        if isinstance(reblog, dict):
            original = self.status(reblog)
            self.tweets.setdefault(original["id"], original)
            refs.append({"type": "retweeted", "id": original["id"]})
            text = f"RT @{self.users[original['author_id']]['username']}: {original['text'] or ''}"
            shared = original["entities"]
        if isinstance(quoted, dict):
            original = self.status(quoted)
            self.tweets.setdefault(original["id"], original)
            refs.append({"type": "quoted", "id": original["id"]})
        reply_user = self.local.get(str(status.get("in_reply_to_account_id")))
        mentions = [
            {
                "username": full_acct(m["acct"], self.host),
                "id": self.key(full_acct(m["acct"], self.host)),
            }
            for m in status.get("mentions") or ()
            if isinstance(m, dict) and m.get("acct")
        ]
        tags = [
            {"tag": t["name"]}
            for t in status.get("tags") or ()
            if isinstance(t, dict) and t.get("name")
        ]
        urls = [{"url": label or href, "expanded_url": href} for label, href in links]
        entities = shared or {"hashtags": tags, "mentions": mentions, "urls": urls}
        return {
            "id": self.key(native),
            "native_id": native,
            "author_id": author,
            "created_at": status.get("created_at"),
            "text": text,
            "lang": status.get("language"),
            "referenced_tweets": refs,
            "in_reply_to_user_id": self.key(reply_user),
            "entities": entities,
            "public_metrics": {
                "retweet_count": status.get("reblogs_count"),
                "reply_count": status.get("replies_count"),
                "like_count": status.get("favourites_count"),
                "quote_count": status.get("quotes_count"),
            },
        }


def mastodon_page(record: dict) -> dict | None:
    """Return a raw Mastodon response line -> a v2-shaped page (None if its endpoint is not read).

    Parameters
    ----------
    record : dict
        One line of a Mastodon raw file: the REST response under ``response`` and its
        ``__medtwitter`` provenance (with ``params.instance``).

    Returns
    -------
    dict or None
        A v2-shaped page whose users and statuses carry derived keys and their ``native_id``;
        None for an endpoint ingest does not read.

    Examples
    --------
    >>> line = {"response": {"id": "7", "acct": "dr_a", "username": "dr_a"},
    ...         "__medtwitter": {"platform": "mastodon", "endpoint": "accounts",
    ...                          "params": {"instance": "https://piaille.fr"}}}
    >>> mastodon_page(line)["data"][0]["native_id"]
    'dr_a@piaille.fr'
    """
    meta = record["__medtwitter"]
    kind = ENDPOINTS.get(meta.get("endpoint"))
    if kind is None:
        return None
    page = _Page(instance_host(meta["params"]["instance"]))
    body = record.get("response")
    items = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    params: dict = {}
    if kind == "tweets":
        data = [page.status(s) for s in items]
        page.user(record.get("subject") or {})
    else:
        subject = page.user(record.get("subject") or {}) if kind != "users" else None
        keys = [page.user(a) for a in items]
        data = [page.users[k] for k in dict.fromkeys(k for k in keys if k)]
        if subject is not None:
            params["user_id"] = subject
    listed = {d["id"] for d in data} if kind != "tweets" else set()
    return {
        "data": data,
        "includes": {
            "users": [u for k, u in page.users.items() if k not in listed],
            "tweets": [t for k, t in page.tweets.items() if k not in {d["id"] for d in data}],
        },
        "__medtwitter": {
            "endpoint": "tweets" if kind == "tweets" else kind,
            "params": params,
            "collected_at": meta.get("collected_at"),
            "synthetic": bool(meta.get("synthetic")),
            "platform": MASTODON,
            "native_ids": page.native,
            "source_format": FORMAT,
        },
    }
