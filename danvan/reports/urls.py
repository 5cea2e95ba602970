from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("bao-cao/", views.home, name="home"),
    path("bao-cao/yeu-cau/moi/", views.request_new, name="request_new"),
    path("bao-cao/<code:code>/<int:year>/", views.annual, name="annual"),
    path("bao-cao/<code:code>/<int:year>/gioi-thieu/", views.intro_add, name="intro_add"),
    path("bao-cao/<code:code>/<int:year>/gioi-thieu/<int:pk>/", views.intro_edit, name="intro_edit"),
    path("bao-cao/<code:code>/<int:year>/gioi-thieu/<int:pk>/bo/", views.intro_remove, name="intro_remove"),
    path("bao-cao/<code:code>/<int:year>/tai-ve/<str:what>.<str:fmt>", views.annual_download, name="download"),
    path("don-vi/<code:code>/thong-ke/", views.dashboard, name="dashboard"),
    path("don-vi/<code:code>/thong-ke/<slug:slug>.<str:fmt>", views.dashboard_download, name="dashboard_download"),
    path("bao-cao/<code:code>/giai-doan/<int:movement>/", views.period_review, name="period"),
    path("bao-cao/<code:code>/giai-doan/<int:movement>/tai-ve.<str:fmt>", views.period_download,
         name="period_download"),
]
