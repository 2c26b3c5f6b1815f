"""Rasa's endpoints and channels for one server, from the environment (secrets never go into files in git).

| variable           | default                                   | meaning                                        |
| ------------------ | ----------------------------------------- | ---------------------------------------------- |
| ACTION_SERVER_URL  | http://localhost:<actions port>/webhook   | where Rasa calls the actions                   |
| TRACKER_STORE_URL  | sqlite:///run/trackers.sqlite             | any SQLAlchemy URL (postgresql://... to scale)  |
| TRACKER_RETENTION_DAYS | 90                                    | days events are kept; 0 or off: forever        |
| LOCK_STORE_URL     | (in memory)                               | redis://host:port/db; required with >1 server  |
| KNOWLEDGE_DB_URL   | sqlite:///knowledge/build/kb.sqlite       | read by the action server (knowledge.paths)    |
| SLACK_BOT_TOKEN    | (Slack off)                               | with one of the next two: Slack is on          |
| SLACK_SIGNING_SECRET | (HTTP events off)                       | Slack events at /webhooks/slack/webhook        |
| SLACK_APP_TOKEN    | (Socket Mode off)                         | Socket Mode: no public address needed          |
| SLACK_API_URL      | https://slack.com/api/                    | (bot.channels.slack_settings; secrets in env)  |
| RASA_API_TOKEN     | (API off)                                 | set: Rasa's HTTP API is on, needing this token |
| ACTION_TIMEOUT_SECONDS | 3                                     | wait for an action, then apologise (rasa_cli)  |
| MAX_MESSAGE_CHARS  | 2000                                      | longer messages get a polite refusal (guard)   |
| RATE_LIMIT         | 30/minute                                 | per sender on REST and the widget (guard)      |
| ACTIONS_HOST       | 127.0.0.1                                 | the action server's bind address (bot.serve)   |
| RASA_HOST          | 0.0.0.0                                   | the Rasa server's bind address (bot.serve)     |

The files written under run/ hold no Slack secret and no API token; a database password from TRACKER_STORE_URL
or LOCK_STORE_URL does go into run/endpoints-<port>.yml, which only its owner can read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.channels import slack_settings
from knowledge.paths import ROOT

RUN_DIR = ROOT / "run"
DEFAULT_TRACKER_STORE = f"sqlite:///{RUN_DIR / 'trackers.sqlite'}"
API_TOKEN_VARIABLE = "RASA_API_TOKEN"
RETENTION_VARIABLE = "TRACKER_RETENTION_DAYS"
# Long enough to review a quarter's questions (`make review --days 90`), short enough not to keep chats for years.
DEFAULT_RETENTION_DAYS = 90


def retention_days(environ: Mapping[str, str] = os.environ) -> float | None:
    """Days to keep stored conversations (TRACKER_RETENTION_DAYS); None keeps them forever ("0" or "off")."""
    raw = (environ.get(RETENTION_VARIABLE) or str(DEFAULT_RETENTION_DAYS)).strip().lower()
    if raw in ("0", "off", "never", "forever"):
        return None
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not days > 0 or days == float("inf"):
        raise SystemExit(
            f"{RETENTION_VARIABLE} must be a number of days (e.g. 90), or 0 / off to keep conversations forever."
        )
    return days


def tracker_store(url: str, retention: float | None = None) -> dict[str, Any]:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (read incrementally: bot/tracker_store.py), keeping
    events `retention` days (None: forever)."""
    parsed = make_url(url)
    settings: dict[str, Any] = {
        "type": "bot.tracker_store.IncrementalSQLTrackerStore",
        "dialect": parsed.get_backend_name(),
        "db": parsed.database,
    }
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username)):
        if value:
            settings[key] = value
    if parsed.password:
        settings["password"] = str(parsed.password)
    if retention:
        settings["retention_days"] = retention
    return settings


def lock_store(url: str) -> dict[str, Any]:
    """Rasa's Redis lock store settings for redis://[:password@]host:port/db."""
    parsed = urlsplit(url)
    settings: dict[str, Any] = {
        "type": "bot.lock_store.AtomicRedisLockStore",  # Rasa's Redis lock store, with atomic ticket updates
        "url": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
    }
    database = parsed.path.strip("/")
    settings["db"] = int(database) if database else 0
    if parsed.password:
        settings["password"] = parsed.password
    return settings


def endpoints(actions_port: int) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "action_endpoint": {
            "url": os.environ.get("ACTION_SERVER_URL") or f"http://localhost:{actions_port}/webhook",
            # Only actions that need the domain get it with each call (Rasa sends validate_* actions theirs).
            "enable_selective_domain": True,
        },
        "tracker_store": tracker_store(os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE, retention_days()),
    }
    if os.environ.get("LOCK_STORE_URL"):
        settings["lock_store"] = lock_store(os.environ["LOCK_STORE_URL"])
    return settings


def credentials() -> dict[str, Any]:
    """The committed channels (credentials.yml) plus those whose secrets are in the environment."""
    channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    channels.update(slack_settings.credentials_from_env() or {})
    return channels


def write(rasa_port: int, actions_port: int) -> tuple[Path, Path]:
    """Write this server's endpoints and credentials under run/ (git ignores it); returns their paths."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    endpoints_file = RUN_DIR / f"endpoints-{rasa_port}.yml"
    credentials_file = RUN_DIR / f"credentials-{rasa_port}.yml"
    for path, settings in ((endpoints_file, endpoints(actions_port)), (credentials_file, credentials())):
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return endpoints_file, credentials_file
