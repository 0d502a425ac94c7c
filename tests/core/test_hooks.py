"""Hooks: explicit, listed, connected once by the higher app."""

from catalog.hooks import SKU_PRICES_CHANGED
from core.hooks import Hook
from suppliers.hooks import SUPPLIER_STATUS_CHANGED


def test_a_hook_calls_each_receiver_once_in_order():
    hook = Hook("test", "a hook for the test")
    calls = []

    def first(**kwargs):
        calls.append(("first", kwargs))

    def second(**kwargs):
        calls.append(("second", kwargs))

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)  # ready() may run twice: still one connection
    hook(value=1)
    assert calls == [("first", {"value": 1}), ("second", {"value": 1})]


def test_every_hook_of_the_project_has_its_receiver():
    """docs/architecture.md lists these two; each is connected by the app above it in ready()."""
    assert [r.__module__ for r in SUPPLIER_STATUS_CHANGED.receivers] == ["catalog.services.summary"]
    assert [r.__module__ for r in SKU_PRICES_CHANGED.receivers] == ["pricing.tasks"]
