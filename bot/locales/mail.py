"""Sentences of the mailing list: linking a mail address, erasing an address's posts."""

en = {
    "command.link-email": "link-email",
    "command.forget-address": "forget-address",
    "usage.link-email": "`{p}link-email <address>` — link your mailing-list address (I mail "
                        "you a code; then `{p}link-email confirm <code>`), so that "
                        "`{p}forget-me` erases its list posts too; alone, your linked "
                        "addresses",
    "usage.forget-address": "`{p}forget-address <address>` — erase every list post from "
                            "that address",
    "mail.not_an_address": "`{word}` is not a mail address; write it as name@example.org.",
    "mail.cannot_send": "I cannot send mail from here, so I cannot check that address. Ask "
                        "the consultation's staff to erase its list posts "
                        "(`{p}forget-address`).",
    "mail.code_sent": "I mailed a code to {address}. Write `{p}link-email confirm <code>` "
                      "here within 24 hours.",
    "mail.code_subject": "Your plenary code: {code}",
    "mail.code_body": "Someone, probably you, asked plenary to link this address to their "
                      "chat account, so that forget-me there also erases the mailing-list "
                      "posts of this address.\n\nThe code is: {code}\n\nIn the chat, write: "
                      "{p}link-email confirm {code}\n\nIf it was not you, ignore this mail: "
                      "nothing is linked without the code.",
    "mail.bad_code": "That code is wrong or older than 24 hours. Ask for a new one with "
                     "`{p}link-email <address>`.",
    "mail.linked": "Linked: {address}. `{p}forget-me` now erases its list posts too.",
    "mail.none_linked": "No mail address is linked to you. Link one with "
                        "`{p}link-email <address>`.",
    "mail.linked_list": "Your linked addresses: {addresses}.",
    "mail.wait": "I mailed you a code less than {minutes} minutes ago: look for it (and in "
                 "your spam folder), or ask again later.",
    "mail.send_failed": "I could not send the code just now (ref {ref}). Try again later.",
    "mail.forgot.one": "Done: I erased 1 list post from {address}.",
    "mail.forgot.other": "Done: I erased {count} list posts from {address}.",
}
