# otto_add_plugin(): build (and install) an otto-c backend plugin.
#
# The same file serves this repository's own plugins and, installed with the
# CMake package, every out-of-tree plugin (find_package(otto) includes it):
#
#   find_package(otto 0.2 REQUIRED)
#   otto_add_plugin(csv SOURCES csv.c)
#
# otto_add_plugin(<target> [SOURCES] <files...>
#                 [LIBRARIES <libs...>]        libraries the plugin links
#                 [OUTPUT_NAME <name>]         file name without .so (default: <target>)
#                 [OUTPUT_DIRECTORY <dir>]     where the build puts it
#                 [DESTINATION <dir>]          install folder (default below)
#                 [COMPONENT <component>]      install component
#                 [NO_INSTALL]                 build only
#                 [ALLOW_UNDEFINED])           (for deliberately broken test plugins)
#
# It builds a MODULE library named <name>.so (no "lib" prefix) against the
# SDK headers only (otto::plugin-sdk, never libotto), with hidden visibility
# so that `otto_plugin` is its one exported symbol, and with every undefined
# symbol an error at link time (a missing function would otherwise crash
# otto at its first call). It installs into OTTO_PLUGIN_INSTALL_DIR, the
# plugin folder relative to the install prefix (lib/otto/plugins, or
# lib/<triplet>/otto/plugins under /usr): installed with the same prefix as
# otto, the plugin lands in the folder otto searches by default. The
# absolute folder of the otto that was found is OTTO_PLUGIN_DIR.
function(otto_add_plugin target)
  cmake_parse_arguments(P "ALLOW_UNDEFINED;NO_INSTALL" "OUTPUT_DIRECTORY;OUTPUT_NAME;DESTINATION;COMPONENT"
    "SOURCES;LIBRARIES" ${ARGN})
  list(APPEND P_SOURCES ${P_UNPARSED_ARGUMENTS})
  if(NOT P_SOURCES)
    message(FATAL_ERROR "otto_add_plugin(${target}): no source files (give them after SOURCES)")
  endif()
  if(NOT TARGET otto::plugin-sdk)
    message(FATAL_ERROR "otto_add_plugin(${target}): the otto::plugin-sdk target is missing; "
      "use find_package(otto) instead of including OttoPlugin.cmake directly")
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE otto::plugin-sdk ${P_LIBRARIES})
  if(NOT P_OUTPUT_DIRECTORY AND DEFINED OTTO_PLUGIN_BUILD_DIR)
    # Inside otto-c itself: the build tree's plugin folder.
    set(P_OUTPUT_DIRECTORY "${OTTO_PLUGIN_BUILD_DIR}")
  endif()
  if(NOT P_OUTPUT_NAME)
    set(P_OUTPUT_NAME "${target}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    OUTPUT_NAME "${P_OUTPUT_NAME}"
    C_VISIBILITY_PRESET hidden)
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${P_OUTPUT_DIRECTORY}")
  endif()
  if(NOT P_ALLOW_UNDEFINED AND NOT OTTO_SANITIZE)
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  if(NOT P_NO_INSTALL)
    if(NOT P_DESTINATION)
      if(NOT OTTO_PLUGIN_INSTALL_DIR)
        message(FATAL_ERROR "otto_add_plugin(${target}): OTTO_PLUGIN_INSTALL_DIR is not set; "
          "use find_package(otto), or give DESTINATION or NO_INSTALL")
      endif()
      set(P_DESTINATION "${OTTO_PLUGIN_INSTALL_DIR}")
    endif()
    set(component)
    if(P_COMPONENT)
      set(component COMPONENT ${P_COMPONENT})
    endif()
    # 0644: a plugin is loaded, never run (and Debian wants libraries so).
    install(TARGETS ${target} LIBRARY DESTINATION "${P_DESTINATION}" ${component}
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endfunction()
