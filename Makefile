# Course tasks. Needs GNU make, python3 and python3-venv; everything else is
# installed into .venv from constraints.txt.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.stamp
WORK := my-notebooks
LESSON ?=
PORT ?= 8866
PYTEST := $(PY) -m pytest
# numpy's BLAS threads only slow down the course's small matrices, badly so on a
# busy machine: tests, saved lessons and benchmarks use one thread.
# The same goes for every course kernel, however it is started: the kernel spec
# carries the setting (KERNEL_ENV), and so do `make lab` and `make present`.
ONE_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
KERNEL_ENV := $(foreach v,$(ONE_THREAD),--env $(subst =, ,$(v)))
# configurable-http-proxy, JupyterHub's proxy, from npm into the environment
PROXY_VERSION := 5.3.0
PROXY := $(VENV)/node/node_modules/.bin/configurable-http-proxy
# make bench-classroom: learners, seconds of dragging, moves per second each;
# DRIVE=execute / PROTOCOL=legacy measure as the first classroom runs did
LEARNERS ?= 3
DURATION ?= 20
RATE ?= 5
# JupyterLab refuses to run as root (as in many containers) unless told to.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help venv frameworks proxy lab reset test test-hub notebooks bench \
	bench-classroom present lint constraints clean sync-notebooks

help:
	@echo "make lab                    open the lessons in JupyterLab (your copy)"
	@echo "make reset LESSON=NN        restore lesson NN in $(WORK)/ from notebooks/"
	@echo "make test                   unit tests, lessons under nbval, browser tests"
	@echo "make notebooks [LESSON=NN]  re-execute lessons and save their outputs"
	@echo "make present                show $(WORK)/ in Voila, code hidden, large type"
	@echo "make bench                  run the benchmarks"
	@echo "make bench-classroom [LEARNERS=N LESSON=NN DURATION=S]"
	@echo "                            a class dragging a slider on a local JupyterHub"
	@echo "make test-hub               the JupyterHub and nbgitpuller tests"
	@echo "make proxy                  install configurable-http-proxy (npm)"
	@echo "make frameworks             add PyTorch (CPU) and Keras to $(VENV)"
	@echo "make lint                   ruff check"
	@echo "make constraints            re-freeze constraints.txt from $(VENV)"
	@echo "make clean                  remove caches and build files"

# ---------------------------------------------------------------- environment

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@echo "==> Preparing $(VENV)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c constraints.txt -e ".[test,hub]"
	$(PY) -m ipykernel install --sys-prefix $(KERNEL_ENV)
	touch $@

frameworks: $(STAMP)
	@echo "==> Installing PyTorch (CPU build), Keras, JAX (CPU) and schedulefree"
	$(PY) -m pip install -c constraints.txt -e ".[frameworks]"
	$(PY) -c "import torch; assert torch.version.cuda is None, 'not a CPU build'; \
	print('torch', torch.__version__, 'CPU build')"

proxy: $(PROXY)

$(PROXY):
	@command -v npm >/dev/null || { echo "error: npm is needed (apt-get install npm)" >&2; exit 1; }
	npm install --no-audit --no-fund --prefix $(VENV)/node \
	  configurable-http-proxy@$(PROXY_VERSION)
	test -x $@

# ------------------------------------------------------------ learner's copy

# Copy every lesson file that is missing from $(WORK)/; never overwrite one.
sync-notebooks:
	@test -d notebooks || { echo "error: no notebooks/ folder" >&2; exit 1; }
	@mkdir -p $(WORK)
	@cd notebooks && find . -type f ! -path '*/.ipynb_checkpoints/*' \
	  ! -path '*/__pycache__/*' -print0 | sort -z | \
	while IFS= read -r -d '' f; do \
	  t="../$(WORK)/$${f#./}"; \
	  if [ ! -e "$$t" ]; then \
	    mkdir -p "$$(dirname "$$t")"; cp "$$f" "$$t"; \
	    echo "copied $${f#./} to $(WORK)/"; \
	  fi; \
	done

lab: $(STAMP) sync-notebooks
	@echo
	@echo "Starting JupyterLab in $(WORK)/ (your own copy of the lessons)."
	@echo "Open the URL printed below, with its token, in your browser."
	@echo "Press Ctrl+C twice to stop."
	@echo
	cd $(WORK) && exec env $(ONE_THREAD) "$(abspath $(BIN))/jupyter" lab $(ALLOW_ROOT)

reset:
	@case "$(LESSON)" in \
	  [0-9][0-9]) ;; \
	  *) echo "usage: make reset LESSON=NN (two digits, for example LESSON=03)" >&2; \
	     exit 2;; \
	esac
	@shopt -s nullglob; files=(notebooks/$(LESSON)_*.ipynb); \
	if [ $${#files[@]} -eq 0 ]; then \
	  echo "error: no lesson matches notebooks/$(LESSON)_*.ipynb" >&2; exit 2; \
	fi; \
	mkdir -p $(WORK); \
	for f in "$${files[@]}"; do \
	  t="$(WORK)/$$(basename "$$f")"; \
	  if [ -e "$$t" ]; then \
	    b="$(WORK)/.backup/$$(basename "$$f" .ipynb)-$$(date +%Y%m%d-%H%M%S).ipynb"; \
	    mkdir -p "$(WORK)/.backup"; cp "$$t" "$$b"; \
	    echo "kept your previous copy as $$b"; \
	  fi; \
	  cp "$$f" "$$t"; echo "restored $$t"; \
	done

# ---------------------------------------------------------------------- checks

# pytest exits with 5 when it collects nothing; that is not a failure here.
test: $(STAMP)
	@echo "==> Unit tests"
	$(ONE_THREAD) $(PYTEST) tests --ignore=tests/browser --ignore=tests/hub \
	  || [ $$? -eq 5 ]
	$(MAKE) --no-print-directory test-hub
	@echo "==> Lessons, executed and compared with nbval (strict)"
	@shopt -s nullglob; lessons=(notebooks/*.ipynb); \
	if [ $${#lessons[@]} -eq 0 ]; then echo "no lessons in notebooks/ yet"; else \
	  set -x; env -u MPLBACKEND PYTHONHASHSEED=0 $(ONE_THREAD) $(PYTEST) --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/sanitize.cfg notebooks/ || [ $$? -eq 5 ]; \
	fi
	@echo "==> Browser tests (headless Chromium)"
	@if [ -d tests/browser ]; then \
	  set -x; $(PYTEST) tests/browser || [ $$? -eq 5 ]; \
	else echo "no tests/browser/ yet"; fi

# A real JupyterHub on 127.0.0.1, the recipe in deploy/jupyterhub/, nbgitpuller.
test-hub: $(STAMP) $(PROXY)
	@echo "==> Hub tests (JupyterHub on loopback, nbgitpuller)"
	$(ONE_THREAD) $(PYTEST) tests/hub || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(ONE_THREAD) $(PY) benchmarks/run.py

bench-classroom: $(STAMP) $(PROXY)
	$(ONE_THREAD) $(PY) benchmarks/classroom.py --learners $(LEARNERS) \
	  --lesson $(or $(LESSON),01) --seconds $(DURATION) --rate $(RATE) \
	  $(if $(DRIVE),--drive $(DRIVE)) $(if $(PROTOCOL),--protocol $(PROTOCOL))

# ----------------------------------------------------------------- producing

notebooks: $(STAMP)
	$(ONE_THREAD) $(PY) tools/execute_notebooks.py $(if $(LESSON),--lesson $(LESSON))

present: $(STAMP) sync-notebooks
	@echo
	@echo "Presenting $(WORK)/ at http://127.0.0.1:$(PORT)/ (Ctrl+C stops)."
	@echo
	JUPYTER_PATH="$(CURDIR)/presentation$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	  exec env $(ONE_THREAD) $(BIN)/voila --no-browser --port=$(PORT) --Voila.ip=127.0.0.1 \
	  --template=lrcourse --theme=light $(WORK)/

constraints: $(STAMP)
	tools/freeze_constraints.sh $(PY) constraints.txt

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -path ./$(WORK) -prune -o \
	  -name __pycache__ -type d -print0 | xargs -0 rm -rf
	@echo "kept $(VENV)/ and $(WORK)/ (your own copies); remove them by hand"
