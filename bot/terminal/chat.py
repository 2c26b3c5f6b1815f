"""Chat with the bot in a terminal (`make chat`).

Connects to a running `make serve` of this checkout with the current model, or starts both servers itself and
stops them on exit (they stop too if this process is killed: bot.launch.processes).
Numbers pick a button; Ctrl-D, "exit" or "salir" leave; arrow keys recall earlier questions; /good and /bad
[reason] (/bien, /mal [motivo]) rate the last answer (bot/channels/locales/<lang>.yml name the commands).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid

import requests
from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import FileHistory

from actions.ratings import payload
from bot.channels.replies import table
from bot.launch import serve
from bot.terminal.render import render_buttons, render_text
from knowledge.paths import ROOT
from knowledge.text import LANGUAGES

EXIT_WORDS = {"exit", "quit", "/exit", "/quit", "salir"}
STARTUP_LIMIT_SECONDS = 240


def rating_message(line: str) -> str | None:
    """The rating message for a rating command ("/bad too long" -> a down-rating with that reason), else None."""
    command, _, reason = line.strip().partition(" ")
    for language in LANGUAGES:
        thumb = {table(language)["rate_up_command"]: "up", table(language)["rate_down_command"]: "down"}.get(
            command.lower()
        )
        if thumb:
            return payload(thumb, " ".join(reason.split()) if thumb == "down" else None)
    return None


def is_ready(rasa_url: str, actions_url: str) -> bool:
    try:
        return (
            requests.get(f"{rasa_url}/webhooks/rest/", timeout=1).ok
            and requests.get(f"{actions_url}/health", timeout=1).ok
        )
    except requests.RequestException:
        return False


def wait_until_ready(rasa_url: str, actions_url: str, processes: dict) -> None:
    print("Starting the bot (loading the model takes about half a minute)", end="", flush=True)
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while not is_ready(rasa_url, actions_url):
        dead = [name for name, process in processes.items() if process.poll() is not None]
        if dead or time.monotonic() > deadline:
            print(f"\nThe {' and '.join(dead) or 'bot'} server did not start; see {serve.LOG_DIR}/ for its log.")
            raise SystemExit(1)
        print(".", end="", flush=True)
        time.sleep(1)
    print(" ready.\n")


def send(rasa_url: str, sender: str, message: str) -> list[dict]:
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def show(replies: list[dict]) -> list[dict]:
    """Print the replies; returns the buttons of the last reply that had any."""
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print_formatted_text(ANSI(render_text(reply["text"])))
        if reply.get("buttons"):
            buttons = reply["buttons"]
            print_formatted_text(ANSI(render_buttons(buttons)))
    print()
    return buttons


def chat(rasa_url: str) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    session: PromptSession = PromptSession(history=FileHistory(str(ROOT / ".chat_history")))
    print(
        "Ask about Keras, TensorFlow or PyTorch, in English or Spanish (pregunta en inglés o en español).\n"
        "A number picks an option; Ctrl-D or 'exit' leaves.\n"
        f"{table('en')['rate_help']} / {table('es')['rate_help']}\n"
    )
    buttons: list[dict] = []
    while True:
        try:
            line = session.prompt("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            continue
        if line.lower() in EXIT_WORDS:
            break
        message = rating_message(line) or line
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            message = buttons[int(line) - 1]["payload"]
        try:
            buttons = show(send(rasa_url, sender, message))
        except requests.RequestException as error:
            print(f"The bot did not answer ({error.__class__.__name__}); is the server still running?\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the framework advisor in the terminal.")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)
    rasa_url, actions_url = f"http://localhost:{args.rasa_port}", f"http://localhost:{args.actions_port}"
    processes: dict = {}
    if is_ready(rasa_url, actions_url):
        why_not = serve.ours(args.rasa_port, args.actions_port)
        if why_not:
            print(f"A bot already answers on ports {args.rasa_port} and {args.actions_port}, but {why_not}.")
            print("Stop it (Ctrl-C in its terminal), or chat on other ports: make chat ARGS='--rasa-port 5006'.")
            return 1
        print("Using the bot that `make serve` is running.\n")
    else:
        serve.refuse_taken_ports(args.rasa_port, args.actions_port)
        processes = serve.start(args.rasa_port, args.actions_port, log=True)
    try:
        if processes:
            wait_until_ready(rasa_url, actions_url, processes)
        chat(rasa_url)
    finally:
        if processes:
            print("Stopping the bot servers...")
            serve.stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
