"""Every table of the schema: importing this module registers all models on `Base.metadata`."""

from bot.storage import (
    models_digests,  # noqa: F401  (registers the digests' tables)
    models_inclusion,  # noqa: F401  (registers the lens' tables)
    models_mail,  # noqa: F401  (registers the mailing list's tables)
    models_reminders,  # noqa: F401  (registers the reminders' tables)
)
from bot.storage.models import Base

__all__ = ["Base"]
