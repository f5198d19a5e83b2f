"""Sentences of the Slack adapter: files instead of long answers, the tagging modal."""

en = {
    "slack.sent_as_file": "That answer is too long for a Slack message, so I sent it to you "
                          "as a file in a direct message ({filename}).",
    "slack.file_sent": "I sent {filename} to you in a direct message.",
    "slack.other_workspace": "This app answers only in the workspace it is installed in.",
    "slack.not_followed": "I don't follow this channel, so I can't tag its messages. Ask an "
                          "admin to add it to PLENARY_SLACK_CHANNELS.",
    "slack.save_failed": "I could not save that just now (ref {ref}). Please try again.",
    "slack.modal.title": "Tag to work plan",
    "slack.modal.submit": "Tag",
    "slack.modal.cancel": "Cancel",
    "slack.modal.message": "Message: {excerpt}",
    "slack.modal.issues": "Work-plan issues",
    "slack.modal.kind": "Kind of input",
    "slack.modal.pick_issue": "Pick at least one issue.",
    "slack.digest_filename": "digest",
}
