# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY := .venv/bin/python
export HBP_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: setup test lint typecheck pytest demo bench clean

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

clean:
	rm -rf .venv .mypy_cache .ruff_cache out
