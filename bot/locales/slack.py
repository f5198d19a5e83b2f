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

fr = {
    "slack.sent_as_file": "Cette réponse est trop longue pour un message Slack : je vous l'ai "
                          "envoyée en fichier dans un message direct ({filename}).",
    "slack.file_sent": "Je vous ai envoyé {filename} dans un message direct.",
    "slack.other_workspace": "Cette application ne répond que dans l'espace de travail où elle "
                             "est installée.",
    "slack.not_followed": "Je ne suis pas ce canal, je ne peux donc pas en étiqueter les "
                          "messages. Demandez à un administrateur de l'ajouter à "
                          "PLENARY_SLACK_CHANNELS.",
    "slack.save_failed": "Je n'ai pas pu enregistrer cela (réf. {ref}). Veuillez réessayer.",
    "slack.modal.title": "Lier au plan de travail",
    "slack.modal.submit": "Étiqueter",
    "slack.modal.cancel": "Annuler",
    "slack.modal.message": "Message : {excerpt}",
    "slack.modal.issues": "Questions du plan de travail",
    "slack.modal.kind": "Type de contribution",
    "slack.modal.pick_issue": "Choisissez au moins une question.",
    "slack.digest_filename": "synthese",
}
