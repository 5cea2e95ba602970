"""A dossier item says whether its model is one of an earlier year the unit keeps building ("tiếp tục xây dựng").

Items made before the rule that hold a model of a year before their round's are marked continued: that is what
they were, and section 3.3 of the annual report counts them so.
"""

from django.db import migrations, models
from django.db.models import F


def mark_earlier_years(apps, schema_editor):
    Item = apps.get_model("movement", "SubmissionItem")
    earlier = Item.objects.filter(exemplar__year__lt=F("submission__round__year")).values_list("pk", flat=True)
    Item.objects.filter(pk__in=list(earlier)).update(continued=True)


class Migration(migrations.Migration):

    dependencies = [
        ("movement", "0009_round_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="submissionitem",
            name="continued",
            field=models.BooleanField(default=False, verbose_name="tiếp tục xây dựng"),
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="action",
            field=models.CharField(choices=[("launch", "Phát động"), ("relay", "Chuyển tiếp xuống đơn vị"),
                                            ("attach", "Thêm mô hình"),
                                            ("continue", "Thêm mô hình tiếp tục xây dựng"),
                                            ("detach", "Bỏ mô hình"), ("dossier", "Cập nhật hồ sơ"),
                                            ("request_approval", "Trình lãnh đạo phê duyệt"),
                                            ("submit", "Gửi đăng ký"), ("accept", "Tiếp nhận"),
                                            ("return", "Trả lại"), ("consolidate", "Tổng hợp từ đơn vị cấp dưới"),
                                            ("remind", "Nhắc nhở"), ("extend", "Gia hạn"),
                                            ("cancel_relay", "Hủy chuyển tiếp"), ("round_edit", "Sửa đợt đăng ký")],
                                   max_length=20, verbose_name="thao tác"),
        ),
        migrations.RunPython(mark_earlier_years, migrations.RunPython.noop),
    ]
