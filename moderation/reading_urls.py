"""Public addresses of the disposition record, and the reading pages it adds to. Listed before
the comments and definition apps' patterns; the addresses of DESIGN.md section 3 stay."""

from django.urls import path

import definition.urls  # noqa: F401  (registers the path converters used below)

from . import reading_views as views

urlpatterns = [
    path("<slug:slug>/<label:label>/changes/", views.changes, name="changes"),
    path("<slug:slug>/<label:label>/dispositions/", views.report, name="dispositions"),
    path("<slug:slug>/history/<slug:key>/", views.clause_history),
    path("<slug:slug>/<label:label>/<slug:key>/", views.clause_page),
]
