from django.core.management.base import BaseCommand

from regions.divisions import load_divisions
from regions.models import City, County, Province


class Command(BaseCommand):
    help = "Load (or refresh) provinces, cities and counties from data/divisions/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-eligibility",
            action="store_true",
            help="Also reset every county's eligibility flag to the shipped list (overwrites ops' edits).",
        )

    def handle(self, *args, reset_eligibility: bool, **options):
        result = load_divisions(Province, City, County, apply_eligibility=reset_eligibility)
        self.stdout.write(
            f"{result.provinces} provinces, {result.cities} cities, {result.counties} counties "
            f"({result.eligible} eligible)."
        )
