from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from catalog.services import supplier_listing_visibility_sync
        from suppliers.hooks import SUPPLIER_STATUS_CHANGED

        # Buyers stop (or start again) seeing a supplier's products with its status change.
        SUPPLIER_STATUS_CHANGED.connect(supplier_listing_visibility_sync)
