"""The review as Markdown and as one self-contained HTML page, both from the same sections (title, note, table)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from tools.review.analysis import Review, group_similar, when

MAX_CELL_CHARS = 160


@dataclass
class Section:
    title: str
    note: str
    headers: list[str]
    rows: list[list[str]]


def short(text: object, limit: int = MAX_CELL_CHARS) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def period(review: Review) -> str:
    start = review.since.strftime("%Y-%m-%d") if review.since else "the first stored event"
    end = f"before {review.until:%Y-%m-%d}" if review.until else "now"
    return f"from {start} to {end}"


def sections(review: Review) -> list[Section]:
    unanswered = group_similar(review.unanswered)
    shares = review.answered_share()
    asked = len(review.questions)
    answered = sum(a for a, _ in shares.values())
    return [
        Section(
            "Answered per language",
            f"{review.conversations} conversations, {asked} questions ({answered} answered from the knowledge base); "
            "small talk and ratings are not counted.",
            ["language", "questions", "answered", "share"],
            [[lang, str(n), str(a), f"{a / n:.0%}" if n else "n/a"] for lang, (a, n) in shares.items()],
        ),
        Section(
            "Questions the bot could not answer",
            "Similar questions grouped (case, accents and punctuation folded; near-duplicates joined), most asked "
            "first. Add or reword knowledge entries for these.",
            ["asked", "question", "also asked as", "what the bot did"],
            [
                [
                    str(g.count),
                    short(g.example),
                    short("; ".join(p for p, _ in g.phrasings.most_common()[1:4])),
                    ", ".join(f"{o} ({n})" for o, n in g.outcomes.most_common()),
                ]
                for g in unanswered
            ],
        ),
        Section(
            "Answers rated down",
            "Thumbs down and feedback typed in words, with the question, the answer and the knowledge entries it used.",
            ["when", "language", "question", "answer", "knowledge entries", "reason"],
            [
                [
                    when(t.at),
                    str(r.get("language") or ""),
                    short(r.get("question")),
                    short(r.get("answer"), 100),
                    ", ".join(r.get("entries") or []) or "(none)",
                    short(r.get("reason")) or ("(feedback in words)" if r.get("rating") is None else ""),
                ]
                for t in review.down_rated
                for r in [t.rating or {}]
            ],
        ),
        Section(
            "Most asked topics",
            "What the questions named (frameworks, concepts, aspect, task), else their intent.",
            ["topic", "asked", "answered"],
            [[topic, str(n), str(a)] for topic, n, a in review.topics()],
        ),
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(review: Review) -> str:
    ups = sum((t.rating or {}).get("rating") == "up" for t in review.ratings)
    lines = [
        "# Review of the conversations",
        "",
        f"Period: {period(review)}. Ratings: {ups} up, {len(review.down_rated)} down or in words.",
    ]
    for section in sections(review):
        lines += ["", f"## {section.title}", "", section.note, ""]
        if not section.rows:
            lines.append("_None in this period._")
            continue
        lines.append("| " + " | ".join(section.headers) + " |")
        lines.append("|" + "|".join(" --- " for _ in section.headers) + "|")
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}caption{text-align:left;color:#555}"
)


def page(review: Review) -> str:
    """One HTML file with its style inline: nothing is loaded from anywhere, so it can be mailed or archived."""
    e = html.escape
    ups = sum((t.rating or {}).get("rating") == "up" for t in review.ratings)
    body = [
        "<h1>Review of the conversations</h1>",
        f"<p>Period: {e(period(review))}. Ratings: {ups} up, {len(review.down_rated)} down or in words.</p>",
    ]
    for section in sections(review):
        body.append(f"<h2>{e(section.title)}</h2><p>{e(section.note)}</p>")
        if not section.rows:
            body.append("<p><em>None in this period.</em></p>")
            continue
        head = "".join(f'<th scope="col">{e(h)}</th>' for h in section.headers)
        rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in section.rows)
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Review of the conversations</title>'
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
