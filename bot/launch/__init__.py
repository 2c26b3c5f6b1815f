"""Starting the bot: the Rasa and action servers side by side (`serve`), two of each behind nginx (`cluster`), the
endpoints and channels each server is given (`runtime_config`), Rasa's command line without telemetry
(`rasa_cli`) and the process handling they share (`processes`). Runs outside the servers it starts."""
