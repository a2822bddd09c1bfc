"""Yonca's domain: farmers' accounts, their synthetic personas, farms and parcels.

Repositories over the domain tables of ``yonca.contract.domain``, written in
SQLAlchemy Core against an engine from ``yonca.database.create_engine``. The
assistant and the CLI both call them; nothing here imports Chainlit or the
app, so ``yonca users`` and ``yonca demo`` stay quick to start.
"""
