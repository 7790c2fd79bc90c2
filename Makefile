# The two commands: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: test demo console-demo lint types unit venv clean system-tools bench-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check scanner tests bench docs
	$(BIN)/ruff format --check scanner tests bench docs

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system-tools
	$(BIN)/pytest -q

# Debian tools some tests use, installed only when missing and apt-get is usable (root; one
# `apt-get update` for all); otherwise those tests skip and say why:
#   chromium, poppler-utils, fonts-wqy-zenhei: HTML renders with no request, PDF pages, CJK glyphs
#   tcpdump, nmap: a capture of the lab for listen --pcap, an nmap -sV XML to import (lab only);
#     tcpdump brings libpcap0.8, whose filter compiler listen's fast path uses
#   systemd: systemd-analyze verifies the units `biosweep schedule install` writes
#   postgresql: the console's fleet backend, started per test session (tests/console)
#   chromium also drives the console's browser tests (Playwright, never `playwright install`)
SYSTEM_DEBS := chromium poppler-utils fonts-wqy-zenhei tcpdump nmap systemd postgresql
system-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v tcpdump >/dev/null || missing="$$missing tcpdump"; \
	command -v nmap >/dev/null || missing="$$missing nmap"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing for the tests that use them"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends $$missing >/dev/null) \
	    || echo "could not install$$missing: the tests that need them will skip"; \
	else echo "no root/apt-get for$$missing: the tests that need them will skip"; fi

test: lint types unit

# What bench/passive_rate.py compares biosweep with and replays the lab's traffic through
bench-tools:
	@command -v tshark >/dev/null && command -v tcpreplay >/dev/null || \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends tshark tcpreplay tcpdump >/dev/null)

demo: $(STAMP)
	$(BIN)/biosweep demo

# The office lab swept twice, pushed into a new local console, served on 127.0.0.1:8765.
console-demo: $(STAMP)
	$(BIN)/biosweep serve --demo

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache
