from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("stewards/", include("definition.steward_urls")),
    path("", include("definition.urls")),
]
