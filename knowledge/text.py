"""Words as the search index sees them: spaCy lemmas, lowercase, accents folded, stop words left out, stemmed.

The same spaCy pipelines lemmatise the knowledge base's questions at `make kb` and the user's message in the
NLU (bot/nlu/tokenizer.py, which passes the lemmas on to the actions). spaCy is imported only when a
pipeline is first needed: importing it pulls in TensorFlow (~20 s, ~700 MB), which the action server never
needs because the NLU has already lemmatised the message.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.paths import SOURCES_DIR

if TYPE_CHECKING:
    from spacy.language import Language

LANGUAGES = ("en", "es")  # the one list of the languages the bot speaks
DEFAULT_LANGUAGE = "en"
STEMMERS = {"en": "english", "es": "spanish"}  # Snowball's name for each language
NAME_TYPO_SWAP = 5  # name_typo: a name this long or longer is read through two swapped letters
NAME_TYPO_EDIT = 7  # ... and this long or longer through one wrong, missing or extra letter
NAME_STEM = 8  # name_stems: a name's stem this long or longer says the name in any form of the word
STOP_WORDS_FILE = SOURCES_DIR / "stop_words.yml"  # the words kept from and added to spaCy's stop-word lists
COMMON_WORD_FLOOR = -13.5  # log probability: rarer words than this count as rare (common_words)


def choose_language(
    detected: object = None, conversation: object = None, declared: object = None, guess: object = None
) -> str:
    """The one rule for the language of a reply, used by the actions and the channels alike. Evidence in order:
    1. `detected`: the language the NLU's detector is sure this message is in (a user may switch at any message);
    2. `conversation`: the conversation's language so far (the `language` slot);
    3. `declared`: the language the page or client declared with the message (the widget's page language);
    4. `guess`: the best guess from the message's words when the detector is unsure ("triton hace batching
       dinamico?" is mostly English words, and "hace" says Spanish);
    5. DEFAULT_LANGUAGE.
    Anything that is not a supported language counts as no evidence."""
    for evidence in (detected, conversation, declared, guess):
        if evidence in LANGUAGES:
            return str(evidence)
    return DEFAULT_LANGUAGE


WORD = re.compile(r"[^\W_]+")
# A release number is one word: "pytorch 2.3" does not ask about what "PyTorch 2.9" answers. As an index term it is
# written with "p" for the dots ("2p3"), which the full-text index keeps as one token.
VERSION = re.compile(r"v?(\d+(?:\.\d+)+)")


# A release number belongs to the name before it: "PyTorch 1.0" is not "ExecuTorch … reached version 1.0". Numbers,
# words, and the marks that end a sentence or a clause, in a folded text ("." only between words: not "torch.compile").
NUMBERED_TOKEN = re.compile(r"v?\d+(?:\.\d+)+|\d+|[^\W\d_]+|[.!?](?!\w)|[¿¡,;:()]")
SENTENCE_MARKS = frozenset(".!?¿¡")
YEAR = re.compile(r"(19|20)\d\d")  # a number alone that is a year, not a release
# A word rarer than this in the language at large is a name a number may belong to ("python" in "python 3.8",
# "executorch"); "version", "release" and "versión" are not.
NAME_LOG_PROB = -11.5
NAME_LENGTH = 3


@cache
def pipeline(lang: str) -> Language:
    """A blank spaCy pipeline with lemma tables from spacy-lookups-data (no trained model needed)."""
    import spacy

    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def analyse(text: str, lang: str) -> list[tuple[str, int, str]]:
    """(token text, start offset, lowercase lemma) for every non-space token of `text`.

    The lemmas are those of the text without accents, so that "última" and "ultima" (as people type) get the
    same lemma on both sides of a search, even where the tables would tell them apart."""
    source = text
    for candidate in (fold(text), text.lower()):  # offsets must stay those of `text`
        if len(candidate) == len(text):
            source = candidate
            break
    doc = pipeline(lang)(source)
    return [(text[t.idx : t.idx + len(t.text)], t.idx, t.lemma_.lower()) for t in doc if t.text.strip()]


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for a language, folded, minus the words kept, plus the pieces of contractions typed
    without an apostrophe ("doesnt" -> "does" + "nt", "whats" -> "what" + "s"), single letters and the fillers
    (knowledge/sources/stop_words.yml; needs spaCy: used when the index is built)."""
    from importlib import import_module

    import yaml

    changes = yaml.safe_load(STOP_WORDS_FILE.read_text(encoding="utf-8")) or {}
    keep, fillers = (frozenset(map(fold, _stop_word_list(changes, part, lang))) for part in ("keep", "fillers"))
    words = import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
    pieces = set("abcdefghijklmnopqrstuvwxyz") | ({"nt", "ll", "ve", "re"} if lang == "en" else set())
    return (frozenset(fold(w) for w in words) - keep) | pieces | fillers


def _stop_word_list(changes: object, part: str, lang: str) -> list[str]:
    """One list of stop_words.yml (`keep` or `fillers`, per language), or an error naming what is malformed."""
    by_language = changes.get(part) if isinstance(changes, dict) else None
    words = (by_language.get(lang) or []) if isinstance(by_language, dict) else None
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise ValueError(
            f"{STOP_WORDS_FILE.name}: '{part}' needs a list of words for each language ({', '.join(LANGUAGES)}), "
            f"like the entries already there; '{part}' ({lang}) is not one."
        )
    return words


@lru_cache(maxsize=4096)  # one search folds its message and each of its words several times
def fold(text: str) -> str:
    """Lowercase without accents: "Cómo" -> "como"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=256)  # ... and asks several times whether the message holds a phrase
def fold_phrase(text: str) -> str:
    """Case, accents, punctuation (with "¿" and "¡") and spacing folded: two texts equal after this are the same
    question or example ("¿Qué   tal?" and "que tal"). Symbols are not punctuation ("c++" stays)."""
    kept = "".join(" " if unicodedata.category(char).startswith("P") else char for char in fold(text))
    return " ".join(kept.split())


def lemma_of(surface: str, lemma: str) -> str:
    """The lemma when it is a form of the word; the lookup tables give a few words unrelated lemmas
    ("para" -> "parir", "ai" -> "have"), and those keep their own form."""
    return lemma if lemma[:2] == surface.lower()[:2] else surface.lower()


@cache
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMERS.get(lang, STEMMERS[DEFAULT_LANGUAGE]))


def stem(word: str, lang: str) -> str:
    """A folded word's Snowball stem: the lookup lemmas miss forms ("redes" -> "redar", "convolucionales"
    unchanged) and relate no word to its derivations ("deployment", "deploy"); their stems meet. A subject's
    one-word name is read before stemming ("active" is not "activation")."""
    return _stemmer(lang).stemWord(word)


# Spanish verb forms whose stress mark carries the ending: typed without it, the stemmer misses the ending
# ("costaria" -> "costari", "costaría" -> "cost"; "salio" -> "sali", "salió" -> "sal")
UNMARKED_ENDINGS = {"es": ((re.compile(r"(?<=\w)i(as?|amos|ais|an)$"), r"í\1"), (re.compile(r"io$"), "ió"))}


def marked_stems(word: str, lang: str) -> list[str]:
    """The folded stems of a folded word read with the stress mark its ending may have lost (UNMARKED_ENDINGS):
    "costaria" gives "cost", "valdria" "valdr"; none for a word whose ending takes no mark."""
    found = []
    for pattern, marked in UNMARKED_ENDINGS.get(lang, ()):
        if pattern.search(word):
            found.append(fold(stem(pattern.sub(marked, word), lang)))
    return found


# Spanish diminutives ("un ejemplito", "modelitos", "codiguito", "un poquito"), read as the word they make small
DIMINUTIVE_ENDINGS = {
    "es": (
        (re.compile(r"(?<=\w{2})guit([oa]s?)$"), r"g\1"),
        (re.compile(r"(?<=\w{2})quit([oa]s?)$"), r"c\1"),
        (re.compile(r"(?<=\w{3})it([oa]s?)$"), r"\1"),
        (re.compile(r"(?<=\w{3})cit([oa]s?)$"), r"\1"),
    )
}


def diminutive_plain(word: str, lang: str) -> list[str]:
    """A folded word read without its diminutive ending (DIMINUTIVE_ENDINGS): "ejemplito" gives "ejemplo",
    "codiguito" "codigo", "ahorita" "ahora"; none for a word with no such ending."""
    return [pattern.sub(plain, word) for pattern, plain in DIMINUTIVE_ENDINGS.get(lang, ()) if pattern.search(word)]


def diminutive_stems(word: str, lang: str) -> list[str]:
    """The folded stems of `diminutive_plain`: "ejemplito" gives "ejempl"."""
    return [fold(stem(plain, lang)) for plain in diminutive_plain(word, lang)]


def index_word(word: str, lang: str, names: Collection[str], named_stems: Mapping[str, str] | None = None) -> str:
    """A word as the question index holds it, in the index and in a query alike: a subject's one-word name (in
    `names`) whole, also when mistyped (`name_typo`) or in another form of the same stem (`named_stems`:
    "sobreajustar" is the name "sobreajuste"), any other word stemmed."""
    if word in names:
        return word
    typo = name_typo(word, names)
    if typo:
        return typo
    stemmed = stem(word, lang)
    return (named_stems or {}).get(stemmed, stemmed)


def name_stems(names: Collection[str], lang: str) -> dict[str, str]:
    """The stems of one-word names that are long enough (NAME_STEM letters) to say the name, each to the name:
    "sobreajustar" is "sobreajuste", "backpropagating" is "backpropagation"; "regular" is not "regularization" (its
    stem "regular" is too short to tell)."""
    found: dict[str, str] = {}
    for name in sorted(names):
        stemmed = stem(name, lang)
        if len(stemmed) >= NAME_STEM and name.isalpha():
            found.setdefault(stemmed, name)
    return found


def name_typo(word: str, names: Collection[str]) -> str | None:
    """The one-word name a word mistypes, if any: two neighbouring letters swapped in a name of NAME_TYPO_SWAP
    letters or more ("kears", "pytroch"), or one letter wrong, missing or extra in a name of NAME_TYPO_EDIT or
    more ("tensorflw"). Shorter names are left alone: "jax" is one letter from "max"."""
    if len(word) < NAME_TYPO_SWAP - 1 or not word.isalpha():
        return None
    match = process.extractOne(word, names, scorer=OSA.distance, score_cutoff=1)
    if match is None:
        return None
    name = match[0]
    swapped = len(name) == len(word) and sorted(name) == sorted(word)
    return name if len(name) >= (NAME_TYPO_SWAP if swapped else NAME_TYPO_EDIT) else None


def terms(tokens: Iterable[tuple[str, str]], stop: frozenset[str]) -> list[str]:
    """Words from (surface, lemma) pairs: folded lemmas of the words that are not stop words. "torch.compile"
    gives "torch" and "compile". The index and the store stem them (`stem`) after reading subjects' names."""
    found: list[str] = []
    for surface, lemma in tokens:
        if fold(surface) in stop:
            continue
        version = VERSION.fullmatch(fold(surface))
        if version:
            found.append(version.group(1).replace(".", "p"))
            continue
        for word in WORD.findall(fold(lemma_of(surface, lemma))):
            if word not in stop:
                found.append(word)
    return found


def numbers_named(text: str, name_of: Callable[[str], str | None], nearest: bool = False) -> dict[str, set[str]]:
    """Each release number of a text (as its index term, "2p21"; not a year) with the names it belongs to: the last
    before it in its clause ("Keras 3.8", "tested with TensorFlow up to 2.15", "PyTorch caught up with ExecuTorch
    1.0"), else the first before it in its sentence ("ExecuTorch, PyTorch's runtime for phones, reached version 1.0"),
    else none. With `nearest`, only a name right before it ("pytorch 1.0", "python 3.8": how a question names a
    release). `name_of` tells what a folded word names, if anything (`name_reader`)."""
    found: dict[str, set[str]] = defaultdict(set)
    clause = sentence = before = None
    for token in NUMBERED_TOKEN.findall(fold(text)):
        name = None
        if token in SENTENCE_MARKS:
            clause = sentence = None
        elif not token[0].isalnum():
            clause = None
        elif token[0].isdigit() or token[1:2].isdigit():
            number = token.removeprefix("v").replace(".", "p")
            owner = before if nearest else clause or sentence
            if not YEAR.fullmatch(number):
                found[number].update([owner] if owner else [])
        else:
            name = name_of(token)
            if name:
                clause, sentence = name, sentence or name
        before = name
    return found


def name_reader(
    aliases: dict[str, str], stop: Collection[str], common: dict[str, float], lang: str
) -> Callable[[str], str | None]:
    """What a folded word names, for `numbers_named`: the subject a one-word name stands for ("tf" -> tensorflow),
    else the word itself when it is rare enough to be a name (NAME_LOG_PROB), else None."""

    def name_of(word: str) -> str | None:
        if word in aliases:
            return aliases[word]
        if len(word) < NAME_LENGTH or word in stop:
            return None
        return word if common.get(stem(word, lang), COMMON_WORD_FLOOR) < NAME_LOG_PROB else None

    return name_of


def common_words(lang: str) -> dict[str, float]:
    """Stems of the language's words at least as frequent as COMMON_WORD_FLOOR, with the log probability of their
    most frequent form (spacy-lookups-data's `lexeme_prob`, installed with spaCy's lookups; used at `make kb`)."""
    table_file = resources.files("spacy_lookups_data") / "data" / f"{lang}_lexeme_prob.json.gz"
    with table_file.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        table: dict[str, float] = json.load(handle)
    found: dict[str, float] = {}
    for word, log_prob in table.items():
        if log_prob < COMMON_WORD_FLOOR or not WORD.fullmatch(fold(word)):
            continue
        key = stem(fold(word), lang)
        found[key] = max(log_prob, found.get(key, COMMON_WORD_FLOOR))
    return found


def text_terms(text: str, lang: str, stop: frozenset[str] | None = None) -> list[str]:
    """Index terms of a text, lemmatised with the language's spaCy pipeline."""
    tokens = [(surface, lemma) for surface, _, lemma in analyse(text, lang)]
    return terms(tokens, stop_words(lang) if stop is None else stop)
