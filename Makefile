# The calendar's commands. A newcomer needs two: `make html` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INPUTDIR ?= $(CURDIR)/content
OUTPUTDIR ?= $(CURDIR)/output
# What builds and checks keep between runs (see README.md); deleting it is always safe.
CACHEDIR ?= $(CURDIR)/.cache
CONFFILE ?= $(CURDIR)/pelicanconf.py
PUBLISHCONF ?= $(CURDIR)/publishconf.py
# Any error Pelican logs (a broken template, an unreadable page) fails the build.
PELICANOPTS ?= --fatal errors
PORT ?= 8000
export PYTHONPATH := $(CURDIR)/plugins

SITE_STAMP := $(VENV)/.site-installed
TEST_STAMP := $(VENV)/.test-installed
NPM_STAMP := node_modules/.installed

.PHONY: help html publish check diff new-event test bench serve devserver clean

help:
	@echo "make html       build content/ into output/ (sets up .venv first)"
	@echo "make test       run every test"
	@echo "make check      check every event and series file without building"
	@echo "make diff       what subscribers will see change (BASE=... to compare with)"
	@echo "make new-event  start a new event file (TITLE=... START=... or answer questions)"
	@echo "make serve      serve output/ at http://127.0.0.1:$(PORT)/"
	@echo "make devserver  rebuild on every change and serve (live preview)"
	@echo "make publish    build the live site with publishconf.py (absolute URLs)"
	@echo "make bench      measure builds of 1,000 and 10,000 events (docs/benchmarks.md)"
	@echo "Options: INPUTDIR=... OUTPUTDIR=... for html, publish and check."

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SITE_STAMP): requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(TEST_STAMP): $(SITE_STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt -c constraints.txt
	touch $@

# Build into a folder beside the output, with its search index (Pagefind, in parts kept in the
# cache between builds, made by the plugin from the pages as they are written), and swap it in
# only when the build succeeded, so a failed build leaves the previous site as it was.
# The folder built into is the site before last (kept as $(OUTPUTDIR).spare), so that only what
# changed since is made and written; the plugin removes what the build no longer makes.
define build_site
	rm -rf "$(OUTPUTDIR).partial"
	if [ -d "$(OUTPUTDIR).spare" ]; then mv "$(OUTPUTDIR).spare" "$(OUTPUTDIR).partial"; fi
	$(BIN)/pelican "$(INPUTDIR)" -o "$(OUTPUTDIR).partial" -s "$(1)" $(PELICANOPTS) \
		-e EVENTS_SEARCH_INDEX=true 'CACHE_PATH="$(CACHEDIR)"' \
		|| { mv "$(OUTPUTDIR).partial" "$(OUTPUTDIR).spare" 2>/dev/null; exit 1; }
	rm -rf "$(OUTPUTDIR).previous"
	if [ -d "$(OUTPUTDIR)" ]; then mv "$(OUTPUTDIR)" "$(OUTPUTDIR).previous"; fi
	mv "$(OUTPUTDIR).partial" "$(OUTPUTDIR)"
	if [ -d "$(OUTPUTDIR).previous" ]; then mv "$(OUTPUTDIR).previous" "$(OUTPUTDIR).spare"; fi
endef

html: $(SITE_STAMP)
	$(call build_site,$(CONFFILE))

publish: $(SITE_STAMP)
	$(call build_site,$(PUBLISHCONF))

check: $(SITE_STAMP)
	$(BIN)/python -m events_calendar.check "$(INPUTDIR)" --settings "$(CONFFILE)" \
		$(if $(BASE),--base "$(BASE)")

# Markdown, suitable to paste into a pull request. Default base: the merge base with main.
diff: $(SITE_STAMP)
	@$(BIN)/python -m events_calendar.subscriber_diff "$(INPUTDIR)" --settings "$(CONFFILE)" \
		$(if $(BASE),--base "$(BASE)")

# With TITLE= (and START=, END=, SERIES=, LOCATION=, ONLINE=, SUMMARY=, COST=, BOOKING=,
# ACCESSIBILITY=, TAGS=, ORGANISER=, TIMEZONE=) nothing is asked; without, each is asked in turn.
NEW_EVENT_FIELDS := title start end timezone summary series tags location online accessibility \
	cost booking organiser
new-event: $(SITE_STAMP)
	@$(BIN)/python -m events_calendar.new_event --content "$(INPUTDIR)" --settings "$(CONFFILE)" \
		$(foreach f,$(NEW_EVENT_FIELDS),$(if $($(shell echo $(f) | tr a-z A-Z)),--$(f) "$($(shell echo $(f) | tr a-z A-Z))"))

# axe-core and the Nu HTML checker for the accessibility tests, as package-lock.json pins them.
# No install scripts (.npmrc says so too): vnu-jar's would download a Java runtime.
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

test: $(TEST_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest $(PYTESTOPTS)

# Long (tens of minutes): a benchmark, not a test. BENCHOPTS="--sizes 1000 --runs 1" for a quick one.
bench: $(SITE_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCHOPTS)

serve: html
	$(BIN)/pelican --listen --bind 127.0.0.1 --port $(PORT) -o "$(OUTPUTDIR)" -s "$(CONFFILE)"

# Builds over the last build (only changed files are written) and indexes for search after
# each rebuild, keeping what did not change in the cache.
devserver: $(SITE_STAMP)
	$(BIN)/pelican "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" --autoreload --listen \
		--bind 127.0.0.1 --port $(PORT) -e EVENTS_SEARCH_INDEX=true

clean:
	rm -rf "$(OUTPUTDIR)" "$(OUTPUTDIR).partial" "$(OUTPUTDIR).previous" "$(OUTPUTDIR).spare"
