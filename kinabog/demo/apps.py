from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kinabog.demo"
    label = "demo"
