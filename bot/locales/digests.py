"""Sentences of the staff digests, the staff-kept work plan and moderation."""

en = {
    "usage.hide": "`{p}hide <link or message id> <reason>` (or as a reply: `{p}hide <reason>`) "
                  "— keep a message out of digests",
    "digest.period_first": "everything tagged until {until} (your first digest)",
    "digest.period_since_last": "tagged since your previous digest ({since} to {until})",
    "digest.period_tagged": "tagged from {since} to {until}",
    "digest.summary": "Summary",
    "digest.cut": "Some entries did not fit here: the full digest is attached.",
    "digest.cut_posted": "Some entries did not fit here: the full digest went out by email.",
    "digest.cut_ask": "Some entries did not fit here: staff get the whole digest with "
                      "`{p}digest all as html` (or md, csv, json).",
    "digest.no_input_flag": "⚠ no input in this period",
    "digest.no_input_mark": "no input",
    "digest.inputs.one": "1 input",
    "digest.inputs.other": "{count} inputs",
    "digest.channels.one": "1 channel",
    "digest.channels.other": "{count} channels",
    "digest.new.one": "1 new since last time",
    "digest.new.other": "{count} new since last time",
    "digest.workplan_table": "Work plan",
    "digest.issue": "Issue",
    "digest.inputs_column": "Inputs",
    "digest.people_column": "Contributors",
    "digest.new_column": "New",
    "digest.chart_title": "Tagged input per issue per week",
    "digest.chart_empty": "No tagged input in this period.",
    "digest.entries": "Entries",
    "digest.mail_subject": "{title} — {period}",
    "digest.too_big": "That digest is over {megabytes} MB as {format}, too big to send here: "
                      "narrow it (issues, dates, channel) or export it with `plenary digest "
                      "--format {format} --output FILE` on the server.",
    "workplan.set_what": "Say the issue, the column and the new text, e.g. "
                         "`{p}workplan set 3 responsible Jane Doe`.",
    "workplan.bad_column": "`{word}` is not a column of the work plan: use responsible, "
                           "resources or timeline.",
    "workplan.set_done": "{issue} — {column}: “{value}” (was “{previous}”). Recorded.",
    "workplan.unchanged": "{issue} — {column} is already “{value}”; nothing changed.",
    "hide.what": "Say which message and why: `{p}hide <link or message id> <reason>`, or reply "
                 "to the message with `{p}hide <reason>`.",
    "hide.reason_needed": "Give a reason, e.g. `{p}hide {target} off-topic`: it goes in the "
                          "audit log.",
    "hide.unknown": "I can't find a stored message for `{word}`: paste its link, its id, or "
                    "reply to it.",
    "hide.done": "Hidden from digests. Reason: {reason}. Recorded in the audit log.",
    "hide.already": "That message is already hidden from digests; nothing changed.",
}
