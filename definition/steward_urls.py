from django.urls import path

from . import steward_views as views

app_name = "stewards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/draft/", views.draft, name="draft"),
    path("<slug:slug>/draft/start/", views.start, name="start"),
    path("<slug:slug>/draft/discard/", views.discard, name="discard"),
    path("<slug:slug>/draft/renumber/", views.renumber, name="renumber"),
    path("<slug:slug>/draft/add/", views.add_clause, name="add_clause"),
    path("<slug:slug>/draft/import/", views.import_upload, name="import_upload"),
    path("<slug:slug>/draft/import/<int:import_id>/", views.import_review, name="import_review"),
    path("<slug:slug>/draft/publish/", views.publish, name="publish"),
    path("<slug:slug>/draft/preview/", views.preview_markdown, name="preview"),
    path("<slug:slug>/draft/<slug:key>/edit/", views.edit_clause, name="edit_clause"),
    path("<slug:slug>/draft/<slug:key>/remove/", views.remove_clause, name="remove_clause"),
    path("<slug:slug>/draft/<slug:key>/move/", views.move_clause, name="move_clause"),
    path("<slug:slug>/<str:label>/comments/", views.comment_period, name="comment_period"),
]
