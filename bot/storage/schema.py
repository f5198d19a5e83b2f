"""Every table of the schema: importing this module registers all models on `Base.metadata`."""

from bot.storage.models import Base

__all__ = ["Base"]
