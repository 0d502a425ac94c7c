from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("Price control")

    def ready(self) -> None:
        from catalog.hooks import SKU_PRICES_CHANGED
        from pricing.tasks import refresh_verdicts_on_commit

        # A changed price is judged again once its transaction commits.
        SKU_PRICES_CHANGED.connect(refresh_verdicts_on_commit)
