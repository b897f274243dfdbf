// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/duration.h"

#include <cassert>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace hs::config {

namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit; the two micro spellings are U+00B5 (micro sign) and U+03BC (mu).
std::optional<std::uint64_t> UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return std::uint64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return std::uint64_t{3600} * 1000 * 1000 * 1000;
  return std::nullopt;
}

// Go's leadingInt: consumes digits; nullopt on overflow past 1<<63.
std::optional<std::uint64_t> LeadingInt(std::string_view& s) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (x > kMaxMagnitude / 10) return std::nullopt;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kMaxMagnitude) return std::nullopt;
  }
  s.remove_prefix(i);
  return x;
}

struct Fraction {
  std::uint64_t digits = 0;
  double scale = 1;
};

// Go's leadingFraction: digits past int64 precision are consumed and ignored, not an error.
Fraction LeadingFraction(std::string_view& s) {
  Fraction f;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) continue;
    if (f.digits > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t y = f.digits * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kMaxMagnitude) {
      overflow = true;
      continue;
    }
    f.digits = y;
    f.scale *= 10;
  }
  s.remove_prefix(i);
  return f;
}

// One "<number><unit>" element; adds its value to *total. Returns an error phrase or "".
std::string ParseElement(std::string_view& s, std::uint64_t* total) {
  if (!(s[0] == '.' || IsDigit(s[0]))) return "invalid duration";
  const std::size_t before_int = s.size();
  std::optional<std::uint64_t> v = LeadingInt(s);
  if (!v) return "duration out of range";
  const bool has_int = before_int != s.size();
  Fraction frac;
  bool has_frac = false;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    const std::size_t before_frac = s.size();
    frac = LeadingFraction(s);
    has_frac = before_frac != s.size();
  }
  if (!has_int && !has_frac) return "invalid duration";
  std::size_t i = 0;
  while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
  if (i == 0) return "missing unit";
  const std::string_view unit_text = s.substr(0, i);
  s.remove_prefix(i);
  const std::optional<std::uint64_t> unit = UnitNanos(unit_text);
  if (!unit) return fmt::format("unknown unit \"{}\"", unit_text);
  if (*v > kMaxMagnitude / *unit) return "duration out of range";
  *v *= *unit;
  if (frac.digits > 0) {
    *v += static_cast<std::uint64_t>(static_cast<double>(frac.digits) *
                                     (static_cast<double>(*unit) / frac.scale));
    if (*v > kMaxMagnitude) return "duration out of range";
  }
  *total += *v;
  if (*total > kMaxMagnitude) return "duration out of range";
  return "";
}

bool IsBareNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool digit = false;
  bool dot = false;
  for (char c : s) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

std::string_view UnitSuffix(std::chrono::nanoseconds unit) {
  using std::chrono::nanoseconds;
  if (unit == std::chrono::hours(1)) return "h";
  if (unit == std::chrono::minutes(1)) return "m";
  if (unit == std::chrono::seconds(1)) return "s";
  if (unit == std::chrono::milliseconds(1)) return "ms";
  if (unit == std::chrono::microseconds(1)) return "us";
  assert(unit == nanoseconds(1) && "ParseDurationOrNumber: unsupported default unit");
  return "ns";
}

// Go's fmtFrac: writes ".ddd" of v / 10^prec without trailing zeros into the front of *out
// (we build right to left), and returns v / 10^prec.
std::uint64_t PrependFraction(std::string* out, std::uint64_t v, int prec) {
  bool print = false;
  std::string digits;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>('0' + v % 10);
    print = print || digit != '0';
    if (print) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (print) out->insert(0, "." + digits);
  return v;
}

void PrependInt(std::string* out, std::uint64_t v) { out->insert(0, std::to_string(v)); }

}  // namespace

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Fail(ErrorCode::kParse, "invalid duration");
  std::uint64_t total = 0;
  while (!s.empty()) {
    std::string problem = ParseElement(s, &total);
    if (!problem.empty()) return Fail(ErrorCode::kParse, std::move(problem));
  }
  if (negative) {
    // -(1<<63) is representable; compute it without overflowing a signed type.
    return std::chrono::nanoseconds(total == kMaxMagnitude ? INT64_MIN
                                                           : -static_cast<std::int64_t>(total));
  }
  if (total > kMaxMagnitude - 1) return Fail(ErrorCode::kParse, "duration out of range");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

Result<std::chrono::nanoseconds> ParseDurationOrNumber(std::string_view text,
                                                       std::chrono::nanoseconds default_unit) {
  if (IsBareNumber(text)) {
    std::string with_unit(text);
    with_unit += UnitSuffix(default_unit);
    return ParseGoDuration(with_unit);
  }
  return ParseGoDuration(text);
}

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  const std::int64_t n = d.count();
  const bool negative = n < 0;
  // Two's complement negation in unsigned arithmetic also handles INT64_MIN.
  std::uint64_t u = negative ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
  std::string out;
  if (u == 0) return "0s";
  if (u < 1000ULL * 1000 * 1000) {
    int prec = 0;
    if (u < 1000) {
      out = "ns";
    } else if (u < 1000ULL * 1000) {
      out = "\xC2\xB5s";  // Go prints U+00B5 MICRO SIGN.
      prec = 3;
    } else {
      out = "ms";
      prec = 6;
    }
    u = PrependFraction(&out, u, prec);
    PrependInt(&out, u);
  } else {
    out = "s";
    u = PrependFraction(&out, u, 9);
    PrependInt(&out, u % 60);
    u /= 60;
    if (u > 0) {
      out.insert(0, "m");
      PrependInt(&out, u % 60);
      u /= 60;
      if (u > 0) {
        out.insert(0, "h");
        PrependInt(&out, u);
      }
    }
  }
  if (negative) out.insert(0, "-");
  return out;
}

}  // namespace hs::config
