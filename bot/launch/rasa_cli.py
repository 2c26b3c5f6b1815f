"""`rasa` with telemetry and error reporting off, a short action timeout, and the API token from the environment.

Use it exactly like `rasa`: python -m bot.launch.rasa_cli train / run / test ...

- RASA_TELEMETRY_ENABLED=false stops telemetry; Sentry error reports and the 5-minute action timeout are
  changed by the patches `prepare` applies (bot/extensions/patches: error_reporting, action_timeout).
- RASA_API_TOKEN: `run --enable-api` gets `--auth-token` from it here, inside the process, so the token shows
  neither in the process list nor in any file; `--enable-api` without a token is refused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot.extensions import patches
from knowledge import settings

TOKEN_VARIABLE = "RASA_API_TOKEN"


def with_api_token(argv: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """`argv` with --auth-token from RASA_API_TOKEN when the HTTP API is enabled; refuses an API without one."""
    if "--enable-api" not in argv or "--auth-token" in argv or any(a.startswith("--auth-token=") for a in argv):
        return argv
    token = settings.value(TOKEN_VARIABLE, environ)
    if not token:
        raise SystemExit(f"--enable-api opens Rasa's HTTP API: set {TOKEN_VARIABLE} to a secret token first.")
    return [*argv, "--auth-token", token]


def prepare() -> None:
    """Everything this entry point changes in Rasa, before Rasa parses its arguments."""
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    patches.apply()  # before anything imports spaCy (torch_absent); the action timeout from the environment


def main() -> None:
    prepare()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *with_api_token(sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
