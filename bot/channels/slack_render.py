"""How a bot answer looks in Slack: Markdown turned into Block Kit messages, without touching the code in it.

Pure functions, no Slack client: the connector (bot/channels/slack.py) posts what `render_reply` returns.
A reply becomes as few `chat.postMessage` calls as Slack's limits allow, normally one: prose as mrkdwn
sections, each fenced code block as a `rich_text_preformatted` block (literal text, so blank lines and
`*`, `_`, `<` inside code survive), buttons as `actions` blocks, and on an answer Slack's thumbs up / down
(`feedback_buttons` in a `context_actions` block) after everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

SECTION_LIMIT = 3000  # characters of one section's text, and of one code chunk
MAX_BLOCKS = 50  # blocks in one message
BUTTONS_PER_BLOCK = 25  # elements of one actions block
BUTTON_TEXT_LIMIT = 75
FALLBACK_LIMIT = 4000  # Slack's advice for the notification text
FEEDBACK_ACTION = "rate-answer"  # the action_id of the feedback buttons; a click carries "up" or "down"
RATINGS = ("up", "down")

Block = dict[str, Any]

FENCE = re.compile(r"^[ \t]*```[\w+.-]*[ \t]*\n(.*?)(?:^[ \t]*```[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
BULLET = re.compile(r"^( *)[-*+] +(.*)$")
HEADING = re.compile(r"^#{1,6} +(.*?)#*\s*$")
INLINE_CODE = re.compile(r"(`[^`\n]+`)")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
EMPHASIS = re.compile(
    r"\*\*(?P<bold>[^*\n]+?)\*\*"
    r"|__(?P<bold2>[^_\n]+?)__"
    r"|(?<![*\w])\*(?P<italic>[^*\s](?:[^*\n]*?[^*\s])?)\*(?![*\w])"
    r"|~~(?P<strike>[^~\n]+?)~~"
)
UNDERSCORE_ITALIC = re.compile(r"(?<!\w)_([^_\n]+?)_(?!\w)")


class SlackMessage(TypedDict):
    """One `chat.postMessage`: the plain-text fallback and the blocks."""

    text: str
    blocks: list[Block]


@dataclass
class _Draft:
    blocks: list[Block] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)


def escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as markup in every text field, so they must be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_code_fences(markdown: str) -> list[tuple[str, str]]:
    """The reply as ("text", prose) and ("code", code) parts in order; an unclosed fence runs to the end."""
    parts: list[tuple[str, str]] = []
    last = 0
    for match in FENCE.finditer(markdown):
        parts.append(("text", markdown[last : match.start()]))
        parts.append(("code", match.group(1).removesuffix("\n")))
        last = match.end()
    parts.append(("text", markdown[last:]))
    return [(kind, body) for kind, body in parts if kind == "code" or body.strip()]


def _emphasis_to_mrkdwn(match: re.Match[str]) -> str:
    if match.group("bold") or match.group("bold2"):
        return f"*{match.group('bold') or match.group('bold2')}*"
    if match.group("italic"):
        return f"_{match.group('italic')}_"
    return f"~{match.group('strike')}~"


def _inline_to_mrkdwn(text: str) -> str:
    """Emphasis and links of one line; code spans are only escaped, as Slack shows them literally too."""
    pieces = []
    for piece in INLINE_CODE.split(text):
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            pieces.append(escape(piece))
            continue
        piece = LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", escape(piece))
        pieces.append(EMPHASIS.sub(_emphasis_to_mrkdwn, piece))
    return "".join(pieces)


def line_to_mrkdwn(line: str) -> str:
    """One Markdown line as Slack mrkdwn: **x** -> *x*, [t](u) -> <u|t>, bullets as • and ◦, headings bold."""
    if heading := HEADING.match(line):
        return f"*{_inline_to_mrkdwn(heading.group(1))}*"
    if bullet := BULLET.match(line):
        level = len(bullet.group(1)) // 2
        marker = "•" if level == 0 else "◦"
        return f"{'    ' * level}{marker} {_inline_to_mrkdwn(bullet.group(2))}"
    if line.startswith(">"):
        return ">" + _inline_to_mrkdwn(line[1:])
    return _inline_to_mrkdwn(line)


def line_to_plain(line: str) -> str:
    """One Markdown line without markup, for the notification text (escaped, as Slack parses that field)."""
    if heading := HEADING.match(line):
        line = heading.group(1)
    line = LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line)
    line = EMPHASIS.sub(lambda m: next(group for group in m.groups() if group), line)
    line = UNDERSCORE_ITALIC.sub(r"\1", line)
    return escape(line.replace("`", ""))


def _wrap(line: str, limit: int) -> list[str]:
    """A prose line longer than a section split at spaces (or, for one enormous word, anywhere)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(line_to_mrkdwn(candidate)) > limit:
            pieces.append(current)
            candidate = word
        while len(line_to_mrkdwn(candidate)) > limit:
            cut = limit // 2
            pieces.append(candidate[:cut])
            candidate = candidate[cut:]
        current = candidate
    return [*pieces, current] if current else pieces


def prose_chunks(text: str, limit: int = SECTION_LIMIT) -> list[list[str]]:
    """Markdown prose as groups of lines whose mrkdwn fits one section, cut between paragraphs when possible."""
    paragraphs = [block.strip("\n").split("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    units: list[tuple[list[str], bool]] = []  # (lines, starts a paragraph)
    for lines in paragraphs:
        if _mrkdwn_size(lines) <= limit:
            units.append((lines, True))
            continue
        pieces = [piece for line in lines for piece in _wrap(line, limit)]
        units.extend(([piece], index == 0) for index, piece in enumerate(pieces))
    chunks: list[list[str]] = []
    for lines, new_paragraph in units:
        joined = [*chunks[-1], *([""] if new_paragraph else []), *lines] if chunks else lines
        if chunks and _mrkdwn_size(joined) <= limit:
            chunks[-1] = joined
        else:
            chunks.append(lines)
    return chunks


def _mrkdwn_size(lines: Sequence[str]) -> int:
    return len("\n".join(line_to_mrkdwn(line) for line in lines))


def code_chunks(code: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Code cut only between lines into pieces of at most `limit` characters (a longer line stays whole)."""
    chunks: list[str] = []
    current: list[str] = []
    for line in code.split("\n"):
        if current and len("\n".join([*current, line])) > limit:
            chunks.append("\n".join(current))
            current = []
        current.append(line)
    chunks.append("\n".join(current))
    return chunks


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def code_block(code: str) -> Block:
    """Preformatted rich text is shown exactly as given: no mrkdwn parsing, no escaping needed."""
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_preformatted", "elements": [{"type": "text", "text": code or " "}]}],
    }


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


def _fallback(plain: Iterable[str]) -> str:
    text = "\n\n".join(part for part in plain if part.strip())
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def _button_titles(blocks: Iterable[Block]) -> str:
    """The fallback of a message that holds only buttons."""
    titles = [
        element["text"]["text"] for block in blocks if block["type"] == "actions" for element in block["elements"]
    ]
    return escape(" / ".join(titles))


def render_reply(
    markdown: str, buttons: Sequence[dict[str, Any]] = (), feedback: Block | None = None
) -> list[SlackMessage]:
    """A whole bot reply as Slack messages: normally one; more only past Slack's limits, cut between blocks.

    A code block longer than one section's limit goes in messages of its own, cut between lines. An empty
    reply gives no message. `feedback` (see `feedback_block`) ends the last message.
    """
    drafts: list[_Draft] = [_Draft()]

    def add(block: Block, plain: str) -> None:
        if len(drafts[-1].blocks) >= MAX_BLOCKS:
            drafts.append(_Draft())
        drafts[-1].blocks.append(block)
        drafts[-1].plain.append(plain)

    def start_message() -> None:
        if drafts[-1].blocks:
            drafts.append(_Draft())

    for kind, body in split_code_fences(markdown):
        if kind == "text":
            for lines in prose_chunks(body):
                add(section("\n".join(line_to_mrkdwn(line) for line in lines)), "\n".join(map(line_to_plain, lines)))
            continue
        pieces = code_chunks(body)
        for piece in pieces:
            if len(pieces) > 1:
                start_message()
            add(code_block(piece), escape(piece))
        if len(pieces) > 1:
            start_message()
    for block in button_blocks(buttons):
        add(block, "")
    while len(drafts) > 1 and not drafts[-1].blocks:
        drafts.pop()
    if feedback and drafts[-1].blocks:
        add(feedback, "")
    return [
        SlackMessage(text=_fallback(draft.plain) or _button_titles(draft.blocks), blocks=draft.blocks)
        for draft in drafts
        if draft.blocks
    ]
