from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from comments import views as comment_views
from moderation import reading_views as disposition_views
from openrecord.urls import export_urlpatterns, site_urlpatterns

# The admin's own login form would skip allauth's failed-login limits (and its email
# verification): send it to the site's login page, and refuse signed-in people who are not staff.
admin.site.login = secure_admin_login(admin.site.login)

# Apps higher up the dependency arrow (moderation -> comments -> definition) list their
# patterns first where they add to a lower app's pages; the addresses never change.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("stewards/", include("moderation.steward_urls")),
    path("stewards/", include("definition.steward_urls")),
    path("moderation/", include("moderation.urls")),
    path("comments/", include("comments.urls")),
    path("dispositions/<int:pk>/respond/", disposition_views.respond, name="respond"),
    path("people/<int:pk>/", comment_views.person, name="person"),
    *site_urlpatterns,
    path("exports/", include((export_urlpatterns, "exports"))),
    path("api/v1/", include("openrecord.api_urls")),
    path("", include("openrecord.urls")),
    path("", include(("moderation.reading_urls", "record"))),
    path("", include("comments.reading_urls")),
    path("", include("definition.urls")),
]
