"""Buyer units (采购单位 / 预算单位): the government bodies, institutions and unions that order."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.uscc import validate_uscc


class BuyerUnit(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT_AGENCY = "government_agency", _("Government agency (机关)")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")
        TRADE_UNION = "trade_union", _("Trade union (工会)")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="buyer_units", verbose_name=_("province")
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="buyer_units",
        verbose_name=_("county"),
        help_text=_("Leave empty for a unit at province or city level."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer unit")
        verbose_name_plural = _("buyer units")
        indexes = [models.Index(fields=["province", "kind"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.county_id and self.province_id and self.county.province_id != self.province_id:
            raise ValidationError({"county": _("This county is not in the chosen province.")})
