from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("log/", views.log, name="log"),
    path("comments/<int:pk>/", views.comment, name="comment"),
    path("comments/<int:pk>/<str:action>/", views.act, name="act"),
    path("people/<int:pk>/<str:action>/", views.suspension, name="suspension"),
    path("flag/<int:pk>/", views.flag, name="flag"),
]
