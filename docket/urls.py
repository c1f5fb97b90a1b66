from django.contrib import admin
from django.urls import include, path

from comments import views as comment_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("stewards/", include("definition.steward_urls")),
    path("comments/", include("comments.urls")),
    path("people/<int:pk>/", comment_views.person, name="person"),
    path("", include("comments.reading_urls")),
    path("", include("definition.urls")),
]
