"""`manage.py send_calendar_reminders`: send the calendar reminders that are due now.

Celery beat runs the same every five minutes where a broker is configured; without one an operator runs
this from cron (e.g. `*/5 * * * *`). Running it twice, or at the same time as the task, reminds nobody twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kinabog.calendar.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the calendar reminders that are due now."

    def handle(self, *args: Any, **options: Any) -> None:
        written = send_due_reminders()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{written} reminders written.")
