"""`make review`: what users asked that the bot could not answer, and the answers they rated down, from the tracker
store. The maintainer's to-do list for the knowledge base; it only reads the store."""
