# Where otto-c's files go, in the build tree and in an install tree, and the
# helpers that put programs there.
#
# The build tree and every install tree share one layout, relative to the
# folder that holds libotto (<libdir>):
#
#   <bindir>/otto, <bindir>/otto-conformance   the programs
#   <libdir>/libotto.so.0                      the library
#   <libdir>/otto/                             libotto's private folder:
#   <libdir>/otto/plugins/                       the shipped plugins
#   <libdir>/otto/otto-worker                    programs libotto runs itself
#
# In the build tree <bindir> is build/bin and <libdir> is build/lib. libotto
# finds its private folder from its own location (core/src/util/
# self_location.c), never from a prefix frozen at configure time, so a tree
# works wherever it lands: `cmake --install --prefix ANY`, a .deb, or
# `dpkg-deb -x` into a scratch folder. Programs find libotto through an
# $ORIGIN-relative RUNPATH computed from the install dirs (OTTO_RELOCATABLE
# below), except when <libdir> is a folder the system loader searches anyway
# (/usr/lib/<triplet>, where a .deb puts it): there they carry none, as
# Debian policy asks.
include(GNUInstallDirs)

# libotto's SONAME is libotto.so.<OTTO_SOVERSION>: it changes only when a
# release breaks the library's ABI (the file name carries the release), and
# names the Debian package libotto<OTTO_SOVERSION>.
set(OTTO_SOVERSION 0)

set(OTTO_INSTALL_PKGLIBDIR "${CMAKE_INSTALL_LIBDIR}/otto")
set(OTTO_INSTALL_PLUGINDIR "${OTTO_INSTALL_PKGLIBDIR}/plugins")
set(OTTO_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/otto")
set(OTTO_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
set(OTTO_INSTALL_TEMPLATEDIR "${CMAKE_INSTALL_DATADIR}/otto/backend-template")

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/lib")
set(CMAKE_ARCHIVE_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/lib")
set(OTTO_PKGLIB_BUILD_DIR "${PROJECT_BINARY_DIR}/lib/otto")
set(OTTO_PLUGIN_BUILD_DIR "${OTTO_PKGLIB_BUILD_DIR}/plugins")
# What otto_add_plugin() (sdk/OttoPlugin.cmake) reads, here as in an
# installed ottoConfig.cmake: the plugin folder relative to the prefix.
set(OTTO_PLUGIN_INSTALL_DIR "${OTTO_INSTALL_PLUGINDIR}")

# Folders the install creates are 0755 whatever the umask: plugin folders
# writable by anyone but their owner are refused (docs/plugins.md).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Packages (CPack components; core/cmake/OttoPackage.cmake): `tool` (otto and
# the shipped plugins), `libotto` (the library and its private programs),
# `dev` (headers, the SDK, pkg-config and CMake files, the template,
# otto-conformance). Anything installed without a component is part of the
# tool.
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME tool)

# A relocatable tree (the default) works wherever it is copied: programs
# find libotto through an $ORIGIN-relative RUNPATH and the .pc files give
# paths relative to their own folder. A system install (libdir is a folder
# the loader searches by itself, as for the .deb files) has neither: no
# RUNPATH (Debian policy), and plain absolute paths in the .pc files.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(otto_full_libdir "${CMAKE_INSTALL_LIBDIR}")
else()
  set(otto_full_libdir "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}")
endif()
if("${otto_full_libdir}" IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
  set(otto_relocatable_default OFF)
else()
  set(otto_relocatable_default ON)
endif()
option(OTTO_RELOCATABLE
  "Installed tree works under any prefix: \$ORIGIN RUNPATHs, .pc paths relative to the .pc file (default: on unless the install libdir is a system library folder)"
  ${otto_relocatable_default})

# Set the install RUNPATH of `target`, installed into `dir` (relative to the
# prefix), so that it finds <libdir> from wherever the tree lands.
function(otto__set_runpath target dir)
  if(NOT OTTO_RELOCATABLE)
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "")
    return()
  endif()
  if(IS_ABSOLUTE "${dir}" OR IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    # An absolute install dir pins the tree to one place anyway.
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "${otto_full_libdir}")
    return()
  endif()
  file(RELATIVE_PATH rel "/prefix/${dir}" "/prefix/${CMAKE_INSTALL_LIBDIR}")
  # (CMake answers "../" for a parent folder.)
  string(REGEX REPLACE "/$" "" rel "${rel}")
  if(rel STREQUAL "")
    set(runpath "\$ORIGIN")
  else()
    set(runpath "\$ORIGIN/${rel}")
  endif()
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "${runpath}")
endfunction()

# otto_install_program(<target> [COMPONENT <component>] [EXPORT])
# A program for people, installed into <bindir> with the RUNPATH above.
# EXPORT also makes it an imported target of the CMake package (otto::<its
# EXPORT_NAME>), e.g. otto::conformance for a plugin's tests.
function(otto_install_program target)
  cmake_parse_arguments(P "EXPORT" "COMPONENT" "" ${ARGN})
  if(NOT P_COMPONENT)
    set(P_COMPONENT tool)
  endif()
  set(export)
  if(P_EXPORT)
    set(export EXPORT ottoTargets)
  endif()
  otto__set_runpath(${target} "${CMAKE_INSTALL_BINDIR}")
  install(TARGETS ${target} ${export} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${P_COMPONENT})
endfunction()

# otto_private_executable(<target>)
# A program libotto starts itself (the backend worker): built into
# build/lib/otto/, installed into <libdir>/otto/ with a RUNPATH to <libdir>,
# packaged with libotto. libotto finds it with
# otto__self_private_path("<output name>").
function(otto_private_executable target)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${OTTO_PKGLIB_BUILD_DIR}")
  otto__set_runpath(${target} "${OTTO_INSTALL_PKGLIBDIR}")
  install(TARGETS ${target} RUNTIME DESTINATION ${OTTO_INSTALL_PKGLIBDIR} COMPONENT libotto)
endfunction()
