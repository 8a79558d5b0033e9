# Builds and runs the consumer project against warden. Invoked by ctest with -DMODE=package|fetchcontent.
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(consumer_args -G "${GENERATOR}" -S "${WARDEN_SOURCE_DIR}/tests/packaging/consumer"
    -B "${WORK_DIR}/build" -DCMAKE_BUILD_TYPE=Release)
if(LAUNCHER)
  list(APPEND consumer_args -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()

if(MODE STREQUAL "package")
  run(${CMAKE_COMMAND} --install "${WARDEN_BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
  run(${CMAKE_COMMAND} ${consumer_args} -DWARDEN_CONSUME=package
      "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
else()
  run(${CMAKE_COMMAND} ${consumer_args} -DWARDEN_CONSUME=fetchcontent
      "-DWARDEN_SOURCE_DIR=${WARDEN_SOURCE_DIR}")
endif()
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build" --parallel 2)
run("${WORK_DIR}/build/consumer_app")
run("${WORK_DIR}/build/consumer_conformance" --gtest_brief=1)
