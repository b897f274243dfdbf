// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "originmon/prom_text.h"

#include <charconv>
#include <limits>
#include <system_error>

namespace hs::originmon {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// A cursor over one line. Every Take* leaves the cursor unchanged when it finds nothing.
class LineScanner {
 public:
  explicit LineScanner(std::string_view line) : s_(line) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(s_[pos_])) ++pos_;
  }
  bool Consume(char c) {
    if (AtEnd() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'.
  std::string_view TakeName(bool allow_colon) {
    const std::size_t start = pos_;
    auto ok = [&](char c, bool first) {
      return IsAlpha(c) || c == '_' || (allow_colon && c == ':') || (!first && IsDigit(c));
    };
    while (!AtEnd() && ok(s_[pos_], pos_ == start)) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // Everything up to the next blank or the end of the line.
  std::string_view TakeToken() {
    const std::size_t start = pos_;
    while (!AtEnd() && !IsBlank(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // The rest of a label value after its opening quote, unescaped into \a out. False on an
  // unknown escape or a missing closing quote.
  bool TakeQuotedRest(std::string& out) {
    while (!AtEnd()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (AtEnd()) return false;
      const char e = s_[pos_++];
      if (e == '\\' || e == '"') {
        out.push_back(e);
      } else if (e == 'n') {
        out.push_back('\n');
      } else {
        return false;
      }
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool HasLabel(const Labels& labels, std::string_view name) {
  for (const Label& l : labels) {
    if (l.name == name) return true;
  }
  return false;
}

// Reads a label set after its '{' up to and including the '}'. Tolerates blanks around every
// token and one trailing comma, as the Go parser does.
bool ParseLabels(LineScanner& sc, Labels& labels) {
  for (;;) {
    sc.SkipBlanks();
    if (sc.Consume('}')) return true;
    Label label;
    label.name = std::string(sc.TakeName(false));
    if (label.name.empty()) return false;
    sc.SkipBlanks();
    if (!sc.Consume('=')) return false;
    sc.SkipBlanks();
    if (!sc.Consume('"') || !sc.TakeQuotedRest(label.value)) return false;
    if (HasLabel(labels, label.name)) return false;
    labels.push_back(std::move(label));
    sc.SkipBlanks();
    if (sc.Consume(',')) continue;
    return sc.Consume('}');
  }
}

std::optional<std::int64_t> ParseTimestamp(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<MetricType> ParseType(std::string_view word) {
  if (word == "counter") return MetricType::kCounter;
  if (word == "gauge") return MetricType::kGauge;
  if (word == "histogram") return MetricType::kHistogram;
  if (word == "summary") return MetricType::kSummary;
  if (word == "untyped") return MetricType::kUntyped;
  return std::nullopt;
}

enum class CommentKind { kPlain, kHelp, kType, kBad };

// A '#' line: plain comment, a valid HELP/TYPE (TYPE appended to \a types), or a malformed
// HELP/TYPE.
CommentKind ParseComment(std::string_view line, std::vector<TypeLine>& types) {
  LineScanner sc(line.substr(1));
  sc.SkipBlanks();
  const std::string_view keyword = sc.TakeToken();
  if (keyword != "HELP" && keyword != "TYPE") return CommentKind::kPlain;
  sc.SkipBlanks();
  const std::string_view name = sc.TakeName(true);
  if (name.empty()) return CommentKind::kBad;
  if (!sc.AtEnd() && !sc.Consume(' ') && !sc.Consume('\t')) return CommentKind::kBad;
  if (keyword == "HELP") return CommentKind::kHelp;  // any docstring is acceptable
  sc.SkipBlanks();
  const std::optional<MetricType> type = ParseType(sc.TakeToken());
  sc.SkipBlanks();
  if (!type || !sc.AtEnd()) return CommentKind::kBad;
  types.push_back(TypeLine{std::string(name), *type});
  return CommentKind::kType;
}

}  // namespace

const std::string* Sample::FindLabel(std::string_view label_name) const {
  for (const Label& l : labels) {
    if (l.name == label_name) return &l.value;
  }
  return nullptr;
}

std::optional<double> ParsePromValue(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  double v = 0;
  if (EqualsIgnoreCase(text, "inf") || EqualsIgnoreCase(text, "infinity")) {
    v = std::numeric_limits<double>::infinity();
  } else if (EqualsIgnoreCase(text, "nan")) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else {
    // from_chars would also take "inf"/"nan" spellings we handled above; everything else it
    // accepts must start with a digit or a point ("+-1" and ".e1" are not numbers).
    if (!IsDigit(text.front()) && text.front() != '.') return std::nullopt;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::general);
    if (ec != std::errc() || ptr != end) return std::nullopt;
  }
  return negative ? -v : v;
}

std::optional<Sample> ParseSampleLine(std::string_view line) {
  LineScanner sc(line);
  sc.SkipBlanks();
  Sample sample;
  sample.name = std::string(sc.TakeName(true));
  if (sample.name.empty()) return std::nullopt;
  sc.SkipBlanks();
  if (sc.Consume('{')) {
    if (!ParseLabels(sc, sample.labels)) return std::nullopt;
    sc.SkipBlanks();
  }
  const std::optional<double> value = ParsePromValue(sc.TakeToken());
  if (!value) return std::nullopt;
  sample.value = *value;
  sc.SkipBlanks();
  if (!sc.AtEnd()) {
    sample.timestamp_ms = ParseTimestamp(sc.TakeToken());
    sc.SkipBlanks();
    if (!sample.timestamp_ms || !sc.AtEnd()) return std::nullopt;
  }
  return sample;
}

ParsedText ParsePromText(std::string_view text) {
  ParsedText out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    if (line.empty()) continue;
    bool bad = false;
    if (line.front() == '#') {
      bad = ParseComment(line, out.types) == CommentKind::kBad;
    } else if (std::optional<Sample> s = ParseSampleLine(line)) {
      out.samples.push_back(std::move(*s));
    } else {
      bad = true;
    }
    if (bad && out.bad_lines++ == 0) out.first_bad_line = line_no;
  }
  return out;
}

}  // namespace hs::originmon
