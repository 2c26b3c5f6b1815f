"""How good and how fast the bot is: held-out NLU evaluation (`make evaluate`) and load benchmark (`make bench`)."""
