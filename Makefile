# aprender — build everything with plain GNU make (no CMake).
#
#   make            library, tests, tutorials, the `aprender` CLI and benchmarks
#   make tour       fetch the corpora, build, run every tutorial (the main job)
#   make test       build and run the doctest suite; last line "N passed, N failed, N skipped"
#   make bench      micro-benchmarks and the GPT step against PyTorch
#   make sanitize   the test suite under AddressSanitizer + UBSan (separate build dir)
#   make fuzz       fuzz every file and text parser with clang's libFuzzer (FUZZ=name, FUZZ_SECONDS=60)
#   make deps       install missing Debian packages (apt-get, via sudo when not root)
#   make data       fetch the real corpora into data/cache (apt-get download, no install)
#   make base-model train the class's base GPT for tutorials 08 and 10 (07_gpt --full, minutes)
#   make gpu-bundle pack the programs for a GPU machine without packages (bench/gpu.sh runs them)
#   make check      the classroom exercises: EX=N one, STRICT=1 grading, SOLUTIONS=1 instructors
#   make student-kit / make kit-test   the kit to hand out, and a from-scratch build of it
#
# Options: CUDA=0|1 (default: 1 when nvcc is found), CUDA_ARCHS="75 80 86 89 90" (GPU generations),
#          BUILD=dir, NATIVE=0 (portable code), OPT=-O3 (optimisation flags), CXX=g++ (compiler),
#          TEST_ARGS / TOUR_ARGS / BENCH_ARGS (passed on: e.g. TEST_ARGS="-tc='lora*'",
#          TOUR_ARGS="--lang pt"), TIMEOUT=60 (make check: seconds per exercise),
#          FUZZ=name FUZZ_SECONDS=60 (make fuzz: one target, seconds per target).
#
# Layout of the build (all under $(BUILD)/, default build/):
#   obj/<source path>.o        one object per source, with a .d file for header dependencies
#   libaprender.a              autograd/ (and autograd/cpu/) nn/ lora/ tokenizer/
#   libaprender_cuda.so        cuda/ (CUDA=1): opened at run time on first use of a GPU
#   libtutorial.a              tutorials/common/ (the runner, narration, pictures)
#   tests/run_tests            every tests/*.cpp
#   tutorials/NN_name          one executable per tutorials/NN_name/ folder
#   aprender                   the command line (tools/*.cpp)
#   bench/<name>               one program per bench/*.cpp
#   fuzz/<name>                one libFuzzer program per tests/fuzz/*.cpp (make fuzz, build-fuzz/)

BUILD    ?= build
CXX      ?= g++
NATIVE   ?= 1
OPT      ?= -O3
SANITIZE ?=

# --- CUDA switch: on when nvcc exists, unless CUDA=0 -------------------------------
NVCC ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
ifeq ($(origin CUDA), undefined)
  CUDA := $(if $(NVCC),1,0)
endif
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))

# --- flags (OpenBLAS's flags are looked up lazily: the deps step may install it first) --
OPENBLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
OPENBLAS_LIBS   = $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
ARCHFLAGS := $(if $(filter 1,$(NATIVE)),-march=native,)
# GCC 12 with AVX-512 (which -march=native turns on where the CPU has it) builds some
# 32- and 64-byte constants wrong at -O2 and above: {1.0, 1.0, 1.0, 0.0} comes out as four
# 1.0s (README, "Other compilers"; tests/compiler_test.cpp). Capping block moves at 128 bits
# avoids the broken path; it costs nothing measurable (bench/RESULTS.md).
CXX_IS_GCC12 := $(shell $(CXX) --version 2>/dev/null | head -1 | grep -v clang | grep -q ' 12\.' && echo 1)
ifeq ($(NATIVE)$(CXX_IS_GCC12),11)
  ARCHFLAGS += -mmove-max=128 -mstore-max=128
endif
CXXFLAGS += -std=c++20 $(OPT) $(ARCHFLAGS) -fno-math-errno -g -Wall -Wextra -Wno-unused-parameter -MMD -MP \
            -I. $(OPENBLAS_CFLAGS) $(SANITIZE) -DAPRENDER_CUDA=$(CUDA)
LDLIBS    = $(OPENBLAS_LIBS) -lfmt -lpcre2-8 -lutf8proc -lpthread
LDFLAGS  += $(SANITIZE)
ifeq ($(CUDA),1)
  # One -gencode per GPU generation students have (Turing … Hopper) plus PTX of the newest,
  # which the driver compiles for anything later. A quicker local build: CUDA_ARCHS=90.
  CUDA_ARCHS ?= 75 80 86 89 90
  NVCC_GENCODE = $(foreach a,$(CUDA_ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) \
                 -gencode arch=compute_$(lastword $(CUDA_ARCHS)),code=compute_$(lastword $(CUDA_ARCHS))
  NVCCFLAGS ?= -std=c++20 -O3 -lineinfo -I. -Xcompiler -fPIC $(NVCC_GENCODE)
  # The backend is a shared library that autograd/backend.cpp opens on first use (dlopen),
  # so CPU-only runs never load cuBLAS; only the test binary links it directly.
  CUDA_LIB    := $(BUILD)/libaprender_cuda.so
  CUDA_LDLIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublasLt -lcublas -lcudart
  CXXFLAGS    += -I$(CUDA_HOME)/include -DAPRENDER_CUDA_LIB=\"$(abspath $(BUILD))/libaprender_cuda.so\"
endif
LDLIBS += -ldl
# The CUDA backend compiled by g++ for the CPU (tests/host_cuda/): always built, opened by the
# registry when APRENDER_EMULATE_GPU=kernels.
HOST_CUDA_LIB := $(BUILD)/libaprender_cuda_host.so
CXXFLAGS += -DAPRENDER_CUDA_HOST_LIB=\"$(abspath $(HOST_CUDA_LIB))\"

# --- sources ---------------------------------------------------------------------
LIB_SRCS  := $(wildcard autograd/*.cpp autograd/cpu/*.cpp nn/*.cpp lora/*.cpp tokenizer/*.cpp)
CUDA_SRCS := $(if $(filter 1,$(CUDA)),$(wildcard cuda/*.cu cuda/*.cpp),)
TUT_SRCS  := $(wildcard tutorials/common/*.cpp)
TEST_SRCS := $(wildcard tests/*.cpp)
TOOL_SRCS := $(wildcard tools/*.cpp)
BENCH_SRCS:= $(wildcard bench/*.cpp)
TUT_DIRS  := $(patsubst %/,%,$(wildcard tutorials/[0-9][0-9]_*/))
TUT_BINS  := $(patsubst tutorials/%,$(BUILD)/tutorials/%,$(TUT_DIRS))
BENCH_BINS:= $(patsubst bench/%.cpp,$(BUILD)/bench/%,$(BENCH_SRCS))

obj = $(patsubst %,$(BUILD)/obj/%.o,$(1))
LIB       := $(BUILD)/libaprender.a
TUTLIB    := $(BUILD)/libtutorial.a
TEST_BIN  := $(BUILD)/tests/run_tests
CLI       := $(BUILD)/aprender
DEPS_OK   := $(BUILD)/.deps-ok

.PHONY: all deps test tour bench sanitize fuzz fuzzers data base-model gpu-bundle clean help
all: $(LIB) $(CUDA_LIB) $(HOST_CUDA_LIB) $(TEST_BIN) $(TUT_BINS) $(if $(TOOL_SRCS),$(CLI)) $(BENCH_BINS)

help:
	@sed -n '2,/^# Layout/p' Makefile | sed '$$d; s/^# \{0,1\}//'

# The dependency step runs once per build directory (and whenever `make deps` is asked).
deps:
	@scripts/deps.sh install
$(DEPS_OK):
	@mkdir -p $(@D)
	@scripts/deps.sh check 2>/dev/null || scripts/deps.sh install
	@touch $@

# The compiler and flags the objects in $(BUILD) were made with (the stamp is named by their
# checksum): changing CXX, OPT, NATIVE or SANITIZE for the same folder recompiles every
# object instead of linking objects made two ways.
FLAGS_STAMP := $(BUILD)/.flags-$(shell echo '$(CXX) $(OPT) $(ARCHFLAGS) $(SANITIZE)' | cksum | cut -d' ' -f1)
$(FLAGS_STAMP):
	@mkdir -p $(@D)
	@rm -f $(BUILD)/.flags-*
	@touch $@

$(BUILD)/obj/%.cpp.o: %.cpp $(FLAGS_STAMP) | $(DEPS_OK)
	@mkdir -p $(@D)
	@echo "  CXX   $<"
	@$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.cu.o: %.cu | $(DEPS_OK)
	@mkdir -p $(@D)
	@echo "  NVCC  $<"
	@$(NVCC) $(NVCCFLAGS) -MMD -MP -c $< -o $@

# The CUDA setting the objects in $(BUILD) were made with: switching CUDA=0/1 recompiles
# the files that test APRENDER_CUDA, and so relinks the library and the programs.
CUDA_STAMP := $(BUILD)/.cuda-$(CUDA)
$(CUDA_STAMP):
	@mkdir -p $(@D)
	@rm -f $(BUILD)/.cuda-*
	@touch $@
$(call obj,autograd/backend.cpp tests/cuda_device_test.cpp): $(CUDA_STAMP)

$(LIB): $(call obj,$(LIB_SRCS))
	@echo "  AR    $@"
	@rm -f $@ && ar rcs $@ $^

ifeq ($(CUDA),1)
$(call obj,$(filter %.cpp,$(CUDA_SRCS))): CXXFLAGS += -fPIC
$(CUDA_LIB): $(call obj,$(CUDA_SRCS))
	@echo "  LD    $@"
	@$(CXX) -shared -o $@ $^ $(CUDA_LDLIBS)
endif

# --- host CUDA: cuda/cuda_backend.cpp and the launchers of cuda/*.cu, by g++, on the CPU ---
# tests/host_cuda/ stands in for the CUDA runtime and cuBLAS; rewrite_launches.sh turns each
# <<<>>> launch into a call (launch_cooperative for the families whose kernels work as a block).
HOST_CUDA_COOPERATIVE := reduce softmax layernorm cross_entropy
HOST_CUDA_CU   := $(wildcard cuda/*.cu)
HOST_CUDA_OBJS := $(patsubst cuda/%.cu,$(BUILD)/obj/host_cuda/%.o,$(HOST_CUDA_CU)) \
                  $(BUILD)/obj/host_cuda/cuda_backend.o $(BUILD)/obj/host_cuda/host_cuda.o
HOST_CUDA_FLAGS = -Itests/host_cuda $(CXXFLAGS) -fPIC
$(BUILD)/host_cuda/%.cpp: cuda/%.cu tests/host_cuda/rewrite_launches.sh
	@mkdir -p $(@D)
	@tests/host_cuda/rewrite_launches.sh \
	  $(if $(filter $*,$(HOST_CUDA_COOPERATIVE)),launch_cooperative,launch_alone) $< $@
$(BUILD)/obj/host_cuda/%.o: $(BUILD)/host_cuda/%.cpp $(FLAGS_STAMP) | $(DEPS_OK)
	@mkdir -p $(@D)
	@echo "  CXX   $< (host CUDA)"
	@$(CXX) $(HOST_CUDA_FLAGS) -include tests/host_cuda/cuda_runtime.h -c $< -o $@
$(BUILD)/obj/host_cuda/cuda_backend.o: cuda/cuda_backend.cpp $(FLAGS_STAMP) | $(DEPS_OK)
	@mkdir -p $(@D)
	@echo "  CXX   $< (host CUDA)"
	@$(CXX) $(HOST_CUDA_FLAGS) -DAPRENDER_CUDA_BACKEND_NAME='"cuda (host CUDA, on the CPU)"' -c $< -o $@
$(BUILD)/obj/host_cuda/host_cuda.o: tests/host_cuda/host_cuda.cpp $(FLAGS_STAMP) | $(DEPS_OK)
	@mkdir -p $(@D)
	@echo "  CXX   $<"
	@$(CXX) $(HOST_CUDA_FLAGS) -c $< -o $@
.PRECIOUS: $(BUILD)/host_cuda/%.cpp
# -Bsymbolic: its calls stay inside it, also where the test binary links the real libaprender_cuda.so.
$(HOST_CUDA_LIB): $(HOST_CUDA_OBJS)
	@echo "  LD    $@"
	@$(CXX) $(LDFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(OPENBLAS_LIBS) -lfmt -lpthread

$(TUTLIB): $(call obj,$(TUT_SRCS)) | $(DEPS_OK)
	@echo "  AR    $@"
	@rm -f $@ && ar rcs $@ $^ $(if $^,,&& true)

# The tests call the CUDA backend's knobs (cuda/cuda.h) directly, so they link it.
ifeq ($(CUDA),1)
TEST_CUDA = -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -laprender_cuda $(CUDA_LDLIBS)
endif
$(TEST_BIN): $(call obj,$(TEST_SRCS)) $(TUTLIB) $(LIB) $(CUDA_LIB)
	@mkdir -p $(@D)
	@echo "  LD    $@"
	@$(CXX) $(LDFLAGS) -o $@ $(call obj,$(TEST_SRCS)) $(TUTLIB) $(LIB) $(LDLIBS) $(TEST_CUDA)

$(CLI): $(call obj,$(TOOL_SRCS)) $(LIB)
	@echo "  LD    $@"
	@$(CXX) $(LDFLAGS) -o $@ $(call obj,$(TOOL_SRCS)) $(LIB) $(LDLIBS)

# Benchmarks share the CLI's flag parser (tools/cli.cpp). Their objects are kept: to make
# they are intermediate files of a pattern chain, deleted after each link, and rebuilt
# whenever the library changes.
.SECONDARY: $(patsubst bench/%.cpp,$(BUILD)/obj/bench/%.cpp.o,$(BENCH_SRCS))
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.cpp.o $(BUILD)/obj/tools/cli.cpp.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD    $@"
	@$(CXX) $(LDFLAGS) -o $@ $< $(BUILD)/obj/tools/cli.cpp.o $(LIB) $(LDLIBS)

# One executable per tutorial folder, from all the .cpp files in it.
define tutorial_rule
$(BUILD)/tutorials/$(notdir $(1)): $(call obj,$(wildcard $(1)/*.cpp)) $(TUTLIB) $(LIB)
	@mkdir -p $$(@D)
	@echo "  LD    $$@"
	@$$(CXX) $$(LDFLAGS) -o $$@ $(call obj,$(wildcard $(1)/*.cpp)) $(TUTLIB) $(LIB) $$(LDLIBS)
endef
$(foreach d,$(TUT_DIRS),$(eval $(call tutorial_rule,$(d))))

# --- the README's two commands ------------------------------------------------------
# The suite runs tutorials as subprocesses, so everything is built first; the tutorials'
# checks use the real corpora, so the data step runs too (seconds once cached).
test: data all
	@APRENDER_BUILD=$(BUILD) $(TEST_BIN) $(TEST_ARGS)

tour: data all
	@APRENDER_BUILD=$(BUILD) scripts/tour.sh $(TOUR_ARGS)

data:
	@if [ -x scripts/data.sh ]; then scripts/data.sh; fi

# A better base model for tutorials 08 and 10 (minutes): 07_gpt --full saves out/07_gpt/base.safetensors.
base-model: data all
	@$(BUILD)/tutorials/07_gpt --full --no-pause

# Built in its own folder (build-gpu: sm_90, any AVX2 CPU), packed into .gpu/bundle.tar.xz.
gpu-bundle:
	@scripts/gpu_bundle.sh

bench: all
	@APRENDER_BUILD=$(BUILD) scripts/bench.sh $(BENCH_ARGS)

sanitize:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 CUDA=0 \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

# Fuzzing (README "Fuzzing"): scripts/fuzz.sh builds the targets below in build-fuzz/ with
# clang, ASan, UBSan and libFuzzer's coverage (`fuzzers`), then runs each for FUZZ_SECONDS.
# A target links everything a parser may live in: the library, the tutorials' common code
# (ELIZA scripts, flags) and the command line's files except its main().
FUZZ_SRCS := $(wildcard tests/fuzz/*.cpp)
FUZZ_BINS := $(patsubst tests/fuzz/%.cpp,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LINK := $(call obj,$(filter-out tools/main.cpp,$(TOOL_SRCS))) $(TUTLIB) $(LIB)
fuzz:
	@FUZZ="$(FUZZ)" FUZZ_SECONDS="$(FUZZ_SECONDS)" scripts/fuzz.sh
fuzzers: $(FUZZ_BINS)
$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.cpp.o $(FUZZ_LINK)
	@mkdir -p $(@D)
	@echo "  LD    $@"
	@$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LINK) $(LDLIBS)
.SECONDARY: $(patsubst tests/fuzz/%.cpp,$(BUILD)/obj/tests/fuzz/%.cpp.o,$(FUZZ_SRCS))

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# The classroom exercises: make check, make student-kit (see exercises/README.md).
include exercises/exercises.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
