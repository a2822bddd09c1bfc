"""Farms and their parcels."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from yonca.contract import farms, parcels
from yonca.domain.clock import utc_timestamp


@dataclass(frozen=True)
class Parcel:
    id: str
    name: str
    crop: str | None
    area_hectares: float | None
    soil_type: str | None
    irrigation: str | None


@dataclass(frozen=True)
class Farm:
    id: str
    name: str
    region: str
    area_hectares: float | None
    parcels: tuple[Parcel, ...]


@dataclass(frozen=True)
class ParcelPlan:
    """A parcel about to be created: everything but its id."""

    name: str
    crop: str
    area_hectares: float
    soil_type: str
    irrigation: str


async def create_farm(
    connection: AsyncConnection,
    *,
    owner_user_id: str | None,
    persona_id: str,
    name: str,
    region: str,
    parcel_plans: Sequence[ParcelPlan],
) -> Farm:
    """Insert a farm and its parcels inside the caller's transaction."""
    farm_id = str(uuid.uuid4())
    area = round(sum(plan.area_hectares for plan in parcel_plans), 2)
    await connection.execute(
        farms.insert().values(
            id=farm_id,
            owner_user_id=owner_user_id,
            persona_id=persona_id,
            name=name,
            region=region,
            area_hectares=area,
            created_at=utc_timestamp(),
        )
    )

    created = tuple(
        Parcel(
            id=str(uuid.uuid4()),
            name=plan.name,
            crop=plan.crop,
            area_hectares=plan.area_hectares,
            soil_type=plan.soil_type,
            irrigation=plan.irrigation,
        )
        for plan in parcel_plans
    )
    if created:
        await connection.execute(
            parcels.insert(),
            [
                {
                    "id": parcel.id,
                    "farm_id": farm_id,
                    "name": parcel.name,
                    "crop": parcel.crop,
                    "area_hectares": parcel.area_hectares,
                    "soil_type": parcel.soil_type,
                    "irrigation": parcel.irrigation,
                }
                for parcel in created
            ],
        )
    return Farm(farm_id, name, region, area, created)


async def get_farm_of_persona(
    connection: AsyncConnection, persona_id: str
) -> Farm | None:
    farm_row = (
        await connection.execute(
            select(farms)
            .where(farms.c.persona_id == persona_id)
            .order_by(farms.c.created_at, farms.c.id)
            .limit(1)
        )
    ).first()
    if farm_row is None:
        return None

    parcel_rows = (
        await connection.execute(
            select(parcels)
            .where(parcels.c.farm_id == farm_row.id)
            .order_by(parcels.c.name, parcels.c.id)
        )
    ).all()
    return Farm(
        id=farm_row.id,
        name=farm_row.name,
        region=farm_row.region,
        area_hectares=farm_row.area_hectares,
        parcels=tuple(
            Parcel(
                id=row.id,
                name=row.name,
                crop=row.crop,
                area_hectares=row.area_hectares,
                soil_type=row.soil_type,
                irrigation=row.irrigation,
            )
            for row in parcel_rows
        ),
    )
