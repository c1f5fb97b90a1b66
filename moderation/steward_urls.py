from django.urls import path

from . import steward_views as views

app_name = "moderation_stewards"
urlpatterns = [
    path("<slug:slug>/draft/publish/", views.publish),
    path("<slug:slug>/draft/<slug:key>/edit/", views.edit_clause),
    path("<slug:slug>/draft/<slug:key>/drove/", views.draft_link, name="draft_link"),
    path("comments/<int:pk>/disposition/", views.disposition, name="disposition"),
    path("<slug:slug>/<str:label>/triage/", views.triage, name="triage"),
    path("<slug:slug>/<str:label>/<slug:key>/external/", views.external, name="external"),
]
