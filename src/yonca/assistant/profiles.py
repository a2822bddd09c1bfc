"""Chat profiles: one per expertise area, plus the whole farm.

The profile a conversation starts with sets what the assistant focuses on
and becomes the thread's ``profile:`` tag.
"""

from __future__ import annotations

import chainlit as cl

from yonca.domain import catalog

WHOLE_FARM = "farm"
PROFILE_NAMES = (WHOLE_FARM, *catalog.EXPERTISE_AREA_KEYS)

WHOLE_FARM_NAMES = {"az": "Bütün təsərrüfat", "en": "Whole farm", "ru": "Всё хозяйство"}
DESCRIPTIONS = {
    "az": "**{name}**: bu sahə üzrə məsləhətlər, təsərrüfatınıza uyğun.",
    "en": "**{name}**: advice in this area, fitted to your farm.",
    "ru": "**{name}**: советы в этой области с учётом вашего хозяйства.",
}
STARTERS = {
    WHOLE_FARM: {
        "az": "Bu ay təsərrüfatımda nələri etməliyəm?",
        "en": "What should I do on my farm this month?",
        "ru": "Что мне сделать в хозяйстве в этом месяце?",
    },
    "cotton": {
        "az": "Pambıq sahəsini nə vaxt suvarmalıyam?",
        "en": "When should I irrigate my cotton?",
        "ru": "Когда поливать хлопок?",
    },
    "wheat": {
        "az": "Payızlıq buğdaya hansı gübrəni verim?",
        "en": "Which fertilizer does my winter wheat need?",
        "ru": "Какое удобрение нужно озимой пшенице?",
    },
    "fruit": {
        "az": "Bağımı xəstəliklərdən necə qoruyum?",
        "en": "How do I protect my orchard from disease?",
        "ru": "Как защитить сад от болезней?",
    },
    "vegetables": {
        "az": "Pomidoru nə vaxt əkməliyəm?",
        "en": "When should I plant tomatoes?",
        "ru": "Когда сажать томаты?",
    },
}


def ui_language(browser_language: str | None) -> str:
    """Map a browser language such as 'ru-RU' to one the assistant speaks."""
    code = (browser_language or "").split("-")[0].lower()
    return code if code in ("az", "ru") else "en"


def profile_display_name(name: str, language: str) -> str:
    if name == WHOLE_FARM:
        return WHOLE_FARM_NAMES[language]
    for area in catalog.EXPERTISE_AREAS:
        if area.key == name:
            return area.names[language]
    return name


def chat_profiles(language: str, default: str | None) -> list[cl.ChatProfile]:
    """Profiles in ``language``, ``default`` (when it exists) first and selected."""
    default = default if default in PROFILE_NAMES else WHOLE_FARM
    # The default goes first: Chainlit's web app picks the first profile in
    # one place and the default one in another; when they differ it switches
    # profile right after connecting and the greeting of the first is lost.
    ordered = [default, *(name for name in PROFILE_NAMES if name != default)]
    profiles = []
    for name in ordered:
        display_name = profile_display_name(name, language)
        starter = STARTERS[name][language]
        profiles.append(
            cl.ChatProfile(
                name=name,
                display_name=display_name,
                markdown_description=DESCRIPTIONS[language].format(name=display_name),
                icon=f"/public/profile-{name}.svg",
                default=name == default,
                starters=[cl.Starter(label=starter, message=starter)],
            )
        )
    return profiles


def profile_or_default(name: str | None) -> str:
    return name if name in PROFILE_NAMES else WHOLE_FARM
