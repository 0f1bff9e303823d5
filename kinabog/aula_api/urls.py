from django.urls import path  # noqa: F401

app_name = "aula_api"
urlpatterns: list = []
