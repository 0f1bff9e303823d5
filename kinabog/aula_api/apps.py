from django.apps import AppConfig


class AulaApiConfig(AppConfig):
    name = "kinabog.aula_api"
    label = "aula_api"
