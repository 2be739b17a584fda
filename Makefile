# Two entry points (see README): `make run` runs the demo, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test venv lint typecheck pytest conformance apt-update slurm-install gridengine-install mpi-install chromium-install bench clean

$(VPY):
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

$(STAMP): $(VPY) pyproject.toml
	$(VPY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): $(VPY) pyproject.toml
	$(VPY) -m pip install -q -e '.[test]'
	touch $@

venv: $(STAMP)

run: $(STAMP)
	$(VPY) examples/demo.py

slurm-install:
	@if [ -f tests/slurm/cluster.sh ]; then bash tests/slurm/cluster.sh install || echo "slurm-install: Slurm not installed; Slurm tests will skip with a reason"; else echo "slurm-install: no Slurm test cluster in this tree yet (issue 5)"; fi

# a real Grid Engine (qmaster + execd on this machine) for tests/gridengine, from Debian
gridengine-install:
	@bash tests/gridengine/cluster.sh install || echo "gridengine-install: Grid Engine not installed; Grid Engine tests will skip with a reason"

# apt-get update once, as root, when the package lists are missing or older than a day
apt-update:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "$$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then apt-get update -qq || echo "apt-update: apt-get update failed"; fi

MPI_PACKAGES := openmpi-bin libopenmpi-dev mpich libmpich-dev
mpi-install: apt-update
	@missing=""; for p in $(MPI_PACKAGES); do dpkg-query -W -f '$${Status}' $$p 2>/dev/null | grep -q ' installed$$' || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || echo "mpi-install: apt-get failed; MPI tests will skip with a reason"; else echo "mpi-install: not root; MPI tests will skip with a reason"; fi

# the dashboard's browser tests (tests/monitoring/test_dashboard_chromium.py) need Debian's chromium
chromium-install: apt-update
	@if command -v chromium >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null || echo "chromium-install: apt-get failed; dashboard browser tests will skip with a reason"; else echo "chromium-install: not root; dashboard browser tests will skip with a reason"; fi

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy

# Parsl 2026.10.26 with its visualization extras from PyPI, for the monitoring tests (built once)
parsl-visualize-venv: $(TEST_STAMP)
	$(VPY) tests/monitoring/parsl_venv.py || echo "parsl-visualize-venv: not built; tests/monitoring says why"

pytest: $(TEST_STAMP) parsl-visualize-venv
	$(VENV)/bin/pytest -q

# Parsl 2026.10.26's own test suite against conveyor (tests/conformance/README.md); fails
# when fewer tests pass than tests/conformance/floor.txt records
conformance: $(TEST_STAMP)
	$(VPY) tests/conformance/run.py

# conformance runs before pytest, so that pytest's summary is the last line of the run
test: $(TEST_STAMP) slurm-install gridengine-install mpi-install chromium-install lint typecheck conformance pytest

bench: $(STAMP)
	$(VPY) bench/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
