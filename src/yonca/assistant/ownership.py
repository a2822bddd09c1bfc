"""Ownership checks in front of the Chainlit routes that lack them.

Chainlit checks thread ownership on its thread routes, but not on these:

* ``PUT /feedback`` and ``DELETE /feedback`` change any feedback, on any
  step, for any signed-in user;
* ``PUT /project/element`` and ``DELETE /project/element`` take the element's
  thread from the request body, so a user could write or remove elements in
  someone else's thread.

The routes here take their paths ahead of Chainlit's: feedback goes through
after checking that the step (and any feedback being replaced) belongs to a
thread of the signed-in user; the element routes, which serve custom
elements Yonca does not use, are closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, NoReturn

from chainlit import server as chainlit_server
from chainlit.auth import get_current_user
from chainlit.data import get_data_layer
from chainlit.step import StepDict
from chainlit.types import DeleteFeedbackRequest, UpdateFeedbackRequest
from chainlit.user import PersistedUser, User
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from starlette.responses import Response

from yonca.datalayer import YoncaDataLayer

logger = logging.getLogger(__name__)

# How long feedback waits for its step's write: 20 polls of 0.25 s.
STEP_WRITE_POLLS = 20
STEP_WRITE_POLL_SECONDS = 0.25

CurrentUser = Annotated[User | PersistedUser | None, Depends(get_current_user)]


def data_layer_or_fail() -> YoncaDataLayer:
    data_layer = get_data_layer()
    if not isinstance(data_layer, YoncaDataLayer):
        raise HTTPException(
            status_code=500,
            detail="Yonca's data layer is not registered; start the app with "
            "'yonca serve'",
        )
    return data_layer


def ownership_router() -> APIRouter:
    router = APIRouter()

    @router.put("/feedback")
    async def update_feedback(
        request: Request, update: UpdateFeedbackRequest, current_user: CurrentUser
    ) -> Response:
        identifier = _signed_in(current_user)
        data_layer = data_layer_or_fail()
        feedback = update.feedback

        step = await stored_step(data_layer, feedback.forId)
        if step is None:
            raise HTTPException(status_code=404, detail="no such message")
        if await data_layer.get_step_author(feedback.forId) != identifier:
            _refuse(identifier, "feedback on a step", feedback.forId)
        if feedback.id and await data_layer.get_feedback_author(feedback.id) not in (
            None,
            identifier,
        ):
            _refuse(identifier, "replacing feedback", feedback.id)

        # The thread is the step's, whatever the request claims.
        feedback.threadId = step["threadId"]
        return await chainlit_server.update_feedback(request, update, current_user)

    @router.delete("/feedback")
    async def delete_feedback(
        request: Request, payload: DeleteFeedbackRequest, current_user: CurrentUser
    ) -> Response:
        identifier = _signed_in(current_user)
        author = await data_layer_or_fail().get_feedback_author(payload.feedbackId)
        if author is None:
            raise HTTPException(status_code=404, detail="no such feedback")
        if author != identifier:
            _refuse(identifier, "deleting feedback", payload.feedbackId)
        return await chainlit_server.delete_feedback(request, payload, current_user)

    @router.put("/project/element")
    @router.delete("/project/element")
    async def closed_element_route() -> None:
        raise HTTPException(
            status_code=403,
            detail="elements cannot be changed through this route in Yonca",
        )

    return router


async def stored_step(data_layer: YoncaDataLayer, step_id: str) -> StepDict | None:
    """The step, waiting briefly for a write that is still on its way.

    Chainlit shows an answer before its write reaches the database, so a
    quick 👎 can name a step that is stored a moment later.
    """
    for _ in range(STEP_WRITE_POLLS):
        step = await data_layer.get_step(step_id)
        if step is not None:
            return step
        await asyncio.sleep(STEP_WRITE_POLL_SECONDS)
    return await data_layer.get_step(step_id)


def install_routes(app: FastAPI, *routers: APIRouter) -> None:
    """Put the routers' routes ahead of Chainlit's, which match first otherwise.

    Chainlit's router ends with a catch-all that serves the web app for any
    GET path, so a route appended after it would never be reached. Routes
    installed by an earlier import of the app (Chainlit's reload on change)
    are replaced, not stacked.
    """
    previous = getattr(app.state, "yonca_routes", [])
    app.router.routes[:] = [
        route for route in app.router.routes if route not in previous
    ]
    before = len(app.router.routes)
    for router in routers:
        app.include_router(router)
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added
    app.state.yonca_routes = added


def _signed_in(current_user: User | PersistedUser | None) -> str:
    if current_user is None:
        raise HTTPException(status_code=401, detail="sign in first")
    return current_user.identifier


def _refuse(identifier: str, action: str, target: str) -> NoReturn:
    logger.warning(
        "refused %s to %s: %s belongs to another user", action, identifier, target
    )
    raise HTTPException(status_code=403, detail="this belongs to another user")
