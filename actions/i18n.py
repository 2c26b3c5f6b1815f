"""Per-language string tables (actions/locales/<lang>.yml), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import DEFAULT_LANGUAGE, LANGUAGES

LOCALES = Path(__file__).parent / "locales"


@cache
def table(lang: str) -> dict[str, Any]:
    with (LOCALES / f"{lang}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Strings:
    """Looks up dotted keys ("compare.heading") in one language and fills their {placeholders}."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._table = table(self.lang)

    def raw(self, key: str) -> Any:
        node: Any = self._table
        for part in key.split("."):
            node = node[part]
        return node

    def __call__(self, key: str, **values: Any) -> str:
        return str(self.raw(key)).format(**values)

    def aspect(self, aspect: str | None) -> str:
        return self._table["aspects"].get(aspect or "general", aspect or "")
