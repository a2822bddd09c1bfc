"""The database contract, defined once.

``chainlit`` holds the five tables Chainlit's data layers are written
against, exactly as the design document fixes them; ``domain`` holds Yonca's
own tables beside them. The data layer, the migrations' tests and the schema
guard all read these definitions.
"""

from yonca.contract.chainlit import (
    CONTRACT_TABLE_NAMES,
    elements,
    feedbacks,
    steps,
    threads,
    users,
)
from yonca.contract.domain import (
    DOMAIN_TABLE_NAMES,
    alem_personas,
    farms,
    parcels,
    thread_activity,
    thread_tombstones,
    user_credentials,
    user_profiles,
)
from yonca.contract.metadata import metadata

__all__ = [
    "CONTRACT_TABLE_NAMES",
    "DOMAIN_TABLE_NAMES",
    "alem_personas",
    "elements",
    "farms",
    "feedbacks",
    "metadata",
    "parcels",
    "steps",
    "thread_activity",
    "thread_tombstones",
    "threads",
    "user_credentials",
    "user_profiles",
    "users",
]
