// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/validate.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace hs::config {

namespace {

constexpr int kMaxShards = 10000;

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Validates "host[:port]" of a URL authority (userinfo already removed).
Result<void> CheckAuthority(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(ErrorCode::kUsage, "unclosed '[' in host");
    host = authority.substr(1, close - 1);
    if (!IsIpLiteral(host)) return Fail(ErrorCode::kUsage, "bracketed host is not an IPv6 address");
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Fail(ErrorCode::kUsage, "unexpected text after ']'");
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return Fail(ErrorCode::kUsage, "has no host");
  if (has_port) {
    const std::optional<long long> p = ParseInteger(port);
    if (!p || port[0] == '+' || port[0] == '-' || *p < 1 || *p > 65535) {
      return Fail(ErrorCode::kUsage, fmt::format("port '{}' is not a number 1..65535", port));
    }
  }
  return {};
}

}  // namespace

std::optional<long long> ParseInteger(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  long long v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

bool IsIpLiteral(std::string_view s) {
  const std::string text(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Result<std::string> CheckStreamUrl(std::string_view url) {
  for (char c : url) {
    if (c == ' ') return Fail(ErrorCode::kUsage, "contains a space (encode it as %20)");
    if (IsControl(c)) return Fail(ErrorCode::kUsage, "contains a control character");
  }
  const std::size_t sep = url.find("://");
  const std::string scheme = sep == std::string_view::npos ? "" : Lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return Fail(ErrorCode::kUsage,
                "must start with http:// or https:// (e.g. http://origin:8080/live/stream.m3u8)");
  }
  const std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (Result<void> ok = CheckAuthority(authority); !ok) return tl::unexpected(ok.error());
  return scheme + std::string(url.substr(sep));
}

Result<void> CheckHeader(std::string_view header) {
  if (header.find_first_of("\r\n") != std::string_view::npos) {
    return Fail(ErrorCode::kUsage, "contains CR or LF (one header per -header)");
  }
  const std::size_t colon = header.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Fail(ErrorCode::kUsage, "must look like \"Name: value\"");
  }
  for (char c : header.substr(0, colon)) {
    if (!IsTokenChar(c)) {
      return Fail(ErrorCode::kUsage,
                  "header name may contain only letters, digits and -_.!#$%&'*+^`|~");
    }
  }
  for (char c : header.substr(colon + 1)) {
    if (IsControl(c) && c != '\t')
      return Fail(ErrorCode::kUsage, "value contains a control character");
  }
  return {};
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Fail(ErrorCode::kUsage, "must be ADDR:PORT (e.g. 0.0.0.0:9090 or :9090)");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos || !IsIpLiteral(host)) {
      return Fail(ErrorCode::kUsage, "bracketed address is not an IPv6 address");
    }
  } else if (host.find(':') != std::string_view::npos) {
    return Fail(ErrorCode::kUsage, "put an IPv6 address in brackets (e.g. [::1]:9090)");
  }
  HostPort out;
  out.host = host.empty() ? "0.0.0.0" : host == "localhost" ? "127.0.0.1" : std::string(host);
  if (!IsIpLiteral(out.host)) {
    return Fail(ErrorCode::kUsage, "address must be an IP address (e.g. 127.0.0.1:9090)");
  }
  const std::optional<long long> port = ParseInteger(port_text);
  if (!port || *port < 0 || *port > 65535) {
    return Fail(ErrorCode::kUsage, "port must be a number 0..65535");
  }
  out.port = static_cast<int>(*port);
  return out;
}

Result<Shard> ParseShard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Fail(ErrorCode::kUsage, "must be I/N (e.g. -shard 0/4 for the first of 4 machines)");
  }
  const std::optional<long long> index = ParseInteger(text.substr(0, slash));
  const std::optional<long long> count = ParseInteger(text.substr(slash + 1));
  if (!index || !count) return Fail(ErrorCode::kUsage, "I and N must be whole numbers (e.g. 0/4)");
  if (*count < 1 || *count > kMaxShards) {
    return Fail(ErrorCode::kUsage, fmt::format("N must be 1..{}", kMaxShards));
  }
  if (*index < 0 || *index >= *count) {
    return Fail(ErrorCode::kUsage,
                fmt::format("I must be 0..N-1 (shards are numbered from 0; e.g. 0/{})", *count));
  }
  return Shard{static_cast<int>(*index), static_cast<int>(*count)};
}

}  // namespace hs::config
