from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import exports, feeds, search_views, views
from .sitemaps import SITEMAPS

app_name = "openrecord"
urlpatterns = [
    path("<slug:slug>/feed/", require_safe(feeds.VersionsFeed()), name="versions_feed"),
    path("<slug:slug>/feed/comments/", require_safe(feeds.CommentsFeed()), name="comments_feed"),
    path(
        "<slug:slug>/feed/comments/<slug:key>/",
        require_safe(feeds.CommentsFeed()),
        name="clause_comments_feed",
    ),
    path("<slug:slug>/feed/dispositions/", require_safe(feeds.DispositionsFeed()), name="dispositions_feed"),
]

site_urlpatterns = [
    path("search/", search_views.search_page, name="search"),
    path("robots.txt", views.robots, name="robots"),
    path("healthz/", views.health, name="health"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]

export_urlpatterns = [
    path("<slug:slug>/comments.<str:fmt>", exports.all_comments, name="all_comments"),
    path("<slug:slug>/<str:label>/version.md", exports.markdown_export, name="markdown"),
    path("<slug:slug>/<str:label>/print/", exports.print_version, name="print"),
    path("<slug:slug>/<str:label>/annotations.jsonld", exports.annotations, name="annotations"),
]
