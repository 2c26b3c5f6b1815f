"""Simulated users for `make bench`: each holds whole conversations (tools/quality/conversations.yml) over REST.

Run only through Locust as its own process (it patches the standard library with gevent), e.g.
  locust -f tools/quality/locustfile.py --headless -u 10 -r 10 -t 60s --host http://localhost:5005
A reply is an answer only when the status is 200 and the bot says something that is not one of its excuses:
the apology (action server down or too slow), the rate-limit refusal (429 or its text) and the fallback
("did you mean" / "please rephrase") are counted apart, by name (OUTCOMES), never as answers. BENCH_THINK_TIME
(seconds, default 0) is the pause between messages: 0 makes every user a closed loop that sends when answered.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import yaml
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

from tools.quality.outcomes import outcome_of

# BENCH_CONVERSATIONS picks the set: "conversations" (our bot) or "rasa_init_conversations" (the baseline).
_SETS = yaml.safe_load(Path(__file__).with_name("conversations.yml").read_text(encoding="utf-8"))
CONVERSATIONS = _SETS[os.environ.get("BENCH_CONVERSATIONS", "conversations")]
_next_conversation = itertools.cycle(CONVERSATIONS)


class ChatUser(FastHttpUser):
    wait_time = constant(float(os.environ.get("BENCH_THINK_TIME", "0")))
    network_timeout = 120.0
    connection_timeout = 120.0

    @task
    def hold_a_conversation(self) -> None:
        conversation = next(_next_conversation)
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        language = conversation["name"].rsplit("(", 1)[-1].rstrip(")")
        for message in conversation["messages"]:
            with self.client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                name=f"message ({language})",
                catch_response=True,
            ) as response:
                replies = response.json() if response.status_code == 200 else []
                problem = outcome_of(response.status_code, replies if isinstance(replies, list) else [])
                if problem:
                    response.failure(problem)
            self.wait()
