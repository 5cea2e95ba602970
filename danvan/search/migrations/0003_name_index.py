"""A GIN index on the folded name alone (PostgreSQL): candidates whose name has every word are found
without reading the whole weighted document; SQLite's FTS5 already searches the name column."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS search_name_gin ON search_searchentry USING GIN (to_tsvector('simple', name_folded))"
DROP = "DROP INDEX IF EXISTS search_name_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_duplicateflag")]

    operations = [migrations.RunPython(forwards, backwards)]
