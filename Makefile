# licensedesk: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing first (Debian packages, npm packages).

BUILD   ?= build
TYPE    ?= RelWithDebInfo
JOBS    ?= $(shell nproc)
DATA    ?= $(CURDIR)/.data
LISTEN  ?= 127.0.0.1:8080
CLOUD   ?= worldwide
CMAKE_FLAGS ?=

.PHONY: all deps test-deps server build web test test-cpp test-web run bench sanitize tsan soak fuzz ci-hardening format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

# The server alone (what `make run` needs): none of the test suites.
server: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS) --target licensedesk

# What only the tests use: pdftotext cross-checks the invoice PDFs.
test-deps:
	@LICENSEDESK_EXTRA_PACKAGES="poppler-utils" bash scripts/install-deps.sh

web/node_modules/.installed: web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund
	touch $@

web: web/node_modules/.installed
	cd web && npm run build

test-cpp: test-deps build
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure --timeout 600

test-web: build web
	cd web && LD_BINARY=$(CURDIR)/$(BUILD)/licensedesk npm run test:e2e

# Everything: C++ unit, store, app and HTTP end-to-end suites, then the browser suite.
test: test-cpp test-web

run: server web
	@mkdir -p $(DATA)
	./$(BUILD)/licensedesk serve --demo --listen $(LISTEN) --cloud $(CLOUD) \
	  --db sqlite://$(DATA)/licensedesk.db --web-root $(CURDIR)/web/dist

BENCH_FLAGS ?=

# Benchmarks against this machine's limits; results go to docs/benchmarks.md.
# BENCH_FLAGS=--quick (under a minute), --big (1M users), --pg, --no-doc.
bench: build
	LD_BINARY=$(CURDIR)/$(BUILD)/licensedesk JOBS=$(JOBS) bash bench/run.sh $(BENCH_FLAGS)

# ASan + UBSan build of everything, then every C++ suite on SQLite. A UBSan
# report fails its test (by default UBSan prints and carries on).
sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLD_SANITIZE=address,undefined
	cmake --build build-asan -j$(JOBS)
	cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest -j$(JOBS) --output-on-failure --timeout 900 -E '^pg[._]'

# ThreadSanitizer on the concurrency tests (R5, R7, the store's writer).
tsan: deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLD_SANITIZE=thread
	cmake --build build-tsan -j$(JOBS) --target app_test store_test
	cd build-tsan && ctest -j$(JOBS) --output-on-failure -E '^pg[._]' \
	  -R 'Licensing\.R7|Checkout\.R5|Store\.'

# libFuzzer targets (clang), each run for FUZZ_SECONDS on its seed corpus.
FUZZ_SECONDS ?= 30
FUZZERS ?= odata catalog card json_body wire
fuzz:
	LICENSEDESK_WEB=0 LICENSEDESK_EXTRA_PACKAGES="clang-14 libclang-rt-14-dev" bash scripts/install-deps.sh
	CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLD_FUZZ=ON -DLD_TESTS=OFF -DLD_WERROR=OFF
	cmake --build build-fuzz -j$(JOBS) --target $(addsuffix _fuzz,$(FUZZERS))
	set -e; for f in $(FUZZERS); do mkdir -p build-fuzz/corpus/$$f; \
	  build-fuzz/$${f}_fuzz -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/crash-$$f- \
	    build-fuzz/corpus/$$f tests/fuzz/corpus/$$f; done

# CI's bounded slice of sanitizers and fuzzing (docs/reliability.md has the
# figures): ThreadSanitizer on the concurrency tests, AddressSanitizer and
# UndefinedBehaviorSanitizer on every C++ suite (SQLite), then each fuzzer for
# HARDENING_FUZZ_SECONDS. Each step uses its own build directory.
HARDENING_FUZZ_SECONDS ?= 20
ci-hardening:
	@start=$$(date +%s); \
	step() { t=$$(date +%s); $(MAKE) --no-print-directory "$$@" || exit 1; \
	  echo "ci-hardening: $$1 took $$(( $$(date +%s) - t )) s"; }; \
	step tsan && step sanitize && \
	step fuzz FUZZ_SECONDS=$(HARDENING_FUZZ_SECONDS) FUZZERS="$(FUZZERS)" && \
	echo "ci-hardening: total $$(( $$(date +%s) - start )) s"

# R15 soak: the crash test with many more SIGKILLs than CI's 50.
SOAK_KILLS ?= 500
soak: build
	cd $(BUILD) && LD_CRASH_KILLS=$(SOAK_KILLS) LD_SOURCE_DIR=$(CURDIR) LD_BINARY=$(CURDIR)/$(BUILD)/licensedesk ./crash_test

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz web/dist
