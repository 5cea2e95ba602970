from django.urls import path

from . import views

app_name = "similar"
urlpatterns = [
    path("tuong-tu/", views.draft_panel, name="draft"),
    path("<int:pk>/tuong-tu/", views.detail_panel, name="detail"),
    path("<int:pk>/nhan-rong-tu/<int:other_pk>/", views.mark_replication, name="replication"),
    path("<int:pk>/danh-dau-trung/<int:other_pk>/", views.flag_duplicate, name="flag"),
    path("danh-dau-trung/<int:flag_pk>/bo/", views.dismiss_flag, name="dismiss"),
]
