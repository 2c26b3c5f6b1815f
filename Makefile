# The one front door. `make chat` and `make test` each do all set-up themselves on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

RASA := $(PY) -m bot.launch.rasa_cli

help:  ## this list
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
KB := knowledge/build/kb.sqlite
RUNS := knowledge/build/snippet_runs.json
MEASUREMENTS := knowledge/build/measurements.json
SNIPPETS := $(shell find knowledge/snippets -name '*.py' 2>/dev/null)
KB_SOURCES := $(shell find knowledge/sources -type f 2>/dev/null) $(SNIPPETS) $(wildcard knowledge/*.py)
MODEL_STAMP := models/.trained
# The model learns the vocabulary from the knowledge base, so only those source files retrain it.
TRAIN_INPUTS := config.yml domain.yml $(shell find data -type f 2>/dev/null) $(wildcard bot/nlu/*.py) \
	knowledge/text.py knowledge/sources/vocabulary.yml knowledge/sources/subjects.yml knowledge/sources/tasks.yml \
	$(shell find knowledge/sources/subjects -type f 2>/dev/null)

.PHONY: help setup kb train widget chat serve test evaluate bench soak measure review lint lock clean browser-deps cluster-deps serve-cluster test-cluster

setup: $(VENV)/.installed  ## the Python environment (.venv) from the lock file

$(VENV)/.installed: requirements/lock.txt requirements/tools.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -r requirements/lock.txt
	@# torch through pip: pip finds the CPU build; uv would fetch a multi-GB CUDA build.
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps torch==2.13.0
	touch $@

kb: $(KB)  ## build the knowledge base (runs the code snippets when they changed)

# The snippets run in a venv of their own (.venv-snippets: current TensorFlow, Keras 3, JAX, PyTorch, ONNX, LiteRT),
# apart from Rasa's (.venv: TensorFlow 2.12, Keras 2). requirements/snippets.in says how to re-resolve its lock.
SNIPPETS_VENV := .venv-snippets
$(SNIPPETS_VENV)/.installed: requirements/snippets-lock.txt | $(VENV)/.installed
	@test -x $(SNIPPETS_VENV)/bin/python || $(PYTHON) -m venv $(SNIPPETS_VENV)
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(SNIPPETS_VENV)/bin/python --no-deps \
		-r requirements/snippets-lock.txt
	@# torch through pip: pip finds the CPU build; uv would fetch a multi-GB CUDA build.
	$(SNIPPETS_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps torch==2.13.0
	touch $@

# Snippets are run once whenever one changes (Keras ones on each backend); the knowledge base keeps those that passed.
$(RUNS): $(SNIPPETS_VENV)/.installed $(SNIPPETS) knowledge/verify.py | $(VENV)/.installed
	$(PY) -m knowledge.verify --out $@ || true

$(KB): $(VENV)/.installed $(KB_SOURCES) $(RUNS) $(wildcard $(MEASUREMENTS))
	$(PY) -m knowledge.build --out $@ --runs $(RUNS) --measurements $(MEASUREMENTS)

# Times the same small models in PyTorch and Keras on this machine; the bot then cites the figures.
measure: $(VENV)/.installed  ## time the same models in PyTorch and Keras here (the bot cites it)
	$(PY) -m knowledge.measure --out $(MEASUREMENTS)
	$(MAKE) kb

train: $(MODEL_STAMP)  ## train the model when its inputs changed

$(MODEL_STAMP): $(VENV)/.installed $(TRAIN_INPUTS) | $(KB)
	$(RASA) train --fixed-model-name framework-advisor --out models
	touch $@

# The web chat widget (widget/, served by bot/channels/webchat.py): npm packages from its lock file, bundled into one script.
WIDGET_DIR := widget
WIDGET_JS := $(WIDGET_DIR)/dist/widget.js
widget: $(WIDGET_JS)  ## bundle the web chat widget

$(WIDGET_JS): $(WIDGET_DIR)/package-lock.json $(WIDGET_DIR)/build.mjs $(wildcard $(WIDGET_DIR)/src/*)
	cd $(WIDGET_DIR) && npm ci --no-audit --no-fund && npm run build

chat: $(MODEL_STAMP)  ## chat in the terminal (starts the servers; ARGS='--help' for options)
	@$(PY) -m bot.terminal $(ARGS)

serve: $(MODEL_STAMP) widget  ## run the bot for the widget, REST and Slack (ARGS='--help' for options)
	$(PY) -m bot.launch.serve $(ARGS)

test: $(MODEL_STAMP) widget browser-deps lint  ## every test (real servers, browser, Slack stand-in)
	$(PY) -m pytest

# Trains our config and Rasa's default on the same data, scores both on tests/nlu and tests/stories: reports/.
# Then asks the held-out questions of tests/answers through the real servers: reports/answers.md.
evaluate: $(MODEL_STAMP) widget  ## NLU and answer quality on held-out data: reports/
	$(PY) -m tools.quality.evaluate
	$(PY) -m tools.quality.answers

# Our servers (as `make serve`) and a `rasa init` bot under 1, 10 and 50 simulated users: reports/bench.md.
bench: $(MODEL_STAMP) widget  ## latency, load and memory against a rasa init bot: reports/bench.md
	$(PY) -m tools.quality.bench

# What users asked that the bot could not answer, and down-rated answers, from the tracker store (TRACKER_STORE_URL):
# reports/work/review.md and review.html. ARGS='--days 30' or ARGS='--since 2026-11-01 --until 2026-11-30'.
review: $(VENV)/.installed  ## what users asked that the bot could not answer: reports/work/review.md
	$(PY) -m tools.review $(ARGS)

# 50 conversations at once over REST for 5 minutes (make test runs the same test with 10 users for 30 s).
soak: $(MODEL_STAMP)  ## 50 users for 5 minutes: reports/soak.md
	SOAK_USERS=$${SOAK_USERS:-50} SOAK_SECONDS=$${SOAK_SECONDS:-300} SOAK_REPORT=reports/soak.md $(PY) -m pytest tests/e2e/test_soak.py

# Debian's Chromium for the widget's browser tests (Playwright drives it; it never downloads a browser).
browser-deps:  ## Debian's Chromium for the browser tests, when missing
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# PostgreSQL, Redis and nginx from Debian's packages, installed only when missing.
cluster-deps:  ## PostgreSQL, Redis and nginx from Debian, when missing
	@if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v redis-server >/dev/null \
		|| ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server nginx; \
	fi

# Two Rasa servers and two action servers behind nginx, on PostgreSQL and Redis (see bot/launch/cluster.py).
serve-cluster: $(MODEL_STAMP) cluster-deps  ## two Rasa and two action servers on PostgreSQL, Redis, nginx
	$(PY) -m bot.launch.cluster

test-cluster: $(MODEL_STAMP) cluster-deps  ## the cluster's tests
	$(PY) -m pytest -o addopts="-ra -p no:warnings -p no:locust" tests/cluster

lint: $(VENV)/.installed  ## ruff check and format check
	$(VENV)/bin/ruff check bot actions knowledge tests
	$(VENV)/bin/ruff format --check bot actions knowledge tests

# Re-resolve the lock file after editing requirements/base.in (needs the registry).
lock: $(VENV)/.installed  ## re-resolve requirements/lock.txt after editing requirements/base.in
	$(VENV)/bin/uv pip compile --python-version 3.10 --override requirements/overrides.txt \
		requirements/base.in -o requirements/lock.txt

clean:  ## remove the model and the built knowledge base
	rm -rf models knowledge/build .pytest_cache
