from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(name, body, tokenize='unicode61')",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN
         INSERT INTO search_fts(rowid, name, body) VALUES (new.exemplar_id, new.name_folded, new.body_folded); END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN
         DELETE FROM search_fts WHERE rowid = old.exemplar_id; END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchentry BEGIN
         DELETE FROM search_fts WHERE rowid = old.exemplar_id;
         INSERT INTO search_fts(rowid, name, body) VALUES (new.exemplar_id, new.name_folded, new.body_folded); END""",
]
POSTGRES = [
    """ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('simple', name_folded), 'A') || setweight(to_tsvector('simple', body_folded), 'B')
       ) STORED""",
    "CREATE INDEX search_document_gin ON search_searchentry USING GIN (document)",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    initial = True
    dependencies = [("exemplars", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("exemplar", models.OneToOneField(on_delete=models.deletion.CASCADE, primary_key=True,
                                                  related_name="search_entry", serialize=False,
                                                  to="exemplars.exemplar")),
                ("name_folded", models.TextField()),
                ("body_folded", models.TextField()),
            ],
            options={"verbose_name": "mục chỉ mục tìm kiếm", "verbose_name_plural": "chỉ mục tìm kiếm"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
