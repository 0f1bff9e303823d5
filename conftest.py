"""Test set-up shared by all apps: the demo municipality is built once per test database."""

from __future__ import annotations

import os

import pytest

from kinabog.demo.havnby import build_havnby

# Browser fixtures (Chromium through Playwright) live in one place for every app's browser tests.
pytest_plugins = ["kinabog.core.tests.browser"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests use a live server and a transactional database that is emptied after each test:
    # run them last so the demo built once for everything else stays in place until then.
    # Tests that commit for real (marker "transactional") empty the database too: they go last as well.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None or item.get_closest_marker("transactional") is not None
        )
    )
    if os.environ.get("BROWSER_TESTS") != "1":
        skip = pytest.mark.skip(reason="browser tests run with BROWSER_TESTS=1 (always in CI)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _viewer_built_per_request():  # type: ignore[no-untyped-def]
    """Tests count queries per page: the Viewer is built on every request unless a test turns the cache on
    (kinabog/institutions/tests/test_viewer_cache.py does, and the benchmark smoke run uses it)."""
    from django.conf import settings

    settings.VIEWER_CACHE_SECONDS = 0
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        build_havnby()


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    """The demo municipality (already built; rebuilt after a transactional test emptied it)."""
    build_havnby()
