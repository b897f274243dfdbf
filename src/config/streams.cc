// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/streams.h"

#include <charconv>

#include <fmt/format.h>

namespace hs::config {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Result<int> ParseWeight(std::string_view w) {
  int v = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (w.empty() || ec != std::errc() || end != w.data() + w.size() || v < 1 || v > kMaxWeight) {
    return Fail(ErrorCode::kUsage,
                fmt::format("weight '{}' is not a whole number from 1 to {}", w, kMaxWeight));
  }
  return v;
}

}  // namespace

Result<std::vector<int>> ParseWeights(std::string_view text) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    Result<int> w = ParseWeight(Trim(text.substr(pos, comma - pos)));
    if (!w) return tl::unexpected(w.error());
    out.push_back(*w);
    if (out.size() > kMaxStreams) {
      return Fail(ErrorCode::kUsage, fmt::format("more than {} weights", kMaxStreams));
    }
    pos = comma + 1;
  }
  return out;
}

Result<std::vector<StreamSpec>> ParseStreamList(std::string_view text,
                                                std::string_view separators) {
  std::vector<StreamSpec> out;
  std::size_t pos = 0;
  int line = 1;
  const std::string seps = std::string("\n") + std::string(separators);
  while (pos < text.size()) {
    std::size_t end = text.find_first_of(seps, pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view entry = text.substr(pos, end - pos);
    const int this_line = line;
    if (end < text.size() && text[end] == '\n') ++line;
    pos = end + 1;
    // '#' starts a comment at the start of the entry or after a blank (a URL fragment is
    // never a comment).
    for (std::size_t i = 0; i < entry.size(); ++i) {
      if (entry[i] == '#' && (i == 0 || entry[i - 1] == ' ' || entry[i - 1] == '\t')) {
        entry = entry.substr(0, i);
        break;
      }
    }
    entry = Trim(entry);
    if (entry.empty()) continue;
    StreamSpec s;
    std::size_t blank = entry.find_first_of(" \t");
    if (blank == std::string_view::npos) {
      s.url = std::string(entry);
    } else {
      s.url = std::string(entry.substr(0, blank));
      std::string_view rest = Trim(entry.substr(blank));
      Result<int> w = ParseWeight(rest);
      if (!w) {
        return Fail(ErrorCode::kUsage,
                    fmt::format("entry {}: {} (write URL [WEIGHT])", this_line, w.error().detail));
      }
      s.weight = *w;
    }
    out.push_back(std::move(s));
    if (out.size() > kMaxStreams) {
      return Fail(ErrorCode::kUsage,
                  fmt::format("more than {} streams (entry {})", kMaxStreams, this_line));
    }
  }
  if (out.empty()) {
    return Fail(ErrorCode::kUsage, "no stream URL in it (one URL [WEIGHT] per line)");
  }
  return out;
}

StreamAssigner::StreamAssigner(const std::vector<int>& weights) : count_(weights.size()) {
  if (weights.empty()) {
    cycle_.assign(1, 0);
    rank_.assign(1, 0);
    per_cycle_.assign(1, 1);
    count_ = 1;
    return;
  }
  int total = 0;
  for (int w : weights) total += std::max(1, w);
  std::vector<int> current(weights.size(), 0);
  cycle_.reserve(static_cast<std::size_t>(total));
  for (int step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      current[i] += std::max(1, weights[i]);
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    cycle_.push_back(static_cast<std::uint8_t>(best));
  }
  per_cycle_.assign(count_, 0);
  for (std::uint8_t i : cycle_) rank_.push_back(per_cycle_[i]++);
}

std::size_t StreamAssigner::StreamOf(int viewer_id) const {
  if (viewer_id < 0) return 0;
  return cycle_[static_cast<std::size_t>(viewer_id) % cycle_.size()];
}

std::vector<int> StreamAssigner::Counts(int first, int n) const {
  std::vector<int> out(count_, 0);
  for (int id = first; id < first + n; ++id) ++out[StreamOf(id)];
  return out;
}

std::int64_t StreamAssigner::RankOf(int viewer_id) const {
  if (viewer_id < 0) return 0;
  const auto id = static_cast<std::size_t>(viewer_id);
  const std::size_t pos = id % cycle_.size();
  return static_cast<std::int64_t>(id / cycle_.size()) * per_cycle_[cycle_[pos]] + rank_[pos];
}

std::vector<int> EngineAssigner::Counts(int first, int n) const {
  std::vector<int> out(size(), 0);
  for (int id = first; id < first + n; ++id) ++out[EngineOf(id)];
  return out;
}

std::string StreamLabel(std::size_t index, std::string_view url) {
  std::string_view rest = url;
  if (std::size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (std::size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {
    host = rest.substr(0, rest.find(']') + 1);
  } else if (std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
  }
  std::string clean;
  for (char ch : host.substr(0, 64)) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
                    ch == ']' || ch == '_';
    clean += ok ? ch : '_';
  }
  return fmt::format("{}:{}", index, clean);
}

std::string RedactQuery(std::string_view url) {
  std::string out;
  std::string_view base = url.substr(0, url.find_first_of("?#"));
  // user:password@ before the host goes.
  std::size_t scheme = base.find("://");
  std::size_t slash =
      scheme == std::string_view::npos ? std::string_view::npos : base.find('/', scheme + 3);
  std::size_t at = base.find('@');
  if (scheme != std::string_view::npos && at != std::string_view::npos &&
      (slash == std::string_view::npos || at < slash)) {
    out = std::string(base.substr(0, scheme + 3)) + std::string(base.substr(at + 1));
  } else {
    out = std::string(base);
  }
  if (base.size() == url.size()) return out;
  std::string_view tail = url.substr(base.size());
  if (tail.front() == '?') {
    std::string_view query = tail.substr(1, tail.find('#') - 1);
    out += '?';
    std::size_t pos = 0;
    bool first = true;
    while (pos <= query.size()) {
      std::size_t amp = query.find('&', pos);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view pair = query.substr(pos, amp - pos);
      if (!first) out += '&';
      first = false;
      std::size_t eq = pair.find('=');
      // A bare word may itself be a token: it is redacted too.
      out += eq == std::string_view::npos ? (pair.empty() ? std::string() : std::string("REDACTED"))
                                          : std::string(pair.substr(0, eq)) + "=REDACTED";
      pos = amp + 1;
    }
  }
  if (tail.find('#') != std::string_view::npos) out += "#REDACTED";
  return out;
}

}  // namespace hs::config
