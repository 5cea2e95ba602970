from django.urls import path

from . import views

app_name = "movement"
urlpatterns = [
    path("dot-dang-ky/", views.round_list, name="rounds"),
    path("dot-dang-ky/phat-dong/", views.round_launch, name="launch"),
    path("dot-dang-ky/<int:pk>/", views.round_detail, name="round"),
    path("dot-dang-ky/<int:pk>/chuyen-tiep/<code:code>/", views.round_relay, name="relay"),
    path("dot-dang-ky/<int:pk>/nhac/", views.round_remind, name="remind"),
    path("dot-dang-ky/<int:pk>/sua/", views.round_edit, name="edit"),
    path("dot-dang-ky/<int:pk>/huy-chuyen-tiep/", views.round_cancel_relay, name="cancel_relay"),
    path("nhac-nho/<int:pk>/gui-lai/", views.reminder_resend, name="reminder_resend"),
    path("dot-dang-ky/<int:pk>/tien-do.xlsx", views.round_export, name="export"),
    path("ho-so/<int:pk>/", views.submission_detail, name="submission"),
    path("ho-so/<int:pk>/them-mo-hinh/", views.submission_attach, name="attach"),
    path("ho-so/<int:pk>/bo-mo-hinh/<int:exemplar_pk>/", views.submission_detach, name="detach"),
    path("ho-so/<int:pk>/ho-so-kem-theo/", views.submission_dossier, name="dossier"),
    path("ho-so/<int:pk>/trinh/", views.submission_request_approval, name="request_approval"),
    path("ho-so/<int:pk>/gui/", views.submission_submit, name="submit"),
    path("ho-so/<int:pk>/tong-hop/", views.submission_consolidate, name="consolidate"),
    path("ho-so/<int:pk>/tiep-nhan/", views.submission_accept, name="accept"),
    path("ho-so/<int:pk>/tra-lai/", views.submission_return, name="return"),
    path("ho-so/<int:pk>/gia-han/", views.submission_extend, name="extend"),
    path("ho-so/<int:pk>/tep/<str:which>/", views.submission_file, name="file"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("tai-khoan/nhan-thu/", views.mail_preference, name="mail_preference"),
    path("thong-bao/<int:pk>/gui-lai/", views.notification_resend, name="resend"),
    path("thong-bao/tong-hop/<int:pk>/gui-lai/", views.digest_resend, name="digest_resend"),
]
