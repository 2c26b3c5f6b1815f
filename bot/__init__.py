"""The framework advisor's own code around Rasa: NLU components, channels and the terminal chat."""
