"""The JSON API: one module per area, each with its own urlpatterns."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("studio.api.accounts")),
    path("", include("studio.api.graphs")),
    path("", include("studio.api.projects")),
    path("", include("studio.api.datasets")),
    path("", include("studio.api.runs")),
    path("", include("studio.api.results")),
    path("", include("studio.api.weights")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
