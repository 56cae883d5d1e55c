# Two commands for a new user: `make crawl` (or `make demo`, offline) runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
CONFIG ?= config/sites.toml
DB     ?= data/articles.db

.PHONY: install test stress crawl demo explore bench bench-crawl bench-memory bench-scale lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# slow suites; tests/stress_harness.py prints the hostile-input table (one row per case)
stress: $(STAMP)
	$(BIN)/python -m pytest -q -m slow -p tests.stress_harness

crawl: $(STAMP)
	$(BIN)/scraper crawl --config $(CONFIG) --db $(DB)

demo: $(STAMP)
	$(BIN)/scraper demo --db data/demo.db

# browse and search the database in Datasette on 127.0.0.1 (metadata, canned queries and
# hidden internal tables from config/datasette.yml); `make explore DB=data/demo.db`
EXPLORE_PORT ?= 8001
explore: $(STAMP)
	test -f $(DB) || { echo "no database at $(DB): run make crawl or make demo first (DB=data/demo.db)"; exit 2; }
	$(BIN)/datasette serve $(DB) -m config/datasette.yml --plugins-dir config/datasette-plugins -h 127.0.0.1 -p $(EXPLORE_PORT)

bench: $(STAMP)
	$(BIN)/python -m scraper.bench

# the crawl and memory benches need the bench extra (Scrapy, psutil); see bench/
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench-crawl: $(BENCH_STAMP)
	$(BIN)/python -m bench.crawl_bench $(BENCH_ARGS)

bench-memory: $(BENCH_STAMP)
	$(BIN)/python -m bench.million $(BENCH_ARGS)

# backfill throughput (bench/scale.py): the local engine at 1 and 2 processes, a local Ray at 2
# workers (the dev extra installs Ray), peak RSS per worker, merge rate
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check scraper tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
