// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The one set of RAII owners of libcurl handles (preflight fetch, origin scraper).

#include <memory>

#include <curl/curl.h>

namespace hs {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
/// Owns an easy handle (curl_easy_cleanup).
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
/// Owns a multi handle (curl_multi_cleanup: closes its cached connections).
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;
/// Owns a header list (curl_slist_free_all).
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

}  // namespace hs
