"""The bot's channels, inside the Rasa server: REST (`rest`), the web widget's socket.io channel (`webchat`,
which also serves the built widget from widget/), and Slack (`slack`, over HTTP events or Socket Mode). Every
message passes the same guard (`guard`) and the same guarded turn (`turn`); what a channel says itself is in
the user's language (`replies`, `locales/`)."""
