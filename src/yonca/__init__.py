"""Yonca: a farm-planning assistant for farmers in Azerbaijan, built on Chainlit."""

__version__ = "0.1.0"
