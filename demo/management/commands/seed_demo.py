import importlib
import logging
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from demo import DEMO_PASSWORD, SEEDERS, DemoContext


class Command(BaseCommand):
    help = "Create demo data: accounts for every role, buyer units, county offices, suppliers and products. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=832, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--suppliers", type=int, default=20, help="Generated suppliers besides the named ones."
        )
        parser.add_argument(
            "--products",
            type=int,
            default=120,
            help="Make the catalogue hold at least this many products (bulk-generated beyond the hand-made "
            "demo listings; 400000 gives about 1,000,000 SKUs on PostgreSQL).",
        )
        parser.add_argument(
            "--orders-months",
            type=int,
            default=12,
            help="Months of demo order history for the demo buyer units (0: none).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database has users.")

    def handle(self, *args, seed: int, if_empty: bool, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users; demo data not loaded.")
            return
        ctx = DemoContext(rng=random.Random(seed), options=options)
        # Demo accounts have made-up addresses: their notifications go to the inbox only. The demo's
        # own state changes stay in the audit table, but their log lines would bury the summary.
        audit_log = logging.getLogger("fengshou.audit")
        level = audit_log.level
        audit_log.setLevel(logging.WARNING)
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                for module in SEEDERS:
                    importlib.import_module(module).seed(ctx)
        finally:
            audit_log.setLevel(level)
        made = ", ".join(f"{n} {what}" for what, n in ctx.created.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({made}). Demo password: {DEMO_PASSWORD}"))
