"""Sentences of end-to-end encrypted Matrix rooms (staff hear of what could not be read)."""

en = {
    "encryption.unreadable.one": "1 encrypted message sent to me could not be decrypted: its "
                                 "key never reached my device, so it is not recorded. Ask its "
                                 "sender to send it again, from a device that trusts mine.",
    "encryption.unreadable.other": "{count} encrypted messages sent to me could not be "
                                   "decrypted: their keys never reached my device, so they are "
                                   "not recorded. Ask their senders to send them again, from a "
                                   "device that trusts mine.",
}
