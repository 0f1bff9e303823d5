from django.urls import re_path

from . import views

app_name = "aula_api"

urlpatterns = [
    # /api/v24/?method=module.action — the trailing slash is Aula's; it is optional here.
    re_path(r"^v(?P<version>[0-9]{1,6})/?$", views.api_view, name="call"),
]
