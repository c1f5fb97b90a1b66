"""The reading pages of definition/urls.py, served with their comments. Listed before the
definition app's own patterns; the addresses (and their names there) do not change."""

from django.urls import path

import definition.urls  # noqa: F401  (registers the path converters used below)

from . import views

urlpatterns = [
    path("<slug:slug>/", views.latest_version),
    path("<slug:slug>/<label:label>/", views.version_page),
    path("<slug:slug>/<label:label>/<slug:key>/", views.clause_page),
]
