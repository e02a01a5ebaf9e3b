# The two quick-start commands (see README):
#   make demo   - install (first time) and run the main job on a bundled default
#   make test   - install (first time) and run the test suite
# Both create .venv/ when missing and reuse it otherwise (tools/install.sh).
PY := .venv/bin/python

.PHONY: install demo test

install:
	bash tools/install.sh

demo: install
	bash tools/quickstart.sh

test: install
	$(PY) -m pytest tests -q -p no:cacheprovider
