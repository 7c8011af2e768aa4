# licensedesk: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing first (Debian packages, npm packages).

BUILD   ?= build
TYPE    ?= RelWithDebInfo
JOBS    ?= $(shell nproc)
DATA    ?= $(CURDIR)/.data
LISTEN  ?= 127.0.0.1:8080
CLOUD   ?= worldwide
CMAKE_FLAGS ?=

.PHONY: all deps build web test test-cpp test-web run demo bench sanitize soak fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

web/node_modules/.installed: web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund
	touch $@

web: web/node_modules/.installed
	cd web && npm run build

test-cpp: build
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure --timeout 600

test-web: build web
	cd web && LD_BINARY=$(CURDIR)/$(BUILD)/licensedesk npm run test:e2e

# Everything: C++ unit, store, app and HTTP end-to-end suites, then the browser suite.
test: test-cpp test-web

run: build web
	@mkdir -p $(DATA)
	./$(BUILD)/licensedesk serve --demo --listen $(LISTEN) --cloud $(CLOUD) \
	  --db sqlite://$(DATA)/licensedesk.db --web-root $(CURDIR)/web/dist

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) web/dist
