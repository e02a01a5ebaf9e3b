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

# The fast paths run a second time as an AVX2-only CPU would (oneDNN, MKL
# and ATen capped), so a machine without AVX-512 kernels is covered too.
AVX2_CAPS := ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2
FAST_PATH_TESTS := tests/test_models/test_dstformer_fast_paths.py tests/test_models/test_kernel_choice.py tests/test_models/test_cpu_inference_paths.py tests/test_models/test_concurrent_streams.py

# The HTML viewer's test opens its page in Debian's headless chromium
# (tools/install_test_browser.sh installs it once, as root or with sudo).
test: install
	bash tools/install_test_browser.sh
	$(PY) -m pytest tests -q -p no:cacheprovider
	$(AVX2_CAPS) $(PY) -m pytest $(FAST_PATH_TESTS) -q -p no:cacheprovider
