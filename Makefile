# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000

.PHONY: run test venv migrate seed worker beat lint format check backup restore

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# seed_demo prints the demo users and the walk from announcement to payroll (README › Walking the demo)
run: seed
	$(PY) manage.py runserver $(HOST)

# The suite on TEST_WORKERS processes (pytest-xdist); the tests of one xdist_group (the browser
# round) stay on one worker (--dist loadgroup). TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: venv
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

worker: venv
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A config beat --loglevel=INFO

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint
	$(PY) manage.py makemigrations --check --dry-run

# Backups of the PostgreSQL database DATABASE_URL names (pg_dump's custom format, compressed):
#   make backup                       writes backups/posts-YYYYmmdd-HHMMSS.dump
#   make restore BACKUP=file.dump     restores it into DATABASE_URL (replacing what is there)
BACKUP_DIR ?= backups
backup:
	@test -n "$(DATABASE_URL)" || (echo "请设置 DATABASE_URL（PostgreSQL）" >&2; exit 2)
	mkdir -p $(BACKUP_DIR)
	pg_dump --format=custom --no-owner --file="$${BACKUP:-$(BACKUP_DIR)/posts-$$(date +%Y%m%d-%H%M%S).dump}" "$(DATABASE_URL)"
	@echo "备份完成"

restore:
	@test -n "$(DATABASE_URL)" || (echo "请设置 DATABASE_URL（PostgreSQL）" >&2; exit 2)
	@test -f "$(BACKUP)" || (echo "请用 BACKUP=文件 指明要恢复的备份" >&2; exit 2)
	pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$(DATABASE_URL)" "$(BACKUP)"
	@echo "恢复完成"
