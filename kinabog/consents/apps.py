from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "kinabog.consents"
    label = "consents"
    verbose_name = "Samtykker"
