"""Abstract models every app's history shares. ``core`` has no tables of its own."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionEvent(models.Model):
    """One append-only entry of an object's history, written by ``core.workflow``: which step, from which
    state to which, who (empty when the platform acted), in which capacity, when, why, and its details.

    A concrete event adds the foreign key to its object and sets ``from_status``/``to_status`` choices."""

    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the platform acted by itself."),
    )
    actor_role = models.CharField(_("acting as"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("History entries cannot be changed.")
        super().save(*args, **kwargs)
