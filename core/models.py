"""Abstract models every app's history shares, and the outbox (``core.background``): core's one table."""

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


class OutboxMessage(models.Model):
    """A Celery task to send once the transaction that wrote this row commits (``core.background``).

    Written in the caller's transaction, so it exists exactly when the writes it follows do; marked sent
    when the broker took it. Rows the broker could not take are sent again by ``core.tasks.drain_outbox``
    (a beat task), attempts counted; sent rows are pruned after ``OUTBOX["KEEP_SENT_DAYS"]``."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    what = models.CharField(_("what it is for"), max_length=300)
    made_up_by = models.CharField(_("made up by"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The drain reads only the unsent rows, oldest first; the prune only the sent ones.
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="core_outbox_unsent"
            ),
            models.Index(
                fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="core_outbox_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.args} ({'sent' if self.sent_at else 'unsent'})"
