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
