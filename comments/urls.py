from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("lookup/", views.lookup, name="lookup"),
    path("preview/", views.preview, name="preview"),
    path("new/<int:version_pk>/<slug:key>/", views.new_comment, name="new"),
    path("follow/<slug:slug>/", views.follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/cite/", views.cite, name="cite"),
    path("<int:pk>/endorse/", views.endorse, name="endorse"),
    path("<int:pk>/unendorse/", views.unendorse, name="unendorse"),
]
