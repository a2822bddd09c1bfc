"""Demo farmers: accounts with personas, for trying Yonca without real users."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from yonca.domain import accounts
from yonca.domain.personas import FarmContext, ensure_persona

logger = logging.getLogger(__name__)

DEMO_DOMAIN = "demo.yonca.az"


@dataclass(frozen=True)
class DemoFarmer:
    identifier: str
    created: bool
    context: FarmContext


def demo_identifier(number: int) -> str:
    return f"farmer{number}@{DEMO_DOMAIN}"


async def seed_demo_farmers(
    engine: AsyncEngine,
    count: int,
    password: str,
    rng: random.Random | None = None,
) -> list[DemoFarmer]:
    """Make sure ``farmer1`` to ``farmer{count}`` exist, each with a persona.

    Running it again creates only the farmers that are missing, so it is safe
    to repeat; existing farmers keep their passwords and personas.
    """
    rng = rng or random.SystemRandom()
    farmers = []
    for number in range(1, count + 1):
        identifier = demo_identifier(number)
        account = await accounts.get_account(engine, identifier)
        created = account is None or not account.has_password
        if account is None or not account.has_password:
            account = await accounts.create_account(
                engine, identifier, password, display_name=f"Demo farmer {number}"
            )
        context = await ensure_persona(engine, account.user_id, rng)
        farmers.append(DemoFarmer(identifier, created, context))
    logger.info("demo farmers ready: %d", len(farmers))
    return farmers
