#pragma once
/// libarchive's message for the last error on an archive handle. archive_error_string() returns
/// NULL when libarchive recorded no message (an empty file is one case), and appending that NULL
/// to a std::string crashed hoist on an empty base layer or ADD source.
#include <archive.h>

#include <string>

namespace hoist::image {

inline std::string archive_message(archive* a) {
    const char* m = archive_error_string(a);
    return m && *m ? m : "not a readable archive (libarchive gave no reason)";
}

}  // namespace hoist::image
