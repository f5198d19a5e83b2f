"""Digests: staff summaries of tagged input, like a mailing-list digest."""
