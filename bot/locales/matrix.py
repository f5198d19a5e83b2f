"""Sentences of the Matrix adapter and of the room commands (`leave`, `backfill`)."""

en = {
    "usage.leave": "`{p}leave` — make me leave this room; I stop recording it",
    "usage.backfill": "`{p}backfill [since <date>]` — tag the past messages of this room "
                      "(hashtags and reactions) since a date like 2019-10-01 or 30d; default 30d",
    "rooms.farewell": "Leaving this room, as staff asked. Messages here are no longer recorded.",
    "rooms.backfill_done.one": "Read 1 past message of this room since {since}: its hashtags "
                               "and reactions are tagged now.",
    "rooms.backfill_done.other": "Read {count} past messages of this room since {since}: their "
                                 "hashtags and reactions are tagged now.",
    "rooms.bad_date": "`{word}` is not a date I can read: write 2019-10-01, or 30d for thirty "
                      "days ago.",
    "rooms.unsupported": "That command only works in a Matrix room.",
    "rooms.not_followed": "I don't follow this room, so I record nothing here. Staff can invite "
                          "me, or list the room in PLENARY_MATRIX_ROOMS.",
    "matrix.invite_declined": "Only staff can invite plenary to a room. Please ask a staff "
                              "member to invite me.",
    "matrix.encrypted_room": "This room is end-to-end encrypted, and I cannot read encrypted "
                             "messages yet: nothing here is recorded or tagged. Please use an "
                             "unencrypted room for input you want tagged.",
    "matrix.sent_privately": "{name}: I sent you the answer in a direct message.",
    "matrix.long_answer": "The answer is long: here it is as a Markdown file.",
}

fr = {
    "usage.leave": "`{p}leave` — me faire quitter ce salon ; je cesse de l'enregistrer",
    "usage.backfill": "`{p}backfill [since <date>]` — étiqueter les anciens messages de ce salon "
                      "(mots-dièse et réactions) depuis une date comme 2019-10-01 ou 30d ; "
                      "30d par défaut",
    "rooms.farewell": "Je quitte ce salon à la demande du personnel. Les messages d'ici ne sont "
                      "plus enregistrés.",
    "rooms.backfill_done.one": "J'ai lu {count} ancien message de ce salon depuis le {since} : "
                               "ses mots-dièse et réactions sont maintenant étiquetés.",
    "rooms.backfill_done.other": "J'ai lu {count} anciens messages de ce salon depuis le "
                                 "{since} : leurs mots-dièse et réactions sont maintenant "
                                 "étiquetés.",
    "rooms.bad_date": "Je ne sais pas lire la date `{word}` : écrivez 2019-10-01, ou 30d pour "
                      "il y a trente jours.",
    "rooms.unsupported": "Cette commande ne fonctionne que dans un salon Matrix.",
    "rooms.not_followed": "Je ne suis pas ce salon : je n'y enregistre rien. Le personnel peut "
                          "m'y inviter, ou l'ajouter à PLENARY_MATRIX_ROOMS.",
    "matrix.invite_declined": "Seul le personnel peut inviter plenary dans un salon. Demandez à "
                              "un membre du personnel de m'inviter.",
    "matrix.encrypted_room": "Ce salon est chiffré de bout en bout et je ne sais pas encore lire "
                             "les messages chiffrés : rien n'y est enregistré ni étiqueté. "
                             "Utilisez un salon non chiffré pour les contributions à étiqueter.",
    "matrix.sent_privately": "{name} : je vous ai envoyé la réponse en message direct.",
    "matrix.long_answer": "La réponse est longue : la voici en fichier Markdown.",
}
