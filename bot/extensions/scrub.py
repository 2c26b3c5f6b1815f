"""No token or secret in a stored event: what channels pass as message metadata is cleaned before it is saved.

Rasa stores a message's metadata three times (the user event's `metadata`, its `parse_data.metadata`, and the
`session_started_metadata` slot of a new session). The REST channel passes on whatever `metadata` a client
sends, and Slack payloads carry tokens and signed URLs (`token`, `response_url`) a channel might pass on whole.
So the value of every key that names a secret, at any depth, and any string that looks like a Slack token
(`xoxb-…`, `xapp-…`), a bearer credential or a URL with a password become a marker: the conversation keeps its
shape, and a reviewer can see that something was removed.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[removed]"
# Key names (lower case, "-" read as "_") that hold secrets in channel payloads and HTTP headers.
SECRET_KEY = re.compile(
    r"(^|_)(token|secret|password|passwd|pwd|api_?key|apikey|authorization|auth|cookie|signature|credentials?"
    r"|session_key|private_key|client_secret|response_url)($|_)"
)
SECRET_VALUE = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|Bearer\s+\S+|Basic\s+[A-Za-z0-9+/=]{8,})"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)",  # user:password@ in a URL
)
MAX_DEPTH = 20


def is_secret_key(key: Any) -> bool:
    return isinstance(key, str) and bool(SECRET_KEY.search(key.lower().replace("-", "_")))


def scrubbed(value: Any, depth: int = 0) -> Any:
    """`value` without secret keys or secret-looking strings; other data unchanged (a new object if changed)."""
    if depth > MAX_DEPTH:
        return REDACTED
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(k) else scrubbed(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [scrubbed(item, depth + 1) for item in value]
    if isinstance(value, str):
        return SECRET_VALUE.sub(REDACTED, value)
    return value


def scrub_event(event: Any) -> None:
    """Cleans, in place, the metadata a Rasa event carries (before it is serialised and stored)."""
    if getattr(event, "metadata", None):
        event.metadata = scrubbed(event.metadata)
    parse_data = getattr(event, "parse_data", None)
    if isinstance(parse_data, dict) and parse_data.get("metadata"):
        parse_data["metadata"] = scrubbed(parse_data["metadata"])
    if getattr(event, "type_name", None) == "slot" and getattr(event, "key", None) == "session_started_metadata":
        event.value = scrubbed(event.value)
