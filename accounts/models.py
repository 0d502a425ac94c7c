"""Users and the organisation each one acts for."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import LIMITS, Kind


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer (采购人)")
    SUPPLIER = "supplier", _("Supplier (供应商)")
    COUNTY_OFFICER = "county_officer", _("County officer (地方管理员)")
    OPS = "ops", _("Operations staff (运营人员)")


class FengshouUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is an operations staff member with every permission.
        extra_fields.setdefault("role", Role.OPS)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Each acts for exactly one organisation in one role.

    Buyers belong to a buyer unit, suppliers to a supplier, county officers to a county office;
    operations staff are Django staff users whose work is set by their groups (see accounts.roles).
    The database refuses any other combination.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The language this person reads: pages follow the header switch, and their notifications are
    # written in it whoever caused them (kept up to date by the switch).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    buyer_unit = models.ForeignKey(
        "buyers.BuyerUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("buyer unit"),
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("supplier"),
    )
    county_office = models.ForeignKey(
        "regions.CountyOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("county office"),
    )

    objects = FengshouUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_matches_organisation",
                condition=(
                    Q(
                        role="buyer",
                        buyer_unit__isnull=False,
                        supplier__isnull=True,
                        county_office__isnull=True,
                        is_staff=False,
                    )
                    | Q(
                        role="supplier",
                        buyer_unit__isnull=True,
                        supplier__isnull=False,
                        county_office__isnull=True,
                        is_staff=False,
                    )
                    | Q(
                        role="county_officer",
                        buyer_unit__isnull=True,
                        supplier__isnull=True,
                        county_office__isnull=False,
                        is_staff=False,
                    )
                    | Q(
                        role="ops",
                        buyer_unit__isnull=True,
                        supplier__isnull=True,
                        county_office__isnull=True,
                        is_staff=True,
                    )
                ),
            )
        ]

    @property
    def is_buyer(self) -> bool:
        return self.is_active and self.role == Role.BUYER

    @property
    def is_supplier(self) -> bool:
        return self.is_active and self.role == Role.SUPPLIER

    @property
    def is_county_officer(self) -> bool:
        return self.is_active and self.role == Role.COUNTY_OFFICER

    @property
    def is_ops(self) -> bool:
        return self.is_active and self.role == Role.OPS and self.is_staff

    @property
    def display_name(self) -> str:
        """Chinese names read family name first with no space (李静); others "Jing Li"."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if not (first or last):
            return self.username
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def organisation(self):
        return self.buyer_unit or self.supplier or self.county_office


class Notification(models.Model):
    """A message in a user's in-app inbox (also sent by email)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class AuditEntry(models.Model):
    """One line of the audit log (``core.audit``): who did what to which object, when and from where.

    Append-only. The user is kept as an id with the username beside it, not as a foreign key, so that an
    entry outlives its user and no delete ever rewrites the log.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"))
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("username"), max_length=LIMITS["username"], blank=True)
    role = models.CharField(_("role"), max_length=LIMITS["role"], blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=LIMITS["object_type"], blank=True)
    object_id = models.CharField(_("object id"), max_length=LIMITS["object_id"], blank=True)
    action = models.CharField(_("action"), max_length=LIMITS["action"], blank=True)
    path = models.CharField(_("path"), max_length=LIMITS["path"], blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["created_at"], name="audit_created_at"),
            models.Index(fields=["kind", "created_at"], name="audit_kind_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username or '-'}"
