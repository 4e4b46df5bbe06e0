"""Top-level routes: the JSON API, accounts, the admin, and the pages (the React shell)."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("studio.api.urls")),
    path("accounts/", include("studio.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("studio.web.urls")),
]
