"""The framework knowledge base: source files, the SQLite builder and the query API.

Nothing here knows about Rasa; `knowledge.store.KnowledgeStore` is the only entry point callers need.
"""
