from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from danvan.api import views as api_views
from danvan.api.api import api
from danvan.audit import views as audit_views
from danvan.onboarding import views as onboarding_views
from danvan.ops import health
from danvan.ops import views as ops_views
from danvan.orgs import codes  # noqa: F401  (registers the <code:code> converter every unit URL uses)
from danvan.pages import views as pages_views

urlpatterns = [
    path("", pages_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/chi-tiet", health.details, name="healthz_details"),
    path("healthz/bare", health.bare, name="healthz_bare"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset from the login page and the invitation link (templates of danvan.onboarding, not admin's).
    path("mat-khau/quen/", onboarding_views.ResetView.as_view(), name="password_reset"),
    path("mat-khau/quen/da-gui/", auth_views.PasswordResetDoneView.as_view(
        template_name="onboarding/password_reset_done.html"), name="password_reset_done"),
    path("mat-khau/dat/<uidb64>/<token>/", onboarding_views.SetPasswordView.as_view(),
         name="password_reset_confirm"),
    path("mat-khau/xong/", auth_views.PasswordResetCompleteView.as_view(
        template_name="onboarding/password_reset_complete.html"), name="password_reset_complete"),
    path("tai-khoan/doi-mat-khau/", onboarding_views.ChangePasswordView.as_view(), name="password_change"),
    path("quan-tri-don-vi/", include("danvan.onboarding.urls")),
    path("don-vi/", pages_views.tree, name="tree"),
    path("don-vi/<code:code>/", pages_views.tree, name="tree_node"),
    path("mo-hinh/", include("danvan.exemplars.urls")),
    path("mo-hinh/", include("danvan.search.urls")),
    path("cong-khai/", include("danvan.showcase.urls")),
    path("", include("danvan.movement.urls")),
    path("", include("danvan.documents.urls")),
    path("", include("danvan.intake.urls")),
    path("", include("danvan.reports.urls")),
    path("quan-tri-he-thong/nhat-ky/", audit_views.audit_log, name="audit"),
    path("thu-demo/", ops_views.demo_mail, name="demo_mail"),
    path("thu-demo/<str:name>/", ops_views.demo_mail_one, name="demo_mail_one"),
    path("tai-khoan/", api_views.profile, name="profile"),
    path("tai-khoan/khoa/<int:pk>/thu-hoi/", api_views.revoke, name="token_revoke"),
    path("api/", api.urls),
    path("quan-tri/", admin.site.urls),
]

handler403 = "danvan.pages.views.error_403"
handler404 = "danvan.pages.views.error_404"
handler500 = "danvan.pages.views.error_500"
