"""Developer and maintainer tooling, outside the runtime package `bot`: quality and speed measurements
(`tools.quality`: `make evaluate`, `make bench`, `make soak`) and the review of what users asked that the bot
could not answer (`tools.review`: `make review`). Nothing here is imported by the servers."""
