"""The one SQLAlchemy ``MetaData`` every Yonca table belongs to."""

from sqlalchemy import MetaData

metadata = MetaData()
