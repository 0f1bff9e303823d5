from django.apps import AppConfig


class PresenceConfig(AppConfig):
    name = "kinabog.presence"
    label = "presence"
