// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/cache_status.h"

#include <cctype>
#include <string>

namespace hs::http {

namespace {

bool ContainsWord(const std::string& lower, std::string_view word) {
  return lower.find(word) != std::string::npos;
}

}  // namespace

CacheStatus CacheStatusOfValue(std::string_view value) {
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // "hit" also matches TCP_HIT, RefreshHit, TCP_MEM_HIT and a multi-tier "MISS, HIT".
  for (std::string_view hit : {"hit", "stale", "updating", "revalidated"}) {
    if (ContainsWord(v, hit)) return CacheStatus::kHit;
  }
  for (std::string_view miss : {"miss", "expired", "bypass"}) {
    if (ContainsWord(v, miss)) return CacheStatus::kMiss;
  }
  return CacheStatus::kOther;
}

CacheStatus CacheStatusOf(const ResponseHead& head) {
  for (std::string_view name : {"cf-cache-status", "x-cache-status", "x-cache", "x-proxy-cache"}) {
    if (const std::string* v = head.Find(name)) return CacheStatusOfValue(*v);
  }
  if (const std::string* age = head.Find("age")) {
    std::size_t i = 0;
    while (i < age->size() && (*age)[i] == ' ') ++i;
    if (i == age->size() || !std::isdigit(static_cast<unsigned char>((*age)[i]))) {
      return CacheStatus::kOther;
    }
    for (std::size_t j = i; j < age->size() && std::isdigit(static_cast<unsigned char>((*age)[j]));
         ++j) {
      if ((*age)[j] != '0') return CacheStatus::kHit;
    }
    return CacheStatus::kMiss;
  }
  return CacheStatus::kNone;
}

}  // namespace hs::http
