"""Submissions whose unit moved before their path copy followed it (issue 21) take the unit's path now."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def resync(apps, schema_editor):
    Submission = apps.get_model("movement", "Submission")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    db = schema_editor.connection.alias
    Submission.objects.using(db).exclude(unit_path=F("unit__path")).update(
        unit_path=Subquery(OrgUnit.objects.using(db).filter(pk=OuterRef("unit_id")).values("path")[:1]))


class Migration(migrations.Migration):
    dependencies = [("movement", "0002_report_requests"), ("orgs", "0001_initial")]
    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
