"""What this bot changes in Rasa and the libraries under it, loaded inside the Rasa server:
- `patches`: every patch of third-party code, one module each, checked against the version it was written for;
- `tracker_store`: the tracker store that reads incrementally and forgets old conversations, with `scrub`
  keeping secrets out of stored events;
- `lock_store`: the lock store.
Rasa finds the stores by the class paths bot/launch/runtime_config.py writes."""
