from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kinabog.notifications"
    label = "notifications"
