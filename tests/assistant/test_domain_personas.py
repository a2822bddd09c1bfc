"""Personas: a synthetic farmer, farm and parcels for every user."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.contract import alem_personas, farms, parcels
from yonca.database import create_engine
from yonca.domain import accounts, catalog
from yonca.domain.demo import demo_identifier, seed_demo_farmers
from yonca.domain.personas import (
    ensure_persona,
    generate_fin,
    get_farm_context,
    is_valid_fin,
    plan_persona,
)
from yonca.errors import NotFoundError


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def new_user(engine: AsyncEngine) -> str:
    email = f"persona-{uuid.uuid4().hex[:10]}@example.az"
    return (await accounts.create_account(engine, email, "long-enough")).user_id


def test_fins_are_a_digit_then_six_characters_without_i_or_o() -> None:
    rng = random.Random(7)

    fins = [generate_fin(rng) for _ in range(2000)]

    assert all(is_valid_fin(fin) and len(fin) == 7 for fin in fins)
    assert all(fin[0] in "123456789" for fin in fins)
    assert not any(letter in fin for fin in fins for letter in "IO")
    assert len(set(fins)) == len(fins)
    assert not is_valid_fin("0ABCDEF") and not is_valid_fin("1ABCDEI")


def test_planned_personas_farm_in_a_known_region_with_its_crops() -> None:
    rng = random.Random(3)

    for _ in range(50):
        plan = plan_persona(rng)
        region = catalog.region_named(plan.region)
        assert region is not None
        assert set(plan.crops) <= set(region.crops)
        assert [parcel.crop for parcel in plan.parcels] == list(plan.crops)
        assert all(parcel.area_hectares > 0 for parcel in plan.parcels)


async def test_a_user_gets_one_persona_linked_to_their_id(engine: AsyncEngine) -> None:
    user_id = await new_user(engine)

    first = await ensure_persona(engine, user_id)
    again = await ensure_persona(engine, user_id)

    assert again == first
    assert await get_farm_context(engine, user_id) == first
    assert is_valid_fin(first.persona.fin)
    assert first.farm is not None and first.farm.parcels
    assert first.region_slug == catalog.region_slug(first.persona.region)
    assert set(first.expertise_areas) <= set(catalog.EXPERTISE_AREA_KEYS)
    async with engine.connect() as connection:
        linked = await connection.scalar(
            select(func.count())
            .select_from(alem_personas)
            .where(alem_personas.c.chainlit_user_id == user_id)
        )
        farm_owner = await connection.scalar(
            select(farms.c.owner_user_id).where(farms.c.id == first.farm.id)
        )
        parcel_count = await connection.scalar(
            select(func.count())
            .select_from(parcels)
            .where(parcels.c.farm_id == first.farm.id)
        )
    assert linked == 1
    assert farm_owner == user_id
    assert parcel_count == len(first.farm.parcels)


async def test_simultaneous_first_sign_ins_still_make_one_persona(
    engine: AsyncEngine,
) -> None:
    user_id = await new_user(engine)

    contexts = await asyncio.gather(
        *(ensure_persona(engine, user_id) for _ in range(4))
    )

    assert len({context.persona.id for context in contexts}) == 1


async def test_a_persona_needs_an_existing_user(engine: AsyncEngine) -> None:
    with pytest.raises(NotFoundError, match="sign in"):
        await ensure_persona(engine, str(uuid.uuid4()))


async def test_demo_seeding_can_run_twice(make_database) -> None:
    engine = create_engine(make_database("sqlite"))
    try:
        first = await seed_demo_farmers(engine, 3, "demo-password")
        second = await seed_demo_farmers(engine, 4, "other-password")
    finally:
        await engine.dispose()

    assert [farmer.identifier for farmer in second] == [
        demo_identifier(n) for n in range(1, 5)
    ]
    assert [farmer.created for farmer in first] == [True, True, True]
    assert [farmer.created for farmer in second] == [False, False, False, True]
    assert [f.context for f in second[:3]] == [f.context for f in first]
