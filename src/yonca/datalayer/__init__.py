"""Yonca's Chainlit data layer."""

from yonca.datalayer.layer import YoncaDataLayer

__all__ = ["YoncaDataLayer"]
