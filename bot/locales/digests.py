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

fr = {
    "usage.hide": "`{p}hide <lien ou identifiant> <motif>` (ou en réponse : `{p}hide <motif>`) "
                  "— retirer un message des résumés",
    "digest.period_first": "tout ce qui a été étiqueté jusqu'au {until} (votre premier résumé)",
    "digest.period_since_last": "étiqueté depuis votre résumé précédent (du {since} au "
                                "{until})",
    "digest.period_tagged": "étiqueté du {since} au {until}",
    "digest.summary": "Synthèse",
    "digest.cut": "Certaines entrées ne tenaient pas ici : le résumé complet est joint.",
    "digest.cut_posted": "Certaines entrées ne tenaient pas ici : le résumé complet a été "
                         "envoyé par courriel.",
    "digest.cut_ask": "Certaines entrées ne tenaient pas ici : le personnel obtient le résumé "
                      "complet avec `{p}digest all as html` (ou md, csv, json).",
    "digest.no_input_flag": "⚠ aucune contribution sur cette période",
    "digest.no_input_mark": "aucune contribution",
    "digest.inputs.one": "{count} contribution",
    "digest.inputs.other": "{count} contributions",
    "digest.channels.one": "{count} canal",
    "digest.channels.other": "{count} canaux",
    "digest.new.one": "{count} nouvelle depuis la dernière fois",
    "digest.new.other": "{count} nouvelles depuis la dernière fois",
    "digest.workplan_table": "Plan de travail",
    "digest.issue": "Question",
    "digest.inputs_column": "Contributions",
    "digest.people_column": "Participants",
    "digest.new_column": "Nouvelles",
    "digest.chart_title": "Contributions étiquetées par question et par semaine",
    "digest.chart_empty": "Aucune contribution étiquetée sur cette période.",
    "digest.entries": "Entrées",
    "digest.mail_subject": "{title} — {period}",
    "digest.too_big": "Ce résumé dépasse {megabytes} Mo en {format}, trop pour l'envoyer ici : "
                      "restreignez-le (questions, dates, canal) ou exportez-le avec `plenary "
                      "digest --format {format} --output FICHIER` sur le serveur.",
    "workplan.set_what": "Indiquez la question, la colonne et le nouveau texte, p. ex. "
                         "`{p}workplan set 3 responsible Jeanne Dupont`.",
    "workplan.bad_column": "`{word}` n'est pas une colonne du plan de travail : utilisez "
                           "responsible, resources ou timeline.",
    "workplan.set_done": "{issue} — {column} : « {value} » (avant : « {previous} »). "
                         "Enregistré.",
    "workplan.unchanged": "{issue} — {column} vaut déjà « {value} » ; rien n'a changé.",
    "hide.what": "Indiquez le message et le motif : `{p}hide <lien ou identifiant> <motif>`, ou "
                 "répondez au message avec `{p}hide <motif>`.",
    "hide.reason_needed": "Donnez un motif, p. ex. `{p}hide {target} hors sujet` : il est "
                          "consigné dans le journal d'audit.",
    "hide.unknown": "Je ne trouve aucun message enregistré pour `{word}` : collez son lien, son "
                    "identifiant, ou répondez-y.",
    "hide.done": "Retiré des résumés. Motif : {reason}. Consigné dans le journal d'audit.",
    "hide.already": "Ce message est déjà retiré des résumés ; rien n'a changé.",
}
