"""Consent and one's own data: the notice a member gets once, and `my-data`."""

_NOTICE = (
    "Hello, I am plenary, the bot that gathers input for this consultation. A word about "
    "your data, once:\n"
    "- **What I keep:** the messages you post in the channels I follow (the text exactly as "
    "you wrote it, when and where), your display name, the tags and reactions you add, and "
    "the language you choose.\n"
)
_YOURS = (
    "- **Yours to take or erase:** `{my_data}` sends you a file with everything I keep about "
    "you; `{forget}` erases it all.\n"
    "I tell you this only once."
)

en = {
    "command.my-data": "my-data",
    "usage.my-data": "`{p}my-data [json|csv]` — a file, sent to you privately, with "
                     "everything I keep about you",
    "consent.notice": _NOTICE + (
        "- **Who sees it:** the consultation's staff, in digests and exports; the channel "
        "already sees your messages.\n") + _YOURS,
    "consent.notice_mailed": _NOTICE + (
        "- **Who sees it:** the consultation's staff, in digests and exports, and the "
        "consultation's mailing list, to which digests are emailed; the channel already sees "
        "your messages.\n") + _YOURS,
    "my_data.caption.one": "Here is everything I keep about you: 1 message with its tags, "
                           "your reactions and your settings. `{forget}` erases it all.",
    "my_data.caption.other": "Here is everything I keep about you: {count} messages with "
                             "their tags, your reactions and your settings. `{forget}` erases "
                             "it all.",
    "my_data.format": "I can't send `{word}`: write `json` (everything) or `csv` (your "
                      "messages, for a spreadsheet).",
}
