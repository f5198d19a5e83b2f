"""plenary: mailing-list style engagement for public consultations, in Slack and Matrix."""

__version__ = "0.1.0"
