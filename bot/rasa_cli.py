"""`rasa` with telemetry and error reporting off: nothing leaves the machine.

RASA_TELEMETRY_ENABLED=false stops telemetry, but Rasa 3.6 sets up Sentry error reports from a key shipped
in its package whatever that variable says; this entry point turns that off, then runs the normal CLI.
Use it exactly like `rasa`: python -m bot.rasa_cli train / run / test ...
"""

import os
import sys


def main() -> None:
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
