"""Danish is complete: every English msgid has a Danish translation, and pages speak Danish by default."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

DANISH_PO = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line belongs to
    flags_for_next: bool = False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                flags_for_next = True
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
            _append(entry, target, ast.literal_eval(line))
            continue
        value = ast.literal_eval(rest)
        if keyword in {"msgctxt", "msgid"} and (entry is None or entry.msgstrs):
            entry = Entry(fuzzy=flags_for_next, line=number)
            entries.append(entry)
            flags_for_next = False
        assert entry is not None, f"{path}:{number}: {keyword} before msgid"
        if keyword == "msgctxt":
            entry.msgctxt, target = value, ("msgctxt", 0)
        elif keyword == "msgid":
            entry.msgid, target = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = value, ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword != "msgstr" else 0
            entry.msgstrs.append(value)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: unknown keyword {keyword}")
    return [e for e in entries if e.msgid or e.msgctxt]


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstrs[index] += text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def test_every_danish_msgid_is_translated() -> None:
    entries = read_po(DANISH_PO)
    assert len(entries) > 50, "the Danish catalogue looks empty; run makemessages"
    untranslated = [
        f"line {e.line}: {e.msgid!r}" + (" (fuzzy)" if e.fuzzy else "")
        for e in entries
        if e.fuzzy or not e.msgstrs or not all(s.strip() for s in e.msgstrs)
    ]
    assert not untranslated, "Danish translations missing:\n" + "\n".join(untranslated)


def test_danish_translations_keep_the_placeholders() -> None:
    wrong = []
    for e in read_po(DANISH_PO):
        source = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for s in e.msgstrs:
            found = set(PLACEHOLDER.findall(s))
            # A plural form may leave the number out ("én besked"); a placeholder may never be invented.
            if not found <= source or (e.msgid_plural is None and found != source):
                wrong.append(f"line {e.line}: {e.msgid!r} → {s!r}")
    assert not wrong, "placeholders changed in:\n" + "\n".join(wrong)


def test_compiled_danish_catalogue_matches_the_po_file() -> None:
    """The .mo files are kept in the repository; a stale one shows old or English text."""
    stale = []
    with translation.override("da"):
        for e in read_po(DANISH_PO):
            if e.msgid_plural is not None or e.msgctxt is not None or e.fuzzy or not e.msgstrs[0]:
                continue
            if translation.gettext(e.msgid) != e.msgstrs[0]:
                stale.append(e.msgid)
    assert not stale, "run `manage.py compilemessages --ignore=.venv`; stale: " + ", ".join(map(repr, stale[:10]))


@pytest.mark.django_db
def test_login_page_is_danish_by_default(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="da">' in html
    assert "Log ind" in html and "Brugernavn" in html and "Adgangskode" in html


@pytest.mark.django_db
def test_login_page_is_english_with_the_language_cookie(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Log ind" not in html
