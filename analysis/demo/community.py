"""The synthetic community itself: accounts, pairs, follow links and tweets, drawn for one seed."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.accounts.vocabulary import PROFESSIONAL_ROLES
from analysis.demo.model import (
    END,
    DemoParams,
    bass_sample,
    snowflake_id,
    time_at,
    years_since_start,
)
from analysis.demo.words import (
    ANIMALS,
    ANIMALS_EN,
    ANON_BIO,
    BIO,
    CITIES_EN,
    CITIES_FR,
    COMMUNITIES,
    FIRST_EN,
    FIRST_FR,
    LAST_EN,
    LAST_FR,
    NATIONAL_INSTITUTIONS,
    TEXT,
    TITLE,
)


class _Generator:
    def __init__(self, params: DemoParams) -> None:
        self.p = params
        self.rng = np.random.default_rng(params.seed)
        self.accounts: list[dict] = []
        self.usernames: set[str] = set()

    # -- accounts ---------------------------------------------------------------
    def _unique(self, base: str) -> str:
        base = "".join(ch for ch in base if ch.isalnum() or ch == "_")[:15] or "user"
        name, i = base, 1
        while name.lower() in self.usernames:
            i += 1
            suffix = str(i)
            name = base[: 15 - len(suffix)] + suffix
        self.usernames.add(name.lower())
        return name

    @staticmethod
    def _ascii(s: str) -> str:
        return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()

    def make_accounts(self) -> None:
        rng, p = self.rng, self.p
        n = p.accounts
        # pairs' second accounts come out of the same budget, so there are exactly n accounts
        base = n - len(NATIONAL_INSTITUTIONS) - int(round(n * p.pair_share * 0.35))
        counts = np.floor(rng.dirichlet(np.full(len(COMMUNITIES), 8.0)) * base).astype(int)
        counts[: base - counts.sum()] += 1
        for handle, name, bio in NATIONAL_INSTITUTIONS:
            self._add("institution", "institutional", 1, "fr", handle=handle, name=name, bio=bio)
        for c, (comm, k) in enumerate(zip(COMMUNITIES, counts, strict=True)):
            roles = list(comm.roles)
            weights = np.array([comm.roles[r] for r in roles])
            for role in rng.choice(roles, size=k, p=weights / weights.sum()):
                self._add_person_or_institution(str(role), c, comm.lang)
        # personal/professional pairs: a nominative professional also runs an anonymous account
        nominative = [
            a
            for a in self.accounts
            if a["identity"] == "nominative" and a["role"] in PROFESSIONAL_ROLES
        ]
        n_pairs = min(n - len(self.accounts), len(nominative))
        for pair_id, idx in enumerate(rng.choice(len(nominative), size=n_pairs, replace=False)):
            owner = nominative[idx]
            owner["pair_id"] = pair_id
            twin = self._add(
                owner["role"],
                "anonymous",
                owner["community"],
                owner["lang"],
                city=owner["location"],
            )
            twin["pair_id"] = pair_id
        for i, a in enumerate(self.accounts):
            a["index"] = i

    def _add_person_or_institution(self, role: str, community: int, lang: str) -> dict:
        if role == "institution":
            return self._add(role, "institutional", community, lang)
        anon_share = self.p.anonymous_share if role != "public" else 0.5
        identity = "anonymous" if self.rng.random() < anon_share else "nominative"
        return self._add(role, identity, community, lang)

    def _add(self, role, identity, community, lang, handle=None, name=None, bio=None, city=None):
        rng = self.rng
        cities = CITIES_EN if lang == "en" else CITIES_FR
        city = city or str(rng.choice(cities))
        if identity == "institutional" and handle is None:
            kind = rng.choice(["chu", "ars", "asso", "societe", "clinique"])
            if lang == "en":
                name, bio = f"{city} NHS Trust", f"Official account of {city} hospitals."
            elif kind == "chu":
                name, bio = (
                    f"CHU de {city}",
                    f"Compte officiel du Centre hospitalier universitaire de {city}.",
                )
            elif kind == "ars":
                name, bio = (
                    f"ARS {city}",
                    f"Agence régionale de santé. Actualités santé de la région de {city}.",
                )
            elif kind == "asso":
                name, bio = (
                    f"France Patients {city}",
                    "Association de patients. Informer, accompagner.",
                )
            elif kind == "societe":
                name, bio = (
                    f"Société de Médecine de {city}",
                    "Société savante. Congrès, formations, recommandations.",
                )
            else:
                name, bio = f"Clinique Saint-{rng.choice(FIRST_FR)}", f"Clinique privée à {city}."
            handle = self._unique(self._ascii(name).replace(" ", "_").replace("-", "_"))
        elif identity == "nominative":
            first = str(rng.choice(FIRST_EN if lang == "en" else FIRST_FR))
            last = str(rng.choice(LAST_EN if lang == "en" else LAST_FR))
            dr = role == "physician" and rng.random() < 0.6
            name = f"Dr {first} {last}" if dr else f"{first} {last}"
            style = rng.integers(3)
            base = [
                f"Dr{first}{last}" if dr else f"{first}{last}",
                f"{first}_{last}",
                f"{first[0]}{last}",
            ][style]
            handle = self._unique(self._ascii(base))
            bio = str(rng.choice(BIO[lang][role])).format(city=city)
        elif identity == "anonymous":
            title = TITLE[lang][role]
            animal = str(rng.choice(ANIMALS_EN if lang == "en" else ANIMALS))
            form = rng.integers(3)
            if form == 0:
                name = f"Dr {animal}" if role == "physician" else f"{title} {animal}"
            elif form == 1:
                place = "en pleine campagne" if lang == "fr" else "on call"
                name = f"{title} {place}"
            else:
                name = f"{animal} {'masqué' if lang == 'fr' else 'masked'}"
            handle = self._unique(self._ascii(f"{'Dr' if role == 'physician' else title}_{animal}"))
            bio = str(rng.choice(ANON_BIO[lang])).format(title=title)
        protected = identity != "institutional" and bool(rng.random() < self.p.protected_share)
        account = {
            "username": handle,
            "name": name,
            "description": bio or "",
            "location": city if identity != "anonymous" else "",
            "role": role,
            "identity": identity,
            "community": community,
            "lang": lang,
            "protected": protected,
            "pair_id": None,
        }
        self.accounts.append(account)
        return account

    # -- adoption and ids -------------------------------------------------------------
    def place_in_time(self) -> None:
        rng, p = self.rng, self.p
        horizon = years_since_start(END)
        adopt = bass_sample(rng, len(self.accounts), p.bass_p, p.bass_q, horizon)
        lead = rng.uniform(0, 4, size=len(self.accounts))
        for a, t, lag in zip(self.accounts, adopt, lead, strict=True):
            a["adopted_at"] = time_at(t)
            created = max(time_at(t - lag), datetime(2007, 1, 1, tzinfo=UTC))
            a["created_at"] = created
        for seq, a in enumerate(sorted(self.accounts, key=lambda a: a["created_at"])):
            a["user_id"] = (
                snowflake_id(a["created_at"], seq)
                if a["username"] not in {h for h, _, _ in NATIONAL_INSTITUTIONS}
                else 10_000 + seq
            )

    # -- follower graph ---------------------------------------------------------------
    def make_follows(self) -> np.ndarray:
        rng, p = self.rng, self.p
        n = len(self.accounts)
        comm = np.array([a["community"] for a in self.accounts])
        role = np.array([a["role"] for a in self.accounts])
        national = np.array(
            [a["username"] in {h for h, _, _ in NATIONAL_INSTITUTIONS} for a in self.accounts]
        )
        pop = rng.pareto(1.5, size=n) + 1
        pop[role == "institution"] *= 8
        out_deg = np.maximum(1, rng.lognormal(np.log(p.mean_following) - 0.5, 1.0, size=n)).astype(
            int
        )
        out_deg = np.minimum(out_deg, n - 1)
        src = np.repeat(np.arange(n), out_deg)
        m = len(src)
        draw = rng.random(m)
        to_national = draw < 0.06
        own = (draw >= 0.06) & (draw < 0.06 + p.homophily * 0.94)
        tgt_comm = np.where(own, comm[src], rng.integers(0, len(COMMUNITIES), size=m))
        dst = np.empty(m, dtype=np.int64)
        nat_idx = np.flatnonzero(national)
        dst[to_national] = rng.choice(nat_idx, size=int(to_national.sum()))
        rest = ~to_national
        for c in range(len(COMMUNITIES)):
            members = np.flatnonzero((comm == c) & ~national)
            sel = rest & (tgt_comm == c)
            w = pop[members] / pop[members].sum()
            dst[sel] = rng.choice(members, size=int(sel.sum()), p=w)
        edges = np.unique(np.stack([src, dst], axis=1)[src != dst], axis=0)
        # follow-back: who returns a follow depends on the followed account's role, and the
        # base rate is calibrated so that the expected global reciprocity is p.reciprocity
        code = edges[:, 0] * n + edges[:, 1]
        already = np.isin(edges[:, 1] * n + edges[:, 0], code)
        r0, lone = already.mean(), edges[~already]
        back = {"institution": 0.15, "public": 0.8, "physician": 1.2, "intern": 1.2}
        mult = np.array([back.get(r, 1.1) for r in role])[lone[:, 1]]
        rho = max(0.0, len(edges) * (p.reciprocity - r0) / (len(lone) * (2 - p.reciprocity)))
        prob = np.clip(mult * rho / mult.mean(), 0, 1)
        rev = lone[rng.random(len(lone)) < prob][:, ::-1]
        # pairs: half of them follow each other
        pairs: dict[int, list[int]] = {}
        for a in self.accounts:
            if a["pair_id"] is not None:
                pairs.setdefault(a["pair_id"], []).append(a["index"])
        mutual = [(i, j) for i, j in pairs.values() if rng.random() < 0.5]
        extra = np.array([e for i, j in mutual for e in ((i, j), (j, i))], dtype=np.int64)
        edges = np.unique(np.concatenate([edges, rev, extra.reshape(-1, 2)]), axis=0)
        return edges

    # -- tweets -----------------------------------------------------------------------
    def make_tweets(self) -> list[dict]:
        rng, p = self.rng, self.p
        tweets: list[dict] = []
        horizon = END
        by_comm: dict[int, list[dict]] = {}
        authors = [a for a in self.accounts if not a["protected"]]
        kinds = list(p.tweet_types)
        for a in authors:
            k = max(
                1, int(rng.poisson(p.mean_tweets * (2.5 if a["role"] == "institution" else 1.0)))
            )
            span = (horizon - a["adopted_at"]).total_seconds()
            offsets = np.sort(rng.uniform(0, span, size=k))
            offsets[0] = 0.0
            probs = np.array([p.tweet_types[t] for t in kinds])
            if a["identity"] == "anonymous":  # anonymous accounts reply more
                probs = probs * np.array([0.8, 1.8, 1.0, 1.0])
            types = rng.choice(kinds, size=k, p=probs / probs.sum())
            types[0] = "original"
            for i, (off, kind) in enumerate(zip(offsets, types, strict=True)):
                ts = a["adopted_at"] + timedelta(seconds=float(off))
                ts = self._hour_of_day(ts, a)
                tw: dict = {
                    "author": a,
                    "created_at": min(ts, horizon),
                    "kind": str(kind),
                    "first": i == 0,
                }
                tweets.append(tw)
        tweets.sort(key=lambda t: (t["created_at"], t["author"]["index"]))
        # referencing tweets point at an earlier original of the same community (mostly)
        final: list[dict] = []
        for tw in tweets:
            a = tw["author"]
            c = a["community"] if rng.random() < 0.9 else int(rng.integers(len(COMMUNITIES)))
            pool = by_comm.get(c, [])
            if tw["kind"] != "original" and pool:
                if tw["kind"] == "reply" and COMMUNITIES[c].name == "docstoctoc":
                    questions = [q for q in pool[-200:] if q.get("question")]
                    target = questions[int(rng.integers(len(questions)))] if questions else None
                else:
                    target = pool[-1 - int(rng.integers(min(len(pool), 300)))]
                if (
                    target is not None
                    and target["author"] is not a
                    and target["created_at"] >= a["adopted_at"]
                ):
                    tw["target"] = target
                    if tw["kind"] == "reply":
                        # a reply comes hours after what it answers, not at the replier's own pace
                        delay = timedelta(hours=float(rng.exponential(4.0)))
                        tw["created_at"] = min(target["created_at"] + delay, horizon)
            if "target" not in tw:
                tw["kind"] = "original"
            final.append(tw)
            if tw["kind"] == "original":
                tw["question"] = (
                    COMMUNITIES[a["community"]].name == "docstoctoc"
                    and a["role"] in ("physician", "intern")
                    and rng.random() < 0.35
                )
                by_comm.setdefault(a["community"], []).append(tw)
        final.sort(key=lambda t: (t["created_at"], t["author"]["index"]))
        for seq, tw in enumerate(final):
            tw["id"] = snowflake_id(tw["created_at"], seq)
        for tw in final:
            self._write_text(tw)
        return final

    def _hour_of_day(self, ts: datetime, a: dict) -> datetime:
        # nominative and institutional accounts tweet in office hours, anonymous ones in the evening
        mean = 21.0 if a["identity"] == "anonymous" else 13.0
        hour = float(np.clip(self.rng.normal(mean, 2.5), 0, 23.99))
        return ts.replace(
            hour=int(hour), minute=int((hour % 1) * 60), second=int(self.rng.integers(60))
        )

    def _tags_for(self, a: dict) -> list[str]:
        rng = self.rng
        comm = COMMUNITIES[a["community"]]
        k = int(rng.choice([1, 1, 2, 2, 3]))
        tags: list[str] = []
        for _ in range(k):
            source = (
                comm if rng.random() < 0.92 else COMMUNITIES[int(rng.integers(len(COMMUNITIES)))]
            )
            tag = str(rng.choice(source.tags))
            if tag == "Santé":  # the same tag written three ways; 'sante' stays its own
                tag = str(rng.choice(["Santé", "santé", "SANTÉ"]))
            if tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
        return tags

    def _write_text(self, tw: dict) -> None:
        rng, a = self.rng, tw["author"]
        lang = a["lang"]
        t = TEXT[lang]
        topic = str(rng.choice(t["topics"]))
        url = f"https://t.co/{''.join(rng.choice(list('abcdefghijkLMNOP0123456789'), size=10))}"
        tw["lang"] = lang
        if tw["kind"] == "retweet":
            return
        if tw.get("question"):
            body = str(rng.choice(t["question"])).format(topic=topic)
            tags = ["docstoctoc"] + [x for x in self._tags_for(a) if x != "docstoctoc"][:1]
        elif (
            tw["kind"] == "reply"
            and COMMUNITIES[tw["target"]["author"]["community"]].name == "docstoctoc"
        ):
            body = str(rng.choice(t["answer"])).format(topic=topic)
            tags = ["docstoctoc"] if rng.random() < 0.5 else []
        else:
            body = str(rng.choice(t["original"])).format(topic=topic, url=url)
            tags = self._tags_for(a) if (tw["first"] or rng.random() < 0.75) else []
        mentions = []
        if tw["kind"] == "reply":
            mentions.append(tw["target"]["author"])
        elif rng.random() < 0.15:
            mentions.append(self.accounts[int(rng.integers(len(NATIONAL_INSTITUTIONS)))])
        prefix = "".join(f"@{m['username']} " for m in mentions if tw["kind"] == "reply")
        suffix = " ".join(f"#{x}" for x in tags)
        extra = "".join(f" @{m['username']}" for m in mentions if tw["kind"] != "reply")
        tw["text"] = f"{prefix}{body}{extra} {suffix}".strip()
        tw["tags"] = tags
        tw["mentions"] = mentions
