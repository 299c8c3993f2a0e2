# Two commands for a fresh clone: `make run` (demo on the bundled sample) and `make test`.
# Both install what they need (uv, then the locked environment) first.
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
export HANSARD_CORPUS ?= $(abspath ../shared/corpus)

.PHONY: run test lint bench-smoke setup clean

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked --quiet --compile-bytecode
	$(UV) run python -m compileall -q flows transforms

run: setup
	$(UV) run hansard demo

test: setup
	$(UV) run ruff check .
	$(UV) run lint-imports
	$(UV) run ruff format --check flows transforms tests bench
	$(UV) run pytest

bench-smoke: setup
	$(UV) run python bench/bench_text.py --mb 1

clean:
	rm -rf warehouse/tables warehouse/raw warehouse/runs warehouse/state warehouse/_staging warehouse/hansard.duckdb*
