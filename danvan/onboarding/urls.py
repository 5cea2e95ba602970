from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.home, name="home"),
    path("mau/<str:kind>.<str:fmt>", views.template_download, name="template"),
    path("nhap/danh-muc-quoc-gia/", views.registry_import, name="registry"),
    path("nhap/<str:kind>/", views.upload, name="upload"),
    path("xem-truoc/<int:pk>/", views.preview, name="preview"),
    path("xuat/<code:code>.<str:fmt>", views.export, name="export"),
    path("lich-su-sap-xep/", views.history, name="history"),
    path("don-vi/<code:code>/", views.unit_admin, name="unit"),
    path("don-vi-so/<int:pk>/", views.unit_admin_by_pk, name="unit_by_pk"),
    path("don-vi/<code:code>/thanh-vien/<int:pk>/thu-hoi/", views.revoke, name="revoke"),
    path("don-vi/<code:code>/tai-khoan/<int:pk>/<str:action>/", views.account_action, name="account"),
    path("don-vi/<code:code>/sap-xep/", views.restructure, name="restructure"),
]
