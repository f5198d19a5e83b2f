"""The digest values' old address, kept only for the exports (`exports.py`, `export_head.py`,
`html_export.py`)."""

# until exports are reworked: the values live in bot.digest_values, below storage
from bot.digest_values import PLAN_COLUMNS, DigestEntry, DigestFilters, IssueFigures, PlanColumns

__all__ = ["PLAN_COLUMNS", "DigestEntry", "DigestFilters", "IssueFigures", "PlanColumns"]
