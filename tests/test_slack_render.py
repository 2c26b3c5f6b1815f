"""Markdown -> Slack Block Kit: what a reply looks like in Slack, and that Slack's limits never cut code."""

from __future__ import annotations

import json

from bot.channels.slack_render import (
    FEEDBACK_ACTION,
    MAX_BLOCKS,
    SECTION_LIMIT,
    code_chunks,
    feedback_block,
    line_to_mrkdwn,
    line_to_plain,
    render_reply,
    split_code_fences,
)

CODE = 'import torch\n\nx = torch.ones(2) * 3  # a <tensor> & more\n\n\nprint(f"{x}")'
REPLY = f"**Train a model — PyTorch**\n_Ran as-is with PyTorch 2.13._\n```python\n{CODE}\n```\nSee [the docs](https://pytorch.org/docs)."


def code_texts(blocks: list[dict]) -> list[str]:
    return [
        element["text"]
        for block in blocks
        if block["type"] == "rich_text"
        for preformatted in block["elements"]
        for element in preformatted["elements"]
    ]


def section_texts(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block["type"] == "section"]


def test_emphasis_links_and_escapes_become_mrkdwn():
    assert line_to_mrkdwn("**Keras** is _friendly_ and *quick*") == "*Keras* is _friendly_ and _quick_"
    assert line_to_mrkdwn("read [the guide](https://keras.io/guide?a=1&b=2)") == (
        "read <https://keras.io/guide?a=1&amp;b=2|the guide>"
    )
    assert line_to_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert line_to_mrkdwn("call `model(**kwargs)` now") == "call `model(**kwargs)` now"
    assert line_to_mrkdwn("## Deployment") == "*Deployment*"
    assert line_to_mrkdwn("snake_case_name and 2 * 3 * 4") == "snake_case_name and 2 * 3 * 4"


def test_bullets_and_nested_bullets():
    assert line_to_mrkdwn("- TensorFlow _(Nodd3r blog, 2022-10-11)_") == "• TensorFlow _(Nodd3r blog, 2022-10-11)_"
    assert line_to_mrkdwn("  - **Update (2023-10-04):** narrower") == "    ◦ *Update (2023-10-04):* narrower"


def test_plain_fallback_has_no_markup():
    assert (
        line_to_plain("**Keras** vs _PyTorch_, see [docs](https://x.org)")
        == "Keras vs PyTorch, see docs (https://x.org)"
    )


def test_code_fences_are_split_out_whole():
    parts = split_code_fences(REPLY)
    assert [kind for kind, _ in parts] == ["text", "code", "text"]
    assert parts[1][1] == CODE
    assert split_code_fences("before\n```\nunclosed\n\nstill code")[-1] == ("code", "unclosed\n\nstill code")


def test_a_reply_is_one_message_with_code_intact_and_buttons():
    buttons = [{"title": "The same in all three", "payload": '/ask_code{"framework": ["keras", "pytorch"]}'}]
    [message] = render_reply(REPLY, buttons)
    blocks = message["blocks"]
    assert [block["type"] for block in blocks] == ["section", "rich_text", "section", "actions"]
    assert code_texts(blocks) == [CODE]
    assert section_texts(blocks)[0] == "*Train a model — PyTorch*\n_Ran as-is with PyTorch 2.13._"
    assert section_texts(blocks)[1] == "See <https://pytorch.org/docs|the docs>."
    [button] = blocks[-1]["elements"]
    assert button["value"] == buttons[0]["payload"] and button["text"]["text"] == "The same in all three"
    assert "Train a model — PyTorch" in message["text"] and "**" not in message["text"]
    assert "x = torch.ones(2) * 3  # a &lt;tensor&gt; &amp; more" in message["text"]


def test_blank_lines_in_prose_do_not_split_the_reply():
    [message] = render_reply("First paragraph.\n\nSecond paragraph.\n\n- a\n- b")
    assert section_texts(message["blocks"]) == ["First paragraph.\n\nSecond paragraph.\n\n• a\n• b"]


def test_long_prose_is_cut_between_paragraphs_into_sections_within_the_limit():
    paragraphs = [f"Paragraph {n}: " + "word " * 150 for n in range(12)]
    [message] = render_reply("\n\n".join(paragraphs))
    texts = section_texts(message["blocks"])
    assert len(texts) > 1 and all(len(text) <= SECTION_LIMIT for text in texts)
    assert all(text.startswith("Paragraph") for text in texts)
    assert [part.strip() for part in "\n\n".join(texts).split("\n\n")] == [p.strip() for p in paragraphs]


def test_one_enormous_line_of_prose_is_wrapped_at_spaces():
    line = " ".join(f"w{n}" for n in range(2000))
    [message] = render_reply(line)
    texts = section_texts(message["blocks"])
    assert len(texts) > 1 and all(len(text) <= SECTION_LIMIT for text in texts)
    assert " ".join(texts).split() == line.split()


def test_long_code_goes_in_messages_of_its_own_cut_between_lines():
    code = "\n".join(f"value_{n} = {n}  # line {n}" + ("\n" if n % 10 == 0 else "") for n in range(400))
    messages = render_reply(f"**Heading**\n```python\n{code}\n```\nAfter the code.", [{"title": "t", "payload": "p"}])
    assert section_texts(messages[0]["blocks"]) == ["*Heading*"] and len(messages[0]["blocks"]) == 1
    code_messages = messages[1:-1]
    assert len(code_messages) > 1
    assert all([block["type"] for block in message["blocks"]] == ["rich_text"] for message in code_messages)
    pieces = [text for message in code_messages for text in code_texts(message["blocks"])]
    assert all(len(piece) <= SECTION_LIMIT for piece in pieces)
    assert "\n".join(pieces) == code
    assert [block["type"] for block in messages[-1]["blocks"]] == ["section", "actions"]


def test_code_chunks_never_cut_inside_a_line():
    code = "a" * 10 + "\n" + "b" * 50 + "\n\n" + "c" * 10
    assert code_chunks(code, limit=20) == ["a" * 10, "b" * 50, "\n" + "c" * 10]


def test_more_than_fifty_blocks_are_spread_over_messages():
    reply = "\n".join(f"```\ncode {n}\n```" for n in range(60))
    messages = render_reply(reply)
    assert [len(message["blocks"]) for message in messages] == [MAX_BLOCKS, 10]
    assert [text for message in messages for text in code_texts(message["blocks"])] == [f"code {n}" for n in range(60)]


def test_many_buttons_and_long_titles_respect_slack_limits():
    buttons = [{"title": f"Option {n} " + "x" * 80, "payload": f'/choose{{"n": {n}}}'} for n in range(30)]
    [message] = render_reply("Pick one:", buttons)
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    assert [len(block["elements"]) for block in actions] == [25, 5]
    elements = [element for block in actions for element in block["elements"]]
    assert all(len(element["text"]["text"]) <= 75 for element in elements)
    assert [json.loads(element["value"][len("/choose") :])["n"] for element in elements] == list(range(30))
    assert len({element["action_id"] for element in elements}) == 30


def test_buttons_only_and_empty_replies():
    [message] = render_reply("", [{"title": "Yes", "payload": "/affirm"}])
    assert message["text"] == "Yes" and [block["type"] for block in message["blocks"]] == ["actions"]
    assert render_reply("") == []


def test_an_answer_ends_with_thumbs_up_and_down_labelled_for_screen_readers():
    feedback = feedback_block("This answer helped", "This answer did not help")
    [message] = render_reply(REPLY, [{"title": "Keras", "payload": "/x"}], feedback)
    assert message["blocks"][-1] == feedback and message["blocks"][-2]["type"] == "actions"
    [element] = feedback["elements"]
    assert (element["type"], element["action_id"]) == ("feedback_buttons", FEEDBACK_ACTION)
    assert element["positive_button"]["value"] == "up" and element["negative_button"]["value"] == "down"
    assert element["negative_button"]["accessibility_label"] == "This answer did not help"
    long_reply = render_reply("```python\n" + "x = 1\n" * 2000 + "```", feedback=feedback)
    assert [feedback in message["blocks"] for message in long_reply] == [False] * (len(long_reply) - 1) + [True]
    assert render_reply("", feedback=feedback) == []
    assert all(feedback not in message["blocks"] for message in render_reply(REPLY))
