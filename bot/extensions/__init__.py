"""What this bot changes in Rasa and the libraries under it, loaded inside the Rasa server: the patches of
third-party code (`compat`, each checked against the versions it was written for), the tracker store that reads
incrementally and forgets old conversations (`tracker_store`, with `scrub` keeping secrets out of stored events)
and the lock store (`lock_store`). Rasa finds the stores by the class paths bot/launch/runtime_config.py writes."""
