"""Storage: the package's public surface."""

from bot.storage.database import Database, is_outage, make_engine
from bot.storage.records import SaveOutcome, StoredMessage, TagChange
from bot.storage.repository import Storage

__all__ = ["Database", "SaveOutcome", "Storage", "StoredMessage", "TagChange", "is_outage",
           "make_engine"]
