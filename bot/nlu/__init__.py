"""Custom Rasa NLU components, registered by their class path in config.yml."""
