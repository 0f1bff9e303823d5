"""Build the demo municipality (and, with --scale esbjerg, a municipality of Esbjerg's size)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinabog.demo.havnby import DEMO_LOGINS, DEMO_PASSWORD, build_havnby


class Command(BaseCommand):
    help = "Build the demo municipality Havnby Kommune. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["demo", "esbjerg"],
            default="demo",
            help="esbjerg: also build a municipality of Esbjerg's size for benchmarks (logins g000001…, s00001…)",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        built = build_havnby()
        self.stdout.write("Havnby Kommune built." if built else "Havnby Kommune already exists; nothing changed.")
        if options["scale"] == "esbjerg":
            from kinabog.demo.scale import ScaleConflictError, build_esbjerg_scale

            scale_started = time.monotonic()
            try:
                summary = build_esbjerg_scale()
            except ScaleConflictError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Esbjerg scale: {summary} ({time.monotonic() - scale_started:.1f} s)")
        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:<10} {login.name:<18} {login.story}")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
