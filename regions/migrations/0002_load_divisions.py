"""Load the official division codes and the shipped list of eligible counties."""

from django.db import migrations


def load(apps, schema_editor):
    from regions.divisions import load_divisions

    load_divisions(
        apps.get_model("regions", "Province"),
        apps.get_model("regions", "City"),
        apps.get_model("regions", "County"),
        apply_eligibility=True,
    )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
