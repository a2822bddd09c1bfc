"""The system prompt: who the assistant is, whose farm it talks about, and how.

Written in English, which small models follow best, with the answer language
stated outright; farm facts are given in the farmer's chosen units so that
the model repeats numbers the farmer can use.
"""

from __future__ import annotations

from yonca.assistant.preferences import Preferences
from yonca.domain import catalog
from yonca.domain.farms import Parcel
from yonca.domain.personas import FarmContext

LANGUAGE_INSTRUCTIONS = {
    "az": "Always answer in Azerbaijani (Latin script).",
    "en": "Always answer in English.",
    "ru": "Always answer in Russian.",
}
DETAIL_INSTRUCTIONS = {
    "brief": "Keep answers short: at most five sentences or a short list.",
    "standard": "Give practical answers of a few paragraphs.",
    "detailed": (
        "Give detailed answers with steps, quantities and timing, and explain why."
    ),
}
UNIT_INSTRUCTIONS = {
    "hectare": "Use hectares, kilograms, litres and degrees Celsius.",
    "sot": (
        "Use sot for land (1 sot = 100 square metres = 0.01 hectare), "
        "kilograms, litres and degrees Celsius."
    ),
    "acre": "Use acres, pounds, gallons and degrees Fahrenheit.",
}
AREA_IN_UNITS = {
    "hectare": (1.0, "ha"),
    "sot": (100.0, "sot"),
    "acre": (2.471, "acres"),
}


def format_area(hectares: float | None, units: str) -> str:
    if hectares is None:
        return "unknown area"
    factor, name = AREA_IN_UNITS.get(units, AREA_IN_UNITS["hectare"])
    return f"{hectares * factor:.1f} {name}"


def build_system_prompt(
    context: FarmContext, preferences: Preferences, profile: str | None
) -> str:
    lines = [
        "You are Yonca, a farm-planning assistant for farmers in Azerbaijan.",
        "Advise on irrigation, fertilizer, pests and diseases, planting and "
        "harvest timing for the farm described below, taking its region's "
        "climate into account. When you are unsure, say so and suggest whom "
        "to ask locally (the district agrarian service).",
        "",
        _farmer_lines(context, preferences.units),
        "",
        _focus_line(context, profile),
        LANGUAGE_INSTRUCTIONS[preferences.language],
        DETAIL_INSTRUCTIONS[preferences.detail],
        UNIT_INSTRUCTIONS[preferences.units],
    ]
    return "\n".join(lines)


def _farmer_lines(context: FarmContext, units: str) -> str:
    persona = context.persona
    crops = ", ".join(catalog.crop_name(crop, "en") for crop in persona.crops)
    lines = [
        f"Farmer: {persona.full_name}, {persona.experience_years or 'some'} years "
        "of experience.",
        f"Region: {persona.region}, Azerbaijan.",
        f"Crops: {crops or 'not recorded'}.",
    ]
    farm = context.farm
    if farm is not None:
        lines.append(f"Farm: {farm.name}, {format_area(farm.area_hectares, units)}.")
        lines.extend(_parcel_line(parcel, units) for parcel in farm.parcels)
    return "\n".join(lines)


def _parcel_line(parcel: Parcel, units: str) -> str:
    crop = catalog.crop_name(parcel.crop, "en") if parcel.crop else "no crop"
    return (
        f"- {parcel.name}: {crop}, {format_area(parcel.area_hectares, units)}, "
        f"{parcel.soil_type or 'unknown'} soil, "
        f"{parcel.irrigation or 'unknown'} irrigation."
    )


def _focus_line(context: FarmContext, profile: str | None) -> str:
    areas = {area.key: area.names["en"] for area in catalog.EXPERTISE_AREAS}
    if profile in areas:
        return f"Focus on {areas[profile].lower()} growing."
    return "Cover the whole farm."
