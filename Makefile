# hls-swarm — the README's commands. `make demo` runs a real load test against the bundled
# test origin; `make test` runs the whole test suite (what CI runs).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)

.PHONY: all setup build asan demo image microvm test unit-test asan-test integration-test bench bench-native bench-llhls lint format clean

all: build

setup:
	@scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

asan: setup
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHLS_SWARM_SANITIZE=ON >/dev/null
	@ninja -C $(ASAN_BUILD) -j $(JOBS) hls_swarm_tests

# Two real load tests against the bundled live origin on loopback, each with its exit report:
# 20 FFmpeg viewers (one FFmpeg process each) for 20 s, then 1,000 native viewers (player state
# machines inside hls-swarm) for 25 s.
demo: build
	$(BUILD)/hls-swarm -test-origin -test-origin-profile tiny -clients 20 -ramp-rate 10 \
	  -duration 20s -tui=false -metrics-port 0
	$(BUILD)/hls-swarm -engine native -test-origin -test-origin-profile tiny -clients 1000 \
	  -ramp-rate 100 -duration 25s -tui=false -metrics-port 0

# OCI images (hls-swarm, hls-swarm-origin) as docker-archive tarballs in $(BUILD)/oci, built
# with debootstrap + buildah: no Docker daemon, no registry.
image: build
	@scripts/build-image.sh --binary $(BUILD)/hls-swarm --out $(BUILD)/oci

# The MicroVM (Debian, systemd, hls-swarm.service, sysctl applied) in $(BUILD)/microvm, then
# booted under QEMU TCG against a test origin on the host: `make microvm`, then
# `hls-swarm origin -profile tiny &` and `scripts/run-microvm.sh --dir $(BUILD)/microvm`.
microvm: build
	@scripts/build-microvm.sh --binary $(BUILD)/hls-swarm --out $(BUILD)/microvm

unit-test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

asan-test: asan
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(ASAN_BUILD)/hls_swarm_tests --gtest_brief=1

integration-test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration

# The whole suite, as CI runs it: layering, the unit tests under ASan+UBSan (the unit tests run
# once, in the sanitizer build; `make unit-test` runs them in the release build too), then the
# integration tests, two at a time, against the release binary.
test: setup asan
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j $(JOBS) hls-swarm
	@scripts/check_layering.sh
	@$(MAKE) --no-print-directory asan-test
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration

bench: build
	@python3 bench/viewers_bench.py --build $(BUILD)

# The native engine at 1, 1000 and 10000 viewers, and VOD throughput against wrk (~15 min).
bench-native: build
	@python3 bench/native_bench.py --build $(BUILD)

# LL-HLS native viewers (1 and 2000) against the bundled LL-HLS origin (~3 min).
bench-llhls: build
	@python3 bench/llhls_viewers.py --build $(BUILD)

lint:
	@scripts/check_layering.sh
	@clang-format --dry-run -Werror $$(git ls-files 'src/*.cc' 'src/*.h')

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
