from django.urls import path

from . import views

app_name = "exemplars"
urlpatterns = [
    path("", views.exemplar_list, name="list"),
    path("them/", views.exemplar_create, name="create"),
    path("thung-rac/", views.exemplar_trash, name="trash"),
    path("tim-nguon/", views.source_search, name="source_search"),
    path("<int:pk>/", views.exemplar_detail, name="detail"),
    path("<int:pk>/sua/", views.exemplar_edit, name="edit"),
    path("<int:pk>/xoa/", views.exemplar_delete, name="delete"),
    path("<int:pk>/khoi-phuc/", views.exemplar_restore, name="restore"),
    path("<int:pk>/tien-do/", views.exemplar_progress, name="progress"),
    path("<int:pk>/danh-gia/", views.exemplar_assess, name="assess"),
    path("<int:pk>/cong-nhan/", views.exemplar_recognize, name="recognize"),
    path("<int:pk>/khen-thuong/", views.exemplar_commend, name="commend"),
    path("<int:pk>/dung/", views.exemplar_stop, name="stop"),
    path("<int:pk>/cong-khai/<int:recognition_pk>/", views.exemplar_publish, name="publish"),
    path("<int:pk>/minh-chung/<int:evidence_pk>/", views.evidence_file, name="evidence"),
]
