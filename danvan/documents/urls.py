from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("ho-so/<int:pk>/van-ban/<str:which>.<str:fmt>", views.submission_document, name="submission"),
    path("dot-dang-ky/<int:pk>/van-ban/<str:which>.<str:fmt>", views.round_document, name="round"),
    path("bieu-mau-trong.<str:fmt>", views.blank_form, name="blank"),
    path("van-ban/tao/<int:pk>/", views.job_status, name="job"),
    path("van-ban/tao/<int:pk>/tai-ve/", views.job_file, name="job_file"),
    path("don-vi/<code:code>/van-ban/", views.letter_settings, name="settings"),
    path("don-vi/<code:code>/so-van-ban-di/", views.outgoing_register, name="register"),
    path("don-vi/<code:code>/so-van-ban-di.xlsx", views.outgoing_register_xlsx, name="register_xlsx"),
    path("ho-so/<int:pk>/cap-so/", views.submission_number, name="number"),
    path("van-ban-di/<int:pk>/tep/", views.outgoing_file, name="outgoing_file"),
    path("van-ban-di/<int:pk>/thu-hoi/", views.outgoing_withdraw, name="withdraw"),
]
