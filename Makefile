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
DEMO_COURSE := $(DEMO)/$(notdir $(COURSE))
PROJECTS ?= pandas-analysis classifier-evaluation question-classifier
KIT    := $(BIN)/kit
# the JupyterLab extension: built with the machine's node and npm from its committed lockfile
LABEXT     := extensions/jupyterlab-mentor-kit
LABEXT_OUT := kit/labextension/package.json
LABEXT_DEPS := $(LABEXT)/node_modules/.package-lock.json
LABEXT_SRC := $(wildcard $(LABEXT)/src/*.ts $(LABEXT)/style/*.css $(LABEXT)/style/*.js \
  $(LABEXT)/style/icons/*.svg $(LABEXT)/schema/*.json) $(LABEXT)/package.json $(LABEXT)/tsconfig.json
LABEXT_INSTALLED := $(VENV)/share/jupyter/labextensions/jupyterlab-mentor-kit/package.json
LAB_PORT ?= 8888
# the demo hub's proxy (configurable-http-proxy), from its committed lockfile in deploy/hub
HUB_NPM := deploy/hub
CHP     := $(HUB_NPM)/node_modules/.package-lock.json
HUB     ?= build/hub
HUB_PORT ?= 8000

# the CPU build of torch must come first: a bare or loose torch requirement pulls a CUDA build
TORCH_SPEC ?= torch==2.13.0

# commands the kit starts (jupyter, nbgrader's alembic) come from the project's environment
export PATH := $(abspath $(BIN)):$(PATH)
export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1

.PHONY: install system-packages labextension demo lab hub test lint format bench clean

install: $(STAMP) $(LABEXT_INSTALLED) $(CHP)

# built first, so that the editable install below finds it fresh and only copies it
$(STAMP): pyproject.toml | $(LABEXT_OUT)
	@$(MAKE) --no-print-directory system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

# bubblewrap jails learners' kernels while they are graded (Debian's package; as root it is
# installed here, otherwise the command to install it is printed and grading runs without a jail)
SYSTEM_PACKAGES ?= bubblewrap
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing (Debian packages)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; \
	elif ! command -v bwrap >/dev/null; then \
	  echo "note: bubblewrap is missing, so kit grade runs learners' code without a jail: sudo apt install$$missing"; \
	fi

labextension: $(LABEXT_OUT)

# configurable-http-proxy for the demo hub and the hub tests: npm ci only when the lockfile changed
$(CHP): $(HUB_NPM)/package-lock.json
	cd $(HUB_NPM) && npm ci --no-audit --no-fund --loglevel=error
	touch $(CHP)

# npm ci only when the lockfile changed; the build only when a source changed
$(LABEXT_DEPS): $(LABEXT)/package-lock.json
	cd $(LABEXT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(LABEXT_DEPS)

$(LABEXT_OUT): $(LABEXT_SRC) $(LABEXT_DEPS)
	cd $(LABEXT) && npm run --silent build:prod

# a rebuilt extension is copied into the environment again (share/jupyter/labextensions)
$(LABEXT_INSTALLED): $(LABEXT_OUT) $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(LABEXT_INSTALLED)

demo: install
	@rm -rf $(DEMO_COURSE) && mkdir -p $(DEMO) && cp -r $(COURSE) $(DEMO_COURSE) && rm -rf $(DEMO_COURSE)/_kit
	@echo "== 1. check the course (a copy in $(DEMO_COURSE); the demo never writes into $(COURSE))"
	$(KIT) check $(DEMO_COURSE) --strict
	$(KIT) info $(DEMO_COURSE)
	@echo "== 2. the skill graph"
	$(KIT) graph $(DEMO_COURSE) -o $(DEMO)/skills.svg
	$(KIT) graph $(DEMO_COURSE) -o $(DEMO)/skills-data-analyst.png --track data-analyst
	@echo "== 3. the published book: lessons executed (cached in $(DEMO)/book), projects without solutions"
	$(KIT) book build $(DEMO_COURSE) -o $(DEMO)/book
	@echo "== 4. a cohort: 40 simulated learners' self-check answers in the course's attempt log"
	$(KIT) progress simulate $(DEMO_COURSE) --count 40
	@echo "== 5. projects: release; the sample learners ada, ben, cleo and dev submit; collect; grade (sandboxed, in parallel; graded cells join the attempt log)"
	@for project in $(PROJECTS); do \
	  $(KIT) release $(DEMO_COURSE) $$project --force && \
	  $(KIT) submit $(DEMO_COURSE) $$project $(DEMO_COURSE)/sample-submissions && \
	  $(KIT) collect $(DEMO_COURSE) $$project && \
	  $(KIT) grade $(DEMO_COURSE) $$project || exit 1; \
	done
	$(KIT) feedback $(DEMO_COURSE) $(firstword $(PROJECTS))
	$(KIT) export $(DEMO_COURSE) -o $(DEMO)/grades
	@echo "== 6. progress: the learner models compared on held-out learners, the best shipped with the course; the cohort report"
	$(KIT) progress fit $(DEMO_COURSE) --model auto
	$(KIT) progress report $(DEMO_COURSE) -o $(DEMO)/progress.html
	@echo "== 7. the learning path of a sample learner (confident in Python basics, 4 hours a week)"
	$(KIT) path $(DEMO_COURSE) --track ml-engineer --rate python-basics=3 --hours 4 -o $(DEMO)/path-ml-engineer.png
	@echo "== 8. the question router: trained on the course's questions and lessons, then asked"
	$(KIT) router train $(DEMO_COURSE)
	$(KIT) ask $(DEMO_COURSE) "my dataframe groupby gives NaN for some groups, why?"
	$(KIT) ask $(DEMO_COURSE) "loss.backward() says the tensor does not require grad"
	$(KIT) ask $(DEMO_COURSE) "what's the wifi password in the building?"
	@echo ""
	@echo "Done. Look at: $(DEMO)/book/_build/html/index.html (the book),"
	@echo "               $(DEMO)/skills.svg and $(DEMO)/skills-data-analyst.png (the skill graph),"
	@echo "               $(DEMO)/grades/ (scores per learner x project and x skill; the gradebook is"
	@echo "               $(DEMO_COURSE)/_kit/nbgrader/gradebook.db, feedback under .../feedback),"
	@echo "               $(DEMO)/progress.html (the cohort report: mastery, learners at risk),"
	@echo "               $(DEMO)/path-ml-engineer.png (a learner's path: done, next, later);"
	@echo "               open $(COURSE)/start.ipynb in JupyterLab for the path selector."
	@echo ""
	@echo "JupyterLab on the demo course, with the Mentor Kit panel in the left side bar:"
	@echo "    make lab               # you are the course's instructor: inbox, cohort, grading"
	@echo "    make lab AS=learner    # you are a learner: your path, mastery, questions"
	@echo "It prints the address to open (http://127.0.0.1:$(LAB_PORT)/lab?token=...)."

# JupyterLab on 127.0.0.1 on the demo course (make demo prepares it), with a fresh token;
# the course is named, since the book's generated project beside it holds a copy of course.yml
lab: install
	@test -d $(DEMO_COURSE) || { echo "error: no demo course at $(DEMO_COURSE)"; \
	  echo "    fix: run make demo first (it grades the projects, simulates a cohort and trains the router)"; exit 1; }
	@token=$$($(BIN)/python -c "import secrets; print(secrets.token_hex(24))"); \
	echo "Mentor Kit: JupyterLab on $(DEMO_COURSE); open"; \
	echo "    http://127.0.0.1:$(LAB_PORT)/lab?token=$$token"; \
	echo "and click the Mentor Kit icon in the left side bar (Ctrl-C stops the server)."; \
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  --ServerApp.port_retries=0 --ServerApp.root_dir=$(DEMO) --IdentityProvider.token=$$token \
	  --KitServer.course_dirs=$(notdir $(COURSE)) \
	  $(if $(filter learner,$(AS)),--KitServer.instructors=instructor) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# a JupyterHub on 127.0.0.1 with the sample course (a copy in $(HUB), made once): ada instructs,
# grace and lin mentor, learner1..4 learn; the projects released; the password is printed
HUB_COURSE := $(HUB)/$(notdir $(COURSE))
hub: install
	@test -d $(HUB_COURSE) || { mkdir -p $(HUB) && cp -r $(COURSE) $(HUB_COURSE) && rm -rf $(HUB_COURSE)/_kit && \
	  echo "== the course, copied to $(HUB_COURSE); its router trained (TF-IDF)" && \
	  $(KIT) router train $(HUB_COURSE) --model tfidf --no-urgency >/dev/null; }
	@echo "== the projects released to the hub's exchange, as the instructor"
	@for project in $(PROJECTS); do $(KIT) release $(HUB_COURSE) $$project --force || exit 1; done
	$(KIT) hub $(HUB_COURSE) --folder $(HUB) --port $(HUB_PORT) --mentor grace --mentor lin

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check kit tests bench conftest.py
	$(BIN)/ruff format --check kit tests bench conftest.py
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix kit tests bench conftest.py
	$(BIN)/ruff format kit tests bench conftest.py

bench: install
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/paths.py
	$(BIN)/python bench/book.py --track data-analyst
	$(BIN)/python bench/server.py
	$(BIN)/python bench/panel.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
	rm -rf kit/labextension $(LABEXT)/lib $(LABEXT)/tsconfig.tsbuildinfo
