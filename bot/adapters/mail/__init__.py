"""The mail adapter: an SMTP/LMTP listener (aiosmtpd) the list's MTA delivers copies to."""

from bot.adapters.mail.listener import MailListener

__all__ = ["MailListener"]
