"""SlackChat: the core's `Chat` on Slack — threaded replies, ephemeral answers, files in DMs."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.calls import SLACK_FAILURES, slack_call
from bot.adapters.slack.reactions import ReactionPacer
from bot.adapters.slack.render import Rendered, render, to_markdown_file, to_mrkdwn
from bot.errors import AdapterError
from bot.i18n import Translator
from bot.messages import Attachment, Conversation

RESPONSE_URL_TIMEOUT = 10
MAX_CAPTION = 1000  # longer captions are answered as a message beside the file

# Emoji the core reacts with, by Slack name (Slack's reactions.add takes names only).
_REACTION_NAMES = {"\u2705": "white_check_mark", "\U0001f44d": "+1", "\U0001f440": "eyes",
                   "\u274c": "x", "\U0001f51f": "keycap_ten",
                   **{f"{digit}\u20e3": name for digit, name in enumerate(
                       ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                        "nine"))}}


def reaction_name(reaction: str) -> str:
    bare = reaction.replace("\ufe0f", "")
    return _REACTION_NAMES.get(bare, reaction.strip(":"))


class SlackChat:
    def __init__(self, client: AsyncWebClient, tr: Translator,
                 reactions: ReactionPacer) -> None:
        self._client = client
        self._tr = tr
        self._reactions = reactions

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        thread = where.thread_id or reply_to
        rendered = render(text)
        if rendered is None:
            return await self._upload(where.id, text, thread_ts=thread) or ""
        extra: dict[str, Any] = {}
        if idempotency_key is not None:  # lets a resend check what was already posted
            extra["metadata"] = {"event_type": "plenary_post",
                                 "event_payload": {"key": idempotency_key}}
        answer = await slack_call(self._client.chat_postMessage(
            channel=where.id, thread_ts=thread, text=rendered.text, blocks=rendered.blocks,
            unfurl_links=False, unfurl_media=False, **extra), "chat.postMessage")
        return str(answer["ts"])

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        if answer_to is not None:
            await self._respond(answer_to, user_id, text)
            return None
        rendered = render(text)
        if rendered is None:
            file_id = await self._upload_to_dm(user_id, text)
            await self._post_ephemeral(where, user_id, self._sent_as_file_note())
            return file_id
        return await self._post_ephemeral(where, user_id, text, rendered)

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        """The file goes to a direct message; a long caption (a digest cut to fit a
        message) is also answered privately where the asker is, next to a pointer."""
        caption = to_mrkdwn(text) if len(text) <= MAX_CAPTION else None
        dm = await self._open_dm(user_id)
        answer = await slack_call(self._client.files_upload_v2(
            channel=dm, content=attachment.content, filename=attachment.filename,
            title=attachment.filename, initial_comment=caption), "files_upload_v2")
        note = self._tr("slack.file_sent", filename=attachment.filename)
        if caption is None:
            await self.send_private(where, user_id, f"{text}\n\n{note}", answer_to=answer_to)
        elif answer_to is not None:
            await self.send_private(where, user_id, note, answer_to=answer_to)
        return _file_id(answer)

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        """Queued and paced: an event's ack waits for storage, never for this."""
        self._reactions.offer(where.id, message_id, reaction_name(reaction))

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        answer = await slack_call(self._client.chat_getPermalink(
            channel=where.id, message_ts=message_id), "chat.getPermalink")
        link = answer.get("permalink")
        return str(link) if link else None

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return None  # people name messages by their links

    # --- helpers ----------------------------------------------------------------------------

    async def _post_ephemeral(self, where: Conversation, user_id: str, text: str,
                              rendered: Rendered | None = None) -> str | None:
        rendered = rendered or render(text) or Rendered(to_mrkdwn(text)[:3000], None)
        try:
            answer = await self._client.chat_postEphemeral(
                channel=where.id, user=user_id, thread_ts=where.thread_id, text=rendered.text,
                blocks=rendered.blocks)
        except SlackApiError as exc:
            # Not in that channel (or it is gone): a direct message still reaches them.
            if exc.response.get("error") not in ("user_not_in_channel", "channel_not_found",
                                                 "not_in_channel"):
                raise AdapterError(f"Slack chat.postEphemeral failed: {exc}") from exc
            return await self.send(Conversation(where.platform, user_id), text)
        except SLACK_FAILURES as exc:
            raise AdapterError(f"Slack chat.postEphemeral failed: {exc!r}") from exc
        return str(answer.get("message_ts") or "") or None

    async def _respond(self, response_url: str, user_id: str, text: str) -> None:
        """Ephemeral, at a slash command's (or shortcut's) response_url."""
        rendered = render(text)
        if rendered is None:
            await self._upload_to_dm(user_id, text)
            rendered = Rendered(to_mrkdwn(self._sent_as_file_note()), None)
        hook = AsyncWebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT,
                                  retry_handlers=list(self._client.retry_handlers))
        try:
            answer = await hook.send(text=rendered.text, blocks=rendered.blocks,
                                     response_type="ephemeral", replace_original=False)
        except SLACK_FAILURES as exc:
            raise AdapterError(f"Slack response_url failed: {exc!r}") from exc
        if answer.status_code != 200:
            raise AdapterError(f"Slack response_url answered {answer.status_code}")

    def _sent_as_file_note(self) -> str:
        return self._tr("slack.sent_as_file", filename=self._digest_filename())

    def _digest_filename(self) -> str:
        return self._tr("slack.digest_filename") + ".md"

    async def _upload_to_dm(self, user_id: str, text: str) -> str | None:
        return await self._upload(await self._open_dm(user_id), text)

    async def _upload(self, channel: str, text: str, thread_ts: str | None = None
                      ) -> str | None:
        answer = await slack_call(self._client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, content=to_markdown_file(text).encode(),
            filename=self._digest_filename(), title=self._digest_filename()),
            "files_upload_v2")
        return _file_id(answer)

    async def _open_dm(self, user_id: str) -> str:
        answer = await slack_call(self._client.conversations_open(users=user_id),
                                  "conversations.open")
        return str(answer["channel"]["id"])


def _file_id(answer: Any) -> str | None:
    files = answer.get("files") or []
    return str(files[0]["id"]) if files else None
