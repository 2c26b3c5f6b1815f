"""The web chat widget in a real browser (Chromium), against the real Rasa and action servers.

One server set for the module; every test gets a fresh browser context (its own localStorage, so its own
conversation). The widget must be built first, with axe-core installed beside it (`make widget`; `make test` does both).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from actions.i18n import table
from tests.e2e.servers import running_servers

RASA_PORT, ACTIONS_PORT = 17005, 17055
ORIGIN = f"http://localhost:{RASA_PORT}"
DEMO = f"{ORIGIN}/webhooks/webchat/"
ROOT = Path(__file__).resolve().parents[2]
WIDGET_SCRIPT = ROOT / "widget" / "dist" / "widget.js"
TRAINING_LOOP = ROOT / "knowledge" / "snippets" / "pytorch" / "train.py"
AXE_SCRIPT = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
STORAGE_KEY = "fa-chat-history"
ANSWER_TIMEOUT_MS = 30_000
UNREACHABLE = "Can't reach the assistant. Retrying…"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory) -> Path:
    """The servers' own tracker store, read back by the rating test."""
    return tmp_path_factory.mktemp("widget") / "trackers.sqlite"


@pytest.fixture(scope="module")
def bot(kb_path, tracker_db) -> Iterator[str]:
    if not WIDGET_SCRIPT.exists():
        pytest.fail(f"The widget is not built ({WIDGET_SCRIPT.name} missing): run `make widget`.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_STORE_URL", f"sqlite:///{tracker_db}")
        with running_servers(RASA_PORT, ACTIONS_PORT) as url:
            yield url


@pytest.fixture(scope="module")
def browser(bot) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's `chromium` package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def dialogs() -> list[str]:
    """The message of every alert, confirm or prompt the page tried to open."""
    return []


@pytest.fixture
def page(context: BrowserContext, dialogs: list[str]) -> Page:
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(DEMO)
    wait_for_session(page)
    return page


def wait_for_session(page: Page) -> str:
    page.wait_for_function("() => window.FrameworkAdvisorChat && FrameworkAdvisorChat.sessionId")
    return page.evaluate("FrameworkAdvisorChat.sessionId")


def bot_messages(page: Page) -> Locator:
    return page.locator(".fa-chat-msg-bot .fa-chat-bubble")


def user_messages(page: Page) -> Locator:
    return page.locator(".fa-chat-msg-user .fa-chat-bubble")


def ask(page: Page, text: str, label: str = "Your question") -> Locator:
    """Types `text`, presses Enter, and returns the first bot message that answers it."""
    before = bot_messages(page).count()
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    expect(user_messages(page).last).to_have_text(text)
    answer = bot_messages(page).nth(before)
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    return answer


def stored(page: Page) -> dict:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORAGE_KEY}') || 'null')")


def test_demo_page_opens_the_panel_with_a_labelled_input(page: Page):
    panel = page.get_by_role("dialog", name="Framework advisor")
    expect(panel).to_be_visible()
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")
    box = page.get_by_label("Your question", exact=True)
    expect(box).to_be_focused()
    expect(page.get_by_role("button", name="New conversation")).to_be_visible()
    box.press("Escape")
    expect(panel).to_be_hidden()
    launcher = page.get_by_role("button", name="Open the chat with the framework advisor")
    expect(launcher).to_be_focused()
    launcher.press("Enter")
    expect(panel).to_be_visible()
    expect(box).to_be_focused()


def test_question_gets_an_answer_about_pytorch(page: Page):
    answer = ask(page, "What is PyTorch?")
    expect(answer).to_contain_text("PyTorch")
    expect(answer.locator("em").first).to_be_visible()  # Markdown rendered, not shown as _..._
    expect(answer).not_to_contain_text("_(")
    expect(page.locator(".fa-chat-typing")).to_be_hidden()


def test_code_block_is_highlighted_and_copied_whole(context: BrowserContext, page: Page):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ORIGIN)
    answer = ask(page, "show me a training loop in PyTorch")
    code = answer.locator("pre code")
    expect(code).to_have_count(1)
    expect(code.locator("span.hljs-keyword").first).to_be_visible()
    snippet = TRAINING_LOOP.read_text(encoding="utf-8").strip()
    assert code.text_content() == snippet  # one whole block, blank lines kept
    answer.get_by_role("button", name="Copy this code").click()
    expect(answer.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    expect(answer.get_by_role("button", name="Copy this code")).to_be_visible(timeout=5000)


def accessibility_violations(page: Page) -> list[dict]:
    """axe-core's violations on the whole page (the demo page with the widget on it), from the copy of axe-core
    that `make widget` installs: nothing is fetched."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is not installed ({AXE_SCRIPT.relative_to(ROOT)} missing): run `make widget`.")
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=AXE_SCRIPT)
    return page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")


def assert_no_serious_violations(page: Page, state: str) -> None:
    blocking = [v for v in accessibility_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    found = [
        f"{v['id']} ({v['impact']}): {v['help']}, at {', '.join(str(node['target']) for node in v['nodes'])}"
        for v in blocking
    ]
    assert not found, f"axe-core found serious or critical violations ({state}):\n" + "\n".join(found)


def test_an_answer_with_code_and_rating_buttons_has_no_serious_accessibility_violations(page: Page):
    answer = ask(page, "show me a training loop in PyTorch")
    code = answer.locator("pre")
    expect(code).to_have_count(1)
    assert code.evaluate("pre => pre.scrollWidth > pre.clientWidth"), "the code block should scroll sideways"
    message = page.locator(".fa-chat-msg-bot").last
    rating = message.get_by_role("group", name="Rate this answer")
    expect(rating.get_by_role("button", name="This answer helped", exact=True)).to_be_enabled()
    expect(rating.get_by_role("button", name="This answer did not help", exact=True)).to_be_enabled()
    assert_no_serious_violations(page, "English, an answer with code and its rating buttons")
    page.get_by_role("button", name="Español").click()
    rating = message.get_by_role("group", name="Valora esta respuesta")
    expect(rating).to_be_visible()
    assert_no_serious_violations(page, "Spanish labels, the same answer")
    rating.get_by_role("button", name="Esta respuesta me ayudó", exact=True).click()
    expect(rating.get_by_role("status")).not_to_be_empty()
    assert_no_serious_violations(page, "Spanish labels, the answer rated")


def test_a_code_block_that_scrolls_sideways_is_reached_and_scrolled_by_keyboard(page: Page):
    answer = ask(page, "show me a training loop in PyTorch")
    code = answer.get_by_role("region", name="Code", exact=True)
    assert code.evaluate("pre => pre.scrollWidth > pre.clientWidth"), "the code block should scroll sideways"
    answer.get_by_role("button", name="Copy this code").focus()
    page.keyboard.press("Tab")  # the block comes right after its copy button
    expect(code).to_be_focused()
    assert code.evaluate("pre => getComputedStyle(pre).outlineStyle") == "solid"  # the focus is seen
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    page.get_by_role("button", name="Español").click()
    expect(answer.get_by_role("region", name="Código", exact=True)).to_be_visible()


def test_quick_reply_sends_its_payload_and_shows_its_title(page: Page):
    ask(page, "What is PyTorch?")
    reply = page.get_by_role("group", name="Suggested replies").get_by_role("button", name="Show me PyTorch code")
    reply.click()
    expect(user_messages(page)).to_have_text(["What is PyTorch?", "Show me PyTorch code"])  # the title, not the payload
    answer = bot_messages(page).nth(1)
    expect(answer.locator("pre code")).to_contain_text("torch")
    expect(page.get_by_role("button", name="Show me PyTorch code")).to_have_count(0)  # offered once only


def test_spanish_interface_and_answer(page: Page):
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("dialog", name="Asesor de frameworks")).to_be_visible()
    expect(page.get_by_role("button", name="Enviar")).to_be_visible()
    expect(page.get_by_role("button", name="Empezar una nueva conversación (borra esta)")).to_be_visible()
    assert page.evaluate("FrameworkAdvisorChat.language") == "es"
    answer = ask(page, "¿Qué es el deep learning?", label="Tu pregunta")
    expect(answer).to_contain_text("redes neuronales")
    page.reload()
    expect(page.get_by_role("button", name="Enviar")).to_be_visible()  # ?lang=es kept by the demo page


def test_history_survives_a_reload_and_new_conversation_clears_it(page: Page):
    ask(page, "What is Keras?")
    first_session = stored(page)["sessionId"]
    texts = bot_messages(page).all_inner_texts()
    page.reload()
    assert wait_for_session(page) == first_session
    expect(user_messages(page)).to_have_text(["What is Keras?"])
    expect(bot_messages(page)).to_have_text(texts)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".fa-chat-msg")).to_have_count(0)
    page.wait_for_function("old => ![null, old].includes(FrameworkAdvisorChat.sessionId)", arg=first_session)
    assert stored(page)["messages"] == [] and stored(page)["sessionId"] not in (None, first_session)
    page.reload()
    wait_for_session(page)
    expect(page.locator(".fa-chat-msg")).to_have_count(0)


def test_html_and_scripts_in_messages_are_shown_as_text(page: Page, dialogs: list[str]):
    for text in ("<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>"):
        ask(page, text)
    expect(user_messages(page)).to_have_text(["<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>"])
    page.reload()  # and again when restored from the history
    expect(user_messages(page)).to_have_count(2)
    widget = page.locator(".fa-chat-root")
    expect(widget.locator("img")).to_have_count(0)
    expect(widget.locator("script")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_dropped_connection_is_reported_and_queued_message_answered_in_the_same_session(
    context: BrowserContext, page: Page
):
    session = stored(page)["sessionId"]
    status = page.locator(".fa-chat-status")
    expect(status).to_be_hidden()
    context.set_offline(True)  # no reconnection can succeed ...
    page.evaluate("FrameworkAdvisorChat.socket.io.engine.close()")  # ... after the live connection drops
    expect(status).to_have_text(UNREACHABLE)
    box = page.get_by_label("Your question", exact=True)
    box.fill("What is TensorFlow?")
    box.press("Enter")
    expect(page.locator(".fa-chat-msg-user .fa-chat-note")).to_be_visible()
    time.sleep(2)  # a few failed reconnection attempts
    expect(bot_messages(page)).to_have_count(0)
    context.set_offline(False)
    expect(bot_messages(page).first).to_contain_text("TensorFlow")
    expect(status).to_be_hidden()
    expect(page.locator(".fa-chat-note")).to_have_count(0)
    assert page.evaluate("FrameworkAdvisorChat.sessionId") == session
    assert stored(page)["sessionId"] == session


def test_open_panel_covers_a_narrow_screen(browser: Browser):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    try:
        page = context.new_page()
        page.goto(DEMO)
        panel = page.get_by_role("dialog", name="Framework advisor")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box == {"x": 0, "y": 0, "width": 375, "height": 700}, box
        expect(page.locator(".fa-chat-launcher")).to_be_hidden()
    finally:
        context.close()


def stored_ratings(tracker_db: Path, sender: str, at_least: int = 1, limit: float = 15) -> list[dict]:
    """The `last_rating` values the servers stored for this conversation, once there are `at_least` (the thanks
    is sent before Rasa saves the turn)."""
    engine = sa.create_engine(f"sqlite:///{tracker_db}")
    query = sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id")
    deadline = time.monotonic() + limit
    try:
        while True:
            with engine.connect() as connection:
                slots = [json.loads(data) for (data,) in connection.execute(query, {"s": sender})]
            ratings = [slot["value"] for slot in slots if slot["name"] == "last_rating"]
            if len(ratings) >= at_least or time.monotonic() > deadline:
                return ratings
            time.sleep(0.1)
    finally:
        engine.dispose()


def test_an_answer_is_rated_by_keyboard_labelled_announced_and_stored(page: Page, tracker_db: Path):
    answer = ask(page, "What is PyTorch?")
    message = page.locator(".fa-chat-msg-bot").last
    rating = message.get_by_role("group", name="Rate this answer")
    up = rating.get_by_role("button", name="This answer helped", exact=True)
    down = rating.get_by_role("button", name="This answer did not help", exact=True)
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(down).to_have_attribute("aria-pressed", "false")
    page.get_by_label("Your question", exact=True).focus()
    for _ in range(12):  # backwards from the input, as a keyboard user would go
        if down.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    expect(down).to_be_focused()
    page.keyboard.press("Enter")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    note = rating.get_by_role("status")
    expect(note).to_have_attribute("aria-live", "polite")
    expect(note).to_have_text(table("en")["rating"]["down"])  # the bot's thanks, beside the answer
    expect(user_messages(page)).to_have_text(["What is PyTorch?"])  # no bubble for the rating
    expect(bot_messages(page)).to_have_count(1)
    (stored_rating,) = stored_ratings(tracker_db, page.evaluate("FrameworkAdvisorChat.sessionId"))
    assert stored_rating["rating"] == "down" and stored_rating["question"] == "What is PyTorch?"
    assert stored_rating["entries"] and "PyTorch" in stored_rating["answer"] and "PyTorch" in answer.inner_text()
    assert stored_rating["language"] == "en"


def test_the_rating_buttons_speak_the_widgets_language(page: Page):
    page.get_by_role("button", name="Español").click()
    ask(page, "¿Qué es Keras?", label="Tu pregunta")
    rating = page.get_by_role("group", name="Valora esta respuesta")
    expect(rating.get_by_role("button", name="Esta respuesta me ayudó", exact=True)).to_be_visible()
    expect(rating.get_by_role("button", name="Esta respuesta no me ayudó", exact=True)).to_be_visible()


def test_out_of_scope_examples_stay_visible_after_the_next_message(page: Page):
    refusal = ask(page, "give me a recipe for lasagna")  # a training example of out_of_scope
    expect(refusal).to_contain_text("For example:")
    examples = page.locator(".fa-chat-msg-bot").first
    titles = [item["title"] for item in table("en")["examples"]]
    expect(examples.get_by_role("button")).to_contain_text(titles[:1])
    ask(page, "What is Keras?")
    expect(examples.locator(".fa-chat-offered li")).to_have_text(titles)  # with the text they belong to
    expect(examples.locator(".fa-chat-reply")).to_have_count(0)  # no longer buttons: offered once
    page.reload()
    expect(page.locator(".fa-chat-msg-bot").first.locator(".fa-chat-offered li")).to_have_text(titles)
