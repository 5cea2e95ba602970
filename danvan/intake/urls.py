from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("nhap-bieu-mau/", views.upload, name="upload"),
    path("nhap-bieu-mau/<int:pk>/", views.preview, name="preview"),
    path("nhap-bieu-mau/tep/<int:pk>/", views.original, name="original"),
    path("nhap-bieu-mau/dong/<int:pk>/tuong-tu/", views.row_similar_panel, name="row_similar"),
]
