"""Hooks the suppliers app offers to the apps above it (core.hooks; listed in docs/architecture.md)."""

from core.hooks import Hook

SUPPLIER_STATUS_CHANGED = Hook(
    "suppliers.status_changed",
    """A supplier's status changed: called as ``(supplier_id=...)`` inside the transaction that changed it,
    so what depends on the supplier being active (e.g. its listings' visibility) changes with it.""",
)
