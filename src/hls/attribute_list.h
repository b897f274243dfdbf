// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hs::hls {

/// One NAME=value pair of an HLS attribute list (RFC 8216 §4.2). Quoted values are stored
/// without their quotes.
struct Attribute {
  std::string name;
  std::string value;
  bool quoted = false;  ///< the value was a quoted-string
};

/// The attributes of one tag, in the order they appeared.
class AttributeList {
 public:
  AttributeList() = default;
  explicit AttributeList(std::vector<Attribute> attributes) : attributes_(std::move(attributes)) {}

  /// The value of the first attribute called \a name (case-sensitive), or nullopt.
  std::optional<std::string_view> Find(std::string_view name) const;
  /// The value of \a name as a non-negative decimal integer; nullopt if absent or not a number.
  std::optional<std::uint64_t> FindUint(std::string_view name) const;
  const std::vector<Attribute>& attributes() const { return attributes_; }

 private:
  std::vector<Attribute> attributes_;
};

/// Parses `NAME=value,NAME="quoted, value",...`. Spaces around names and after commas are
/// tolerated (seen in the wild). Fails (ErrorCode::kParse) on a missing '=', an empty name, or an
/// unterminated quoted string. Pure; thread-safe.
Result<AttributeList> ParseAttributeList(std::string_view text);

}  // namespace hs::hls
