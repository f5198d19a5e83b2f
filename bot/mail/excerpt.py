"""What a digest quotes of a post: its own words, without what it quotes, its signature or
the list's footer. The whole body is kept beside it (`mail_posts.body`)."""

from __future__ import annotations

import re

# Where the post's own words end: a signature, the list's footer (Mailman 2 and 3 put a line
# of underscores above it), pipermail's note of a scrubbed attachment, a forwarded original.
_END = re.compile(
    r"^(?:-- ?|_{20,}|-{5,} ?(?:next part|Original Message|Message d'origine|Mensaje "
    r"original|Ursprüngliche Nachricht)\b.*|From: .+ Sent: .+)$", re.IGNORECASE)
_QUOTED = re.compile(r"^\s*(?:>|\|\s)")
# "On Mon, 7 Oct 2019, Bob <bob@example.org> wrote:", in the languages of the consultation
# and of common mail clients; it may be wrapped over two lines.
_ATTRIBUTION = re.compile(
    r"(?:wrote|writes|a écrit|escribió|schrieb|escreveu|ha scritto|schreef|написал[аи]?"
    r"|пишет|كتب|写道|寫道)\s*[:：]\s*$", re.IGNORECASE)
_OPENING = re.compile(r"^(?:On|Le|El|Am|Em|Il|Op|В|في|在)\b", re.IGNORECASE)
_BLANKS = re.compile(r"\n{3,}")
_COLONS = (":", "：")
_FROM = ("From:", "De :", "De:", "От:", "Von:", "من:", "发件人:", "发件人：")
_SENT = ("Sent:", "Date:", "Envoyé :", "Enviado:", "Gesendet:", "Отправлено:", "تاريخ الإرسال:",
         "发送时间:", "发送时间：")


def own_words(body: str) -> str:
    lines = body.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.rstrip()
        if _END.match(stripped) or _is_forwarded_header(lines, index):
            break
        if _QUOTED.match(stripped):
            continue
        if _is_attribution(lines, index):
            continue
        kept.append(stripped)
    return _BLANKS.sub("\n\n", "\n".join(kept)).strip()


def _is_forwarded_header(lines: list[str], index: int) -> bool:
    """Outlook quotes the original below its headers, unmarked: `From: …` then `Sent: …`."""
    return (lines[index].startswith(_FROM) and index + 1 < len(lines)
            and lines[index + 1].startswith(_SENT))


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if not line.endswith(_COLONS):  # most lines: no regular expression at all
        return bool(index + 1 < len(lines) and lines[index + 1].rstrip().endswith(_COLONS)
                    and _OPENING.match(line) and _ATTRIBUTION.search(lines[index + 1]))
    # ... or the first half of one wrapped over two lines ("On Mon, 7 Oct 2019, Bob <"),
    # tried above for lines that do not end in a colon.
    following = next((later for later in lines[index + 1:] if later.strip()), "")
    if _ATTRIBUTION.search(line):
        return bool(_OPENING.match(line) or _QUOTED.match(following))
    return False


def quoted_lines(body: str) -> list[tuple[bool, str]]:
    """Each line with whether it is quoted, its quote marks taken off."""
    out = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if _QUOTED.match(line):
            out.append((True, re.sub(r"^(?:\s*[>|]\s?)+", "", line).strip()))
        else:
            out.append((False, line.strip()))
    return out
