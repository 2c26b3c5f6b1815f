"""What a patch declares: the library and exact version it was written for, and the third-party code it replaces
with a fingerprint of that code as it was read, so that a changed library is caught before the patch applies."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Patch:
    module: str  # the patch's own module
    library: str  # the distribution whose code it replaces
    version: str  # the exact version that code was read in
    replaces: dict[str, str]  # "module:Qualified.name" (or a whole "module") -> fingerprint of its source
    apply: Callable[[], None]  # idempotent: applying twice changes nothing more

    @property
    def name(self) -> str:
        return self.module.rsplit(".", 1)[-1]


def target(path: str) -> Any:
    """The object a path such as "rasa.core.run:load_agent_on_start" names (a whole module without ":")."""
    module, _, qualified = path.partition(":")
    found: Any = import_module(module)
    for part in qualified.split(".") if qualified else ():
        found = inspect.getattr_static(found, part) if inspect.isclass(found) else getattr(found, part)
        found = getattr(found, "__func__", found)  # a staticmethod or classmethod: its function
    return found


def fingerprint(path: str) -> str:
    """The first 16 hex digits of the SHA-256 of the named code's source, as installed."""
    return hashlib.sha256(inspect.getsource(target(path)).encode("utf-8")).hexdigest()[:16]
