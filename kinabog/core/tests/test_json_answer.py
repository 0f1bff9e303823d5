"""JSON answers mean what Django's JsonResponse meant, written faster."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from kinabog.core.json_answer import dumps, json_answer


def test_every_kind_of_value_is_written_as_djangos_encoder_writes_it() -> None:
    moment = datetime(2026, 11, 27, 7, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Copenhagen"))
    data = {
        "moment": moment,
        "day": date(2026, 11, 27),
        "at": time(7, 30, 15, 500000),
        "amount": Decimal("12.50"),
        "key": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "label": gettext_lazy("Check in"),
        "html": mark_safe("<b>Æblegrød</b>"),
        "numbers": (1, 2.5, None, True),
        7: "an integer key",
    }
    with override("da"):
        expected = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        written = dumps(data)
    assert json.loads(written) == expected
    assert expected["label"] == "Tjek ind" and expected["moment"] == "2026-11-27T07:30:15.123+01:00"
    assert "Æblegrød".encode() in written  # UTF-8 as it is, no \\u escapes


def test_an_answer_is_json_with_its_status() -> None:
    response = json_answer({"problems": ["Vælg et barn."]}, status=400)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"problems": ["Vælg et barn."]}
