# Every target installs what it needs: a .venv with the exact versions in constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIR := tests/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

.PHONY: generate check validate test lint bench clean lock golden test-corpus fuzz bytecode

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# sdkgen's modules byte-compiled, as pip compiles a package it installs from a wheel: an editable
# install is not, and where PYTHONDONTWRITEBYTECODE is set (as on this project's machines) every
# run compiled sdkgen's modules anew, 0.07-0.1 s of a small spec's 1.5 s. Only stale ones are redone.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q generator

# Prism (the mock server the tests run), pinned by tests/node/package-lock.json.
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

generate: $(STAMP) bytecode
	$(BIN)/sdkgen generate

# CHECK_FLAGS=--full generates and compares even when the output folder's record names these inputs.
check: $(STAMP) bytecode
	$(BIN)/sdkgen check $(CHECK_FLAGS)

validate: $(STAMP) bytecode
	$(BIN)/sdkgen validate

test: $(STAMP) $(NODE_STAMP) bytecode
	$(BIN)/sdkgen check --full
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/black --check generator tests
	$(BIN)/black --check --line-length 88 templates/runtime/_runtime.py  # in the generated code's style: copied as is
	$(BIN)/ruff check generator tests templates/runtime
	$(BIN)/mypy generator templates/runtime

# BENCH_FLAGS="--full-runs 3" takes the full-spec rows as medians of three runs (about 20 minutes).
bench: $(STAMP) bytecode
	$(BIN)/python tests/bench/run_bench.py $(BENCH_FLAGS)

# Refresh constraints.txt from what the venv resolved (run after changing dependencies).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | LC_ALL=C sort > constraints.txt

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache

# Accept the current error output of every case in tests/broken_specs/ (review the diff after).
golden: $(STAMP)
	SDKGEN_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_broken_specs.py tests/test_openai_full.py -k "broken or golden"

# sdkgen against openapi-python-client on 40 public specs from APIs.guru (downloaded, never committed).
test-corpus: $(STAMP) bytecode
	$(BIN)/python tests/corpus/run_corpus.py --count 40

# 10,000 property-based examples, in two shards (one per core), each with its own seed.
fuzz: $(STAMP)
	SDKGEN_FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-seed=1 --hypothesis-show-statistics & \
	pid=$$!; \
	SDKGEN_FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-seed=2 --hypothesis-show-statistics; \
	status=$$?; wait $$pid || status=1; exit $$status
