"""One small spaCy pipeline per language (tokenizer plus lookup lemmatizer, all offline).

The pipelines live in knowledge/text.py, so that the knowledge base's search index and the NLU lemmatise
with the very same tables.
"""

from knowledge.text import DEFAULT_LANGUAGE, LANGUAGES, analyse, pipeline

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "analyse", "pipeline"]
