"""The county registry: provinces, cities and county-level divisions (GB/T 2260 codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=32)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=64)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """A county-level division (县、县级市、区、旗…).

    ``is_eligible`` marks the 832 poverty-alleviation counties (脱贫县) whose suppliers may sell
    here. The shipped list is in data/divisions/eligible_counties.csv; ops may correct it in the admin.
    """

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="counties", verbose_name=_("city"))
    # Denormalised from the city so that province filters need no join.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="counties", verbose_name=_("province")
    )
    is_eligible = models.BooleanField(_("eligible (脱贫县)"), default=False, db_index=True)
    eligibility_note = models.CharField(_("eligibility note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """Province, city and county, as on an address ("湖北省 恩施土家族苗族自治州 巴东县")."""
        parts = [self.province.name]
        if self.city.name not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
            parts.append(self.city.name)
        parts.append(self.name)
        return " ".join(parts)


class CountyOffice(models.Model):
    """The local administration (地方管理员) of one county: it confirms that applicants are local."""

    county = models.OneToOneField(
        County, on_delete=models.PROTECT, related_name="office", verbose_name=_("county")
    )
    name = models.CharField(_("name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["county__code"]
        verbose_name = _("county office")
        verbose_name_plural = _("county offices")

    def __str__(self) -> str:
        return self.name
