"""How a bot answer looks in Slack: its Markdown in Slack's own `markdown` block, cut only where Slack's limits say.

Pure functions, no Slack client: the connector (bot/channels/slack.py) posts what `render_reply` returns.

Slack's `markdown` block (Block Kit, February 2025, made for AI apps) takes standard Markdown and renders it
itself: emphasis, lists, links, headings and fenced code. What that leaves to this module:
- Slack's limits: at most 12,000 characters of Markdown in one message, so a longer reply goes in several
  messages, cut between paragraphs, and a code block longer than a message is cut between lines, its fence
  closed and reopened, so every piece is still code;
- buttons as `actions` blocks, and on an answer Slack's thumbs up / down (`feedback_buttons`) after everything;
- the plain-text fallback Slack shows in notifications, which no block provides.

Compared before choosing (November 2026, the same reply with bold, nested bullets, a link with `&` and a
Python block holding `<tensor> & more` and blank lines): the converters markdown-to-mrkdwn 0.3.3 and
slackify-markdown 0.2.4 leave `<` and `&` unescaped in mrkdwn, which Slack reads as markup, and do not cut to
Slack's limits; markdown-to-slack-blocks 1.3.1 and slack-blocks-markdown 0.2.1 build correct sections,
lists and preformatted code, but are one more dependency doing what Slack's block now does on Slack's side.
This module's earlier hand-written mrkdwn converter (about 120 lines of regular expressions) is gone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

MARKDOWN_LIMIT = 12_000  # characters of Markdown in one message (all its markdown blocks together)
MAX_BLOCKS = 50  # blocks in one message
BUTTONS_PER_BLOCK = 25  # elements of one actions block
BUTTON_TEXT_LIMIT = 75
FALLBACK_LIMIT = 4000  # Slack's advice for the notification text
FEEDBACK_ACTION = "rate-answer"  # the action_id of the feedback buttons; a click carries "up" or "down"
RATINGS = ("up", "down")

Block = dict[str, Any]

FENCE_LINE = re.compile(r"^[ \t]*(```+)[ \t]*([\w+.-]*)[ \t]*$")
HEADING = re.compile(r"^#{1,6} +(.*?)#*\s*$")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
EMPHASIS = re.compile(
    r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|(?<![*\w])\*([^*\s](?:[^*\n]*?[^*\s])?)\*(?![*\w])|~~([^~\n]+?)~~"
)
UNDERSCORE_ITALIC = re.compile(r"(?<!\w)_([^_\n]+?)_(?!\w)")


class SlackMessage(TypedDict):
    """One `chat.postMessage`: the plain-text fallback and the blocks."""

    text: str
    blocks: list[Block]


@dataclass(frozen=True)
class _Unit:
    """A paragraph or a whole fenced code block of the reply (`fence` is its opening line, or "")."""

    lines: list[str]
    fence: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Draft:
    markdown: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as markup in the plain-text fallback, so they must be escaped there."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def units(markdown: str) -> list[_Unit]:
    """The reply as paragraphs (split at blank lines) and fenced code blocks (kept whole, blank lines and all);
    an unclosed fence runs to the end and is closed."""
    found: list[_Unit] = []
    paragraph: list[str] = []
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE_LINE.match(line)
        if opening:
            if paragraph:
                found.append(_Unit(paragraph))
                paragraph = []
            body = []
            index += 1
            while index < len(lines) and not (
                (closing := FENCE_LINE.match(lines[index]))
                and not closing.group(2)
                and closing.group(1) == opening.group(1)
            ):
                body.append(lines[index])
                index += 1
            found.append(_Unit([line.strip(), *body, opening.group(1)], fence=line.strip()))
        elif line.strip():
            paragraph.append(line)
        elif paragraph:
            found.append(_Unit(paragraph))
            paragraph = []
        index += 1
    if paragraph:
        found.append(_Unit(paragraph))
    return found


def code_of(unit: _Unit) -> str:
    """The code inside a fenced unit, as written."""
    return "\n".join(unit.lines[1:-1])


def _pieces(unit: _Unit, limit: int) -> list[str]:
    """A unit too long for one message, cut between lines (code keeps its fence on every piece); a single line
    longer than the limit is cut at spaces, or anywhere when it has none."""
    if unit.fence:
        opening, closing = unit.lines[0], unit.lines[-1]
        room = limit - len(opening) - len(closing) - 2
        return [f"{opening}\n{piece}\n{closing}" for piece in _cut_lines(unit.lines[1:-1], room)]
    return _cut_lines(unit.lines, limit)


def _cut_lines(lines: list[str], limit: int) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for line in lines:
        for part in _cut_line(line, limit):
            if current and len("\n".join([*current, part])) > limit:
                pieces.append("\n".join(current))
                current = []
            current.append(part)
    if current:
        pieces.append("\n".join(current))
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    parts: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        parts.append(line[:cut])
        line = line[cut:].lstrip(" ") if line[cut : cut + 1] == " " else line[cut:]
    return [*parts, line]


def markdown_block(text: str) -> Block:
    return {"type": "markdown", "text": text}


def line_to_plain(line: str) -> str:
    """One Markdown line without markup, for the notification text (escaped, as Slack parses that field)."""
    if heading := HEADING.match(line):
        line = heading.group(1)
    line = LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line)
    line = EMPHASIS.sub(lambda m: next(group for group in m.groups() if group), line)
    line = UNDERSCORE_ITALIC.sub(r"\1", line)
    return escape(line.replace("`", ""))


def plain_text(markdown: str) -> str:
    """The fallback Slack shows in notifications: the reply without markup, code as it is, within its limit."""
    parts = [
        escape(code_of(unit)) if unit.fence else "\n".join(map(line_to_plain, unit.lines)) for unit in units(markdown)
    ]
    text = "\n\n".join(part for part in parts if part.strip())
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def _button_title(title: str) -> str:
    return title if len(title) <= BUTTON_TEXT_LIMIT else title[: BUTTON_TEXT_LIMIT - 1] + "…"


def button_blocks(buttons: Sequence[dict[str, Any]]) -> list[Block]:
    """Buttons whose value is the Rasa payload, which a click sends back as the user's message."""
    elements = [
        {
            "type": "button",
            "action_id": f"reply-button-{index}",
            "text": {"type": "plain_text", "text": _button_title(str(button.get("title", ""))), "emoji": True},
            "value": str(button.get("payload", button.get("title", ""))),
        }
        for index, button in enumerate(buttons)
    ]
    return [
        {"type": "actions", "elements": elements[start : start + BUTTONS_PER_BLOCK]}
        for start in range(0, len(elements), BUTTONS_PER_BLOCK)
    ]


def feedback_block(up_label: str, down_label: str) -> Block:
    """Thumbs up / down under an answer; the labels (the user's language) are what screen readers say."""

    def button(symbol: str, rating: str, label: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": symbol}, "value": rating, "accessibility_label": label[:75]}

    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": button("👍", "up", up_label),
                "negative_button": button("👎", "down", down_label),
            }
        ],
    }


def _button_titles(blocks: Sequence[Block]) -> str:
    """The fallback of a message that holds only buttons."""
    titles = [
        element["text"]["text"] for block in blocks if block["type"] == "actions" for element in block["elements"]
    ]
    return escape(" / ".join(titles))


def render_reply(
    markdown: str, buttons: Sequence[dict[str, Any]] = (), feedback: Block | None = None
) -> list[SlackMessage]:
    """A whole bot reply as Slack messages: normally one; more only past Slack's limits, cut between paragraphs.

    An empty reply gives no message. `feedback` (see `feedback_block`) ends the last message.
    """
    drafts: list[_Draft] = [_Draft()]
    for unit in units(markdown):
        for piece in _pieces(unit, MARKDOWN_LIMIT) if len(unit.text) > MARKDOWN_LIMIT else [unit.text]:
            if drafts[-1].markdown and len("\n\n".join([*drafts[-1].markdown, piece])) > MARKDOWN_LIMIT:
                drafts.append(_Draft())
            drafts[-1].markdown.append(piece)
    for draft in drafts:
        if draft.markdown:
            draft.blocks.append(markdown_block("\n\n".join(draft.markdown)))
    for block in [*button_blocks(buttons), *([feedback] if feedback and (markdown.strip() or buttons) else [])]:
        if len(drafts[-1].blocks) >= MAX_BLOCKS:
            drafts.append(_Draft())
        drafts[-1].blocks.append(block)
    return [
        SlackMessage(text=plain_text("\n\n".join(draft.markdown)) or _button_titles(draft.blocks), blocks=draft.blocks)
        for draft in drafts
        if draft.blocks
    ]
