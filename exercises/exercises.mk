# exercises.mk — the classroom exercises (included by the root Makefile).
#
#   make check [EX=5]        build YOUR code (exercises/NN_*/) with the checks and run them;
#                            without EX, every exercise and a progress summary ("3/10")
#   make check SOLUTIONS=1   the same against the reference solutions (instructors)
#   make check STRICT=1      exit status 1 unless every exercise passes (grading scripts)
#   make check TIMEOUT=120   seconds an exercise may run before it is stopped (default 60)
#   make student-kit         $(BUILD)/student-kit/aprender-exercises{/,.tar.gz}: the whole
#                            project without exercises/solutions/, ready to hand out
#   make kit-test            unpack that archive in a temporary folder and run `make check`
#                            there (builds the library from scratch: a few minutes)
#
# One program per exercise and variant, so that a compile error in exercise 3 never
# stops exercise 5 from being checked:
#   $(BUILD)/exercises/student/exNN    exercises/NN_*/*.cpp + exercises/checks/NN_*.cpp
#   $(BUILD)/exercises/solution/exNN   exercises/solutions/NN_*.cpp + the same checks
#   $(BUILD)/exercises/trivial/exNN    exercises/solutions/trivial/NN_*.cpp (a plausible wrong
#                                      answer: zeros, the input...) + the same checks
# All three link the library ($(BUILD)/libaprender.a and libtutorial.a): the exercises use it,
# it never uses them.
#
# The main suite (`make test`) links every check with the reference solutions
# (exercises/solutions/*_test.cpp runs them as doctest cases) and runs the untouched
# skeletons, which must fail. Without exercises/solutions/ (the student kit) the suite
# simply has no exercise tests.

EX_DIRS      := $(patsubst %/,%,$(wildcard exercises/[0-9][0-9]_*/))
EX_NUMS      := $(foreach d,$(EX_DIRS),$(firstword $(subst _, ,$(notdir $(d)))))
EX_RUNNER    := exercises/check.cpp exercises/check_main.cpp
EX_STUDENT   := $(patsubst %,$(BUILD)/exercises/student/ex%,$(EX_NUMS))
EX_HAVE_SOL  := $(wildcard exercises/solutions/*.cpp)
EX_TRIVIAL   := $(if $(EX_HAVE_SOL),$(patsubst %,$(BUILD)/exercises/trivial/ex%,$(EX_NUMS)))

# Students recompile often and debug their code: -O1 builds faster and steps better in gdb.
$(BUILD)/obj/exercises/%: OPT := -O1

# exercise NN's files: student sources, check, solution
ex_student_srcs  = $(wildcard exercises/$(1)_*/*.cpp)
ex_check_srcs    = $(wildcard exercises/checks/$(1)_*.cpp)
ex_solution_srcs = $(wildcard exercises/solutions/$(1)_*.cpp)
ex_trivial_srcs  = $(wildcard exercises/solutions/trivial/$(1)_*.cpp)

define exercise_rule
$(BUILD)/exercises/student/ex$(1): $(call obj,$(call ex_student_srcs,$(1)) $(call ex_check_srcs,$(1)) $(EX_RUNNER)) $(TUTLIB) $(LIB)
	@mkdir -p $$(@D)
	@echo "  LD    $$@"
	@$$(CXX) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(TUTLIB) $(LIB) $$(LDLIBS)
$(BUILD)/exercises/solution/ex$(1): $(call obj,$(call ex_solution_srcs,$(1)) $(call ex_check_srcs,$(1)) $(EX_RUNNER)) $(TUTLIB) $(LIB)
	@mkdir -p $$(@D)
	@echo "  LD    $$@"
	@$$(CXX) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(TUTLIB) $(LIB) $$(LDLIBS)
$(BUILD)/exercises/trivial/ex$(1): $(call obj,$(call ex_trivial_srcs,$(1)) $(call ex_check_srcs,$(1)) $(EX_RUNNER)) $(TUTLIB) $(LIB)
	@mkdir -p $$(@D)
	@echo "  LD    $$@"
	@$$(CXX) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(TUTLIB) $(LIB) $$(LDLIBS)
endef
$(foreach n,$(EX_NUMS),$(eval $(call exercise_rule,$(n))))

# The main suite: the checks against the solutions, plus the self-tests in exercises/solutions/.
ifneq ($(EX_HAVE_SOL),)
EX_TEST_SRCS := exercises/check.cpp $(wildcard exercises/checks/*.cpp) $(EX_HAVE_SOL)
TEST_SRCS    += $(EX_TEST_SRCS)
$(TEST_BIN): $(call obj,$(EX_TEST_SRCS))
# the suite runs the untouched skeletons' programs, and the plausible wrong answers of
# exercises/solutions/trivial/ (each must be rejected): build them with everything else
all: $(EX_STUDENT) $(EX_TRIVIAL)
endif

.PHONY: check student-kit kit-test
check: $(LIB) $(TUTLIB)
	@BUILD=$(BUILD) MAKE="$(MAKE)" EX="$(EX)" SOLUTIONS="$(SOLUTIONS)" STRICT="$(STRICT)" TIMEOUT="$(TIMEOUT)" exercises/check.sh

student-kit:
	@exercises/make_kit.sh --force $(BUILD)/student-kit  # build output: replaced each time

kit-test: student-kit
	@exercises/kit_test.sh $(BUILD)/student-kit/aprender-exercises.tar.gz
