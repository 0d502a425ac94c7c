# Fengshou: every target installs what it needs first, so each works on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
# --reuse-db keeps the test databases between runs; tests/conftest.py makes them afresh whenever a
# migration changed since they were made. CI passes --create-db (.ci/run).
PYTEST_ARGS ?= -n 2 --reuse-db

.PHONY: install run test test-faults lint format worker bench backup restore restore-drill messages makemessages lock clean

install: $(STAMP) $(MO_FILES)

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

# Translations are committed as .po and compiled at install (pure Python: no gettext needed).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fault tests alone (make test runs them too): a PostgreSQL backend terminated mid-request, a Celery
# worker killed mid-task. They need DATABASE_URL (PostgreSQL) and REDIS_URL; without them they are skipped.
test-faults: install
	$(BIN)/python -m pytest -p no:randomly -n 0 -m faults tests

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A marketplace worker --beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

# Benchmarks on PostgreSQL (a separate database, fengshou_bench, loaded with 1,000,000 SKUs on first run):
# catalogue search and pages, then price verdicts for every SKU, then the price index, then the nightly
# spot-check sweep with 2 Celery workers (it reads the verdicts; it needs Redis, db 5 by default).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fengshou_bench
BENCH_SKUS ?= 1000000
BENCH_ARGS ?= --skus $(BENCH_SKUS)
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.catalog_bench $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.pricing_verdict_bench --skus $(BENCH_SKUS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.pricing_index_bench --skus $(BENCH_SKUS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.inspections_sweep_bench --skus $(BENCH_SKUS)

# Backup and restore (PostgreSQL only; ops/backup.py). `make backup` writes BACKUP_DIR/fengshou-<UTC time>/:
# a pg_dump (custom format) of DATABASE_URL's database, MEDIA_ROOT and PRIVATE_MEDIA_ROOT as tarballs, and
# a manifest (row counts, md5 of the key tables). `make restore BACKUP=... TARGET_DATABASE_URL=...` creates
# the target database (refusing one that holds tables unless RESTORE_ARGS=--replace), pg_restores into it,
# unpacks the media into TARGET_MEDIA_ROOT and TARGET_PRIVATE_MEDIA_ROOT (default: MEDIA_ROOT and
# PRIVATE_MEDIA_ROOT, which must then be empty), then checks it all against the manifest.
BACKUP_DIR ?= backups
RESTORE_ARGS ?=
backup: install
	$(BIN)/python -m ops.backup backup --into $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" -a -n "$(TARGET_DATABASE_URL)" || { echo "usage: make restore BACKUP=backups/fengshou-... TARGET_DATABASE_URL=postgres://user@host:5432/new_name [TARGET_MEDIA_ROOT=... TARGET_PRIVATE_MEDIA_ROOT=...]" >&2; exit 2; }
	$(BIN)/python -m ops.backup restore "$(BACKUP)" --database-url "$(TARGET_DATABASE_URL)" \
		$(if $(TARGET_MEDIA_ROOT),--media-root "$(TARGET_MEDIA_ROOT)") \
		$(if $(TARGET_PRIVATE_MEDIA_ROOT),--private-media-root "$(TARGET_PRIVATE_MEDIA_ROOT)") $(RESTORE_ARGS)

# The restore drill alone (DATABASE_URL must be PostgreSQL): seed, back up, restore into a new database, compare.
restore-drill: install
	$(BIN)/python -m pytest -p no:randomly -n 0 --create-db tests/ops/test_backup_restore.py

# For developers (needs GNU gettext's xgettext): refresh the .po files from the source.
makemessages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --locale en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'

# Re-pin every dependency after changing pyproject.toml.
lock: install
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile -q --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--no-emit-trusted-host -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
