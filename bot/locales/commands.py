"""Command words. Each language's catalogue gives its own word for each command (`!ayuda`,
`!помощь`, `!帮助`); the English ones always work too."""

en = {
    "command.help": "help",
    "command.workplan": "workplan",
    "command.milestones": "milestones",
    "command.milestone": "milestone",
    "command.tag": "tag",
    "command.untag": "untag",
    "command.digest": "digest",
    "command.hide": "hide",
    "command.lang": "lang",
    "command.forget-me": "forget-me",
    "command.leave": "leave",
    "command.backfill": "backfill",
}
