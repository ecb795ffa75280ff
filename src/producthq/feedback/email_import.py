"""Turning e-mail files (mbox archives, single .eml messages) into feedback rows.

Each message becomes one row keyed by import field names: the subject is the title, the body
(plain text, or HTML reduced to text) without quoted replies and signature is the text, the
sender is the author and the Message-ID is the external id, so importing the same mailbox twice
adds nothing. Only the standard library's ``mailbox`` and ``email`` modules are used.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# A reply's quoted part starts at one of these lines; everything from there on is dropped.
QUOTE_STARTS = (
    re.compile(r"^On .{1,200}wrote:\s*$"),
    re.compile(r"^Le .{1,200}a écrit\s*:\s*$"),
    re.compile(r"^Am .{1,200}schrieb .{1,200}:\s*$"),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),
    re.compile(r"^From: .+$"),
)
# A signature starts at the conventional "-- " line or a mobile client's footer.
SIGNATURE_STARTS = (
    re.compile(r"^-- ?$"),
    re.compile(r"^Sent from my \w+", re.IGNORECASE),
    re.compile(r"^Get Outlook for ", re.IGNORECASE),
)


class _TextOfHtml(HTMLParser):
    """Collect the visible text of an HTML body (scripts and styles dropped)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag == "blockquote":
            self._skip += 1  # quoted replies in HTML mail
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "blockquote") and self._skip:
            self._skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML fragment.

    >>> html_to_text("<p>Hello <b>there</b></p><script>x()</script>")
    'Hello there'
    """
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def strip_reply(body: str) -> str:
    """Drop quoted replies (``>`` lines, "On … wrote:" and what follows) and the signature.

    >>> strip_reply("Export is slow.\\n\\nOn Mon, Ann wrote:\\n> hi\\n")
    'Export is slow.'
    >>> strip_reply("Please add SSO.\\n-- \\nBob, CTO")
    'Please add SSO.'
    """
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        stripped = line.rstrip()
        if stripped.startswith(">"):
            continue
        if any(p.match(stripped) for p in QUOTE_STARTS + SIGNATURE_STARTS):
            break
        kept.append(stripped)
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _body(message: Message) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
        text = str(content) if content is not None else ""
        return html_to_text(text) if part.get_content_type() == "text/html" else text
    payload = message.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(message.get_content_charset() or "utf-8", errors="replace")
    return ""


def message_to_row(message: Message) -> dict[str, Any]:
    """Turn one e-mail message into a feedback row keyed by import field names."""
    name, address = parseaddr(str(message.get("From", "")))
    occurred: str | None = None
    if message.get("Date"):
        try:
            occurred = parsedate_to_datetime(str(message["Date"])).isoformat()
        except (TypeError, ValueError):
            occurred = str(message["Date"])  # validation reports it with its row
    message_id = str(message.get("Message-ID", "")).strip().strip("<>")
    return {
        "title": " ".join(str(message.get("Subject", "")).split())[:500],
        "text": strip_reply(_body(message)),
        "author_email": address.lower() or None,
        "author_name": name or None,
        "occurred_at": occurred,
        "external_id": message_id[:200] or None,
        "source": "email",
    }


def read_email_rows(path: Path, filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(message_number, row)`` for each message of an mbox file or a single .eml file."""
    parser = BytesParser(policy=policy.default)
    if filename.lower().endswith(".eml"):
        with path.open("rb") as fh:
            yield 1, message_to_row(parser.parse(fh))
        return
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            yield number, message_to_row(parser.parsebytes(box.get_bytes(key)))
    finally:
        box.close()
