from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import routers

from . import api

router = routers.DefaultRouter()
router.register("definitions", api.DefinitionViewSet, basename="definition")
router.register("versions", api.VersionViewSet, basename="version")
router.register("clauses", api.ClauseViewSet, basename="clause")
router.register("comments", api.CommentViewSet, basename="comment")
router.register("dispositions", api.DispositionViewSet, basename="disposition")
router.register("moderation-log", api.ModerationLogViewSet, basename="moderation-log")

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("", include(router.urls)),
]
