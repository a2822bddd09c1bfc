"""Benchmarks: YoncaDataLayer beside Chainlit's own data layer and raw SQL.

``python -m benchmarks`` (or ``./run bench``) builds data sets of several
sizes on SQLite and PostgreSQL and times the same operations through three
implementations in one process: Yonca's data layer, Chainlit 2.12.0's
``SQLAlchemyDataLayer`` and hand-written SQL on the raw driver.
"""
