from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "kinabog.institutions"
    label = "institutions"
