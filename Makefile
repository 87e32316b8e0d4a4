# ferrojit: `make demo`, `make test`, `make bench` on a fresh Debian bookworm machine.
# `make setup` (a dependency of all three) installs what is missing and is quick when done.

SHELL := /bin/bash
export LLVM_SYS_191_PREFIX := /usr/lib/llvm-19

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# Pinned to the versions the project was developed and measured with
# (IPython: the notebook test of tests/python/test_source.py; SciPy: the LAPACK
# np.linalg's factorizations call, see ARCHITECTURE.md).
PY_DEPS := numpy==2.4.6 pytest==9.2.0 maturin==1.16.0 ipython==9.18.1 scipy==1.17.1
NUMBA := numba==0.68.1

# Root privileges for apt-get: none needed as root, sudo otherwise.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Everything the extension is built from: rebuilding only when one is newer
# than the stamp keeps `make test` quick after the first run.
BUILD_INPUTS := $(shell find library frontend typeinfer lower codegen pymod python \
	-type f \( -name '*.rs' -o -name '*.cpp' -o -name '*.py' -o -name '*.pyi' -o -name 'Cargo.toml' \) \
	-not -path '*/__pycache__/*' 2>/dev/null) Cargo.toml Cargo.lock pyproject.toml
BUILD_STAMP := $(VENV)/.ferrojit-built
# Named after the pins, so that changing them installs the new set.
DEPS_STAMP := $(VENV)/.ferrojit-deps-$(shell echo '$(PY_DEPS)' | md5sum | cut -c1-8)

.PHONY: setup llvm demo test bench bench-compile fuzz

setup: $(BUILD_STAMP)

llvm:
	@if ! command -v llvm-config-19 >/dev/null 2>&1 || ! command -v c++ >/dev/null 2>&1; then \
		echo "installing LLVM 19 and a C++ compiler (Debian packages)"; \
		$(SUDO) apt-get update && \
		$(SUDO) apt-get install -y llvm-19-dev libpolly-19-dev libzstd-dev zlib1g-dev g++; \
	fi

# Debian's python3 needs the python3-venv package for `-m venv` to work.
$(DEPS_STAMP):
	test -x $(VPY) || $(PYTHON) -m venv $(VENV) || { \
		$(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv --clear $(VENV); }
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet $(PY_DEPS)
	touch $@

$(BUILD_STAMP): $(DEPS_STAMP) $(BUILD_INPUTS) | llvm
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/maturin develop --release --quiet
	touch $@

demo: setup
	$(VPY) examples/demo.py

test: setup
	cargo test --workspace --exclude pymod
	cargo test -p pymod --lib
	$(VPY) -m pytest tests/python -q

bench: setup
	$(VPY) -c "import numba" 2>/dev/null || $(VPY) -m pip install --quiet $(NUMBA)
	$(VPY) bench/run.py
	$(VPY) bench/corpus.py
	$(VPY) bench/memory.py

# Compile time against function size (issue 9): generated functions of six
# shapes, N = 1000..10000 lines, the time of each stage (bench/compile_scaling.py).
bench-compile: setup
	$(VPY) bench/compile_scaling.py

# Differential fuzzing against CPython (docs/fuzzing.md): `make fuzz N=100000 SEED=1 JOBS=2`.
N ?= 1000
SEED ?= 0
JOBS ?= $(shell nproc)
fuzz: setup
	$(VPY) -m tests.fuzz.run -n $(N) --seed $(SEED) --jobs $(JOBS) --out fuzz-findings
