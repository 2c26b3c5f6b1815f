"""The framework advisor's runtime code around Rasa, one folder per place it runs:

- `bot.nlu`: NLU components, inside the Rasa server (training and parsing), registered by class path in config.yml;
- `bot.channels`: input and output channels, inside the Rasa server (REST, the widget's socket, Slack);
- `bot.extensions`: what this bot changes in Rasa and its libraries, inside the Rasa server: the patches of
  third-party code (`patches`, one module each) and the replacement tracker and lock stores named in the endpoints;
- `bot.launch`: starting the servers (`python -m bot.launch.serve`, the cluster, the endpoints they are given,
  the Rasa command line without telemetry);
- `bot.terminal`: the terminal chat (`python -m bot.terminal`), a client of the servers it starts.

Developer and maintainer tooling (evaluation, benchmarks, `make review`) lives outside this package, in tools/,
and so does the web chat widget, an npm project of its own in widget/ (bot/channels/webchat.py serves it).
"""
