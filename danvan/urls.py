from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from danvan.api import views as api_views
from danvan.api.api import api
from danvan.core import health
from danvan.core import views as core_views

admin.site.site_header = "Quản trị Dân vận khéo"
admin.site.site_title = "Quản trị Dân vận khéo"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/bare", health.bare, name="healthz_bare"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/", core_views.tree, name="tree"),
    path("don-vi/<str:code>/", core_views.tree, name="tree_node"),
    path("mo-hinh/", include("danvan.exemplars.urls")),
    path("mo-hinh/", include("danvan.search.urls")),
    path("cong-khai/", include("danvan.showcase.urls")),
    path("", include("danvan.movement.urls")),
    path("", include("danvan.documents.urls")),
    path("", include("danvan.intake.urls")),
    path("", include("danvan.reports.urls")),
    path("quan-tri-he-thong/nhat-ky/", core_views.audit_log, name="audit"),
    path("tai-khoan/", api_views.profile, name="profile"),
    path("tai-khoan/khoa/<int:pk>/thu-hoi/", api_views.revoke, name="token_revoke"),
    path("api/", api.urls),
    path("quan-tri/", admin.site.urls),
]

handler403 = "danvan.core.views.error_403"
handler404 = "danvan.core.views.error_404"
handler500 = "danvan.core.views.error_500"
