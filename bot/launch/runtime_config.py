"""Rasa's endpoints and channels for one server, from the environment (secrets never go into files in git).

Every variable, its default and meaning: knowledge/settings.py (read there, and only there).

The files written under run/ hold no Slack secret and no API token; a database password from TRACKER_STORE_URL
or LOCK_STORE_URL does go into run/endpoints-<port>.yml, which only its owner can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.channels import slack_settings
from knowledge import settings
from knowledge.paths import ROOT

RUN_DIR = ROOT / "run"
DEFAULT_TRACKER_STORE = f"sqlite:///{RUN_DIR / 'trackers.sqlite'}"
API_TOKEN_VARIABLE = "RASA_API_TOKEN"
RETENTION_VARIABLE = "TRACKER_RETENTION_DAYS"
# Long enough to review a quarter's questions (`make review --days 90`), short enough not to keep chats for years.
DEFAULT_RETENTION_DAYS = int(settings.BY_NAME[RETENTION_VARIABLE].default)


def tracker_store_url(environ: Mapping[str, str] | None = None) -> str:
    """The tracker store's SQLAlchemy URL: TRACKER_STORE_URL, else run/trackers.sqlite."""
    return settings.value("TRACKER_STORE_URL", environ) or DEFAULT_TRACKER_STORE


def retention_days(environ: Mapping[str, str] | None = None) -> float | None:
    """Days to keep stored conversations (TRACKER_RETENTION_DAYS); None keeps them forever ("0" or "off")."""
    raw = settings.value(RETENTION_VARIABLE, environ).lower()
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
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (read incrementally:
    bot/extensions/tracker_store.py), keeping
    events `retention` days (None: forever)."""
    parsed = make_url(url)
    settings: dict[str, Any] = {
        "type": "bot.extensions.tracker_store.IncrementalSQLTrackerStore",
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
        "type": "bot.extensions.lock_store.AtomicRedisLockStore",  # Rasa's Redis lock store, with atomic ticket updates
        "url": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
    }
    database = parsed.path.strip("/")
    settings["db"] = int(database) if database else 0
    if parsed.password:
        settings["password"] = parsed.password
    return settings


def endpoints(actions_port: int) -> dict[str, Any]:
    config: dict[str, Any] = {
        "action_endpoint": {
            "url": settings.value("ACTION_SERVER_URL") or f"http://localhost:{actions_port}/webhook",
            # Only actions that need the domain get it with each call (Rasa sends validate_* actions theirs).
            "enable_selective_domain": True,
        },
        "tracker_store": tracker_store(tracker_store_url(), retention_days()),
    }
    if lock_url := settings.value("LOCK_STORE_URL"):
        config["lock_store"] = lock_store(lock_url)
    return config


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
    for path, written in ((endpoints_file, endpoints(actions_port)), (credentials_file, credentials())):
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(yaml.safe_dump(written, sort_keys=False), encoding="utf-8")
    return endpoints_file, credentials_file
