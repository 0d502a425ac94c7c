"""The GIN index for Chinese search (PostgreSQL only) and the starting category tree."""

from django.db import migrations


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_product_search_gin ON catalog_product "
            "USING gin (search_vector) WHERE is_visible"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_product_search_gin")


def categories(apps, schema_editor):
    from catalog.category_tree import load_tree

    load_tree(apps.get_model("catalog", "Category"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(gin_index, drop_gin_index),
        migrations.RunPython(categories, migrations.RunPython.noop),
    ]
