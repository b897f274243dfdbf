// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "preflight/http_fetch.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <curl/curl.h>
#include <fmt/format.h>

#include "config/streams.h"
#include "core/curl_handles.h"

namespace hs::preflight {

namespace {

using EasyPtr = CurlEasyPtr;
using SlistPtr = CurlSlistPtr;

SlistPtr MakeSlist(const std::vector<std::string>& lines) {
  curl_slist* list = nullptr;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) break;  // out of memory: send what we have
    list = grown;
  }
  return SlistPtr(list);
}

// State shared with the libcurl callbacks of one transfer.
struct Transfer {
  std::string body;
  std::string reason;
  std::size_t max_body = 0;
  bool too_large = false;

  static std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    return static_cast<Transfer*>(user)->AppendBody(data, size * n);
  }
  static std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<Transfer*>(user)->SeeHeader(std::string_view(data, size * n));
    return size * n;
  }

  std::size_t AppendBody(const char* data, std::size_t len) {
    if (body.size() + len > max_body) {
      too_large = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    body.append(data, len);
    return len;
  }

  // Every status line (one per redirect hop) resets the reason, so the final one wins.
  void SeeHeader(std::string_view line) {
    if (line.substr(0, 5) != "HTTP/") return;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    const std::size_t code_at = line.find(' ');
    const std::size_t reason_at =
        code_at == std::string_view::npos ? code_at : line.find(' ', code_at + 1);
    reason = reason_at == std::string_view::npos ? "" : std::string(line.substr(reason_at + 1));
  }
};

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

// What the handle knew when the transfer failed, for a useful message.
struct FailureContext {
  std::string_view what;
  const std::string& url;
  const FetchOptions& options;
  const char* errbuf;
  long os_errno = 0;
  curl_off_t namelookup_us = 0;
  curl_off_t connect_us = 0;
  const Transfer& transfer;
};

std::string CurlDetail(CURLcode code, const char* errbuf) {
  return errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(code));
}

std::string DescribeTimeout(const FailureContext& c) {
  const double secs = static_cast<double>(c.options.timeout.count()) / 1000.0;
  const char* phase = c.connect_us > 0      ? "waiting for the response"
                      : c.namelookup_us > 0 ? "connecting"
                                            : "resolving the host";
  return fmt::format("timed out after {:g} s while {}", secs, phase);
}

Error DescribeFailure(CURLcode code, const FailureContext& c) {
  std::string why;
  ErrorCode kind = ErrorCode::kNetwork;
  if (code == CURLE_COULDNT_RESOLVE_HOST) {
    why = fmt::format("DNS lookup failed ({})", CurlDetail(code, c.errbuf));
  } else if (code == CURLE_COULDNT_CONNECT) {
    why = c.os_errno == ECONNREFUSED
              ? fmt::format("connection refused ({})", CurlDetail(code, c.errbuf))
              : fmt::format("cannot connect ({})", CurlDetail(code, c.errbuf));
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    why = DescribeTimeout(c);
  } else if (IsTlsError(code)) {
    why = fmt::format("TLS failure ({}){}", CurlDetail(code, c.errbuf),
                      code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE
                          ? "; -dangerous skips certificate verification"
                          : "");
  } else if (code == CURLE_TOO_MANY_REDIRECTS) {
    why = fmt::format("more than {} redirects", c.options.max_redirects);
    kind = ErrorCode::kHttp;
  } else if (code == CURLE_WRITE_ERROR && c.transfer.too_large) {
    why = fmt::format("body larger than {} bytes", c.options.max_body_bytes);
    kind = ErrorCode::kHttp;
  } else if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
    why = fmt::format("bad URL ({})", CurlDetail(code, c.errbuf));
    kind = ErrorCode::kUsage;
  } else {
    why = CurlDetail(code, c.errbuf);
  }
  // libcurl messages are single lines, but never let a stray newline split our log line.
  for (char& ch : why) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return MakeError(kind, fmt::format("{} {}: {}", c.what, config::RedactQuery(c.url), why));
}

void SetOptions(CURL* h, const std::string& url, const FetchOptions& o, Transfer& t,
                curl_slist* headers, curl_slist* connect_to, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, o.max_redirects);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout.count()));
  // No SIGALRM-based resolver timeouts: we may run with signals blocked for signalfd.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  if (headers != nullptr) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (connect_to != nullptr) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
  // SSL_CERT_FILE names the CA bundle for OpenSSL and the native engine; libcurl does not read
  // it by itself, so the preflight honours it the same way.
  if (const char* ca = std::getenv("SSL_CERT_FILE"); ca != nullptr && *ca != '\0') {
    curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  }
  if (o.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

}  // namespace

Result<HttpResponse> CurlFetcher::Get(const std::string& url, std::string_view what) {
  EasyPtr handle(curl_easy_init());
  if (!handle) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  const SlistPtr headers = MakeSlist(options_.headers);
  const SlistPtr connect_to = MakeSlist(options_.connect_to);
  Transfer transfer;
  transfer.max_body = options_.max_body_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};
  SetOptions(handle.get(), url, options_, transfer, headers.get(), connect_to.get(), errbuf);

  const CURLcode code = curl_easy_perform(handle.get());
  if (code != CURLE_OK) {
    FailureContext ctx{what, url, options_, errbuf, 0, 0, 0, transfer};
    curl_easy_getinfo(handle.get(), CURLINFO_OS_ERRNO, &ctx.os_errno);
    curl_easy_getinfo(handle.get(), CURLINFO_NAMELOOKUP_TIME_T, &ctx.namelookup_us);
    curl_easy_getinfo(handle.get(), CURLINFO_CONNECT_TIME_T, &ctx.connect_us);
    return tl::unexpected(DescribeFailure(code, ctx));
  }
  HttpResponse response;
  const char* effective = nullptr;
  const char* content_type = nullptr;
  curl_off_t total_us = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_getinfo(handle.get(), CURLINFO_EFFECTIVE_URL, &effective);
  curl_easy_getinfo(handle.get(), CURLINFO_CONTENT_TYPE, &content_type);
  curl_easy_getinfo(handle.get(), CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(handle.get(), CURLINFO_REDIRECT_COUNT, &response.redirects);
  response.effective_url = effective != nullptr ? effective : url;
  response.content_type = content_type != nullptr ? content_type : "";
  response.total_time = std::chrono::microseconds(total_us);
  response.reason = std::move(transfer.reason);
  response.body = std::move(transfer.body);
  return response;
}

}  // namespace hs::preflight
