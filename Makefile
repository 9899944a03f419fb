# The one entry point: CI (.ci/run) calls these same targets.
# The interpreter .venv is made from (`make PYTHON=…` picks another): python3 from PATH, unless it
# is a plain source build (no --enable-optimizations: pyenv's default) and the system's CPython 3.11
# can make a venv. Debian and Ubuntu build theirs with PGO and LTO, as the deploy image's
# python:3.11 is built, and the service spends less CPU per request on such a build
# (bench/results/2026-12-05-interpreter.md); 3.11 because the image runs it.
OPTIMIZED_BUILD := import sys, sysconfig; sys.exit("--enable-optimizations" not in (sysconfig.get_config_var("CONFIG_ARGS") or ""))
PYTHON ?= $(shell if ! python3 -c '$(OPTIMIZED_BUILD)' 2>/dev/null \
	&& /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null; then echo /usr/bin/python3.11; else echo python3; fi)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INSTALL_LOG := $(VENV)/install.log
# checkov's own venv, inside $(VENV) so every tool already leaves it alone (see the checkov target)
CHECKOV_VENV := $(VENV)/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

.PHONY: run up run-gateway sim test test-unit test-web test-deploy test-pgbouncer k8s-generated k8s-gateway-config soak fuzz flaky lint fmt bench bench-gateway wrk nginx pgbouncer promtool checkov install clean web web-types chromium chromium-browser

# pip's own output goes to $(INSTALL_LOG): a first install prints a line before and a summary
# after, and the end of the log only when it fails.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 is required"; exit 1; }
	@if [ -x $(BIN)/pip ]; then echo "pyproject.toml changed: updating $(VENV)…"; \
	else echo "installing Skyfare and its dependencies into $(VENV) with $(PYTHON) (a minute or two, once)…"; fi
	@start=$$(date +%s); mkdir -p $(VENV); \
	{ $(PYTHON) -m venv $(VENV) \
	  && $(BIN)/pip install --upgrade pip \
	  && $(BIN)/pip install -e '.[dev]'; } > $(INSTALL_LOG) 2>&1 \
	|| { status=$$?; echo "install failed; the end of $(INSTALL_LOG):"; tail -n 40 $(INSTALL_LOG); exit $$status; }; \
	echo "installed $$($(BIN)/pip list --format=freeze 2>/dev/null | wc -l) packages in $$(( $$(date +%s) - start )) s (pip's log: $(INSTALL_LOG))"
	@touch $(STAMP)

install: $(STAMP)

# The web app (web/): `npm ci` from the committed lock file, then Vite's build in web/dist, which
# the API serves at /. Node >= 20.19 from PATH, else from a PyPI wheel in .venv (web/npm.sh).
NPM := web/npm.sh
WEB_MODULES := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/package.json

$(WEB_MODULES): web/package-lock.json $(STAMP)
	$(NPM) ci --no-audit --no-fund
	@touch $@

$(WEB_BUILD): $(WEB_MODULES) $(WEB_SOURCES)
	$(NPM) run build
	@touch $@

## web: build the web app into web/dist
web: $(WEB_BUILD)

## web-types: regenerate web/openapi.json (the served document) and the TypeScript types from it
##            (after adding or changing a route; tests/unit/test_web_types.py fails until then);
##            with the .venv there is (make install makes it; BIN=<a venv's bin> picks another)
# Not the install step: a .venv that imports Skyfare's dependencies is used as it is, its stamp
# older than pyproject.toml or missing (a fresh clone, a pull, a venv made by hand), where a
# reinstall took minutes and the network. `python -m` imports this checkout's Skyfare (the
# current folder comes first). web/node_modules comes from the lock file when it lacks
# openapi-typescript.
WEB_TYPES_NO_PYTHON := make web-types: $(BIN)/python cannot import Skyfare and its dependencies: \
	run make install (or make web-types BIN=<the bin folder of a venv that has them>)
web-types:
	@$(BIN)/python -c 'import skyfare.app' 2>/dev/null || { echo "$(WEB_TYPES_NO_PYTHON)"; exit 1; }
	@test -x web/node_modules/.bin/openapi-typescript || { \
		echo "make web-types: web/node_modules lacks openapi-typescript: npm ci (web/package-lock.json)…"; \
		$(NPM) ci --no-audit --no-fund && touch $(WEB_MODULES); }
	$(BIN)/python -m skyfare.webtypes snapshot web/openapi.json
	$(NPM) run types
	$(BIN)/python -m skyfare.webtypes stamp web/openapi.json web/src/lib/api/schema.d.ts

# Debian's Chromium headless shell for the browser tests (tests/browser/conftest.py says why not
# the full browser); installing it needs root (as on CI).
chromium:
	@command -v chromium-headless-shell >/dev/null \
		|| { apt-get update -qq && apt-get install -y -qq chromium-headless-shell >/dev/null; } \
		|| { echo "tests/browser need apt-get install chromium-headless-shell"; exit 1; }

# The full browser, for bench/web_paint.py and bench/web_trace.py (a traveler's Chromium).
chromium-browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| { echo "bench/web_paint.py needs apt-get install chromium"; exit 1; }

## run: the whole service with embedded PostgreSQL/Redis and the simulated airlines, and the web
##      app (built first when web/dist is missing or older than its sources)
run: $(STAMP) $(WEB_BUILD)
	$(BIN)/skyfare up

up: run

## run-gateway: the deployment of deploy/ on this machine: nginx (HTTPS on :8443, a dev certificate
##              made at start) in front of two search processes and one booking process, the relay,
##              the notification worker, the sim
run-gateway: $(STAMP) nginx
	$(BIN)/skyfare up --gateway

## sim: only the simulated outside world
sim: $(STAMP)
	$(BIN)/skyfare sim

## test: hadolint on deploy/Dockerfile, the web app's Vitest tests, then the whole suite (unit,
##       integration, e2e and browser); the gateway tests need nginx (installed here when missing
##       and possible; skipped, saying so, where it cannot be installed), deploy/'s checks need
##       checkov (its own venv, made here once) and promtool (installed here like nginx); the
##       suite runs in TEST_WORKERS processes (pytest-xdist; 1 runs it in one, in file order)
# Two: a test mostly waits on PostgreSQL, Redis, a sim or Chromium, and one process left a core
# idle. Each worker has servers of its own (tests/support/workers.py).
TEST_WORKERS ?= 2
test: $(STAMP) test-web chromium $(CHECKOV)
	@$(MAKE) --no-print-directory nginx || echo "nginx could not be installed: the gateway tests will be skipped"
	@$(MAKE) --no-print-directory promtool || echo "promtool could not be installed: the alert rule tests will be skipped"
	@$(MAKE) --no-print-directory pgbouncer || echo "pgbouncer could not be installed: its tests will be skipped"
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/pytest -q $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS))
	@$(MAKE) --no-print-directory test-pgbouncer

## test-pgbouncer: booking's and payment's PostgreSQL work (orders, idempotency keys, per-traveler
##                 locks and limits, settlement) and the e2e pay flow once more, through PgBouncer
##                 in transaction pooling mode (tests/support/pgbouncer.py); the whole booking and
##                 payment suites: make test-pgbouncer PGBOUNCER_TESTS="tests/integration/booking
##                 tests/integration/payment tests/e2e/payment/test_pay_order.py"
PGBOUNCER_TESTS ?= tests/integration/booking/test_order_service.py \
	tests/integration/booking/test_order_repository.py \
	tests/integration/booking/test_idempotency_store.py \
	tests/integration/booking/test_order_limits.py \
	tests/integration/payment/test_settlement.py \
	tests/integration/payment/test_ended_orders_keep_no_money.py \
	tests/e2e/payment/test_pay_order.py
test-pgbouncer: $(STAMP)
	SKYFARE_TEST_DB_POOLER=pgbouncer $(BIN)/pytest -q $(PGBOUNCER_TESTS)

## test-web: the web app's own tests (Vitest) and type check, and its build for tests/browser
test-web: $(WEB_BUILD)
	$(NPM) test

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

## test-deploy: only deploy/'s checks (make test runs them too): the Kubernetes overlays rendered,
##              validated against the Kubernetes schemas and passed through checkov; the compose
##              file; the alert rules through promtool; the dashboard's metric names; the
##              gateway's configuration through `nginx -t`
test-deploy: $(STAMP) $(CHECKOV) promtool nginx
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/pytest -q tests/unit/deploy tests/integration/deploy

## k8s-generated: rewrite deploy/k8s/base's generated files: gateway-config.yaml from deploy/nginx,
##                prometheus-rules.yaml from deploy/prometheus/rules.yaml (after changing either;
##                tests/unit/deploy fails until then). k8s-gateway-config: its old name
k8s-generated: $(STAMP)
	$(BIN)/python -m tests.support.kustomize
k8s-gateway-config: k8s-generated

# checkov (deploy/k8s/checkov.yaml) in a venv of its own ($(VENV)/checkov): its exact pins would
# downgrade packages the project uses (packaging, python-dateutil), so it never goes into $(VENV)'s
# own site-packages.
$(CHECKOV): | $(STAMP)
	@echo "installing checkov into $(CHECKOV_VENV) (its own venv, once)…"
	@{ $(PYTHON) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install 'checkov>=3.2,<4'; } \
		> $(VENV)/checkov-install.log 2>&1 \
		|| { status=$$?; echo "checkov install failed; the end of $(VENV)/checkov-install.log:"; \
		     tail -n 40 $(VENV)/checkov-install.log; rm -rf $(CHECKOV_VENV); exit $$status; }

checkov: $(CHECKOV)

# promtool checks and unit-tests deploy/prometheus; from Debian's prometheus package (root, as on CI).
promtool:
	@command -v promtool >/dev/null \
		|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
		|| { echo "promtool is needed: apt-get install prometheus"; exit 1; }

## soak: cancel, payment and the hold sweeper racing over 5,000 orders (make test runs 200)
SKYFARE_SOAK_ORDERS ?= 5000
soak: $(STAMP)
	SKYFARE_SOAK_ORDERS=$(SKYFARE_SOAK_ORDERS) $(BIN)/pytest -q -p no:randomly --timeout 3600 \
		tests/e2e/payment/test_cancel_race_soak.py

## fuzz: the whole API under schemathesis, 200 random examples per operation (make test draws 8)
SKYFARE_FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	SKYFARE_FUZZ_EXAMPLES=$(SKYFARE_FUZZ_EXAMPLES) SKYFARE_FUZZ_RANDOM=1 $(BIN)/pytest -q \
		-p no:randomly --timeout 3600 tests/e2e/test_fuzz_api.py

# The tests where races and timing live: payment and order races, crash and database recovery,
# rate limits across processes, deadlines, retries, hedging and breakers, single-flight, the
# notification worker's claims and redeliveries, the partner CLI against a shared database,
# processes killed, drained and restarted behind the gateway.
FLAKY_TESTS := tests/e2e/payment tests/e2e/booking/test_order_races.py \
	tests/e2e/booking/test_crash_recovery.py tests/e2e/booking/test_database_down.py \
	tests/e2e/booking/test_hold_expiry.py tests/e2e/test_rate_limit_processes.py \
	tests/e2e/test_search_cache.py tests/e2e/test_cli_partners.py tests/e2e/notify \
	tests/integration/platform/test_rate_limiter.py tests/integration/resilience \
	tests/integration/cache tests/integration/notify/test_worker.py \
	tests/integration/search/test_search_sim.py \
	tests/integration/booking/test_sweeper.py tests/integration/booking/test_reconciler.py \
	tests/unit/connectors tests/unit/cache tests/unit/search/test_engine.py \
	tests/e2e/deploy/test_gateway_restarts.py tests/e2e/deploy/test_graceful_shutdown.py
COUNT ?= 3

## flaky: the race- and timing-prone tests, COUNT times each (default 3), in a random order
##        (pytest-randomly; SEED=N replays an order it printed)
flaky: $(STAMP)
	$(BIN)/pytest -q -p randomly $(if $(SEED),--randomly-seed=$(SEED),) \
		--count=$(COUNT) $(FLAKY_TESTS)

## lint: ruff, ruff format and mypy on the Python; ESLint on the web app (web/eslint.config.js:
##       typescript-eslint with types, the rules of hooks, jsx-a11y)
lint: $(STAMP) $(WEB_MODULES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(NPM) run lint

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: ceiling, cold search, booking and the locust mix in one run, results in bench/results/;
##        QUICK=1 for a one-minute run (bench/harness.py)
bench: $(STAMP) wrk nginx
	$(BIN)/python -m bench.harness $(if $(QUICK),--quick,)
	$(BIN)/python -m bench.gateway $(if $(QUICK),--runs 1 --seconds 2,)

## bench-gateway: only the gateway run (bench/gateway.py): search through nginx with 1 and 2
##                search processes, booking through nginx; results in bench/results/
bench-gateway: $(STAMP) wrk nginx
	$(BIN)/python -m bench.gateway $(if $(QUICK),--runs 1 --seconds 2,)

# The load generator comes from Debian's packages; installing it needs root (as on CI).
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "wrk is needed: apt-get install wrk"; exit 1; }

# The API gateway, from Debian's packages; installing it needs root (as on CI).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx \
		|| { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; } \
		|| { echo "nginx is needed: apt-get install nginx"; exit 1; }

# The connection pooler of deploy/README.md, from Debian's packages (the tests start it).
pgbouncer:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer \
		|| { apt-get update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq pgbouncer >/dev/null; } \
		|| { echo "pgbouncer is needed: apt-get install pgbouncer"; exit 1; }

clean:
	rm -rf $(VENV) .skyfare .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist
