"""How a bot answer looks in a terminal: Markdown emphasis as ANSI styles, code highlighted by Pygments."""

from __future__ import annotations

import re

from pygments import highlight
from pygments.formatters import Terminal256Formatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

BOLD, ITALIC, DIM, RESET, CYAN = "\x1b[1m", "\x1b[3m", "\x1b[2m", "\x1b[0m", "\x1b[36m"
FENCE = re.compile(r"```([\w+-]*)\n(.*?)```", re.DOTALL)
_FORMATTER = Terminal256Formatter(style="monokai")


def _inline(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", lambda m: f"{BOLD}{m.group(1)}{RESET}", text)
    text = re.sub(r"(?<![\w`])_(.+?)_(?![\w])", lambda m: f"{DIM}{ITALIC}{m.group(1)}{RESET}", text)
    text = re.sub(r"`([^`\n]+)`", lambda m: f"{CYAN}{m.group(1)}{RESET}", text)
    return re.sub(r"^(\s*)- ", lambda m: f"{m.group(1)}• ", text, flags=re.MULTILINE)


def _code(language: str, code: str) -> str:
    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = TextLexer()
    body = highlight(code, lexer, _FORMATTER).rstrip("\n")
    rule = f"{DIM}{'─' * 60}{RESET}"
    return f"{rule}\n{body}\n{rule}"


def render_text(text: str) -> str:
    """Markdown text with fenced code blocks -> ANSI-styled terminal text."""
    parts, last = [], 0
    for match in FENCE.finditer(text):
        parts.append(_inline(text[last : match.start()]))
        parts.append(_code(match.group(1), match.group(2)))
        last = match.end()
    parts.append(_inline(text[last:]))
    return "".join(parts)


def render_buttons(buttons: list[dict]) -> str:
    return "\n".join(f"  {CYAN}{number}){RESET} {button.get('title', '')}" for number, button in enumerate(buttons, 1))
