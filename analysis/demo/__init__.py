"""The synthetic demo community and its ground truth.

``medtwitter demo`` generates a **synthetic** French-speaking medical Twitter
community, writes it as raw X API v2 pages (user lookups, user timelines,
followers pages) under ``<data root>/raw/<dataset>/`` and ingests them with the
same code as real data. Every page carries ``"synthetic": true`` in its
provenance block, and the dataset's ``meta.json`` says so too.

The generator plants known structure, written to ``ground_truth.json`` beside
the raw pages; no analysis reads it, only tests and the notebooks' validation
cells:

* roles and identity styles (nominative, anonymous, institutional), personal /
  professional account pairs, protected accounts;
* six communities with homophily by role and language, each with its own
  hashtags (``#docstoctoc`` peer help, ``#sante``/``#esante``, English
  ``#FOAMed``/``#MedTwitter``, care, prevention campaigns, specialties);
* an asymmetric follower graph with a target reciprocity and heavy-tailed
  in-degree, institutions followed by many;
* each account's first professional tweet drawn from a Bass diffusion (p, q);
* French and English text with accents, emoji, URLs, mentions, replies,
  retweets and quotes.
* a small labelled set of invented patient anecdotes, some identifying (for
  the confidentiality check), drawn from its own generator.

Everything is deterministic for a seed. Names, handles and bios are invented;
the few institution handles are public, but nothing they say here is theirs.

Modules, in the order the data is made: :mod:`~analysis.demo.words` (what the
community is made of), :mod:`~analysis.demo.model` (parameters, calendar, Bass
diffusion), :mod:`~analysis.demo.community` (accounts, links, tweets),
:mod:`~analysis.demo.anecdotes` (labelled patient anecdotes),
:mod:`~analysis.demo.pages` (raw API pages, ground truth, ingest) and
:mod:`~analysis.demo.tiny` (the three-tweet dataset).
"""

from analysis.demo.model import DemoParams, bass_cdf, bass_sample
from analysis.demo.pages import build_demo, generate
from analysis.demo.tiny import build_tiny, tiny_pages
from analysis.demo.words import COMMUNITIES, Community

# the notebooks' validation cells import load_ground_truth from here
from analysis.ground_truth import load_ground_truth

__all__ = [
    "COMMUNITIES",
    "Community",
    "DemoParams",
    "bass_cdf",
    "bass_sample",
    "build_demo",
    "build_tiny",
    "generate",
    "load_ground_truth",
    "tiny_pages",
]
