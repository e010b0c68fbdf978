# The two commands: `make run` (the whole product locally) and `make test` (the whole suite).
# Both do all their own set-up on a fresh machine: the virtualenv and every Python package.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: run test bench lint typecheck unit check-gcloud chromium clean

run: $(STAMP) check-gcloud
	$(BIN)/python -m emulators.stack

test: $(STAMP) check-gcloud chromium lint typecheck
	$(BIN)/python -m pytest

# The benchmark (bench/README.md): prints the table, writes bench/results.json; under 5 minutes.
bench: $(STAMP) check-gcloud
	$(BIN)/python -m bench

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Says exactly which package is missing, and fails, when gcloud or an emulator is not installed.
check-gcloud: $(STAMP)
	@$(BIN)/python -m emulators.gcloud check

# Debian's Chromium for the browser tests (tests/browser drive it with Playwright's client, which
# never downloads a browser of its own). Installed once, as root, when /usr/bin/chromium is missing.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
