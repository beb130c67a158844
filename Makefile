# Bac à sable IA — the two commands: `make run` and `make test`.
# Every target installs what it needs first; a second run reinstalls nothing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
PORT   ?= 8501
# 127.0.0.1: only this computer. HOST=0.0.0.0 opens the app to the room's network (facilitator pages then ask for a code).
HOST   ?= 127.0.0.1

RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed

SYSTEM_RUNTIME := tesseract-ocr tesseract-ocr-fra tesseract-ocr-osd tesseract-ocr-script-latn fonts-dejavu-core fonts-liberation
SYSTEM_TEST    := chromium

.PHONY: run test test-fast bench sample-data screenshots install install-test system-runtime system-test clean help

help:
	@echo "make run    — installe ce qui manque et lance l'application (http://localhost:$(PORT))"
	@echo "make test   — installe aussi les outils de test et Chromium, puis lance toute la suite"
	@echo "make bench  — mesures de performance (bench/)"
	@echo "make sample-data — régénère les données d'exemple (graine fixe)"

$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "Impossible de créer l'environnement virtuel : sudo apt-get install -y python3-venv" >&2; exit 1; fi; }

$(RUNTIME_STAMP): requirements.txt pyproject.toml | $(PY)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	@touch $@

$(TEST_STAMP): requirements-test.txt $(RUNTIME_STAMP)
	$(PIP) install -r requirements-test.txt
	@touch $@

install: $(RUNTIME_STAMP) system-runtime
install-test: install $(TEST_STAMP) system-test

system-runtime:
	@sh tools/ensure-system-packages.sh $(SYSTEM_RUNTIME)

system-test:
	@sh tools/ensure-system-packages.sh $(SYSTEM_TEST)

run: install
	@if [ "$(HOST)" != "127.0.0.1" ] && [ "$(HOST)" != "localhost" ]; then \
	  ROOM=$$(hostname -I 2>/dev/null | cut -d' ' -f1); ROOM=$${ROOM:-$$(hostname)}; \
	  BAC_A_SABLE_CODE=$${BAC_A_SABLE_CODE:-$$($(PY) -c "import secrets; print(secrets.token_hex(4).upper())")}; \
	  export BAC_A_SABLE_CODE; \
	  echo "Ouvert à la salle : http://$$ROOM:$(PORT) — code animateur (page « Retours de l'atelier ») : $$BAC_A_SABLE_CODE"; \
	  exec $(PY) -m streamlit run sandbox/app.py --server.port $(PORT) --server.address $(HOST) --browser.serverAddress $$ROOM; \
	fi; \
	exec $(PY) -m streamlit run sandbox/app.py --server.port $(PORT) --server.address $(HOST)

test: install-test
	$(PY) -m pytest

# Unit and app tests only (no browser), for a quick loop while developing.
test-fast: install-test
	$(PY) -m pytest -m "not e2e"

bench: install-test
	$(PY) -m bench $(BENCH)

sample-data: install
	$(PY) -m sandbox.data.generate

screenshots: install-test
	$(PY) -m pytest tests/e2e -m screenshots -n 0

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
