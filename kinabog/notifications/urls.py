from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("<int:notification_id>/", views.open_view, name="open"),
    path("set/", views.mark_seen_view, name="mark_seen"),
    path("indstillinger/", views.settings_view, name="settings"),
]
