"""Synthetic farmer personas (``alem_personas``) and the farm context they give.

Every Yonca user is linked to one persona on first sign-in: a made-up farmer
with a FIN, a region, crops, and a farm with parcels. The assistant talks
about that farm; nothing in it describes a real person.
"""

from __future__ import annotations

import json
import logging
import random
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from yonca.contract import alem_personas, users
from yonca.domain import catalog
from yonca.domain.clock import utc_timestamp
from yonca.domain.farms import Farm, ParcelPlan, create_farm, get_farm_of_persona
from yonca.domain.transactions import reading, writing
from yonca.errors import NotFoundError, YoncaError

logger = logging.getLogger(__name__)

# A FIN is seven characters: a digit 1-9, then six from digits and Latin
# capitals without I and O, which read too much like 1 and 0.
FIN_FIRST_CHARACTERS = "123456789"
FIN_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
FIN_PATTERN = re.compile(r"[1-9][0-9A-HJ-NP-Z]{6}")
FIN_ATTEMPTS = 20

MALE_NAMES = ("Elçin", "Rəşad", "Tural", "Vüqar", "Anar", "Kamran", "Orxan", "Nicat")
FEMALE_NAMES = ("Aysel", "Günel", "Leyla", "Nərmin", "Səbinə", "Lalə", "Aynur", "Könül")
SURNAMES = (
    "Məmmədov",
    "Əliyev",
    "Həsənov",
    "Hüseynov",
    "Quliyev",
    "Abbasov",
    "Rzayev",
    "Kərimov",
    "Cəfərov",
    "Babayev",
)
# Hectares a parcel of each expertise area plausibly covers on a family farm.
PARCEL_HECTARES = {
    "cotton": (3.0, 25.0),
    "wheat": (3.0, 30.0),
    "fruit": (1.0, 8.0),
    "vegetables": (0.3, 4.0),
}


@dataclass(frozen=True)
class Persona:
    id: str
    fin: str
    full_name: str
    region: str
    crops: tuple[str, ...]
    experience_years: int | None
    language: str


@dataclass(frozen=True)
class FarmContext:
    """What the assistant knows about the farmer it talks to."""

    persona: Persona
    farm: Farm | None

    @property
    def expertise_areas(self) -> tuple[str, ...]:
        return catalog.areas_of_crops(self.persona.crops)

    @property
    def region_slug(self) -> str:
        return catalog.region_slug(self.persona.region)


@dataclass(frozen=True)
class PersonaPlan:
    """A persona and farm about to be created."""

    full_name: str
    region: str
    crops: tuple[str, ...]
    experience_years: int
    farm_name: str
    parcels: tuple[ParcelPlan, ...]


def generate_fin(rng: random.Random) -> str:
    return rng.choice(FIN_FIRST_CHARACTERS) + "".join(
        rng.choice(FIN_CHARACTERS) for _ in range(6)
    )


def is_valid_fin(text: str) -> bool:
    return FIN_PATTERN.fullmatch(text) is not None


def plan_persona(rng: random.Random) -> PersonaPlan:
    """Make up a farmer, a farm and its parcels from the catalog."""
    region = rng.choice(catalog.REGIONS)
    crops = tuple(rng.sample(region.crops, k=rng.randint(1, min(3, len(region.crops)))))
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        full_name = f"{rng.choice(MALE_NAMES)} {surname}"
    else:
        full_name = f"{rng.choice(FEMALE_NAMES)} {surname}a"

    parcels = []
    for number, crop in enumerate(crops, start=1):
        low, high = PARCEL_HECTARES[catalog.CROPS[crop].area]
        parcels.append(
            ParcelPlan(
                name=f"Sahə {number}",
                crop=crop,
                area_hectares=round(rng.uniform(low, high), 1),
                soil_type=rng.choice(region.soils),
                irrigation=rng.choice(region.irrigation),
            )
        )
    return PersonaPlan(
        full_name=full_name,
        region=region.name,
        crops=crops,
        experience_years=rng.randint(2, 35),
        farm_name=f"{surname} ailə təsərrüfatı",
        parcels=tuple(parcels),
    )


async def ensure_persona(
    engine: AsyncEngine, user_id: str, rng: random.Random | None = None
) -> FarmContext:
    """Return the user's farm context, creating their persona the first time.

    The user's row is locked while checking, so two sign-ins at once still
    give one persona.
    """
    existing = await get_farm_context(engine, user_id)
    if existing is not None:
        return existing

    rng = rng or random.SystemRandom()
    async with writing(engine) as connection:
        await _lock_user(connection, user_id)
        persona = await _persona_of_user(connection, user_id)
        if persona is not None:
            return FarmContext(
                persona, await get_farm_of_persona(connection, persona.id)
            )
        context = await _create_persona(connection, user_id, plan_persona(rng), rng)

    logger.info(
        "linked user %s to persona %s in %s",
        user_id,
        context.persona.fin,
        context.persona.region,
    )
    return context


async def get_farm_context(engine: AsyncEngine, user_id: str) -> FarmContext | None:
    async with reading(engine) as connection:
        persona = await _persona_of_user(connection, user_id)
        if persona is None:
            return None
        return FarmContext(persona, await get_farm_of_persona(connection, persona.id))


async def _lock_user(connection: AsyncConnection, user_id: str) -> None:
    # FOR UPDATE serializes persona creation per user on PostgreSQL; SQLite
    # drops the clause and is serialized by the write lock taken at BEGIN.
    found = await connection.execute(
        select(users.c.id).where(users.c.id == user_id).with_for_update()
    )
    if found.first() is None:
        raise NotFoundError(
            f"there is no user {user_id!r} to link a persona to; the user must "
            "sign in (or be created with 'yonca users add') first"
        )


async def _persona_of_user(connection: AsyncConnection, user_id: str) -> Persona | None:
    row = (
        await connection.execute(
            select(alem_personas)
            .where(alem_personas.c.chainlit_user_id == user_id)
            .order_by(alem_personas.c.created_at, alem_personas.c.id)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return Persona(
        id=row.id,
        fin=row.fin,
        full_name=row.full_name,
        region=row.region,
        crops=tuple(_decode_crops(row.crops)),
        experience_years=row.experience_years,
        language=row.language,
    )


async def _create_persona(
    connection: AsyncConnection,
    user_id: str,
    plan: PersonaPlan,
    rng: random.Random,
) -> FarmContext:
    persona = Persona(
        id=str(uuid.uuid4()),
        fin=await _unused_fin(connection, rng),
        full_name=plan.full_name,
        region=plan.region,
        crops=plan.crops,
        experience_years=plan.experience_years,
        language="az",
    )
    await connection.execute(
        alem_personas.insert().values(
            id=persona.id,
            fin=persona.fin,
            chainlit_user_id=user_id,
            full_name=persona.full_name,
            region=persona.region,
            crops=json.dumps(list(persona.crops)),
            experience_years=persona.experience_years,
            language=persona.language,
            created_at=utc_timestamp(),
        )
    )
    farm = await create_farm(
        connection,
        owner_user_id=user_id,
        persona_id=persona.id,
        name=plan.farm_name,
        region=plan.region,
        parcel_plans=plan.parcels,
    )
    return FarmContext(persona, farm)


async def _unused_fin(connection: AsyncConnection, rng: random.Random) -> str:
    for _ in range(FIN_ATTEMPTS):
        fin = generate_fin(rng)
        taken = await connection.execute(
            select(alem_personas.c.id).where(alem_personas.c.fin == fin)
        )
        if taken.first() is None:
            return fin
    raise YoncaError(
        f"found no unused FIN in {FIN_ATTEMPTS} draws; the random source given to "
        "persona generation repeats itself, pass a fresh random.Random"
    )


def _decode_crops(text: str | None) -> list[str]:
    try:
        decoded = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(item) for item in decoded] if isinstance(decoded, list) else []
