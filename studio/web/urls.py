"""Page routes (all render the React shell; the API lives under /api/)."""
from django.urls import path, re_path

from studio.web import views

TABS = "data|model|hyperparameters|training|results|inference"

urlpatterns = [
    path("", views.app_shell, name="home"),
    path("projects/", views.app_shell, name="projects"),
    path("projects/<int:project_id>/", views.app_shell, name="project"),
    re_path(rf"^projects/(?P<project_id>\d+)/(?P<tab>{TABS})/$", views.app_shell, name="project-tab"),
    path("datasets/", views.app_shell, name="datasets"),
    path("datasets/<int:dataset_id>/", views.app_shell, name="dataset"),
]
