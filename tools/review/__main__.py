"""`python -m tools.review [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--days N] [--out DIR]` (`make review`).

Reads the tracker store of TRACKER_STORE_URL (default: the one `make serve` uses, run/trackers.sqlite) and writes
review.md and review.html to reports/work/ (git ignores it: the report quotes what users typed).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.launch.runtime_config import ROOT, tracker_store_url
from tools.review.analysis import review
from tools.review.events import read_conversations
from tools.review.render import markdown, page

OUT_DIR = ROOT / "reports" / "work"


def day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-29") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What users asked that the bot could not answer, and down-ratings.")
    parser.add_argument("--since", type=day, help="first day (UTC) to include, YYYY-MM-DD")
    parser.add_argument("--until", type=day, help="last day (UTC) to include, YYYY-MM-DD")
    parser.add_argument("--days", type=int, help="the last N days (instead of --since)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for review.md and review.html")
    args = parser.parse_args(argv)
    if args.days is not None and args.since is not None:
        parser.error("give either --since or --days, not both")
    until = args.until + timedelta(days=1) if args.until else None
    since = args.since
    if args.days is not None:
        since = (until or datetime.now(UTC)) - timedelta(days=args.days)
    url = tracker_store_url()
    found = review(read_conversations(url, since, until), since, until)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "review.md").write_text(markdown(found), encoding="utf-8")
    (args.out / "review.html").write_text(page(found), encoding="utf-8")
    print(
        f"{len(found.questions)} questions in {found.conversations} conversations, {len(found.unanswered)} unanswered, "
        f"{len(found.down_rated)} rated down: {args.out / 'review.md'} and review.html"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
