"""The terminal chat (`make chat`, `python -m bot.terminal`): starts the servers, talks to them over REST and
renders the replies for a terminal (`render`)."""
