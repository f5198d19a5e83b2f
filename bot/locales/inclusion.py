"""Sentences of the inclusion lens: stakeholder groups (`iam`), `gaps`, the digest's lens and
the nudge to silent channels."""

en = {
    "command.iam": "iam",
    "command.gaps": "gaps",
    "usage.iam": "`{p}iam [<group>]` — say which stakeholder group you belong to "
                 "(`{p}iam GNSO`); alone, yours and the choices; staff: `{p}iam @member GAC`",
    "usage.gaps": "`{p}gaps [<issue>]` — who has spoken on each issue, by stakeholder group, "
                  "language and platform, and who has not",
    "iam.current": "You belong to {group}. Groups: {choices}. Change it with `{p}iam <group>`.",
    "iam.none": "You have not said your stakeholder group yet. Groups: {choices}. Say it with "
                "`{p}iam <group>`.",
    "iam.set": "Done: you belong to {group}.",
    "iam.set_other": "Done: {member} belongs to {group}.",
    "iam.unknown": "There is no group `{word}`. Groups: {choices}.",
    "lens.title": "Who is missing",
    "lens.none": "No gaps: every issue has recent input from enough groups, in every language.",
    "lens.never": "no input yet",
    "lens.few_groups.one": "only {groups} has spoken",
    "lens.few_groups.other": "only {count} groups have spoken: {groups}",
    "lens.no_group": "no contributor has said their group yet",
    "lens.silent.one": "no input for {count} day",
    "lens.silent.other": "no input for {count} days",
    "lens.missing_languages": "no input in {languages}",
    "lens.undetermined": "language unknown",
    "lens.undeclared": "group not said",
    "lens.by_group": "By group: {counts}",
    "lens.by_language": "By language: {counts}",
    "lens.by_platform": "By platform: {counts}",
    "lens.gaps": "Gaps: {gaps}",
    "lens.no_gap": "No gaps.",
    "lens.heading": "Who is missing, over all input so far",
    "lens.groups_chart": "Inputs by stakeholder group",
    "lens.languages_chart": "Inputs by language",
    "lens.issue_column": "Issue",
    "lens.gaps_column": "Gaps",
    "nudge.text.one": "Nothing has been said here about {issues} for {count} day. What do you "
                      "think? Add a hashtag to your message, such as {hashtag}.",
    "nudge.text.other": "Nothing has been said here about {issues} for {count} days. What do "
                        "you think? Add a hashtag to your message, such as {hashtag}.",
}
