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

# commands the kit starts (jupyter, nbgrader's alembic) come from the project's environment
export PATH := $(abspath $(BIN)):$(PATH)
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
	@echo "== 4. the learning path of a sample learner (confident in Python basics, 4 hours a week)"
	$(BIN)/kit path $(COURSE) --track ml-engineer --rate python-basics=3 --hours 4 -o $(DEMO)/path-ml-engineer.png
	@echo "== 5. progress: a simulated cohort of 40 learners, BKT fitted on it, the cohort report"
	rm -f $(DEMO)/attempts.sqlite
	$(BIN)/kit progress simulate $(COURSE) --learners 40 --attempts sqlite:///$(abspath $(DEMO))/attempts.sqlite
	$(BIN)/kit progress fit $(COURSE) --attempts sqlite:///$(abspath $(DEMO))/attempts.sqlite -o $(DEMO)/bkt.json
	$(BIN)/kit progress report $(COURSE) --attempts sqlite:///$(abspath $(DEMO))/attempts.sqlite --params $(DEMO)/bkt.json -o $(DEMO)/progress.html
	@echo ""
	@echo "Done. Look at: $(DEMO)/skills.svg (the whole skill graph),"
	@echo "               $(DEMO)/skills-data-analyst.png (one track highlighted),"
	@echo "               $(DEMO)/path-ml-engineer.png (a learner's path: done, next, later),"
	@echo "               $(DEMO)/progress.html (the cohort report: mastery, learners at risk);"
	@echo "               open $(COURSE)/start.ipynb in JupyterLab for the path selector."

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check kit tests bench conftest.py
	$(BIN)/ruff format --check kit tests bench conftest.py
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix kit tests bench conftest.py
	$(BIN)/ruff format kit tests bench conftest.py

bench: install
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/paths.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
