# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY := .venv/bin/python
export HBP_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: setup test lint typecheck pytest demo bench clean run

setup:
	@bash tools/setup.sh

lint: setup
	$(PY) -m ruff check .

typecheck: setup
	$(PY) -m mypy

pytest: setup
	$(PY) -m pytest -q

test: setup lint typecheck pytest

demo: setup
	@bash tools/demo.sh

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Hummingbot's own client with the plugin, outside Docker (docs/running-without-docker.md):
#   make run SCRIPT=conf/scripts/market_making_pmm.yml [FEED=recorded] [SPEED=5] [HEADLESS=1]
#   make run SCRIPT=conf/scripts/ai_livestream_1h.yml FEED=candles START=2023-03-09T20:00Z SPEED=3600
FEED ?= live
SPEED ?= 1
run: setup
	$(PY) -m hummingbot_plugin client $(SCRIPT) --feed $(FEED) --speed $(SPEED) $(if $(START),--start $(START),) $(if $(HEADLESS),--headless,)

clean:
	rm -rf .venv .mypy_cache .ruff_cache out
