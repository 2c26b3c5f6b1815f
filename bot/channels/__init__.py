"""Rasa input and output channels of this bot that Rasa does not ship in the form we need (Slack)."""
