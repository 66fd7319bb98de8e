# Installation (`cmake --install`) and the Debian package (`cpack -G DEB` in the build directory).
#
# The package depends on the Debian runtime packages of the shared libraries hoist links,
# computed by dpkg-shlibdeps from the binary itself (libcurl4, libyaml-cpp0.7, libarchive13, ...).
# libssh2 1.11 is linked statically from HOIST_LIBSSH2_PREFIX, so it is not one of them (Debian
# 12's libssh2-1 is 1.10; see .ci/install-deps.sh).
#
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for a package: completion directories follow the
# prefix (zsh on Debian reads /usr/share/zsh/vendor-completions but /usr/local/share/zsh/site-functions).
include(GNUInstallDirs)

set(HOIST_ZSH_COMPLETION_DIR "" CACHE STRING "Where _hoist is installed (relative to the prefix; empty: by prefix)")
set(_hoist_zsh_dir "${HOIST_ZSH_COMPLETION_DIR}")
if(NOT _hoist_zsh_dir AND CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_hoist_zsh_dir "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
elseif(NOT _hoist_zsh_dir)
  set(_hoist_zsh_dir "${CMAKE_INSTALL_DATADIR}/zsh/site-functions")
endif()
set(HOIST_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" CACHE STRING
    "Where the bash completion is installed (relative to the prefix)")

install(TARGETS hoist RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_BINARY_DIR}/completions/hoist DESTINATION ${HOIST_BASH_COMPLETION_DIR})
install(FILES ${CMAKE_BINARY_DIR}/completions/_hoist DESTINATION ${_hoist_zsh_dir})
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(HOIST_PACKAGE_MAINTAINER "hoist maintainers <maintainers@hoist.invalid>" CACHE STRING
    "Maintainer field of the .deb")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "hoist")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "build, push and deploy containers to servers over SSH, with zero downtime")
set(CPACK_PACKAGE_DESCRIPTION
    "hoist reads a pipeline file, builds the image, pushes it through the registry API, then reaches every host\n"
    "over SSH and swaps the running containers, rolling or blue/green, behind nginx, HAProxy or an AWS load\n"
    "balancer, rolling the fleet back by itself when anything goes wrong.")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HOIST_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")  # hoist_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, docker.io")
set(CPACK_STRIP_FILES TRUE)  # the build's debug info stays in the build tree
include(CPack)

# The portable tarball (hoist-VERSION-linux-x86_64.tar.gz, cmake/tarball.sh): hoist with every
# shared library it loads, glibc and its loader included, for any x86_64 Linux. The release
# attaches it beside the .deb; the GitHub Action installs it.
add_custom_target(tarball
  COMMAND ${CMAKE_SOURCE_DIR}/cmake/tarball.sh ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}
  DEPENDS hoist
  COMMENT "hoist-${PROJECT_VERSION}-linux-x86_64.tar.gz" VERBATIM)
