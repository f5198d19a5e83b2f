"""Sentences of milestone reminders and the `milestone` staff commands."""

en = {
    "usage.milestone": "`{p}milestone add <when> \"<title>\" [lead 7d,1d,1h] [in here|<channel>] "
                       "[until <date>] [link <url>] [issues 1,3]`, `{p}milestone edit <id> …`, "
                       "`{p}milestone remove <id>` — when is `2019-11-07 10:30 "
                       "America/Toronto`, `every Tuesday 14:00 UTC` or `cron \"0 14 * * tue\"`",
    "reminders.now": "starting now",
    "reminders.details": "Details",
    "reminders.ago": "started {span} ago",
    "reminders.inputs.one": "{count} input so far on issue {issue} ({title}) — add yours "
                            "with {hashtag}",
    "reminders.inputs.other": "{count} inputs so far on issue {issue} ({title}) — add yours "
                              "with {hashtag}",
    "reminders.late": "(Late: this reminder was due {due}; I was not running then.)",
    "reminders.days": "Sunday,Monday,Tuesday,Wednesday,Thursday,Friday,Saturday",
    "reminders.every_day": "day",
    "reminders.every": "every {days} at {time} ({zone})",
    "reminders.every_cron": "on the schedule `{cron}` ({zone})",
    "reminders.lead": "{span} before",
    "reminders.lead_zero": "at the start",
    "reminders.report.title": "Reminders that were not posted",
    "reminders.report.missed": "{title}: the reminder {lead} ({when}) was due {due} in "
                               "{target}; I was not running, and it is too late to post it.",
    "reminders.report.failed": "{title}: the reminder {lead} ({when}) could not be posted in "
                               "{target}, due {due}; the platform kept refusing it.",
    "reminders.report.more.one": "…and 1 more.",
    "reminders.report.more.other": "…and {count} more.",
    "reminders.list.id": "id {id}",
    "reminders.list.next": "next: {when}",
    "milestone.added": "Milestone {id} added: {title}, {when} ({countdown}). Reminders {leads} "
                       "in {targets}.",
    "milestone.edited": "Milestone {id} changed: {title}, {when} ({countdown}). Reminders "
                        "{leads} in {targets}.",
    "milestone.removed": "Milestone {id} removed: {title}. Its reminders will not be posted.",
    "milestone.unknown": "There is no milestone {id}. Write `{p}milestones` to see their ids.",
    "milestone.from_plan": "Milestone `{id}` comes from the work plan file; change it there "
                           "(config/workplan.yaml) and restart.",
    "milestone.conflict": "Milestone {id} was changed by someone else just now; look at "
                          "`{p}milestones` and try again.",
    "milestone.what": "Say `add`, `edit <id>` or `remove <id>`.",
    "milestone.need_when": "Say when: `2019-11-07 10:30 America/Toronto`, `every Tuesday 14:00 "
                           "UTC` or `cron \"0 14 * * tue\"`.",
    "milestone.need_title": "Give the milestone a title in quotes, e.g. \"ICANN66 session\".",
    "milestone.bad_date": "`{word}` is not a date I can read: write 2019-11-07.",
    "milestone.bad_time": "`{word}` is not a time: write 10:30 (24-hour clock).",
    "milestone.bad_lead": "`{word}` is not a lead time: write 7d, 1d, 1h, 30m or 0.",
    "milestone.bad_target": "`{word}` is not a channel I know: write `in here`, `in #name` or "
                            "`in slack:C123`.",
    "milestone.bad_issue": "`{word}` is not an issue of the work plan ({range}).",
    "milestone.bad_recurrence": "I can't read `{text}` as a recurrence: write `every Tuesday "
                                "14:00 UTC` or a five-field crontab such as `0 14 * * tue`.",
    "milestone.missing_value": "`{word}` needs a value after it.",
    "milestone.past": "That date has passed ({when}); give a future one.",
    "milestone.until_past": "It would never come round again: `until {until}` has passed. Give "
                            "a later date, or no `until`.",
    "milestone.bad_zone": "`{word}` is not a timezone I know: write an IANA name such as "
                          "America/Toronto, Europe/Paris or UTC.",
    "milestone.default_targets": "the default targets",
    "milestone.lead_none": "none",
}
