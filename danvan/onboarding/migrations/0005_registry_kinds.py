"""The kinds of commune-level units of the national registry (issue 22 §1): xã, phường, đặc khu — data the
registry import needs before its first preview, so that a dry run writes nothing."""

from django.db import migrations

KINDS = [("dvhc-xa", "Xã"), ("dvhc-phuong", "Phường"), ("dvhc-dac-khu", "Đặc khu")]


def forwards(apps, schema_editor):
    UnitKind = apps.get_model("orgs", "UnitKind")
    for code, name in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0004_mail_retry"), ("orgs", "0003_code_rule")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
