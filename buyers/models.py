"""Buyer units (采购单位 / 预算单位): the government bodies, institutions and unions that order."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import money
from core.uscc import validate_uscc


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
    parent_unit = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trade_unions",
        verbose_name=_("parent unit"),
        help_text=_(
            "For a trade union: the unit it belongs to. Its purchases count toward that unit's reserved share."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer unit")
        verbose_name_plural = _("buyer units")
        indexes = [models.Index(fields=["province", "kind"])]
        constraints = [
            # Only a trade union belongs to another unit, and never to itself.
            models.CheckConstraint(
                name="buyer_unit_parent_only_for_unions",
                condition=Q(parent_unit__isnull=True) | (Q(kind="trade_union") & ~Q(parent_unit=F("id"))),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.county_id and self.province_id and self.county.province_id != self.province_id:
            raise ValidationError({"county": _("This county is not in the chosen province.")})
        if self.parent_unit_id:
            if self.kind != self.Kind.TRADE_UNION:
                raise ValidationError({"parent_unit": _("Only a trade union belongs to another unit.")})
            if self.parent_unit_id == self.pk or self.parent_unit.kind == self.Kind.TRADE_UNION:
                raise ValidationError(
                    {"parent_unit": _("Choose the agency or institution the trade union belongs to.")}
                )


# A mainland mobile number (11 digits from 13x to 19x) or a landline with its area code and an
# optional extension: 027-85551234, 02785551234, 0719-8123456-801.
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")
validate_phone = RegexValidator(
    regex=rf"^(?:{PHONE_PATTERN.pattern})$",
    message=_(
        "Enter a mainland mobile number (11 digits starting with 1) or a landline with its area code, "
        "e.g. 027-85551234."
    ),
    code="invalid_phone",
)


class DeliveryAddress(models.Model):
    """Where a buyer unit has goods delivered (收货地址). Orders copy it, so editing or deleting an
    address never changes an order already placed."""

    buyer_unit = models.ForeignKey(
        BuyerUnit, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("buyer unit")
    )
    recipient = models.CharField(_("recipient"), max_length=50)
    phone = models.CharField(_("phone"), max_length=24, validators=[validate_phone])
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    city = models.ForeignKey(
        "regions.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    county = models.ForeignKey(
        "regions.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county or district")
    )
    detail = models.CharField(
        _("street address"),
        max_length=200,
        help_text=_("Street, building and room, e.g. 沿江大道188号3楼301室."),
    )
    postcode = models.CharField(
        _("postcode"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("A postcode has six digits."), code="invalid_postcode")],
    )
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "-updated_at", "-id"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer_unit"], condition=Q(is_default=True), name="one_default_address_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.full_address}"

    @property
    def full_address(self) -> str:
        """As on a parcel label: "湖北省 武汉市 江岸区 沿江大道188号"."""
        return " ".join(
            part
            for part in (
                self.province.name if self.province_id else "",
                self.city.name if self.city_id and self.city.name not in _CITY_PLACEHOLDERS else "",
                self.county.name if self.county_id else "",
                self.detail,
            )
            if part
        )


# City-level rows of the registry that are not real city names (municipality districts and
# counties directly under a province).
_CITY_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


# --- Reserved share (预留份额) --------------------------------------------------------------------------


class Canteen(models.TextChoices):
    OWN = "own", _("Own canteen")
    NONE = "none", _("No canteen")
    SHARED = "shared", _("Shares the canteen of another unit")


class ReservedShareFiling(models.Model):
    """What a budget unit files for a year under 财库〔2021〕19号: its canteen food budget and the
    ratio of it reserved for products of the 832 counties (the target is budget × ratio). A unit
    with no canteen files that; a unit that shares another unit's canteen names the host, whose
    filing covers both. One row per unit and year, changed by ``buyers.services.reserved_share_file``
    only; every filing and change is kept in ``ReservedShareFilingRecord``.

    The minimum ratio is a setting (RESERVED_SHARE_MIN_RATIO) checked by the service; the database
    holds what does not change with policy."""

    buyer_unit = models.ForeignKey(
        BuyerUnit,
        on_delete=models.PROTECT,
        related_name="reserved_share_filings",
        verbose_name=_("buyer unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    canteen = models.CharField(_("canteen"), max_length=8, choices=Canteen.choices)
    host_unit = models.ForeignKey(
        BuyerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="canteen_guests",
        verbose_name=_("shares the canteen of"),
    )
    canteen_food_budget = models.DecimalField(
        _("canteen food budget (¥)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    ratio = models.DecimalField(_("reserved ratio"), max_digits=4, decimal_places=3, null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "buyer_unit__name"]
        verbose_name = _("reserved share filing")
        verbose_name_plural = _("reserved share filings")
        constraints = [
            models.UniqueConstraint(fields=["buyer_unit", "year"], name="reserved_share_one_filing_per_year"),
            models.CheckConstraint(
                name="reserved_share_own_has_budget_and_ratio",
                condition=~Q(canteen="own")
                | Q(canteen_food_budget__gt=0, ratio__gt=0, ratio__lte=1, host_unit__isnull=True),
            ),
            models.CheckConstraint(
                name="reserved_share_shared_names_another_host",
                condition=~Q(canteen="shared")
                | (
                    Q(host_unit__isnull=False, canteen_food_budget__isnull=True, ratio__isnull=True)
                    & ~Q(host_unit=F("buyer_unit"))
                ),
            ),
            models.CheckConstraint(
                name="reserved_share_none_has_no_figures",
                condition=~Q(canteen="none")
                | Q(host_unit__isnull=True, canteen_food_budget__isnull=True, ratio__isnull=True),
            ),
            models.CheckConstraint(
                name="reserved_share_canteen_valid", condition=Q(canteen__in=["own", "none", "shared"])
            ),
        ]
        indexes = [models.Index(fields=["year", "host_unit"], name="reserved_share_year_host")]

    def __str__(self) -> str:
        return f"{self.buyer_unit_id} {self.year} {self.canteen}"

    @property
    def target(self) -> Decimal | None:
        """Budget × ratio, in yuan with two places; None without an own canteen."""
        if self.canteen != Canteen.OWN or self.canteen_food_budget is None or self.ratio is None:
            return None
        return money(self.canteen_food_budget * self.ratio)


class ReservedShareFilingRecord(models.Model):
    """Append-only history of filings: what was filed or changed, by whom and when."""

    filing = models.ForeignKey(ReservedShareFiling, on_delete=models.CASCADE, related_name="records")
    action = models.CharField(_("action"), max_length=8)  # "filed" or "updated"
    canteen = models.CharField(_("canteen"), max_length=8, choices=Canteen.choices)
    host_unit = models.ForeignKey(
        BuyerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host unit"),
    )
    canteen_food_budget = models.DecimalField(
        _("canteen food budget (¥)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    ratio = models.DecimalField(_("reserved ratio"), max_digits=4, decimal_places=3, null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("reserved share filing history entry")
        verbose_name_plural = _("reserved share filing history")

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Filing history entries cannot be changed.")
        super().save(*args, **kwargs)
