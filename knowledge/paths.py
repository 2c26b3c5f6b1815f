"""Where the knowledge files live, relative to the repository (overridable by environment)."""

from pathlib import Path

from knowledge import settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = ROOT / "knowledge" / "sources"
SNIPPETS_DIR = ROOT / "knowledge" / "snippets"
BUILD_DIR = ROOT / "knowledge" / "build"
DEFAULT_DB = BUILD_DIR / "kb.sqlite"
DEFAULT_RUNS = BUILD_DIR / "snippet_runs.json"
DEFAULT_MEASUREMENTS = BUILD_DIR / "measurements.json"


def database_url() -> str:
    """The SQLAlchemy URL of the knowledge base: KNOWLEDGE_DB_URL, else the built SQLite file."""
    return settings.value("KNOWLEDGE_DB_URL") or f"sqlite:///{DEFAULT_DB}"
