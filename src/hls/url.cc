// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/url.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace hs::hls {

namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), terminated by ':'.
// Returns the length of the scheme, or 0 when \a s does not start with one.
size_t SchemeLength(std::string_view s) {
  if (s.empty() || !IsAsciiAlpha(s[0])) return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return i;
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

bool IsHostChar(char c) {
  return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '%';
}

Result<int> ParsePort(std::string_view text, std::string_view url) {
  int port = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc() || ptr != end || port < 1 || port > 65535) {
    return Fail(ErrorCode::kUsage,
                fmt::format("bad port \"{}\" in URL {} (want 1..65535)", text, url));
  }
  return port;
}

// Splits "host[:port]" or "[v6][:port]" into \a parts.
Result<void> ParseHostPort(std::string_view hp, std::string_view url, UrlParts& parts) {
  std::string_view port_text;
  bool has_port = false;
  if (!hp.empty() && hp[0] == '[') {
    const size_t close = hp.find(']');
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kUsage, fmt::format("unterminated IPv6 literal in URL {}", url));
    }
    const std::string_view v6 = hp.substr(1, close - 1);
    for (char c : v6) {
      if (!IsHexDigit(c) && c != ':' && c != '.' && c != '%') {
        return Fail(ErrorCode::kUsage, fmt::format("invalid IPv6 literal in URL {}", url));
      }
    }
    if (v6.find(':') == std::string_view::npos) {
      return Fail(ErrorCode::kUsage, fmt::format("invalid IPv6 literal in URL {}", url));
    }
    parts.host = std::string(v6);
    parts.ipv6 = true;
    const std::string_view rest = hp.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') {
      return Fail(ErrorCode::kUsage, fmt::format("junk after IPv6 literal in URL {}", url));
    }
    has_port = !rest.empty();
    if (has_port) port_text = rest.substr(1);
  } else {
    const size_t colon = hp.rfind(':');
    has_port = colon != std::string_view::npos;
    parts.host = Lower(hp.substr(0, has_port ? colon : hp.size()));
    if (has_port) port_text = hp.substr(colon + 1);
    for (char c : parts.host) {
      if (!IsHostChar(c)) {
        return Fail(ErrorCode::kUsage,
                    fmt::format("invalid character '{}' in host of URL {}", c, url));
      }
    }
  }
  if (parts.host.empty()) return Fail(ErrorCode::kUsage, fmt::format("empty host in URL {}", url));
  if (has_port) {
    Result<int> port = ParsePort(port_text, url);
    if (!port) return tl::unexpected(port.error());
    parts.port = *port;
    parts.port_explicit = true;
  }
  return {};
}

// The five RFC 3986 components of a URI reference; nullopt means "absent" (not "empty").
struct Components {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
};

Components Split(std::string_view s) {
  Components c;
  if (const size_t hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
  if (const size_t n = SchemeLength(s); n > 0) {
    c.scheme = s.substr(0, n);
    s.remove_prefix(n + 1);
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    const size_t end = s.find_first_of("/?");
    c.authority = s.substr(0, end);
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  const size_t q = s.find('?');
  c.path = s.substr(0, q);
  if (q != std::string_view::npos) c.query = s.substr(q + 1);
  return c;
}

// RFC 3986 §5.2.4, on a segment stack: "." vanishes, ".." pops, the trailing slash is kept.
std::string RemoveDotSegments(std::string_view path) {
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  size_t pos = absolute ? 1 : 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(pos, slash - pos);
    const bool last = slash == path.size();
    trailing_slash = false;
    if (seg == ".") {
      trailing_slash = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(seg);
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string result = absolute ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (trailing_slash && !out.empty()) result += '/';
  return result;
}

std::string Merge(const Components& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(ref_path);
  const size_t slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(ref_path);
  return std::string(base.path.substr(0, slash + 1)) + std::string(ref_path);
}

}  // namespace

std::string UrlParts::HostPort() const {
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::string UrlParts::HostHeader() const {
  const std::string h = ipv6 ? fmt::format("[{}]", host) : host;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? h : fmt::format("{}:{}", h, port);
}

Result<UrlParts> ParseHttpUrl(std::string_view url) {
  if (url.empty()) return Fail(ErrorCode::kUsage, "empty URL");
  for (size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (c <= 0x20 || c == 0x7f) {
      return Fail(
          ErrorCode::kUsage,
          fmt::format("URL \"{}\" contains a space or control character at offset {}", url, i));
    }
  }
  const size_t scheme_len = SchemeLength(url);
  if (scheme_len == 0 || url.substr(scheme_len, 3) != "://") {
    return Fail(ErrorCode::kUsage,
                fmt::format("URL \"{}\" has no scheme (want http:// or https://)", url));
  }
  UrlParts parts;
  parts.scheme = Lower(url.substr(0, scheme_len));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return Fail(ErrorCode::kUsage, fmt::format("unsupported scheme \"{}\" in URL {} (want http or "
                                               "https)",
                                               parts.scheme, url));
  }
  std::string_view rest = url.substr(scheme_len + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    parts.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  if (Result<void> hp = ParseHostPort(authority, url, parts); !hp)
    return tl::unexpected(hp.error());
  if (!parts.port_explicit) parts.port = parts.scheme == "https" ? 443 : 80;
  parts.path_and_query =
      auth_end == std::string_view::npos ? "/" : std::string(rest.substr(auth_end));
  if (parts.path_and_query[0] == '?') parts.path_and_query.insert(0, "/");
  return parts;
}

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  if (base.empty()) return std::string(ref);
  const Components b = Split(base);
  const Components r = Split(ref);
  Components t;
  std::string path;
  if (r.scheme) {
    t = r;
    path = RemoveDotSegments(r.path);
  } else {
    t.scheme = b.scheme;
    if (r.authority) {
      t.authority = r.authority;
      path = RemoveDotSegments(r.path);
      t.query = r.query;
    } else {
      t.authority = b.authority;
      if (r.path.empty()) {
        path = std::string(b.path);
        t.query = r.query ? r.query : b.query;
      } else {
        path = RemoveDotSegments(r.path[0] == '/' ? std::string(r.path) : Merge(b, r.path));
        t.query = r.query;
      }
    }
  }
  std::string out;
  if (t.scheme) out += fmt::format("{}:", *t.scheme);
  if (t.authority) out += fmt::format("//{}", *t.authority);
  out += path;
  if (t.query) out += fmt::format("?{}", *t.query);
  return out;
}

}  // namespace hs::hls

namespace hs::hls {

std::string WithHost(std::string_view url, std::string_view ip) {
  auto parts = ParseHttpUrl(url);
  if (!parts) return std::string(url);
  const bool v6 = ip.find(':') != std::string_view::npos;
  std::string out = parts->scheme + "://";
  if (v6) {
    out += "[";
    out += ip;
    out += "]";
  } else {
    out += ip;
  }
  if (parts->port_explicit) out += ":" + std::to_string(parts->port);
  out += parts->path_and_query;
  return out;
}

}  // namespace hs::hls
