# Helpers that keep each module's CMakeLists.txt to a few lines.
#
#   entente_module(NAME SOURCES a.cc b.cc DEPS base crypto [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
#       builds library entente_<NAME>; DEPS name other Entente modules (downwards only).
#   entente_test(NAME SOURCES a_test.cc ... DEPS ...)
#       builds a GoogleTest binary <NAME> and registers it with CTest.
#   entente_fuzz(NAME SOURCE fuzz/x_fuzz.cc CORPUS fuzz/x_corpus DEPS ...)
#       builds a fuzz target; with gcc it is linked with a replay driver and CTest replays the
#       corpus, with clang + ENTENTE_LIBFUZZER it is a libFuzzer binary for `make fuzz`.
#   entente_benchmark(NAME SOURCES ... DEPS ...)
#       builds a Google Benchmark binary, run by `make bench`.

set(ENTENTE_SRC_DIR ${PROJECT_SOURCE_DIR}/src)

function(_entente_targets out)
  set(result "")
  foreach(dep IN LISTS ARGN)
    list(APPEND result entente_${dep})
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

function(entente_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  _entente_targets(deps ${ARG_DEPS})
  add_library(entente_${name} STATIC ${ARG_SOURCES})
  target_include_directories(entente_${name} PUBLIC ${ENTENTE_SRC_DIR})
  target_link_libraries(entente_${name} PUBLIC ${deps} ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
endfunction()

function(entente_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  _entente_targets(deps ${ARG_DEPS})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${deps} ${ARG_LIBS} entente_testing GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "ENTENTE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

function(entente_fuzz name)
  cmake_parse_arguments(ARG "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  _entente_targets(deps ${ARG_DEPS})
  add_executable(${name} ${ARG_SOURCE})
  target_link_libraries(${name} PRIVATE ${deps})
  if(ENTENTE_LIBFUZZER)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_property(GLOBAL APPEND PROPERTY ENTENTE_FUZZERS "${name}=${CMAKE_CURRENT_SOURCE_DIR}/${ARG_CORPUS}")
  else()
    target_link_libraries(${name} PRIVATE entente_fuzz_replay)
    add_test(NAME ${name}_corpus COMMAND ${name} ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_CORPUS})
  endif()
endfunction()

function(entente_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  if(NOT ENTENTE_BENCHMARKS)
    return()
  endif()
  _entente_targets(deps ${ARG_DEPS})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${deps} ${ARG_LIBS} benchmark::benchmark)
  set_property(GLOBAL APPEND PROPERTY ENTENTE_BENCHMARKS ${name})
endfunction()
