# The two commands of the quick start: `make demo` and `make test`. Each sets itself up.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen

.PHONY: setup services migrate demo test lint typecheck schemas topology

setup:  ## install uv if missing, then the locked dependencies
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		{ echo "installing uv"; python3 -m pip install --quiet uv; }
	@$(UV) sync --frozen --quiet --compile-bytecode  # workers start ~1 s faster where .pyc are not written

services: setup  ## check RabbitMQ and PostgreSQL answer (explains how to start them)
	@$(RUN) hub check

migrate: services
	@$(RUN) hub migrate

demo: migrate  ## the main job: drive 300 dossiers through simulators and the hub
	@$(RUN) hub demo --dossiers $${DOSSIERS:-300}

.PHONY: bench sched-batch
sched-batch: setup  ## local RabbitMQ and PostgreSQL on SCHED_BATCH: they stop preempting the hub (docs/operations.md)
	@$(RUN) python -m hub.bench.scheduling batch

bench: services  ## throughput, latency and cost of the hub vs a raw aio-pika relay
	@$(RUN) hub bench $${BENCH_ARGS:-}

test: services  ## the whole suite against the real RabbitMQ and PostgreSQL
	@$(RUN) pytest

lint: setup
	@$(RUN) ruff check . && $(RUN) ruff format --check .

typecheck: setup
	@$(RUN) mypy

schemas: setup
	@$(RUN) hub schemas --out schemas/json

topology: setup
	@$(RUN) hub topology
