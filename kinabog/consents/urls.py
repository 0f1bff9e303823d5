from django.urls import path

from . import views

app_name = "consents"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("gruppe/<int:group_id>/", views.group_view, name="group"),
]
