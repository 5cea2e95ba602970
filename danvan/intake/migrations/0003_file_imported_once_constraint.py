from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0002's data step: PostgreSQL refuses an ALTER TABLE while that step's row updates are pending."""

    dependencies = [("intake", "0002_file_imported_once")]

    operations = [
        migrations.AddConstraint(
            model_name="importfile",
            constraint=models.UniqueConstraint(fields=("confirmed_unit", "sha256"), name="intake_file_imported_once"),
        ),
    ]
