"""Sentences of the core: commands, tagging, digests, errors. `{p}` is the command prefix."""

en = {
    "error.staff_only": "Only staff can use {what}. If you need it, ask one of the "
                        "consultation's staff.",
    "error.staff_only_ask": "Only staff can use {what}. If you need it, ask {contact}.",
    "error.unknown_command": "I don't know the command `{command}`. Write `{help}` for the list.",
    "error.usage": "Usage: {usage}",
    "error.internal": "Sorry, that failed on my side (ref {ref}). It has been logged; "
                      "nothing you stored was lost.",
    "usage.help": "`{p}help` — this list",
    "usage.workplan": "`{p}workplan` — the work plan: issues, who is responsible, resources, "
                      "timeline and input so far; staff: `{p}workplan set <issue> "
                      "responsible|resources|timeline <text>`",
    "usage.milestones": "`{p}milestones` — upcoming milestones with their dates",
    "usage.tag": "`{p}tag <issue> [kind]` (as a reply) — tag the replied-to message, e.g. "
                 "`{p}tag 3 solution`",
    "usage.untag": "`{p}untag <issue>` (as a reply) — remove a tag from the replied-to message",
    "usage.digest": "`{p}digest [all] [issues] [since <date>] [until <date>] [channel <name>] "
                    "[kind <kind>] [author <name>] [as md|csv|json|html]` — tagged input by "
                    "issue since your previous digest (`all` or dates to choose), sent to you "
                    "privately; dates like 2019-10-01 or 7d",
    "usage.lang": "`{p}lang [<language>]` — the language I answer you in (`{p}lang es`); "
                  "alone, yours and the choices",
    "lang.current": "I answer you in {language}. Languages: {choices}. Choose with `{p}lang "
                    "<code>`, or `{p}lang default` for your channel's.",
    "lang.set": "Done: I answer you in {language} from now on.",
    "lang.default": "Done: I answer you in your channel's language, {language}.",
    "lang.unknown": "I don't speak `{word}`. Languages: {choices}.",
    "usage.forget-me": "`{p}forget-me` — erase every message of yours that I stored",
    "lookup.no_issue": "There is no issue `{word}`: the work plan has issues {range} "
                       "(write 3, #3 or #wp3).",
    "lookup.did_you_mean": " Did you mean {words}?",
    "lookup.no_kind": "`{word}` is not a kind of input. The kinds are: {kinds}.",
    "kind.comment": "Comments",
    "tag.unknown_message": "I don't have that message: it was posted before I joined, in a "
                           "channel I don't follow, or it was deleted.",
    "tag.already": "Already tagged: {tags}.",
    "tag.done": "Tagged to {tags}.",
    "tag.kind_replaced": "It is no longer {kinds}: a message is one kind of input.",
    "tag.one_kind": "A message is one kind of input, not {kinds}: name one of them.",
    "tag.reply_needed": "Reply to the message you want to change, then write `{p}{command} …` "
                        "in that reply.",
    "tag.what": "Say which issue, e.g. 3, #wp3 or #resources, and optionally a kind "
                "(solution, quickwin, collab).",
    "untag.not_yours": "Only the message's author or staff can remove its tags.",
    "untag.nothing": "That message was not tagged {tags}; nothing changed.",
    "untag.done": "Removed the tag {tags}.",
    "digest.bad_date": "`{word}` is not a date I can read: write 2019-10-01, or 7d for seven "
                       "days ago.",
    "digest.missing_value": "`{word}` needs a value after it, e.g. `since 2019-10-01`.",
    "digest.empty_period": "That period is empty: `since` must come before `until`.",
    "digest.bad_format": "I can't export as `{word}`. The formats are: {formats}.",
    "digest.period_between": "from {since} to {until}",
    "digest.period_since": "since {since}",
    "digest.period_until": "until {until}",
    "digest.period_all": "all time",
    "digest.title": "Digest — {title}",
    "digest.overview.one": "{count} tagged input, {period}.",
    "digest.overview.other": "{count} tagged inputs on {issues}, {period}.",
    "digest.overview.issues.one": "{issues} issue",
    "digest.overview.issues.other": "{issues} issues",
    "digest.no_input": "no input yet",
    "digest.figures.one": "1 input from {people}",
    "digest.figures.other": "{count} inputs from {people}",
    "digest.people.one": "1 contributor",
    "digest.people.other": "{count} contributors",
    "digest.more.one": "…and 1 more: export the whole digest with `as md`.",
    "digest.more.other": "…and {count} more: export the whole digest with `as md`.",
    "digest.entry_where": "{author} in {channel}, {at}",
    "digest.source": "source",
    "digest.generated": "Generated {at}.",
    "digest.end": "End of digest",
    "digest.file_caption": "Your digest, as {format}: {period}.",
    "workplan.responsible": "Responsible",
    "workplan.resources": "Resources",
    "workplan.timeline": "Timeline",
    "workplan.blank": "to be decided",
    "workplan.inputs.one": "1 input",
    "workplan.inputs.other": "{count} inputs",
    "workplan.kinds": "Kinds of input: {kinds}; anything else is a comment.",
    "milestones.none": "No upcoming milestones.",
    "milestones.title": "Upcoming milestones",
    "milestones.week_of": "week of {day}",
    "milestones.in": "in {span}",
    "forget.done.one": "Done: I erased 1 message of yours and its tags.",
    "forget.done.other": "Done: I erased {count} messages of yours and their tags.",
    "help.title": "What I can do",
    "help.staff_only": "(staff)",
    "help.tagging": "Tag your input with hashtags such as {example}, or react with 1️⃣…8️⃣.",
}
