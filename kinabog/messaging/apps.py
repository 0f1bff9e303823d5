from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "kinabog.messaging"
    label = "messaging"
