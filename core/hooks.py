"""Explicit hooks, for the few places where a lower app must let higher apps react to its change.

The lower app declares the hook next to the change (``SUPPLIER_STATUS_CHANGED = Hook(...)``) and calls
it from its service; a higher app connects a function in its ``AppConfig.ready()``. Every hook is listed
in docs/architecture.md, so the flow stays visible. Hooks run synchronously, in the caller's transaction;
a receiver that needs background work enqueues it with ``transaction.on_commit``. No Django signals.
"""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., None]] = []

    def connect(self, receiver: Callable[..., None]) -> None:
        """Register ``receiver`` (idempotent: ``ready()`` may run more than once)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)

    @property
    def receivers(self) -> tuple[Callable[..., None], ...]:
        return tuple(self._receivers)

    def __call__(self, **kwargs) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"
