# Writes OUT (generated/hoist/git_revision.hpp) with `git describe` of SRC, at every build rather
# than only at configure time, so `hoist version` names the commit it was built from. The file
# is rewritten only when the revision changed, so an unchanged tree recompiles nothing.
# -DREVISION=... overrides git (release tarballs have no .git).
if(NOT REVISION)
  execute_process(COMMAND git describe --always --dirty --tags
                  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE REVISION
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT REVISION)
  set(REVISION "unknown")
endif()
set(content "#pragma once\n// Generated at build time by cmake/git_revision.cmake.\n#define HOIST_GIT_REVISION \"${REVISION}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUT} "${content}")
endif()
