"""Kinds of the actors of 2025 (issue 22 §4, DOMAIN.md §3b) as data: under Law 97/2025/QH15 the Fatherland Front's
commune standing board advises, tracks and consolidates the "dân vận" models of residential areas; the mass
organisations sit under the Front; commune Party committees and residential-area Party cells. Rights come from
roles, so a Front board launches and consolidates rounds like any issuer."""

from django.db import migrations

KINDS = [
    ("mttq-xa", "Ban Thường trực Ủy ban Mặt trận Tổ quốc cấp xã"),
    ("doan-the-mttq", "Tổ chức chính trị - xã hội trực thuộc Mặt trận Tổ quốc"),
    ("dang-uy-xa", "Đảng ủy xã, phường, đặc khu"),
    ("chi-bo-kdc", "Chi bộ thôn, tổ dân phố"),
    ("khu-dan-cu", "Khu dân cư (thôn, tổ dân phố)"),
]


def forwards(apps, schema_editor):
    UnitKind = apps.get_model("orgs", "UnitKind")
    for code, name in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0006_reorganisation_plan")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
