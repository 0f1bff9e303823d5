from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kinabog.audit"
    label = "audit"
