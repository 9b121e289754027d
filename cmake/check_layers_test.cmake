# The layer check refuses what it should: run by ctest as `layers.check`.
#   cmake -DCHECK=<check_layers.cmake> -DLAYERS=<layers.txt> -DWORK=<scratch dir> -P check_layers_test.cmake
# In a scratch tree with the real table: an include down the order passes; an include up the order, one of
# test support from production code, and a folder the table does not list each fail, named in the message.
cmake_minimum_required(VERSION 3.25)

function(check_tree name expect_ok expect_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSRC=${WORK}/${name} -DLAYERS=${LAYERS} -P ${CHECK}
    RESULT_VARIABLE result ERROR_VARIABLE err OUTPUT_VARIABLE out)
  if(expect_ok AND NOT result EQUAL 0)
    message(FATAL_ERROR "${name}: the check failed on a tree that keeps the order:\n${err}")
  endif()
  if(NOT expect_ok AND result EQUAL 0)
    message(FATAL_ERROR "${name}: the check passed a tree that breaks the order")
  endif()
  if(NOT expect_text STREQUAL "")
    string(FIND "${err}" "${expect_text}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${name}: the message does not say '${expect_text}':\n${err}")
    endif()
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/down/controller/c.cc "#include \"admission/decision.h\"\n#include \"controller/c.h\"\n")
file(WRITE ${WORK}/down/admission/a_test.cc "#include \"controller/controller.h\"\n")
check_tree(down TRUE "")

file(WRITE ${WORK}/up/admission/a.cc "#include \"base/status.h\"\n#include \"controller/controller.h\"\n")
check_tree(up FALSE "src/admission/a.cc: includes \"controller/controller.h\", but admission/ may use only base, formats")

file(WRITE ${WORK}/testing/store/s.h "#include \"testing/temp_dir.h\"\n")
check_tree(testing FALSE "src/store/s.h: includes \"testing/temp_dir.h\"")

file(WRITE ${WORK}/unlisted/gadgets/g.cc "#include \"base/status.h\"\n")
check_tree(unlisted FALSE "folder 'gadgets' is not in")
file(REMOVE_RECURSE ${WORK})
