# otto_add_plugin(<target> SOURCES <files...> [OUTPUT_DIRECTORY <dir>]
#                 [ALLOW_UNDEFINED] [LIBRARIES <libs...>] [NO_INSTALL])
#
# Build a backend plugin the way an out-of-tree author would: a MODULE
# library against the SDK headers only (never libotto), hidden visibility
# so the one exported symbol is `otto_plugin`, and every undefined symbol an
# error at link time unless ALLOW_UNDEFINED (used by broken test plugins).
function(otto_add_plugin target)
  cmake_parse_arguments(P "ALLOW_UNDEFINED;NO_INSTALL" "OUTPUT_DIRECTORY;OUTPUT_NAME" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE otto::sdk ${P_LIBRARIES})
  if(NOT P_OUTPUT_DIRECTORY)
    set(P_OUTPUT_DIRECTORY "${OTTO_PLUGIN_BUILD_DIR}")
  endif()
  if(NOT P_OUTPUT_NAME)
    set(P_OUTPUT_NAME "${target}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${P_OUTPUT_NAME}"
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${P_OUTPUT_DIRECTORY}")
  if(NOT P_ALLOW_UNDEFINED AND NOT OTTO_SANITIZE)
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  if(NOT P_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${OTTO_PLUGIN_SUBDIR}")
  endif()
endfunction()
