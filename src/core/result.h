// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace hs {

/// Broad classes of failure; the detail string says what exactly went wrong.
enum class ErrorCode {
  kUsage,        ///< bad flag or value (exit 2)
  kNotFound,     ///< a file or binary is missing
  kIo,           ///< a syscall failed
  kNetwork,      ///< connect/read/timeout
  kHttp,         ///< an HTTP status or body that is not what we need
  kParse,        ///< malformed input
  kUnsupported,  ///< the platform or FFmpeg build cannot do it
  kInternal,
};

/// A recoverable error: a code plus a human-readable, one-line detail.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string detail;
};

inline Error MakeError(ErrorCode code, std::string detail) {
  return Error{code, std::move(detail)};
}

template <typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string detail) {
  return tl::unexpected<Error>(Error{code, std::move(detail)});
}

const char* ErrorCodeName(ErrorCode code);

}  // namespace hs

template <>
struct fmt::formatter<hs::Error> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const hs::Error& e, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}", e.detail);
  }
};
