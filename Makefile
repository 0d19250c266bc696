# Two commands for a newcomer: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := run.py

.PHONY: run test setup db seed lint format translations serve-prod clean bench audit screenshots

$(BIN)/activate: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(BIN)/activate

setup: $(BIN)/activate

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask sync-roles

seed: db
	$(BIN)/flask seed-demo

run: seed
	@echo ""
	@echo "  基层公共服务体系管理平台 is serving on http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password demo-Pass-2026):"
	@echo "    admin       系统管理员 / Admin"
	@echo "    staff       部门工作人员 / DeptStaff, 龙泉驿区政务服务中心 and its sub-departments"
	@echo "    staff_jj    部门工作人员 / DeptStaff, 锦江区民政局"
	@echo "    supervisor  监督员 / Supervisor"
	@echo ""
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TEST_DATABASE_URL= $(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		TEST_DATABASE_URL="$$TEST_DATABASE_URL" TEST_DATABASE=postgresql $(BIN)/python -m pytest; \
	fi

lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations: setup
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot app models views templates translations
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

serve-prod: setup
	APP_ENV=prod $(BIN)/flask db upgrade
	APP_ENV=prod $(BIN)/flask sync-roles
	APP_ENV=prod $(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) run:app

clean:
	rm -rf $(VENV) instance

# Performance figures of the person register (bench/perf.py): `make bench BENCH_ARGS="--rows 200000"`
BENCH_ARGS ?=
bench: setup
	$(BIN)/python bench/perf.py $(BENCH_ARGS)

# Supply chain: known vulnerabilities in every pinned package (.ci/audit_deps.py explains the offline
# case), and bandit's high-severity findings in the application code.
audit: setup
	$(BIN)/python .ci/audit_deps.py constraints.txt
	$(BIN)/bandit --quiet --recursive --severity-level high app models views config.py

# The README's screenshots (docs/screenshots/<screen>-<zh|en>.png, 1280×800), taken by the browser
# tests; the normal test run opens the same screens without writing the files.
screenshots: setup
	@fc-list :lang=zh | grep -q . || { echo "== installing a Chinese font for the screenshots"; apt-get install -y fonts-wqy-microhei; }
	TEST_DATABASE_URL= SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e/test_screenshots.py
