// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::config {

/// Splits \a text into words the way a POSIX shell tokenises a simple command line, without
/// any expansion: words are separated by unquoted spaces, tabs and newlines; '...' keeps
/// everything literally; "..." keeps everything except that a backslash escapes $ ` " \ and
/// newline (backslash-newline vanishes); an unquoted backslash takes the next character
/// literally (backslash-newline vanishes). '' or "" produce an empty word. $, `, * and ~ are
/// ordinary characters. An unterminated quote or a trailing lone backslash is an
/// ErrorCode::kParse error naming the problem and its byte offset. Pure; any thread.
Result<std::vector<std::string>> ShellSplit(std::string_view text);

}  // namespace hs::config
