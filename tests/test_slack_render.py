"""Markdown -> Slack Block Kit: the reply's Markdown reaches Slack's markdown block as written, and Slack's
limits never cut code."""

from __future__ import annotations

import json
import re

from bot.channels.slack_render import (
    FEEDBACK_ACTION,
    MARKDOWN_LIMIT,
    MAX_BLOCKS,
    code_of,
    feedback_block,
    line_to_plain,
    render_reply,
    units,
)

CODE = 'import torch\n\nx = torch.ones(2) * 3  # a <tensor> & more\n\n\nprint(f"{x}")'
REPLY = (
    "**Train a model — PyTorch**\n_Ran as-is with PyTorch 2.13._\n\n"
    f"```python\n{CODE}\n```\n\nSee [the docs](https://pytorch.org/docs?a=1&b=2)."
)
FENCED = re.compile(r"^```[\w+.-]*\n(.*?)\n```$", re.DOTALL | re.MULTILINE)


def markdown_texts(blocks: list[dict]) -> list[str]:
    return [block["text"] for block in blocks if block["type"] == "markdown"]


def code_texts(blocks: list[dict]) -> list[str]:
    return [code for text in markdown_texts(blocks) for code in FENCED.findall(text)]


def test_a_reply_is_one_message_its_markdown_as_written_then_buttons():
    buttons = [{"title": "The same in all three", "payload": '/ask_code{"framework": ["keras", "pytorch"]}'}]
    [message] = render_reply(REPLY, buttons)
    blocks = message["blocks"]
    assert [block["type"] for block in blocks] == ["markdown", "actions"]
    assert markdown_texts(blocks) == [REPLY]  # Slack renders it; `<`, `&` and blank lines in code untouched
    assert code_texts(blocks) == [CODE]
    [button] = blocks[-1]["elements"]
    assert button["value"] == buttons[0]["payload"] and button["text"]["text"] == "The same in all three"


def test_the_notification_text_has_no_markup_and_escapes_what_slack_would_parse():
    [message] = render_reply(REPLY)
    assert message["text"].startswith("Train a model — PyTorch\nRan as-is with PyTorch 2.13.")
    assert "x = torch.ones(2) * 3  # a &lt;tensor&gt; &amp; more" in message["text"]
    assert "the docs (https://pytorch.org/docs?a=1&amp;b=2)" in message["text"] and "**" not in message["text"]
    assert (
        line_to_plain("## **Keras** vs _PyTorch_, see [docs](https://x.org)")
        == "Keras vs PyTorch, see docs (https://x.org)"
    )


def test_fenced_code_is_one_unit_with_its_blank_lines_and_an_unclosed_fence_is_closed():
    found = units(REPLY)
    assert [bool(unit.fence) for unit in found] == [False, True, False]
    assert code_of(found[1]) == CODE
    *_, last = units("before\n```\nunclosed\n\nstill code")
    assert code_of(last) == "unclosed\n\nstill code" and last.text.endswith("\n```")
    [nested] = units("````markdown\n```python\nx = 1\n```\n````")
    assert code_of(nested) == "```python\nx = 1\n```"


def test_long_prose_is_cut_between_paragraphs_into_messages_within_the_limit():
    paragraphs = [f"Paragraph {n}: " + "word " * 1000 for n in range(6)]
    messages = render_reply("\n\n".join(p.strip() for p in paragraphs))
    texts = [text for message in messages for text in markdown_texts(message["blocks"])]
    assert len(messages) > 1 and all(len(text) <= MARKDOWN_LIMIT for text in texts)
    assert all(text.startswith("Paragraph") for text in texts)
    assert "\n\n".join(texts).split("\n\n") == [p.strip() for p in paragraphs]


def test_one_enormous_line_of_prose_is_cut_at_spaces():
    line = " ".join(f"w{n}" for n in range(5000))
    messages = render_reply(line)
    texts = [text for message in messages for text in markdown_texts(message["blocks"])]
    assert len(texts) > 1 and all(len(text) <= MARKDOWN_LIMIT for text in texts)
    assert " ".join(texts).split() == line.split()


def test_long_code_is_cut_between_lines_and_every_piece_is_still_code():
    code = "\n".join(f"value_{n} = {n}  # line {n}" + ("\n" if n % 10 == 0 else "") for n in range(1500))
    messages = render_reply(
        f"**Heading**\n\n```python\n{code}\n```\n\nAfter the code.", [{"title": "t", "payload": "p"}]
    )
    assert len(messages) > 1
    texts = [text for message in messages for text in markdown_texts(message["blocks"])]
    assert all(len(text) <= MARKDOWN_LIMIT for text in texts)
    pieces = [piece for message in messages for piece in code_texts(message["blocks"])]
    assert len(pieces) > 1 and "\n".join(pieces) == code
    assert texts[0] == "**Heading**" and texts[-1].endswith("After the code.")  # the code starts a message
    assert [block["type"] for block in messages[-1]["blocks"]] == ["markdown", "actions"]


def test_many_buttons_and_long_titles_respect_slack_limits():
    buttons = [{"title": f"Option {n} " + "x" * 80, "payload": f'/choose{{"n": {n}}}'} for n in range(30)]
    [message] = render_reply("Pick one:", buttons)
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    assert [len(block["elements"]) for block in actions] == [25, 5]
    elements = [element for block in actions for element in block["elements"]]
    assert all(len(element["text"]["text"]) <= 75 for element in elements)
    assert [json.loads(element["value"][len("/choose") :])["n"] for element in elements] == list(range(30))
    assert len({element["action_id"] for element in elements}) == 30


def test_more_than_fifty_blocks_are_spread_over_messages():
    buttons = [{"title": f"b{n}", "payload": f"/p{n}"} for n in range(25 * MAX_BLOCKS + 1)]
    messages = render_reply("Many:", buttons)
    assert [len(message["blocks"]) for message in messages] == [MAX_BLOCKS, 2]
    values = [
        element["value"] for m in messages for b in m["blocks"] if b["type"] == "actions" for element in b["elements"]
    ]
    assert values == [f"/p{n}" for n in range(len(buttons))]


def test_buttons_only_and_empty_replies():
    [message] = render_reply("", [{"title": "Yes", "payload": "/affirm"}])
    assert message["text"] == "Yes" and [block["type"] for block in message["blocks"]] == ["actions"]
    assert render_reply("") == [] and render_reply(" \n\n ") == []


def test_an_answer_ends_with_thumbs_up_and_down_labelled_for_screen_readers():
    feedback = feedback_block("This answer helped", "This answer did not help")
    [message] = render_reply(REPLY, [{"title": "Keras", "payload": "/x"}], feedback)
    assert message["blocks"][-1] == feedback and message["blocks"][-2]["type"] == "actions"
    [element] = feedback["elements"]
    assert (element["type"], element["action_id"]) == ("feedback_buttons", FEEDBACK_ACTION)
    assert element["positive_button"]["value"] == "up" and element["negative_button"]["value"] == "down"
    assert element["negative_button"]["accessibility_label"] == "This answer did not help"
    long_reply = render_reply("```python\n" + "x = 1\n" * 5000 + "```", feedback=feedback)
    assert len(long_reply) > 1
    assert [feedback in message["blocks"] for message in long_reply] == [False] * (len(long_reply) - 1) + [True]
    assert render_reply("", feedback=feedback) == []
    assert all(feedback not in message["blocks"] for message in render_reply(REPLY))
