# otto-c as something others build on: the CMake package (ottoConfig.cmake,
# ottoTargets.cmake), the two pkg-config files (otto-plugin.pc for plugin
# authors, otto.pc for programs that embed libotto), the backend template,
# and the .deb packages (CPack). Layout and components: OttoLayout.cmake.
include(CMakePackageConfigHelpers)

# The plugin ABI, read from the SDK header like the release from otto.h.
file(STRINGS ${PROJECT_SOURCE_DIR}/sdk/include/otto/plugin.h otto_abi_lines REGEX "^#define OTTO_ABI_M(AJ|IN)OR ")
string(REGEX MATCH "OTTO_ABI_MAJOR ([0-9]+)" _ "${otto_abi_lines}")
set(OTTO_ABI_MAJOR ${CMAKE_MATCH_1})
string(REGEX MATCH "OTTO_ABI_MINOR ([0-9]+)" _ "${otto_abi_lines}")
set(OTTO_ABI_MINOR ${CMAKE_MATCH_1})

# ---------------------------------------------------------- CMake package --
install(EXPORT ottoTargets NAMESPACE otto:: DESTINATION ${OTTO_INSTALL_CMAKEDIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ottoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/ottoConfig.cmake
  INSTALL_DESTINATION ${OTTO_INSTALL_CMAKEDIR}
  PATH_VARS OTTO_INSTALL_PLUGINDIR)
# Before 1.0 a minor release may break the API: 0.2 accepts 0.2.x only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/ottoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/ottoConfig.cmake ${PROJECT_BINARY_DIR}/package/ottoConfigVersion.cmake
  DESTINATION ${OTTO_INSTALL_CMAKEDIR} COMPONENT dev)

# ------------------------------------------------------------- pkg-config --
# Relocatable: the prefix is derived from the .pc file's own folder, so
# `cmake --install --prefix ANY` needs no --define-prefix. A system install
# writes the prefix itself, as Debian's own .pc files do.
if(OTTO_RELOCATABLE AND NOT IS_ABSOLUTE "${OTTO_INSTALL_PKGCONFIGDIR}")
  file(RELATIVE_PATH otto_pc_up "/prefix/${OTTO_INSTALL_PKGCONFIGDIR}" "/prefix")
  set(OTTO_PC_PREFIX "\${pcfiledir}/${otto_pc_up}")
else()
  set(OTTO_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/sdk/otto-plugin.pc.in ${PROJECT_BINARY_DIR}/package/otto-plugin.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/otto.pc.in ${PROJECT_BINARY_DIR}/package/otto.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/otto-plugin.pc ${PROJECT_BINARY_DIR}/package/otto.pc
  DESTINATION ${OTTO_INSTALL_PKGCONFIGDIR} COMPONENT dev)

# ---------------------------------------------------------- the template --
# docs/examples/backend-template/ as a user copies it (its build/ excluded).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/examples/backend-template/
  DESTINATION ${OTTO_INSTALL_TEMPLATEDIR} COMPONENT dev
  PATTERN "build*" EXCLUDE)

# --------------------------------------------------------- .deb packages --
# `cpack -G DEB` in a build configured for /usr (see docs/install.md) makes
# otto_<v>_<arch>.deb (the command and the shipped plugins),
# libotto<soversion>_<v>_<arch>.deb (the library and its private programs)
# and libotto-dev_<v>_<arch>.deb (headers, .so link, .pc and CMake files,
# the template, otto-conformance). dpkg-shlibdeps computes the system
# dependencies; the packages depend on each other at the exact version.
set(CPACK_PACKAGE_NAME otto)
set(CPACK_PACKAGE_VENDOR "otto-c")
set(CPACK_PACKAGE_CONTACT "otto-c maintainers <otto-c@lists.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# CPack prepends a non-default summary to every package's description;
# each package has its own first line instead (CPACK_DEBIAN_*_DESCRIPTION).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL tool libotto dev python)
if(OTTO_POSTGRES_PLUGIN)
  # plugins/postgres: its own package, so only it depends on libpq.
  list(APPEND CPACK_COMPONENTS_ALL postgres)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps must see libotto.so.0, which no installed package provides
# yet; the dependency on libotto<N> comes from the component dependencies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/lib)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_COMPONENT_TOOL_DEPENDS libotto)
set(CPACK_COMPONENT_DEV_DEPENDS libotto)
set(CPACK_DEBIAN_TOOL_PACKAGE_NAME otto)
set(CPACK_DEBIAN_TOOL_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_TOOL_DESCRIPTION "lab-test backends: which lab hosts exist, who holds which resource
The otto command lists labs and hosts from a lab repository, says who holds
which lab resource according to a reservation backend, takes machine locks
on the lab host, and gates a test run with `otto reservation check`, which
succeeds only when the user provably holds every resource a lab needs.

This package holds the command and the shipped backend plugins (example,
json); the lock view is built into libotto.")
set(CPACK_DEBIAN_LIBOTTO_PACKAGE_NAME libotto${OTTO_SOVERSION})
set(CPACK_DEBIAN_LIBOTTO_PACKAGE_SECTION libs)
# The library's control files: shlibs (what a program linked against it
# depends on; the symbols are versioned, so any later 0.x of this SONAME
# will do) and the ldconfig trigger Debian uses instead of maintainer scripts.
file(WRITE ${PROJECT_BINARY_DIR}/package/debian-libotto/shlibs
  "libotto ${OTTO_SOVERSION} libotto${OTTO_SOVERSION} (>= ${PROJECT_VERSION})\n")
file(WRITE ${PROJECT_BINARY_DIR}/package/debian-libotto/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_LIBOTTO_PACKAGE_CONTROL_EXTRA
  ${PROJECT_BINARY_DIR}/package/debian-libotto/shlibs ${PROJECT_BINARY_DIR}/package/debian-libotto/triggers)
set(CPACK_DEBIAN_LIBOTTO_DESCRIPTION "otto-c host library
libotto discovers otto-c backend plugins, opens the lab repository and
reservation backend named in .otto/settings.toml, runs the reservation
check and manages machine locks. Its plugins live beside it, in
/usr/lib/<triplet>/otto/plugins.")
set(CPACK_COMPONENT_PYTHON_DEPENDS libotto)
set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-otto-c)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3 (>= 3.10)")
set(CPACK_DEBIAN_PYTHON_DESCRIPTION "otto-c backends inside Python otto
The otto_c module turns any otto-c backend plugin into an object with
upstream otto-sh's LabRepository or ReservationBackend methods, through
ctypes over libotto (no compiled extension). Registered from an otto-sh
init module, it gives Python otto otto-c's backends and speed.")
set(CPACK_COMPONENT_POSTGRES_DEPENDS tool)
set(CPACK_DEBIAN_POSTGRES_PACKAGE_NAME otto-postgres)
set(CPACK_DEBIAN_POSTGRES_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_POSTGRES_DESCRIPTION "otto-c team store on PostgreSQL
The postgres plugin: the `postgres` reservation backend (reservations a
whole lab team shares, overlap refused by the database, identity from the
database role) and the `postgres` lock store. Set it up with `otto db init`
(docs/team-store.md). It links libpq; the otto package does not.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libotto-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "otto-c plugin SDK and libotto development files
Everything needed to write an otto-c backend plugin or a program that
embeds libotto: the headers, the otto-plugin and otto pkg-config files, the
otto CMake package (find_package(otto) with otto_add_plugin()), a backend
template to copy (/usr/share/otto/backend-template) and otto-conformance,
which checks a plugin against the backend contract.")

# Every package needs its own /usr/share/doc/<package>/copyright and
# changelog.Debian.gz (lintian errors otherwise); they are added to the
# staged trees only when packaging, so a plain install stays plain.
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/OttoDebianDocs.cmake)
set(CPACK_OTTO_LICENSE_FILE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_OTTO_SOURCE_PACKAGE otto-c)
set(CPACK_OTTO_PACKAGES "tool=otto;libotto=libotto${OTTO_SOVERSION};dev=libotto-dev;python=python3-otto-c")
if(OTTO_POSTGRES_PLUGIN)
  list(APPEND CPACK_OTTO_PACKAGES "postgres=otto-postgres")
endif()
if(OTTO_RELOCATABLE)
  # A .deb with $ORIGIN RUNPATHs is refused by lintian: say what to do.
  set(CPACK_OTTO_RELOCATABLE ON)
endif()
include(CPack)
