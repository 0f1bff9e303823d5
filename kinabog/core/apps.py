from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kinabog.core"
    label = "core"
