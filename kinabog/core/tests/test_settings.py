"""Settings from the environment: the production variables give a clean deployment check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = {
        "SECRET_KEY": "x" * 30 + "production-secret-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "kinabog.havnby.dk",
        "KINABOG_VAR_DIR": str(tmp_path),
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_secure_cookies_hsts_csp(tmp_path):
    env = {"SECRET_KEY": "y" * 60, "ALLOWED_HOSTS": "kinabog.havnby.dk", "KINABOG_VAR_DIR": str(tmp_path)}
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SECURE_SSL_REDIRECT, 'kinabog.core.middleware.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == "False True True True True True [\"'self'\"]", result.stdout + result.stderr


def test_embedded_default_uses_sqlite_in_var(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    result = run_manage("shell", "--no-imports", "-c", code, env={"KINABOG_VAR_DIR": str(tmp_path)})
    assert result.stdout.strip() == "django.db.backends.sqlite3 True", result.stderr


def test_database_url_selects_postgresql_with_prepared_statements(tmp_path):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        " print(d['ENGINE'], d['OPTIONS'].get('server_side_binding'), d['OPTIONS'].get('prepare_threshold'))"
    )
    env = {"KINABOG_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == "kinabog.core.db.postgresql True 5", result.stderr
    # Behind a pooler that cannot keep prepared statements: Django's backend, parameters bound by the client.
    result = run_manage("shell", "--no-imports", "-c", code, env={**env, "DATABASE_PREPARED_STATEMENTS": "false"})
    assert result.stdout.strip() == "django.db.backends.postgresql None None", result.stderr
