# CPack pre-build script: runs after CPack staged each package's install
# tree and before it builds the .deb files. It refuses a relocatable build
# (its $ORIGIN RUNPATHs are against Debian policy, and lintian says so) and
# gives every package the /usr/share/doc/<package>/copyright and
# changelog.Debian.gz that Debian asks of every binary package. Its inputs
# come from core/cmake/OttoPackage.cmake (the CPACK_OTTO_* variables).
if(CPACK_OTTO_RELOCATABLE)
  message(FATAL_ERROR "otto: this build is relocatable ($ORIGIN RUNPATHs), which .deb files must not be: "
    "package from a build configured with -DCMAKE_INSTALL_PREFIX=/usr (docs/install.md)")
endif()

file(READ "${CPACK_OTTO_LICENSE_FILE}" license)
string(REGEX REPLACE "\n$" "" license "${license}")
string(REGEX REPLACE "\n\n" "\n.\n" license "${license}")
string(REGEX REPLACE "\n" "\n " license "${license}")
string(REGEX MATCH "Copyright \\(c\\) ([^\n]*)" _ "${license}")
set(holder "${CMAKE_MATCH_1}")
# Reproducible: the date of the release is SOURCE_DATE_EPOCH's when set.
string(TIMESTAMP now "%a, %d %b %Y %H:%M:%S +0000" UTC)

foreach(entry IN LISTS CPACK_OTTO_PACKAGES)
  string(REPLACE "=" ";" entry "${entry}")
  list(GET entry 0 component)
  list(GET entry 1 package)
  set(doc "${CPACK_TEMPORARY_DIRECTORY}/${component}${CPACK_PACKAGING_INSTALL_PREFIX}/share/doc/${package}")
  file(MAKE_DIRECTORY "${doc}")
  file(WRITE "${doc}/copyright"
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: otto-c

Files: *
Copyright: ${holder}
License: MIT
 ${license}
")
  file(WRITE "${doc}/changelog.Debian"
"${CPACK_OTTO_SOURCE_PACKAGE} (${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}) unstable; urgency=medium

  * Release ${CPACK_PACKAGE_VERSION}.

 -- ${CPACK_PACKAGE_CONTACT}  ${now}
")
  execute_process(COMMAND gzip -9nf "${doc}/changelog.Debian" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "otto: gzip failed on ${doc}/changelog.Debian")
  endif()
  file(CHMOD "${doc}/copyright" "${doc}/changelog.Debian.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(CHMOD "${doc}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
