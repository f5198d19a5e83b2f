"""Milestone reminders: due times (pure), rendering, and the tick job that claims and posts."""
