"""Rasa's lookup of an event's class by its type name, remembered."""

from __future__ import annotations

from bot.extensions.patches.registry import Patch


def apply() -> None:
    """Rasa finds an event's class by walking every subclass of Event, for each event it deserialises: with
    every stored event of a conversation read at each message, that walk was 17% of the Rasa server's time in
    the 50-user soak. Found classes are remembered by type name; a name not found yet is looked up as before
    (so event classes defined later are still found, and unknown names still fail the same way)."""
    from rasa.shared.core.events import Event

    if getattr(Event.resolve_by_type, "remembers", False):
        return
    resolve = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        if type_name in found:
            return found[type_name]
        cls = resolve(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    resolve_by_type.remembers = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


PATCH = Patch(__name__, "rasa", "3.6.21", {"rasa.shared.core.events:Event.resolve_by_type": "b5cf570fa7f286c7"}, apply)
