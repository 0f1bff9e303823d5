from django.apps import AppConfig


class AulaApiConfig(AppConfig):
    name = "kinabog.aula_api"
    label = "aula_api"

    def ready(self) -> None:
        # Importing the handler modules registers their methods.
        from . import methods  # noqa: F401
