"""One small spaCy pipeline per language: tokenizer plus lookup lemmatizer, all offline."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

SUPPORTED = ("en", "es")
DEFAULT_LANGUAGE = "en"


@cache
def pipeline(lang: str) -> Language:
    """A blank spaCy pipeline with lemma tables from spacy-lookups-data (no trained model needed)."""
    if lang not in SUPPORTED:
        lang = DEFAULT_LANGUAGE
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def analyse(text: str, lang: str) -> list[tuple[str, int, str]]:
    """(token text, start offset, lowercase lemma) for every non-space token of `text`."""
    lowered = text.lower()
    source = lowered if len(lowered) == len(text) else text
    doc = pipeline(lang)(source)
    return [(text[t.idx : t.idx + len(t.text)], t.idx, t.lemma_.lower()) for t in doc if t.text.strip()]
