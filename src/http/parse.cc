// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/parse.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "hls/url.h"

namespace hs::http {

namespace {

constexpr size_t kMaxHeaders = 128;
constexpr size_t kMaxTrailerBytes = 16 * 1024;
constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// A field value may hold visible characters, SP, HTAB and obs-text, but no other controls.
bool IsFieldValue(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

size_t SkipLeadingEmptyLines(std::string_view buf) {
  size_t i = 0;
  while (i < buf.size() && (buf[i] == '\r' || buf[i] == '\n')) ++i;
  return i;
}

// Splits a complete head (without the terminating empty line) into lines. Fails on a bare CR
// or a NUL, which no valid head contains and which smuggling attacks rely on.
bool SplitLines(std::string_view head, std::vector<std::string_view>* lines) {
  size_t start = 0;
  while (start < head.size()) {
    size_t nl = head.find('\n', start);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos || line.find('\0') != std::string_view::npos) {
      return false;
    }
    lines->push_back(line);
    start = nl + 1;
  }
  return true;
}

// Parses "HTTP/1.x"; returns the minor version, -1 if malformed, -2 for another major version.
int ParseVersion(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !IsDigit(v[5]) || v[6] != '.' ||
      !IsDigit(v[7])) {
    return -1;
  }
  if (v[5] != '1') return -2;
  return std::min(v[7] - '0', 1);  // RFC 9110 §2.5: treat 1.2+ as the highest we speak
}

// Parses header lines into \a out; \a allow_fold joins obs-fold continuation lines (responses).
bool ParseHeaderLines(const std::vector<std::string_view>& lines, bool allow_fold,
                      std::vector<HttpHeader>* out, std::string* why) {
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      if (!allow_fold || out->empty()) {
        *why = "obsolete line folding in header";
        return false;
      }
      out->back().value.append(" ").append(TrimOws(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      *why = fmt::format("malformed header line {}", i + 1);
      return false;
    }
    const std::string_view value = TrimOws(line.substr(colon + 1));
    if (!IsFieldValue(value)) {
      *why = fmt::format("control character in header line {}", i + 1);
      return false;
    }
    out->push_back(HttpHeader{std::string(line.substr(0, colon)), std::string(value)});
  }
  return true;
}

const std::string* FindHeader(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

bool KeepAliveFrom(const std::vector<HttpHeader>& headers, int minor_version) {
  bool close = false;
  bool keep_alive = false;
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, "connection")) continue;
    close = close || HasToken(h.value, "close");
    keep_alive = keep_alive || HasToken(h.value, "keep-alive");
  }
  if (close) return false;
  return minor_version >= 1 || keep_alive;
}

// Parses "host:port" or "[v6]:port" (CONNECT's authority-form; the port is required).
bool ParseAuthority(std::string_view text, RequestHead* head) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return false;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  int port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return false;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    head->ipv6 = true;
  }
  if (host.empty()) return false;
  for (char c : host) {
    if (!IsTokenChar(c) && c != ':') return false;
  }
  head->host = std::string(host);
  head->port = port;
  return true;
}

// Fills the target-derived fields; returns false if the target does not fit its form.
bool ParseTarget(RequestHead* head) {
  const std::string& t = head->target;
  if (head->method == "CONNECT") {
    head->form = TargetForm::kAuthority;
    return ParseAuthority(t, head);
  }
  if (t == "*") {
    head->form = TargetForm::kAsterisk;
    return head->method == "OPTIONS";
  }
  if (t.front() == '/') {
    head->form = TargetForm::kOrigin;
    head->path = t;
    return true;
  }
  Result<hls::UrlParts> url = hls::ParseHttpUrl(t);
  if (!url) return false;
  head->form = TargetForm::kAbsolute;
  head->scheme = std::move(url->scheme);
  head->host = std::move(url->host);
  head->port = url->port;
  head->ipv6 = url->ipv6;
  head->path = std::move(url->path_and_query);
  return true;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool HasToken(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (EqualsIgnoreCase(TrimOws(list.substr(start, comma - start)), token)) return true;
    start = comma + 1;
  }
  return false;
}

size_t FindHeadEnd(std::string_view buf, size_t* scan_pos) {
  size_t i = *scan_pos;
  for (;;) {
    const size_t nl = buf.find('\n', i);
    if (nl == std::string_view::npos) {
      *scan_pos = buf.size();
      return 0;
    }
    // The line ending at nl is complete; the head ends if the next line is empty. Resume at nl
    // when the bytes that decide it have not arrived yet.
    if (nl + 1 >= buf.size()) {
      *scan_pos = nl;
      return 0;
    }
    if (buf[nl + 1] == '\n') return nl + 2;
    if (buf[nl + 1] == '\r') {
      if (nl + 2 >= buf.size()) {
        *scan_pos = nl;
        return 0;
      }
      if (buf[nl + 2] == '\n') return nl + 3;
    }
    i = nl + 1;
  }
}

const std::string* RequestHead::Find(std::string_view name) const {
  return FindHeader(headers, name);
}
bool RequestHead::KeepAlive() const { return KeepAliveFrom(headers, minor_version); }
std::string RequestHead::HostPort() const {
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

const std::string* ResponseHead::Find(std::string_view name) const {
  return FindHeader(headers, name);
}
bool ResponseHead::KeepAlive() const { return KeepAliveFrom(headers, minor_version); }

void RequestHeadParser::Reset() {
  scan_pos_ = 0;
  head_bytes_ = 0;
  error_status_ = 0;
  error_.clear();
  head_ = RequestHead{};
}

HeadStatus RequestHeadParser::Fail(int status, std::string why) {
  error_status_ = status;
  error_ = std::move(why);
  return HeadStatus::kError;
}

HeadStatus RequestHeadParser::Feed(std::string_view buf) {
  const size_t skip = SkipLeadingEmptyLines(buf);
  const std::string_view rest = buf.substr(skip);
  size_t end = rest.empty() ? 0 : FindHeadEnd(rest, &scan_pos_);
  if (end == 0) {
    if (buf.size() > max_bytes_) return Fail(431, "request head too large");
    return HeadStatus::kIncomplete;
  }
  if (skip + end > max_bytes_) return Fail(431, "request head too large");
  std::vector<std::string_view> lines;
  if (!SplitLines(rest.substr(0, end), &lines) || lines.empty() || !lines.back().empty()) {
    return Fail(400, "malformed line in request head");
  }
  lines.pop_back();  // the terminating empty line
  if (lines.size() > kMaxHeaders + 1) return Fail(431, "too many request header fields");
  const std::string_view line = lines.front();
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return Fail(400, "malformed request line");
  head_.method = std::string(line.substr(0, sp1));
  head_.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!IsToken(head_.method) || head_.target.empty() ||
      head_.target.find_first_of(" \t") != std::string::npos) {
    return Fail(400, "malformed request line");
  }
  const int minor = ParseVersion(line.substr(sp2 + 1));
  if (minor == -1) return Fail(400, "malformed HTTP version");
  if (minor == -2) return Fail(505, "HTTP version not supported");
  head_.minor_version = minor;
  std::string why;
  if (!ParseHeaderLines(lines, false, &head_.headers, &why)) return Fail(400, why);
  if (!ParseTarget(&head_)) return Fail(400, "malformed request target");
  head_bytes_ = skip + end;
  return HeadStatus::kComplete;
}

void ResponseHeadParser::Reset() {
  scan_pos_ = 0;
  head_bytes_ = 0;
  error_.clear();
  head_ = ResponseHead{};
}

HeadStatus ResponseHeadParser::Fail(std::string why) {
  error_ = std::move(why);
  return HeadStatus::kError;
}

HeadStatus ResponseHeadParser::Feed(std::string_view buf) {
  size_t end = FindHeadEnd(buf, &scan_pos_);
  if (end == 0) {
    if (buf.size() > max_bytes_) return Fail("response head too large");
    return HeadStatus::kIncomplete;
  }
  if (end > max_bytes_) return Fail("response head too large");
  std::vector<std::string_view> lines;
  if (!SplitLines(buf.substr(0, end), &lines) || lines.size() < 2 || !lines.back().empty()) {
    return Fail("malformed line in response head");
  }
  lines.pop_back();
  if (lines.size() > kMaxHeaders + 1) return Fail("too many response header fields");
  const std::string_view line = lines.front();
  // "HTTP/1.1 200 OK"; some servers omit the reason and even the space before it.
  if (line.size() < 12 || (line.size() > 12 && line[12] != ' ') || line[8] != ' ') {
    return Fail("malformed status line");
  }
  const int minor = ParseVersion(line.substr(0, 8));
  if (minor < 0) return Fail("malformed HTTP version in status line");
  int status = 0;
  auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || ptr != line.data() + 12 || status < 100) {
    return Fail("malformed status code");
  }
  head_.minor_version = minor;
  head_.status = status;
  head_.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
  if (!ParseHeaderLines(lines, true, &head_.headers, &error_)) return HeadStatus::kError;
  head_bytes_ = end;
  return HeadStatus::kComplete;
}

BodyFramer BodyFramer::ContentLength(std::uint64_t length) {
  BodyFramer f;
  f.framing_ = Framing::kContentLength;
  f.remaining_ = length;
  f.state_ = length == 0 ? State::kDone : State::kLength;
  return f;
}

BodyFramer BodyFramer::Chunked(size_t max_chunk_line_bytes) {
  BodyFramer f;
  f.framing_ = Framing::kChunked;
  f.state_ = State::kChunkSize;
  f.max_line_bytes_ = max_chunk_line_bytes;
  return f;
}

BodyFramer BodyFramer::UntilClose() {
  BodyFramer f;
  f.framing_ = Framing::kUntilClose;
  f.remaining_ = kUnbounded;
  f.state_ = State::kLength;
  return f;
}

size_t BodyFramer::Feed(std::string_view in, std::string* payload) {
  if (state_ == State::kDone || state_ == State::kError) return 0;
  if (framing_ == Framing::kChunked) return FeedChunked(in, payload);
  const size_t n = static_cast<size_t>(std::min<std::uint64_t>(remaining_, in.size()));
  if (payload != nullptr) payload->append(in.data(), n);
  if (framing_ == Framing::kContentLength) remaining_ -= n;
  wire_bytes_ += n;
  payload_bytes_ += n;
  if (remaining_ == 0) state_ = State::kDone;
  return n;
}

bool BodyFramer::FinishOnEof() {
  if (state_ == State::kDone) return true;
  if (framing_ == Framing::kUntilClose && state_ == State::kLength) {
    state_ = State::kDone;
    return true;
  }
  return false;
}

size_t BodyFramer::FeedChunked(std::string_view in, std::string* payload) {
  size_t i = 0;
  while (i < in.size() && state_ != State::kDone && state_ != State::kError) {
    if (state_ == State::kChunkData) {
      const size_t n = static_cast<size_t>(std::min<std::uint64_t>(remaining_, in.size() - i));
      if (payload != nullptr) payload->append(in.data() + i, n);
      payload_bytes_ += n;
      remaining_ -= n;
      i += n;
      if (remaining_ == 0) state_ = State::kChunkDataCr;
      continue;
    }
    if (!StepChunkByte(in[i])) {
      state_ = State::kError;
      break;
    }
    ++i;
  }
  wire_bytes_ += i;
  return i;
}

// One byte of chunk framing (everything except chunk data). Strict: lines end in CRLF.
bool BodyFramer::StepChunkByte(char c) {
  switch (state_) {
    case State::kChunkSize: {
      const int v = HexValue(c);
      if (v >= 0) {
        if (size_digits_ >= 15) return false;  // > 2^60 bytes: nonsense or overflow
        remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(v);
        ++size_digits_;
        return true;
      }
      if (size_digits_ == 0) return false;
      if (c == '\r') {
        state_ = State::kChunkSizeLf;
        return true;
      }
      if (c != ';' && c != ' ' && c != '\t') return false;
      state_ = State::kChunkExt;
      line_bytes_ = size_digits_ + 1;
      return true;
    }
    case State::kChunkExt:
      if (c == '\r') {
        state_ = State::kChunkSizeLf;
        return true;
      }
      return c != '\n' && ++line_bytes_ <= max_line_bytes_;
    case State::kChunkSizeLf:
      if (c != '\n') return false;
      state_ = remaining_ == 0 ? State::kTrailerStart : State::kChunkData;
      size_digits_ = 0;
      line_bytes_ = 0;
      return true;
    case State::kChunkDataCr:
      state_ = State::kChunkDataLf;
      return c == '\r';
    case State::kChunkDataLf:
      state_ = State::kChunkSize;
      return c == '\n';
    case State::kTrailerStart:
      state_ = c == '\r' ? State::kFinalLf : State::kTrailerLine;
      return c != '\n' && ++line_bytes_ <= kMaxTrailerBytes;
    case State::kTrailerLine:
      if (c == '\r') state_ = State::kTrailerLf;
      return c != '\n' && ++line_bytes_ <= kMaxTrailerBytes;
    case State::kTrailerLf:
      state_ = State::kTrailerStart;
      return c == '\n';
    case State::kFinalLf:
      state_ = State::kDone;
      return c == '\n';
    default:
      return false;
  }
}

namespace {

// Parses every Content-Length field; a list or repeat of one value is allowed (RFC 9110 §8.6).
// Returns false if the values are malformed or disagree; *found says whether any was present.
bool ContentLengthOf(const std::vector<HttpHeader>& headers, std::uint64_t* length, bool* found) {
  *found = false;
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, "content-length")) continue;
    std::string_view list = h.value;
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string_view::npos) comma = list.size();
      const std::string_view item = TrimOws(list.substr(start, comma - start));
      std::uint64_t v = 0;
      auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (item.empty() || item.size() > 18 || ec != std::errc() ||
          ptr != item.data() + item.size() || (*found && v != *length)) {
        return false;
      }
      *length = v;
      *found = true;
      start = comma + 1;
    }
  }
  return true;
}

// The last transfer coding named across every Transfer-Encoding field, or "" if none.
std::string LastTransferCoding(const std::vector<HttpHeader>& headers, bool* present) {
  *present = false;
  std::string last;
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, "transfer-encoding")) continue;
    *present = true;
    const size_t comma = h.value.rfind(',');
    last = std::string(TrimOws(comma == std::string::npos
                                   ? std::string_view(h.value)
                                   : std::string_view(h.value).substr(comma + 1)));
  }
  return last;
}

}  // namespace

FramingChoice RequestFraming(const RequestHead& head) {
  bool te_present = false;
  const std::string coding = LastTransferCoding(head.headers, &te_present);
  std::uint64_t length = 0;
  bool cl_present = false;
  const bool cl_ok = ContentLengthOf(head.headers, &length, &cl_present);
  if (te_present) {
    // Both together is the classic request-smuggling vector; a non-chunked final coding leaves
    // the request length unknowable (RFC 9112 §6.3 rules 3 and 4).
    if (cl_present || !EqualsIgnoreCase(coding, "chunked")) return FramingChoice{false, {}};
    return FramingChoice{true, BodyFramer::Chunked()};
  }
  if (!cl_ok) return FramingChoice{false, {}};
  return FramingChoice{true, cl_present ? BodyFramer::ContentLength(length) : BodyFramer()};
}

FramingChoice ResponseFraming(const ResponseHead& head, std::string_view request_method) {
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    return FramingChoice{true, BodyFramer()};
  }
  bool te_present = false;
  const std::string coding = LastTransferCoding(head.headers, &te_present);
  if (te_present) {
    return FramingChoice{true, EqualsIgnoreCase(coding, "chunked") ? BodyFramer::Chunked()
                                                                   : BodyFramer::UntilClose()};
  }
  std::uint64_t length = 0;
  bool cl_present = false;
  if (!ContentLengthOf(head.headers, &length, &cl_present)) return FramingChoice{false, {}};
  return FramingChoice{true,
                       cl_present ? BodyFramer::ContentLength(length) : BodyFramer::UntilClose()};
}

}  // namespace hs::http
