"""`manage.py token USERNAME [--scope aula|aula-sensitive]`: print a fresh access token for the Aula API.

For development and tests: the token is issued to the public "kinabog-cli" application (created when
missing) without the browser flow. Use it as
`curl -c jar "http://127.0.0.1:8000/api/v24/?method=profiles.getProfilesByLogin&access_token=TOKEN"`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinabog.aula_api.tokens import SCOPE_LEVELS, SCOPE_NORMAL, issue_token


class Command(BaseCommand):
    help = "Print a fresh access token for the Aula-compatible API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the login to issue the token for (e.g. mette)")
        parser.add_argument(
            "--scope",
            choices=sorted(SCOPE_LEVELS),
            default=SCOPE_NORMAL,
            help="aula gives an assurance level 2 session, aula-sensitive level 3 (default: aula)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active login named {options['username']!r}. Did you run ./run demo?")
        # Only the token on stdout, so that TOKEN=$(./run token mette) works.
        self.stdout.write(issue_token(user, options["scope"]))
