from django.apps import AppConfig


class CalendarConfig(AppConfig):
    # The label is Danish so it never clashes with Python's own `calendar` module in tooling and tables.
    name = "kinabog.calendar"
    label = "kalender"
    verbose_name = "Kalender"
