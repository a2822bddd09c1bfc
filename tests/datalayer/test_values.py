"""Conversions between Chainlit's values and what the columns hold."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid

import pytest

from yonca.datalayer import values
from yonca.errors import InvalidInputError


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-01-21T15:30:00.123Z", "2026-01-21T15:30:00.123000Z"),
        ("2026-01-21T15:30:00.123456Z", "2026-01-21T15:30:00.123456Z"),
        ("2026-01-21T19:30:00+04:00", "2026-01-21T15:30:00.000000Z"),
        ("2026-01-21T15:30:00", "2026-01-21T15:30:00.000000Z"),
        (
            dt.datetime(2026, 1, 21, 19, 30, tzinfo=dt.timezone(dt.timedelta(hours=4))),
            "2026-01-21T15:30:00.000000Z",
        ),
    ],
)
def test_timestamps_are_stored_as_utc(given: object, stored: str) -> None:
    assert values.normalize_timestamp(given, "createdAt") == stored


def test_stored_timestamps_sort_as_text_in_time_order() -> None:
    moments = [
        "2026-01-21T15:30:00Z",
        "2026-01-21T15:30:00.5Z",
        "2026-01-21T16:00+01:00",
    ]
    stored = [values.normalize_timestamp(m, "t") for m in moments]
    assert sorted(stored) == [stored[2], stored[0], stored[1]]


def test_a_timestamp_that_is_not_one_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="ISO-8601"):
        values.normalize_timestamp("yesterday", "createdAt")


@pytest.mark.parametrize(
    "bad",
    [
        dt.datetime(2026, 1, 1),
        decimal.Decimal("1.5"),
        uuid.uuid4(),
        b"bytes",
        {1, 2},
        object(),
    ],
)
def test_values_json_cannot_hold_are_refused_with_their_path(bad: object) -> None:
    with pytest.raises(InvalidInputError, match=r"metadata\['farm'\]\[0\]"):
        values.dump_json({"farm": [bad]}, "metadata")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    with pytest.raises(InvalidInputError, match="JSON cannot represent"):
        values.dump_json({"yield": bad}, "metadata")


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="keys must be strings"):
        values.dump_json({1: "one"}, "metadata")


def test_deep_nesting_is_refused_before_it_breaks_a_reader() -> None:
    document: dict[str, object] = {}
    cursor = document
    for _ in range(values.MAX_JSON_DEPTH + 5):
        cursor["child"] = {}
        cursor = cursor["child"]  # type: ignore[assignment]
    with pytest.raises(InvalidInputError, match="nested more than"):
        values.dump_json(document, "metadata")


def test_lone_surrogates_survive_json() -> None:
    text = values.dump_json({"note": "a\ud800b"}, "metadata")
    assert text is not None
    text.encode("utf-8")
    assert values.load_json_object(text, "metadata") == {"note": "a\ud800b"}


def test_unreadable_json_is_kept_under_a_reserved_key() -> None:
    assert values.load_json_object("{not json", "metadata") == {
        values.UNREADABLE_KEY: "{not json"
    }
    assert values.load_json_object("[1, 2]", "metadata") == {
        values.UNREADABLE_KEY: "[1, 2]"
    }


@pytest.mark.parametrize(
    ("given", "fitted"),
    [
        ("a" * 300, "a" * 254 + "…"),
        ("nul\x00byte", "nulbyte"),
        ("lone\ud800", "lone?"),
    ],
)
def test_strings_a_column_cannot_hold_are_kept_whole_aside(
    given: str, fitted: str
) -> None:
    overflow: dict[str, object] = {}
    assert values.fit_text(given, 255, "name", overflow) == fitted
    assert overflow == {"name": given}


def test_strings_that_fit_stay_in_the_column_only() -> None:
    overflow: dict[str, object] = {}
    assert values.fit_text("Lənkəran", 255, "name", overflow) == "Lənkəran"
    assert overflow == {}


@pytest.mark.parametrize(("chainlit", "stored"), [(1, 1), (0, -1), (True, 1)])
def test_feedback_values_map_to_the_contract(chainlit: int, stored: int) -> None:
    assert values.feedback_to_stored(chainlit) == stored
    assert values.feedback_from_stored(stored) == int(chainlit)


def test_old_zero_feedback_reads_as_thumbs_down() -> None:
    assert values.feedback_from_stored(0) == 0


@pytest.mark.parametrize("bad", [2, -5, "1", 0.5, None])
def test_other_feedback_values_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="must be 1"):
        values.feedback_to_stored(bad)


@pytest.mark.parametrize("bad", ["x" * 37, "id\x00", "", None, "\ud800"])
def test_ids_the_contract_cannot_hold_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        values.require_id(bad, "step id")


def test_ids_with_quotes_and_sql_are_just_text() -> None:
    assert (
        values.require_id("'; DROP TABLE steps; --", "id") == "'; DROP TABLE steps; --"
    )
