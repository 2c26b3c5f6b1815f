"""Start the action server: `python -m actions [--port 5055] [other rasa_sdk options]`.

It refuses to start, with one line saying how to fix it, when the knowledge base is missing or unreadable.
"""

import sys

from actions.kb import store
from knowledge.store import KnowledgeBaseUnavailable


def main() -> None:
    try:
        store()  # opened once, here: the actions share it (and the first question does not wait for it)
    except KnowledgeBaseUnavailable as error:
        print(f"Action server not started: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    from rasa_sdk.__main__ import main as rasa_sdk_main

    sys.argv = ["rasa_sdk", "--actions", "actions", *sys.argv[1:]]
    rasa_sdk_main()


if __name__ == "__main__":
    main()
