# Mentor Kit: two commands on a fresh machine.
#   make demo   runs the kit on the sample course
#   make test   runs the test suite
# Both install into .venv first (once; later runs skip the install when nothing changed).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COURSE ?= courses/python-ml
DEMO   ?= build/demo

# the CPU build of torch must come first: a bare or loose torch requirement pulls a CUDA build
TORCH_SPEC ?= torch==2.13.0

export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1

.PHONY: install demo test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

demo: install
	@mkdir -p $(DEMO)
	@echo "== 1. check the course"
	$(BIN)/kit check $(COURSE)
	@echo "== 2. what it holds"
	$(BIN)/kit info $(COURSE)
	@echo "== 3. the skill graph"
	$(BIN)/kit graph $(COURSE) -o $(DEMO)/skills.svg
	$(BIN)/kit graph $(COURSE) -o $(DEMO)/skills-data-analyst.png --track data-analyst
	@echo ""
	@echo "Done. Look at: $(DEMO)/skills.svg (the whole skill graph) and"
	@echo "               $(DEMO)/skills-data-analyst.png (one track highlighted)."

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check kit tests bench
	$(BIN)/ruff format --check kit tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix kit tests bench
	$(BIN)/ruff format kit tests bench

bench: install
	$(BIN)/python bench/cli_startup.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
