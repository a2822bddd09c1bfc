"""Chat profiles: one per expertise area and the whole farm."""

from __future__ import annotations

import pytest

from yonca.assistant.profiles import (
    PROFILE_NAMES,
    WHOLE_FARM,
    chat_profiles,
    ui_language,
)


@pytest.mark.parametrize("default", ["fruit", "cotton", None, "not-an-area"])
def test_the_default_profile_comes_first_and_alone_is_marked(
    default: str | None,
) -> None:
    profiles = chat_profiles("en", default)

    expected = default if default in PROFILE_NAMES else WHOLE_FARM
    assert profiles[0].name == expected
    assert [p.name for p in profiles if p.default] == [expected]
    assert sorted(p.name for p in profiles) == sorted(PROFILE_NAMES)


@pytest.mark.parametrize(
    ("browser", "expected", "cotton"),
    [
        ("az-AZ", "az", "Pambıqçılıq"),
        ("ru-RU", "ru", "Хлопок"),
        ("de-DE", "en", "Cotton"),
    ],
)
def test_profiles_are_named_in_the_browsers_language(
    browser: str, expected: str, cotton: str
) -> None:
    language = ui_language(browser)

    names = {p.name: p.display_name for p in chat_profiles(language, None)}

    assert language == expected
    assert names["cotton"] == cotton
    assert all(
        p.icon and p.icon.startswith("/public/") for p in chat_profiles(language, None)
    )
