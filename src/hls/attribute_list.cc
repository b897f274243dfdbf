// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/attribute_list.h"

#include <charconv>

#include <fmt/format.h>

namespace hs::hls {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

void SkipSpaces(std::string_view text, size_t& pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> AttributeList::Find(std::string_view name) const {
  for (const Attribute& a : attributes_) {
    if (a.name == name) return std::string_view(a.value);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> AttributeList::FindUint(std::string_view name) const {
  const std::optional<std::string_view> v = Find(name);
  if (!v || v->empty()) return std::nullopt;
  std::uint64_t n = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

Result<AttributeList> ParseAttributeList(std::string_view text) {
  std::vector<Attribute> out;
  size_t pos = 0;
  SkipSpaces(text, pos);
  while (pos < text.size()) {
    const size_t eq = text.find('=', pos);
    const size_t comma = text.find(',', pos);
    if (eq == std::string_view::npos || (comma != std::string_view::npos && comma < eq)) {
      return Fail(ErrorCode::kParse,
                  fmt::format("attribute \"{}\" has no '='",
                              TrimRight(text.substr(pos, comma == std::string_view::npos
                                                             ? std::string_view::npos
                                                             : comma - pos))));
    }
    Attribute attr;
    attr.name = std::string(TrimRight(text.substr(pos, eq - pos)));
    if (attr.name.empty()) return Fail(ErrorCode::kParse, "attribute with an empty name");
    pos = eq + 1;
    if (pos < text.size() && text[pos] == '"') {
      const size_t close = text.find('"', pos + 1);
      if (close == std::string_view::npos) {
        return Fail(ErrorCode::kParse,
                    fmt::format("unterminated quoted value of attribute {}", attr.name));
      }
      attr.value = std::string(text.substr(pos + 1, close - pos - 1));
      attr.quoted = true;
      pos = close + 1;
      SkipSpaces(text, pos);
      if (pos < text.size() && text[pos] != ',') {
        return Fail(ErrorCode::kParse,
                    fmt::format("junk after the quoted value of attribute {}", attr.name));
      }
    } else {
      const size_t end = text.find(',', pos);
      attr.value = std::string(TrimRight(text.substr(pos, end - pos)));
      pos = end == std::string_view::npos ? text.size() : end;
    }
    out.push_back(std::move(attr));
    if (pos < text.size()) ++pos;  // the comma
    SkipSpaces(text, pos);
  }
  return AttributeList(std::move(out));
}

}  // namespace hs::hls
