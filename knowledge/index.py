"""The question index: every answerable entry, the questions it answers, and a full-text index over them.

`make kb` calls `entry_rows` and `write_index` after the knowledge rows are read. The index is SQLite FTS5
(bm25 ranking) in the knowledge base file itself; each (entry, language) row holds the lemmatised terms of
the entry's questions, its statement and its keywords (the vocabulary of its subjects, aspect, goal or task),
plus one `subj<id>` term per subject, which queries use to name a subject whatever the user called it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.orm import Session

from knowledge import models
from knowledge.text import (
    LANGUAGES,
    common_words,
    fold,
    fold_phrase,
    index_word,
    name_reader,
    name_stems,
    numbers_named,
    stop_words,
    text_terms,
)

MIN_QUESTIONS = 3
FIELD_LANGUAGE = "en"  # the language deep learning names things in
QUESTIONS_DIR_NAME = "questions"
SAME_CLAIMS_FILE = "same_claims.yml"
SYNONYMS_FILE = "synonyms.yml"
ASKING_PHRASES_FILE = "asking_phrases.yml"
MAKERS_FILE = "makers.yml"
FTS_DDL = (
    "CREATE VIRTUAL TABLE entry_index USING fts5("
    "entry_id UNINDEXED, language UNINDEXED, questions, statement, keywords, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
VOCABULARY_DDL = "CREATE VIRTUAL TABLE entry_index_terms USING fts5vocab(entry_index, 'instance')"


def subject_term(subject: str) -> str:
    """The index term that stands for a subject: "deep_learning" -> "subjdeeplearning"."""
    return "subj" + subject.replace("_", "")


def load_questions(directory: Path) -> dict[str, dict[str, list[str]]]:
    """Questions by entry id from every file in knowledge/sources/questions/ (an entry's questions may come from
    several files: they add up). The same question twice for one entry (case, accents and punctuation folded) is
    an error."""
    questions: dict[str, dict[str, list[str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        with path.open(encoding="utf-8") as handle:
            for entry_id, by_language in (yaml.safe_load(handle) or {}).items():
                found = questions.setdefault(entry_id, {lang: [] for lang in LANGUAGES})
                for lang in LANGUAGES:
                    for question in by_language.get(lang) or []:
                        question = str(question).strip()
                        if fold_phrase(question) in {fold_phrase(q) for q in found[lang]}:
                            raise ValueError(f"questions/{path.name}: '{entry_id}' has '{question}' ({lang}) twice.")
                        found[lang].append(question)
    return questions


def searched_only(directory: Path) -> set[tuple[str, str, str]]:
    """(entry, language, question) of the informal phrasings (files named *_informal_*): they help the search find
    the entry, and are never offered as a button ("q", "curro" are how people type, not how the bot talks)."""
    found = set()
    for path in sorted(directory.glob("*_informal_*.yml")):
        for entry_id, by_language in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for lang in LANGUAGES:
                found.update((entry_id, lang, str(q).strip()) for q in by_language.get(lang) or [])
    return found


def load_synonyms(path: Path) -> dict[str, dict[str, list[str]]]:
    """Per language, the words the knowledge base uses and the words people type for them
    (knowledge/sources/synonyms.yml)."""
    if not path.is_file():
        return {}
    found = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(found) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"{SYNONYMS_FILE}: unknown language(s) {sorted(unknown)}.")
    table: dict[str, dict[str, list[str]]] = {}
    for lang in LANGUAGES:
        by_meaning = found.get(lang) or {}
        if not isinstance(by_meaning, dict):
            raise ValueError(f"{SYNONYMS_FILE}: '{lang}' must map each word to the list of words people type for it.")
        for meant, words in by_meaning.items():
            if not isinstance(words, list) or not words:
                raise ValueError(f"{SYNONYMS_FILE}: '{meant}' ({lang}) needs a list of the words people type for it.")
        table[lang] = {str(k): [str(w) for w in v] for k, v in by_meaning.items()}
    return table


def load_asking_phrases(path: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    """Per kind of answer ("number", "overview") and language, the phrases that ask for it (`asks`) and the longer
    ones holding them that do not (`not`), folded (knowledge/sources/asking_phrases.yml)."""
    if not path.is_file():
        return {}
    found = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[str, dict[str, dict[str, list[str]]]] = {}
    for kind, by_language in found.items():
        unknown = set(by_language or {}) - set(LANGUAGES)
        if not isinstance(by_language, dict) or unknown:
            raise ValueError(f"{ASKING_PHRASES_FILE}: '{kind}' needs the languages {list(LANGUAGES)}, not {unknown}.")
        for lang, lists in by_language.items():
            if not isinstance(lists, dict) or set(lists) - {"asks", "not"} or not isinstance(lists.get("asks"), list):
                raise ValueError(f"{ASKING_PHRASES_FILE}: '{kind}' ({lang}) needs a list `asks` (and may have `not`).")
            phrases = {key: [fold_phrase(str(p)) for p in lists.get(key) or []] for key in ("asks", "not")}
            table.setdefault(kind, {})[lang] = phrases
    return table


def load_makers(path: Path) -> list[str]:
    """The makers' names, folded (knowledge/sources/makers.yml)."""
    if not path.is_file():
        return []
    found = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(found, list) or not all(isinstance(name, str) and name.strip() for name in found):
        raise ValueError(f"{MAKERS_FILE}: needs a list of names.")
    return list(dict.fromkeys(fold_phrase(name) for name in found))


def load_same_claims(path: Path) -> list[list[str]]:
    """Groups of entries that state one claim (knowledge/sources/same_claims.yml)."""
    if not path.is_file():
        return []
    groups = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [list(group["ids"]) for group in groups]


def join_chains(entries: list[models.Entry], groups: list[list[str]]) -> None:
    """Entries that state one claim (a fact and the comparison that says it from the other side) share one chain:
    either answers a question about it, and a reply shows only one of them. A group joins their whole update
    chains; each chain takes the name of the first group member's chain."""
    by_id = {entry.id: entry for entry in entries}
    for group in groups:
        missing = [entry_id for entry_id in group if entry_id not in by_id]
        if missing or len(group) < 2:
            raise ValueError(f"{SAME_CLAIMS_FILE}: group {group} names unknown entries {missing} or just one.")
        kinds = {by_id[entry_id].kind for entry_id in group}
        if not kinds <= {"fact", "comparison", "recommendation"}:
            raise ValueError(f"{SAME_CLAIMS_FILE}: group {group} holds a task or overview; only claims state one.")
        joined = {by_id[entry_id].chain for entry_id in group}
        name = by_id[group[0]].chain
        for entry in entries:
            if entry.chain in joined:
                entry.chain = name


def entry_rows(
    rows: dict[str, list], questions: dict[str, dict[str, list[str]]], same_claims: list[list[str]] = ()
) -> list[models.Entry]:
    """One Entry per fact, comparison, recommendation, task and subject; checks every one has its questions.
    Entries in one group of `same_claims` share their chain (`join_chains`)."""
    frameworks = " ".join(s.id for s in rows["subjects"] if s.kind == "framework")
    coded = {row.framework for row in rows["snippets"]}  # a task is also about a subject with code of its own (JAX)
    with_code = " ".join(s.id for s in rows["subjects"] if s.kind == "framework" or s.id in coded)
    entries: list[models.Entry] = []

    def chain_root(row, by_id: dict) -> str:
        while row.updates_id and row.updates_id in by_id:
            row = by_id[row.updates_id]
        return row.id

    facts = {row.id: row for row in rows["facts"]}
    for row in rows["facts"]:
        entries.append(
            models.Entry(
                id=row.id, kind="fact", subjects=row.subject_id, aspect=row.aspect, chain=chain_root(row, facts)
            )
        )
    comparisons = {row.id: row for row in rows["comparisons"]}
    for row in rows["comparisons"]:
        subjects = f"{row.framework_a} {row.framework_b}"
        entries.append(
            models.Entry(
                id=row.id, kind="comparison", subjects=subjects, aspect=row.aspect, chain=chain_root(row, comparisons)
            )
        )
    for row in rows["recommendations"]:
        entries.append(
            models.Entry(id=row.id, kind="recommendation", subjects=frameworks, aspect=row.goal, chain=row.id)
        )
    for row in rows["tasks"]:
        entry_id = f"task:{row.id}"
        entries.append(models.Entry(id=entry_id, kind="task", subjects=with_code, aspect=row.id, chain=entry_id))
    for row in rows["subjects"]:
        entry_id = f"about:{row.id}"
        entries.append(models.Entry(id=entry_id, kind="overview", subjects=row.id, aspect=None, chain=entry_id))

    join_chains(entries, list(same_claims))
    known = {entry.id for entry in entries}
    unknown = sorted(set(questions) - known)
    if unknown:
        raise ValueError(f"questions/: questions for unknown entries {', '.join(unknown)}.")
    for entry in entries:
        for lang in LANGUAGES:
            found = len(questions.get(entry.id, {}).get(lang, []))
            if found < MIN_QUESTIONS:
                raise ValueError(
                    f"questions/: '{entry.id}' has {found} {lang} questions; every entry needs {MIN_QUESTIONS}."
                )
    return entries


def _statements(rows: dict[str, list]) -> dict[str, dict[str, str]]:
    statements: dict[str, dict[str, str]] = {}
    for table in ("facts", "comparisons", "recommendations"):
        for row in rows[table]:
            statements[row.id] = {lang: getattr(row, f"text_{lang}") for lang in LANGUAGES}
    for row in rows["tasks"]:
        statements[f"task:{row.id}"] = {lang: getattr(row, f"title_{lang}") for lang in LANGUAGES}
    for row in rows["subjects"]:
        statements[f"about:{row.id}"] = {lang: getattr(row, f"name_{lang}") for lang in LANGUAGES}
    return statements


def _keywords(rows: dict[str, list], entry: models.Entry, lang: str) -> list[str]:
    """Phrases of the vocabulary that name what the entry is about, in one language."""
    phrases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for term in rows["terms"]:
        if term.language in (lang, "*"):
            phrases[(term.entity, term.value)].append(term.phrase)
    words: list[str] = []
    if entry.kind in ("fact", "comparison", "overview"):
        for subject in entry.subjects.split():
            words += phrases[("framework", subject)] + phrases[("concept", subject)]
    if entry.kind in ("fact", "comparison") and entry.aspect:
        words += phrases[("aspect", entry.aspect)]
    if entry.kind == "recommendation":
        words += phrases[("goal", entry.aspect)]
    if entry.kind == "task":
        words += phrases[("task", entry.aspect)]
    return words


def write_index(
    session: Session,
    rows: dict[str, list],
    entries: list[models.Entry],
    questions: dict,
    synonyms: dict[str, dict[str, list[str]]] | None = None,
    unshown: set[tuple[str, str, str]] = frozenset(),
    asking: dict[str, dict[str, dict[str, list[str]]]] | None = None,
    makers: list[str] = (),
) -> None:
    """Fill entries, entry_questions, stop_words, synonyms, asking phrases, makers and the FTS5 index (inside the
    build's transaction)."""
    session.add_all(entries)
    session.add_all(models.Maker(name=name) for name in makers)
    for kind, by_language in (asking or {}).items():
        for lang, lists in by_language.items():
            phrases = {phrase: False for phrase in lists["not"]} | {phrase: True for phrase in lists["asks"]}
            session.add_all(
                models.AskingPhrase(kind=kind, language=lang, phrase=p, asks=asks) for p, asks in phrases.items()
            )
    stops = {lang: stop_words(lang) for lang in LANGUAGES}
    aliases = subject_aliases(rows)
    stems = {lang: name_stems(aliases[lang], lang) for lang in LANGUAGES}
    phrases = {lang: _subject_phrases(rows, lang, stops[lang]) for lang in LANGUAGES}

    def spelled(text_: str, lang: str) -> list[str]:
        """A text's words as the store reads a query's: subjects' one-word names whole, every other word stemmed."""
        return [index_word(word, lang, aliases[lang], stems[lang]) for word in text_terms(text_, lang, stops[lang])]

    meaning = _synonym_table(synonyms or {}, spelled, aliases)

    def indexed(text_: str, lang: str) -> list[str]:
        """... and a synonym as the words it stands for, as in a query."""
        return [term for word in spelled(text_, lang) for term in meaning[lang].get(word, [word])]

    asked: dict[tuple[str, str], list[str]] = {}
    for entry_id, by_language in questions.items():
        for lang, texts in by_language.items():
            asked[(entry_id, lang)] = [" ".join(indexed(q, lang)) for q in texts]
            for position, (question, terms) in enumerate(zip(texts, asked[(entry_id, lang)], strict=True)):
                session.add(
                    models.EntryQuestion(
                        entry_id=entry_id,
                        language=lang,
                        position=position,
                        text=question,
                        terms=terms,
                        shown=(entry_id, lang, question) not in unshown,
                    )
                )
    readers = {}
    for lang, words in stops.items():
        session.add_all(models.StopWord(language=lang, word=word) for word in sorted(words))
        common = common_words(lang)
        session.add_all(models.CommonWord(language=lang, stem=key, log_prob=common[key]) for key in sorted(common))
        readers[lang] = name_reader(aliases[lang], words, common, lang)
    session.flush()
    session.execute(text(FTS_DDL))
    session.execute(text(VOCABULARY_DDL))
    statements = _statements(rows)
    for entry in entries:  # the release numbers each statement gives, with the names they belong to
        for lang in LANGUAGES:
            for number, owners in numbers_named(statements[entry.id][lang], readers[lang]).items():
                session.add_all(
                    models.EntryNumber(entry_id=entry.id, language=lang, number=number, owner=owner)
                    for owner in owners or [""]
                )
    insert = text(
        "INSERT INTO entry_index (entry_id, language, questions, statement, keywords) "
        "VALUES (:entry_id, :language, :questions, :statement, :keywords)"
    )
    used: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for lang in LANGUAGES:
            # The field's English names count in every language, read as this language's words: Spanish questions
            # often name things in English ("learning rate", "early stopping").
            names = [k for other in dict.fromkeys((lang, FIELD_LANGUAGE)) for k in _keywords(rows, entry, other)]
            keywords = [" ".join(indexed(k, lang)) for k in dict.fromkeys(names)]
            questions_ = " ".join(asked[(entry.id, lang)])
            statement = " ".join(indexed(statements[entry.id][lang], lang))
            # A subject's one-word name in the entry's questions or keywords counts as the subject, as in a query
            # ("cnn" in "how do I build a CNN?" is `subjcnn` on both sides). Not in statements: naming a
            # framework in passing does not make an entry about it.
            words = f"{questions_} {' '.join(keywords)}".split()
            named = [aliases[lang][word] for word in words if word in aliases[lang]]
            # ...and so does a longer name ("mixed precision"), which the NLU reads as the subject in a query.
            said = [f" {' '.join(text_terms(t, lang, stops[lang]))} " for t in [*questions[entry.id][lang], *names]]
            named += [subject for phrase, subject in phrases[lang].items() if any(phrase in t for t in said)]
            subject_terms = [subject_term(s) for s in dict.fromkeys([*entry.subjects.split(), *named])]
            used[lang].update(f"{questions_} {statement} {' '.join(keywords)}".split())
            session.execute(
                insert,
                {
                    "entry_id": entry.id,
                    "language": lang,
                    "questions": questions_,
                    "statement": statement,
                    "keywords": " ".join(subject_terms + keywords),
                },
            )
    for lang, table in meaning.items():
        for term, means in table.items():
            missing = [word for word in means if word not in used[lang]]
            if missing:
                raise ValueError(f"{SYNONYMS_FILE}: '{term}' ({lang}) stands for {missing}, which the index never uses")
            session.add(models.Synonym(language=lang, term=term, means=" ".join(means)))


def _synonym_table(
    synonyms: dict[str, dict[str, list[str]]], spelled, aliases: dict[str, dict[str, str]]
) -> dict[str, dict[str, list[str]]]:
    """Per language, each typed word as the one index term it is -> the index terms of the words it stands for.
    A synonym must be one word, other than what it stands for, stand for one thing, and not be a subject's name
    (a name already finds its subject)."""
    table: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
    for lang, by_meaning in synonyms.items():
        for meant, words in by_meaning.items():
            means = spelled(meant, lang)
            for word in words:
                term = spelled(word, lang)
                if len(term) != 1 or term == means or term[0] in aliases[lang]:
                    raise ValueError(
                        f"{SYNONYMS_FILE}: '{word}' ({lang}) is not one word other than '{meant}', or names a subject."
                    )
                if table[lang].setdefault(term[0], means) != means:
                    raise ValueError(f"{SYNONYMS_FILE}: '{word}' ({lang}) stands for two things.")
    return table


def _subject_phrases(rows: dict[str, list], lang: str, stop: frozenset[str]) -> dict[str, str]:
    """Names of frameworks and concepts of more than one word in one language, as " word word " of their terms."""
    found: dict[str, str] = {}
    for term in rows["terms"]:
        if term.entity in ("framework", "concept") and term.language in (lang, "*"):
            words = text_terms(term.phrase, lang, stop)
            if len(words) > 1:
                found[f" {' '.join(words)} "] = term.value
    return found


def subject_aliases(rows: dict[str, list]) -> dict[str, dict[str, str]]:
    """One-word names of frameworks and concepts by language, folded: "torch" -> pytorch. The store reads the
    same names from the knowledge base to turn them into subject terms in a query."""
    aliases: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for term in rows["terms"]:
        phrase = term.phrase.strip()
        if term.entity in ("framework", "concept") and " " not in phrase:
            for lang in LANGUAGES if term.language == "*" else (term.language,):
                aliases[lang][fold(phrase)] = term.value
    return aliases
