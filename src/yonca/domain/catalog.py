"""What Yonca knows about Azerbaijan's farming: regions, crops, expertise areas.

The catalog feeds persona generation and the assistant's chat profiles. Region
slugs are the stable names used in thread tags (``region:lankaran``), so a
slug never changes once shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("az", "en", "ru")


@dataclass(frozen=True)
class ExpertiseArea:
    key: str
    names: dict[str, str]


@dataclass(frozen=True)
class Crop:
    key: str
    area: str
    names: dict[str, str]


@dataclass(frozen=True)
class Region:
    name: str
    slug: str
    crops: tuple[str, ...]
    soils: tuple[str, ...]
    irrigation: tuple[str, ...]


EXPERTISE_AREAS = (
    ExpertiseArea("cotton", {"az": "Pambıqçılıq", "en": "Cotton", "ru": "Хлопок"}),
    ExpertiseArea(
        "wheat", {"az": "Taxılçılıq", "en": "Wheat and grain", "ru": "Зерновые"}
    ),
    ExpertiseArea("fruit", {"az": "Meyvəçilik", "en": "Fruit", "ru": "Плодоводство"}),
    ExpertiseArea(
        "vegetables", {"az": "Tərəvəzçilik", "en": "Vegetables", "ru": "Овощеводство"}
    ),
)
EXPERTISE_AREA_KEYS = tuple(area.key for area in EXPERTISE_AREAS)

CROPS = {
    crop.key: crop
    for crop in (
        Crop("cotton", "cotton", {"az": "pambıq", "en": "cotton", "ru": "хлопок"}),
        Crop("wheat", "wheat", {"az": "buğda", "en": "wheat", "ru": "пшеница"}),
        Crop("barley", "wheat", {"az": "arpa", "en": "barley", "ru": "ячмень"}),
        Crop("corn", "wheat", {"az": "qarğıdalı", "en": "maize", "ru": "кукуруза"}),
        Crop("apple", "fruit", {"az": "alma", "en": "apple", "ru": "яблоко"}),
        Crop("grape", "fruit", {"az": "üzüm", "en": "grape", "ru": "виноград"}),
        Crop("hazelnut", "fruit", {"az": "fındıq", "en": "hazelnut", "ru": "фундук"}),
        Crop(
            "pomegranate", "fruit", {"az": "nar", "en": "pomegranate", "ru": "гранат"}
        ),
        Crop("citrus", "fruit", {"az": "sitrus", "en": "citrus", "ru": "цитрусовые"}),
        Crop("persimmon", "fruit", {"az": "xurma", "en": "persimmon", "ru": "хурма"}),
        Crop("tomato", "vegetables", {"az": "pomidor", "en": "tomato", "ru": "томат"}),
        Crop(
            "cucumber", "vegetables", {"az": "xiyar", "en": "cucumber", "ru": "огурец"}
        ),
        Crop(
            "potato", "vegetables", {"az": "kartof", "en": "potato", "ru": "картофель"}
        ),
        Crop(
            "cabbage", "vegetables", {"az": "kələm", "en": "cabbage", "ru": "капуста"}
        ),
        Crop("onion", "vegetables", {"az": "soğan", "en": "onion", "ru": "лук"}),
    )
}

REGIONS = (
    Region(
        "Lənkəran",
        "lankaran",
        ("citrus", "tomato", "cucumber", "persimmon"),
        ("yellow soil", "alluvial"),
        ("drip", "furrow"),
    ),
    Region(
        "Sabirabad",
        "sabirabad",
        ("cotton", "wheat", "barley", "onion"),
        ("grey-meadow", "saline loam"),
        ("furrow", "sprinkler"),
    ),
    Region(
        "Quba",
        "quba",
        ("apple", "potato", "cabbage"),
        ("mountain brown", "chestnut"),
        ("drip", "sprinkler", "rainfed"),
    ),
    Region(
        "Gəncə",
        "ganja",
        ("grape", "wheat", "tomato"),
        ("grey-brown", "chestnut"),
        ("furrow", "drip"),
    ),
    Region(
        "Şəki",
        "shaki",
        ("hazelnut", "wheat", "corn"),
        ("mountain brown", "meadow-forest"),
        ("rainfed", "furrow"),
    ),
    Region(
        "Bərdə",
        "barda",
        ("cotton", "wheat", "corn"),
        ("grey-meadow", "alluvial"),
        ("furrow",),
    ),
    Region(
        "Salyan",
        "salyan",
        ("cotton", "wheat", "onion"),
        ("saline loam", "grey-meadow"),
        ("furrow", "sprinkler"),
    ),
    Region(
        "Göyçay",
        "goychay",
        ("pomegranate", "wheat", "grape"),
        ("grey-brown", "alluvial"),
        ("drip", "furrow"),
    ),
)

_REGIONS_BY_NAME = {region.name: region for region in REGIONS}


def region_named(name: str) -> Region | None:
    return _REGIONS_BY_NAME.get(name)


def region_slug(name: str) -> str:
    """Return the tag-safe slug of a region, or a plain fallback for others."""
    region = region_named(name)
    if region:
        return region.slug
    return "".join(
        char for char in name.casefold() if char.isascii() and char.isalnum()
    )


def crop_name(key: str, language: str) -> str:
    crop = CROPS.get(key)
    if crop is None:
        return key
    return crop.names.get(language) or crop.names["en"]


def areas_of_crops(crops: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return the expertise areas the crops belong to, in catalog order."""
    wanted = {CROPS[key].area for key in crops if key in CROPS}
    return tuple(key for key in EXPERTISE_AREA_KEYS if key in wanted)
