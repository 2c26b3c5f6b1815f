"""The rasa_sdk action server: thin actions over knowledge.store, answers rendered as Markdown data."""
