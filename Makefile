# Entente: the commands a developer and CI run. See README.md.
#
#   make demo    set up, build, and run the main job (the command is build/release/entente)
#   make test    set up, build with AddressSanitizer + UBSan, run every test and fuzz corpus
#   make build   release build only
#   make bench   release build + every benchmark
#   make lint    clang-format check + clang-tidy
#   make fuzz    libFuzzer builds with clang, each target for FUZZ_SECONDS

SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
RELEASE_DIR := build/release
TEST_DIR := build/test
FUZZ_DIR := build/fuzz

.PHONY: bootstrap build demo test bench lint fuzz clean

bootstrap:
	@bash scripts/bootstrap

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: bootstrap $(RELEASE_DIR)/build.ninja
	ninja -C $(RELEASE_DIR) -j $(JOBS)

demo: build
	bash scripts/demo $(RELEASE_DIR)/entente

$(TEST_DIR)/build.ninja:
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DENTENTE_SANITIZE=ON \
	  -DENTENTE_BENCHMARKS=OFF -DENTENTE_TEST_HOOKS=ON -DCMAKE_CXX_FLAGS="-O1"

test: bootstrap $(TEST_DIR)/build.ninja
	ninja -C $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	bash scripts/bench $(RELEASE_DIR)

lint: $(RELEASE_DIR)/build.ninja
	@bash scripts/bootstrap lint
	bash scripts/lint $(RELEASE_DIR)

fuzz:
	@bash scripts/bootstrap fuzz
	bash scripts/fuzz $(FUZZ_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf build
