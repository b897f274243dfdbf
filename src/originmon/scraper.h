// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "originmon/origin_metrics.h"

namespace hs::originmon {

/// How the origin's exporters are scraped.
struct ScraperOptions {
  std::vector<std::string> urls;                ///< -origin-metrics, in flag order (http/https)
  Duration interval = std::chrono::seconds(2);  ///< between the starts of two scrape rounds
  Duration timeout = std::chrono::seconds(2);   ///< per transfer, connect included
  std::size_t max_body_bytes = 4 << 20;         ///< larger responses fail the scrape
  std::string user_agent;                       ///< "" = "hls-swarm/<version> origin-metrics"
};

/// The state of one exporter URL.
struct UrlStatus {
  std::string url;
  /// The latest attempt succeeded. False before the first attempt completes.
  bool ok = false;
  /// From the two latest successful scrapes; kept (stale) while the URL fails.
  OriginFigures figures;
  std::uint64_t scrapes_ok = 0;            ///< successful attempts
  std::uint64_t scrape_errors = 0;         ///< failed attempts (transport, HTTP status, unparsable)
  std::size_t bad_lines = 0;               ///< unparsable lines in the latest successful scrape
  std::optional<SteadyTime> last_success;  ///< loop clock
  /// Why the latest failed attempt failed, one line without the URL: "connection refused",
  /// "HTTP 404", "timed out after 2 s", "body larger than 4194304 bytes", "no samples",
  /// "nginx_up is 0: the exporter cannot reach nginx", ...
  /// Empty if no attempt has failed. Kept after the URL recovers (see \a ok).
  std::string last_error;
  std::optional<SteadyTime> last_error_at;  ///< loop clock, for "3 s ago"
  std::optional<WallTime> last_error_wall;  ///< wall clock, for logs and JSON
};

/// What Scraper::Current() returns: a value, safe to keep.
struct OriginStatus {
  /// Merge() of the figures of the URLs whose latest attempt succeeded.
  OriginFigures figures;
  std::vector<UrlStatus> urls;            ///< one per configured URL, in flag order
  std::uint64_t scrape_errors_total = 0;  ///< sum of urls[i].scrape_errors
};

/// Told about every completed scrape attempt. Runs on the loop thread from within the
/// scraper's curl callbacks: it may call Current() and Stop(), but must not destroy the Scraper
/// (Post() that instead).
class ScrapeListener {
 public:
  virtual ~ScrapeListener() = default;
  /// Attempt \a url_index (into ScraperOptions::urls) finished; \a status is its new state.
  virtual void OnScrapeDone(std::size_t url_index, const UrlStatus& status) = 0;
};

/// Scrapes the origin's Prometheus exporters every interval on the event loop, through
/// libcurl's multi interface (its sockets are watched by the loop, its timeouts are loop
/// timers), so a slow or dead exporter never blocks the loop. At most one transfer per URL is
/// in flight; a round that finds one still running skips that URL. Failures are recorded and
/// logged once per change of error, never fatal. Loop thread only; owns every curl handle,
/// fd watch and timer it creates and releases them in Stop() or its destructor.
class Scraper {
 public:
  /// Does not start anything. \a loop must outlive the scraper; \a listener (not owned, may be
  /// null) must outlive it too.
  Scraper(EventLoop& loop, ScraperOptions options, ScrapeListener* listener = nullptr);
  /// Stop()s.
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  /// Initialises libcurl and starts the first round at once, then one every interval. Fails
  /// (kInternal) only if libcurl cannot be set up. Does nothing if already started.
  Result<void> Start();
  /// Aborts the transfers in flight and releases all curl handles, watches and timers. The
  /// statuses stay readable through Current(); Start() may be called again. Idempotent.
  void Stop();
  /// The merged figures and every URL's state as of now. Cheap (copies a few strings).
  OriginStatus Current() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::originmon
