"""`status`: what staff see of the running bot (adapters, Matrix leader, reminders, errors)."""

en = {
    "command.status": "status",
    "usage.status": "`{p}status` — (staff) how the bot is doing: platforms, the Matrix sync "
                    "leader, the next reminders, queued writes, recent errors",
    "status.title": "Status of plenary (answered by replica {replica})",
    "status.connected": "connected",
    "status.disconnected": "not connected",
    "status.platform": "{platform}: {state}",
    "status.leader": "sync led by {replica}",
    "status.no_leader": "no replica leads the sync yet",
    "status.last_sync": "last sync {when}",
    "status.never_synced": "not synced yet",
    "status.reminders_title": "Next reminders:",
    "status.reminder": "{title} to {target}, {when} ({countdown})",
    "status.no_reminders": "No reminder is due in the next {days} days.",
    "status.queued": "Writes waiting for the database: {count}",
    "status.errors_title": "Recent errors on this replica (quote the reference when you ask):",
    "status.error": "ref {ref} at {when}: {what}",
    "status.no_errors": "No errors on this replica since it started.",
}
