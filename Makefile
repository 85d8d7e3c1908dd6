# MedSpa Desktop. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ifeq ($(OS),Windows_NT)
BIN    := $(VENV)/Scripts
endif
PY     := $(BIN)/python

.PHONY: run test lint dist demo screenshots bench bench-pg clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("MedSpa Desktop needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(PY) main.py

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo --no-cache
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

# ruff, and the import contracts in pyproject.toml: the layers import downwards only
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo --no-cache

# The PyInstaller bundle, then its smoke check: it answers --version, finds the user guide and
# the icons, writes a small demo
# clinic, draws a day sheet PDF (fonts and reportlab bundled) and checks the clinic. CI runs it.
dist: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dist]'
	$(PY) -m PyInstaller --noconfirm --clean build.spec
	dist/medspa-desktop/medspa-desktop --version
	dist/medspa-desktop/medspa-desktop resources
	rm -f build/dist-check.db* && mkdir -p build
	dist/medspa-desktop/medspa-desktop demo --db build/dist-check.db --patients 20 --today 2026-11-20
	dist/medspa-desktop/medspa-desktop day-sheet --db build/dist-check.db --user frontdesk \
		--date 2026-11-20 --out build/dist-check.pdf
	head -c 5 build/dist-check.pdf | grep -q '%PDF-'
	dist/medspa-desktop/medspa-desktop check --db build/dist-check.db

# The clinic-scale benchmark: ten years of a busy clinic (built once into build/bench, a few
# minutes; the scale-10 clinic takes longer), every action timed, growth against scale 10.
bench: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks --scale 1 --growth 10 --out build/bench/results.json

# The interactive actions on a PostgreSQL server the benchmark starts (needs initdb/pg_ctl),
# directly and with 1 ms added per round trip by a delaying proxy; and another PC's commit.
bench-pg: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks --postgres --scale 1 --out build/bench/results-pg.json

demo: $(VENV)/.installed
	$(PY) main.py demo --db demo.db

# The README's screenshots, from a fresh demo clinic anchored on a fixed date.
screenshots: $(VENV)/.installed
	rm -f build/readme-demo.db* && mkdir -p build docs
	$(PY) main.py demo --db build/readme-demo.db --today 2026-11-20
	$(PY) main.py screenshot --db build/readme-demo.db --user frontdesk --tab schedule \
		--date 2026-11-20 --out docs/main-window.png
	$(PY) docs/pictures.py build/readme-demo.db 2026-11-20 docs

clean:
	rm -rf build dist .pytest_cache .ruff_cache
