"""Hooks the catalogue offers to the apps above it (core.hooks; listed in docs/architecture.md)."""

from core.hooks import Hook

SKU_PRICES_CHANGED = Hook(
    "catalog.sku_prices_changed",
    """These SKUs' prices, units or specifications changed: called as ``(sku_ids=[...])`` once per saved
    product, SKU or CSV file, inside the transaction that changed them (price control re-judges them
    after the commit).""",
)
