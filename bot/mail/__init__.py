"""The mailing list in the ledger: archives imported, list mail and digest replies stored."""
