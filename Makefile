# glueguard: `make` builds, `make test` installs what is missing, builds and runs every test.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
# ccache keyed on paths relative to the checkout, so another clone on the same machine reuses its results.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

.PHONY: all build deps test test-unit test-asan bench bench-http fuzz demo lambda-zip format tidy thread-safety clean

all: build

deps:
	scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps
	$(MAKE) test-unit
	$(MAKE) test-asan

test-unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGLUEGUARD_SANITIZE=ON

test-asan: $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS) --target glueguard glueguard_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

bench: build
	for b in $(BUILD_DIR)/*_bench; do $$b --benchmark_min_time=0.5; done

# serve's HTTP front against the binary of BASELINE, side by side in one run (bench/README.md).
BASELINE ?= f548837
bench-http: build
	scripts/build-baseline $(BASELINE) build-baseline
	bench/http_front.py --old build-baseline/glueguard --new $(BUILD_DIR)/glueguard

FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz:
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DGLUEGUARD_FUZZ=ON -DGLUEGUARD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	for f in $(FUZZ_DIR)/*_fuzz; do mkdir -p $(FUZZ_DIR)/corpus/$$(basename $$f); \
	  $$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_DIR)/corpus/$$(basename $$f) fuzz/seeds/$$(basename $$f) || exit 1; done

demo: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target glueguard
	$(BUILD_DIR)/glueguard demo $(DEMO_ARGS)

# The zip deploy/cloudformation/glueguard-sessions-lambda.yaml deploys (docs/sessions.md, "Building the package").
lambda-zip: build
	scripts/lambda-zip $(BUILD_DIR)/glueguard $(BUILD_DIR)/glueguard-lambda.zip

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

tidy: build
	git ls-files 'src/*.cc' | grep -v _test.cc | xargs clang-tidy -p $(BUILD_DIR) --quiet

# clang's -Wthread-safety over the code that locks; make test runs it too (docs/architecture.md, "Locking").
thread-safety: $(BUILD_DIR)/build.ninja
	scripts/check-thread-safety $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-baseline
