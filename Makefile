# govnet: set up, demo, test, benchmark. Every target is idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := frr frr-snmp frr-pythontools snmpd snmp openssh-server nftables prometheus prometheus-snmp-exporter \
  keepalived git graphviz fonts-wqy-microhei iproute2 procps chromium chromium-driver
STAMP := $(VENV)/.installed

.PHONY: setup system-packages demo demo-down test lint typecheck unit integration faults bench mutation clean

setup: $(STAMP) system-packages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-packages:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	  for svc in frr snmpd prometheus prometheus-snmp-exporter keepalived; do systemctl disable --now $$svc >/dev/null 2>&1 || true; done; \
	else \
	  echo "not root: skipping system packages ($(SYSTEM_PACKAGES)); the lab twin needs them"; \
	fi

# The main job on the embedded default: validate the district, draw it, render and check every
# config against the platform spec; then boot the lab twin blank, provision it with the district
# playbook over real SSH, show it converged with no drift, and serve its metrics (exporter left
# running in the background; `make demo-down` stops it and removes the twin).
METRICS_LISTEN ?= 127.0.0.1:9469
demo: setup
	$(BIN)/govnet inventory validate
	$(BIN)/govnet inventory graph --out build/topology.svg
	$(BIN)/govnet render --out build/intended
	$(BIN)/govnet check --configs build/intended
	@if [ "$$(id -u)" != 0 ]; then echo "the lab twin needs root (network namespaces): run 'sudo make demo'"; exit 0; fi; \
	set -e; \
	$(MAKE) --no-print-directory demo-down >/dev/null 2>&1 || true; \
	$(BIN)/govnet lab up; \
	$(BIN)/govnet play playbooks/provision-district.yaml --lab --commit; \
	$(BIN)/govnet lab status --wait 120; \
	$(BIN)/govnet diff --lab; \
	$(BIN)/govnet monitor --lab --once; \
	nohup $(BIN)/govnet monitor --lab --listen $(METRICS_LISTEN) --interval 15 > build/monitor.log 2>&1 & echo $$! > build/monitor.pid; \
	echo "metrics: http://$(METRICS_LISTEN)/metrics (Prometheus: govnet/data/monitor/, log build/monitor.log)"; \
	echo "NOC page: http://$(METRICS_LISTEN)/ (the live district map; 'govnet status' for scripts)"; \
	echo "the twin is up: ssh -p <port> \$$GOVNET_SSH_USER@127.0.0.1 (credentials in /var/tmp/govnet-lab/secrets.env); 'make demo-down' stops the exporter and removes it"

demo-down:
	@if [ -f build/monitor.pid ]; then kill "$$(cat build/monitor.pid)" 2>/dev/null || true; rm -f build/monitor.pid; fi
	-$(BIN)/govnet lab down

lint: setup
	$(BIN)/ruff check govnet tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: setup lint faults
	$(BIN)/pytest -q -ra $(addprefix --ignore=,$(FAULT_TESTS) $(FAULT_TWIN_TESTS))

# The fault suite: deploy faults on the emulated devices (and on the lab twin as root),
# host keys, secrets, bad input; it writes docs/reliability.md (each fault, tries, outcome, devices
# half changed or lost). The first run also turns every implicit text encoding into an error.
FAULT_TESTS := tests/deploy/test_faults_deploy.py tests/deploy/test_faults_kill.py tests/deploy/test_faults_lock.py \
  tests/deploy/test_hostkeys.py tests/test_properties.py tests/test_properties_encoding.py tests/test_no_secrets.py \
  tests/monitor/test_faults.py tests/deploy/test_backup_faults.py
FAULT_STRICT := $(filter-out tests/test_no_secrets.py,$(FAULT_TESTS))
FAULT_TWIN_TESTS := tests/integration/test_faults_twin.py tests/integration/test_monitor_faults.py
ENCODING_STRICT := -W error::EncodingWarning -W ignore::EncodingWarning:napalm.junos.utils.junos_views \
  -W ignore::EncodingWarning:paramiko.pkey -W ignore::EncodingWarning:paramiko.ed25519key
faults: setup
	@mkdir -p build; rm -f build/faults.jsonl build/faults-*.xml
	-GOVNET_FAULT_RECORD=build/faults.jsonl PYTHONWARNDEFAULTENCODING=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
	  $(ENCODING_STRICT) --junitxml build/faults-strict.xml $(FAULT_STRICT)
	-GOVNET_FAULT_RECORD=build/faults.jsonl $(if $(filter 0,$(shell id -u)),flock /tmp/govnet-twin.lock) \
	  $(BIN)/pytest -q -p no:cacheprovider --junitxml build/faults-more.xml \
	  tests/test_no_secrets.py $(if $(filter 0,$(shell id -u)),$(wildcard $(FAULT_TWIN_TESTS)))
	$(BIN)/python tests/fault_record.py --record build/faults.jsonl --out docs/reliability.md \
	  --junit build/faults-strict.xml --junit build/faults-more.xml

unit: setup
	$(BIN)/pytest -q -m "not integration"

integration: setup
	$(BIN)/pytest -q -m integration

# Mutation testing of the modules that decide correctness (slow: run on demand, not in CI).
mutation: setup
	$(BIN)/mutmut run --max-children 2; $(BIN)/mutmut results

# `make bench ONLY=render,cli` refreshes those sections of benchmarks/RESULTS.md and keeps the rest.
bench: setup
	$(BIN)/python benchmarks/run.py $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
