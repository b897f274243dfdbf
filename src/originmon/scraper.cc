// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "originmon/scraper.h"

#include <sys/epoll.h>

#include <cerrno>
#include <unordered_map>
#include <utility>

#include <curl/curl.h>
#include <fmt/format.h>

#include "core/curl_handles.h"
#include "core/log.h"
#include "originmon/prom_text.h"

namespace hs::originmon {

namespace {

using EasyPtr = CurlEasyPtr;
using MultiPtr = CurlMultiPtr;
using SlistPtr = CurlSlistPtr;

// Exporters that negotiate (client_golang) answer OpenMetrics or protobuf when asked; we parse
// only the classic text format, so ask for exactly that.
constexpr const char* kAcceptHeader = "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1";

// One HTTP GET in flight. Heap-allocated so the pointers handed to libcurl stay put.
struct Transfer {
  EasyPtr easy;
  std::string body;
  std::size_t max_body = 0;
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {};

  static std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    return static_cast<Transfer*>(user)->Append(data, size * n);
  }
  std::size_t Append(const char* data, std::size_t len) {
    if (body.size() + len > max_body) {
      too_large = true;
      return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    body.append(data, len);
    return len;
  }
};

struct Target {
  UrlStatus status;
  Scrape prev;
  Scrape cur;
  std::unique_ptr<Transfer> in_flight;
};

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string DescribeCurlError(CURLcode code, long os_errno, const Transfer& t,
                              const ScraperOptions& o) {
  const std::string detail =
      t.errbuf[0] != '\0' ? std::string(t.errbuf) : std::string(curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return os_errno == ECONNREFUSED ? std::string("connection refused")
                                      : OneLine(fmt::format("cannot connect ({})", detail));
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("timed out after {:g} s", ToSeconds(o.timeout));
    case CURLE_COULDNT_RESOLVE_HOST:
      return OneLine(fmt::format("DNS lookup failed ({})", detail));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return OneLine(fmt::format("bad URL ({})", detail));
    case CURLE_WRITE_ERROR:
      if (t.too_large) return fmt::format("body larger than {} bytes", o.max_body_bytes);
      return OneLine(detail);
    default:
      return OneLine(detail);
  }
}

}  // namespace

class Scraper::Impl {
 public:
  Impl(EventLoop& loop, ScraperOptions options, ScrapeListener* listener)
      : loop_(loop), options_(std::move(options)), listener_(listener) {
    if (options_.user_agent.empty()) {
      options_.user_agent = "hls-swarm/" HLS_SWARM_VERSION " origin-metrics";
    }
    targets_.resize(options_.urls.size());
    for (std::size_t i = 0; i < targets_.size(); ++i) targets_[i].status.url = options_.urls[i];
    // Created once and only cancelled by Stop(): a listener may Stop() us from inside a timer
    // callback, and a timer must not be destroyed while its callback runs.
    curl_timer_ = loop_.CreateTimer([this] { OnCurlTimeout(); });
    tick_ = loop_.CreateTimer([this] { OnTick(); });
  }
  ~Impl() { Stop(); }

  Result<void> Start();
  void Stop();
  OriginStatus Current() const;

 private:
  static int SocketTrampoline(CURL*, curl_socket_t s, int what, void* user, void*) {
    return static_cast<Impl*>(user)->OnCurlSocket(s, what);
  }
  static int TimerTrampoline(CURLM*, long timeout_ms, void* user) {
    static_cast<Impl*>(user)->OnCurlTimerChange(timeout_ms);
    return 0;
  }

  int OnCurlSocket(curl_socket_t s, int what);
  void OnCurlTimerChange(long timeout_ms);
  void OnSocketReady(curl_socket_t s, std::uint32_t events);
  void OnCurlTimeout();
  void OnTick();
  void StartTransfer(std::size_t index);
  void DrainCompleted();
  void Complete(std::size_t index, CURLcode code);
  void RecordSuccess(Target& t, const std::string& body);
  void RecordFailure(Target& t, std::string why);
  void FailToStart(std::size_t index, std::string why);

  EventLoop& loop_;
  ScraperOptions options_;
  ScrapeListener* listener_;  // not owned
  std::vector<Target> targets_;
  bool global_init_ = false;
  SlistPtr headers_;
  MultiPtr multi_;
  // Sockets libcurl asked us to watch; erased when it says CURL_POLL_REMOVE (before it closes
  // them), so a recycled fd number never finds a stale watch.
  std::unordered_map<curl_socket_t, std::unique_ptr<FileWatch>> watches_;
  std::unique_ptr<Timer> curl_timer_;
  std::unique_ptr<Timer> tick_;
  SteadyTime next_tick_{};
};

Result<void> Scraper::Impl::Start() {
  if (multi_) return {};
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Fail(ErrorCode::kInternal, "origin metrics: curl_global_init failed");
  }
  global_init_ = true;
  curl_slist* headers = curl_slist_append(nullptr, kAcceptHeader);
  headers_.reset(headers);
  multi_.reset(curl_multi_init());
  if (!multi_ || !headers_) {
    Stop();
    return Fail(ErrorCode::kInternal, "origin metrics: cannot set up libcurl");
  }
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &Impl::SocketTrampoline);
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &Impl::TimerTrampoline);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);
  next_tick_ = loop_.clock().Now();
  OnTick();
  return {};
}

void Scraper::Impl::Stop() {
  tick_->Cancel();
  for (Target& t : targets_) {
    if (t.in_flight && multi_) curl_multi_remove_handle(multi_.get(), t.in_flight->easy.get());
    t.in_flight.reset();
  }
  // curl_multi_cleanup closes cached connections and may still call OnCurlSocket and
  // OnCurlTimerChange, so the watches and the timer go only after it.
  multi_.reset();
  watches_.clear();
  curl_timer_->Cancel();
  headers_.reset();
  if (global_init_) curl_global_cleanup();
  global_init_ = false;
}

OriginStatus Scraper::Impl::Current() const {
  OriginStatus s;
  std::vector<OriginFigures> healthy;
  for (const Target& t : targets_) {
    s.urls.push_back(t.status);
    s.scrape_errors_total += t.status.scrape_errors;
    if (t.status.ok) healthy.push_back(t.status.figures);
  }
  s.figures = Merge(healthy);
  return s;
}

int Scraper::Impl::OnCurlSocket(curl_socket_t s, int what) {
  if (what == CURL_POLL_REMOVE) {
    watches_.erase(s);
    return 0;
  }
  std::uint32_t events = 0;
  if ((what & CURL_POLL_IN) != 0) events |= EPOLLIN;
  if ((what & CURL_POLL_OUT) != 0) events |= EPOLLOUT;
  if (auto it = watches_.find(s); it != watches_.end()) {
    it->second->SetEvents(events);
    return 0;
  }
  std::unique_ptr<FileWatch> watch =
      loop_.Watch(s, events, [this, s](std::uint32_t ev) { OnSocketReady(s, ev); });
  if (!watch) return -1;  // libcurl then fails the transfers on this socket
  watches_.emplace(s, std::move(watch));
  return 0;
}

void Scraper::Impl::OnCurlTimerChange(long timeout_ms) {
  // Never drive libcurl from inside its own callback: a 0 ms timeout fires on the next loop
  // iteration instead.
  if (timeout_ms < 0) {
    curl_timer_->Cancel();
  } else {
    curl_timer_->Arm(std::chrono::milliseconds(timeout_ms));
  }
}

void Scraper::Impl::OnSocketReady(curl_socket_t s, std::uint32_t events) {
  if (!multi_) return;
  int mask = 0;
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0) mask |= CURL_CSELECT_IN;
  if ((events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
  if ((events & EPOLLERR) != 0) mask |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(multi_.get(), s, mask, &running);
  DrainCompleted();
}

void Scraper::Impl::OnCurlTimeout() {
  if (!multi_) return;
  int running = 0;
  curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  DrainCompleted();
}

void Scraper::Impl::OnTick() {
  for (std::size_t i = 0; i < targets_.size(); ++i) StartTransfer(i);
  // Keep a fixed cadence; after a stall (suspended process) restart it from now.
  const SteadyTime now = loop_.clock().Now();
  next_tick_ += options_.interval;
  if (next_tick_ <= now) next_tick_ = now + options_.interval;
  if (multi_) tick_->ArmAt(next_tick_);  // a listener may have stopped us meanwhile
}

void Scraper::Impl::StartTransfer(std::size_t index) {
  Target& t = targets_[index];
  if (t.in_flight || !multi_) return;  // a slow exporter keeps its previous round
  auto tr = std::make_unique<Transfer>();
  tr->max_body = options_.max_body_bytes;
  tr->easy.reset(curl_easy_init());
  if (!tr->easy) return FailToStart(index, "curl_easy_init failed");
  CURL* h = tr->easy.get();
  const long timeout_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout).count());
  curl_easy_setopt(h, CURLOPT_URL, t.status.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // No SIGALRM-based resolver timeouts: the app runs with signals blocked for signalfd.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_.get());
  // node_exporter's page is ~100 kB; gzip makes it a tenth. The body cap applies after decoding.
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, tr->errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, tr.get());
  if (curl_multi_add_handle(multi_.get(), h) != CURLM_OK) {
    return FailToStart(index, "curl_multi_add_handle failed");
  }
  t.in_flight = std::move(tr);
}

void Scraper::Impl::DrainCompleted() {
  int left = 0;
  // A listener may Stop() us from Complete(), so re-check multi_ on every message.
  while (multi_) {
    CURLMsg* msg = curl_multi_info_read(multi_.get(), &left);
    if (msg == nullptr) break;
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      if (targets_[i].in_flight && targets_[i].in_flight->easy.get() == easy) {
        Complete(i, code);
        break;
      }
    }
  }
}

void Scraper::Impl::Complete(std::size_t index, CURLcode code) {
  Target& t = targets_[index];
  std::unique_ptr<Transfer> tr = std::move(t.in_flight);
  long status = 0;
  long os_errno = 0;
  curl_easy_getinfo(tr->easy.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(tr->easy.get(), CURLINFO_OS_ERRNO, &os_errno);
  curl_multi_remove_handle(multi_.get(), tr->easy.get());
  if (code != CURLE_OK) {
    RecordFailure(t, DescribeCurlError(code, os_errno, *tr, options_));
  } else if (status < 200 || status >= 300) {
    RecordFailure(t, fmt::format("HTTP {}", status));
  } else {
    RecordSuccess(t, tr->body);
  }
  // Release the handle before the listener runs: it may Stop() us, which ends libcurl.
  tr.reset();
  if (listener_ != nullptr) listener_->OnScrapeDone(index, t.status);
}

void Scraper::Impl::RecordSuccess(Target& t, const std::string& body) {
  ParsedText parsed = ParsePromText(body);
  if (parsed.samples.empty()) {
    return RecordFailure(
        t, parsed.bad_lines == 0
               ? std::string("no samples")
               : fmt::format("not Prometheus text (line {} unparsable)", parsed.first_bad_line));
  }
  // Two node_exporter pages would be ~3000 samples; only the few Compute() reads are kept.
  Scrape scrape{loop_.clock().Now(), {}};
  for (Sample& s : parsed.samples) {
    // nginx-prometheus-exporter answers 200 with only `nginx_up 0` when nginx is unreachable;
    // say so rather than silently showing no nginx figures.
    if (s.name == "nginx_up" && s.value == 0) {
      return RecordFailure(t, "nginx_up is 0: the exporter cannot reach nginx");
    }
    if (IsOriginMetric(s.name)) scrape.samples.push_back(std::move(s));
  }
  t.prev = std::move(t.cur);
  t.cur = std::move(scrape);
  t.status.figures = Compute(t.prev, t.cur);
  if (!t.status.ok && t.status.scrape_errors > 0) {
    log::Info("origin metrics {}: scraping again", t.status.url);
  }
  t.status.ok = true;
  ++t.status.scrapes_ok;
  t.status.bad_lines = parsed.bad_lines;
  t.status.last_success = t.cur.time;
}

void Scraper::Impl::RecordFailure(Target& t, std::string why) {
  // Log when the URL starts failing or fails differently, not on every round.
  if (t.status.ok || why != t.status.last_error) {
    log::Warn("origin metrics {}: {} (retrying every {:g} s)", t.status.url, why,
              ToSeconds(options_.interval));
  }
  t.status.ok = false;
  ++t.status.scrape_errors;
  t.status.last_error = std::move(why);
  t.status.last_error_at = loop_.clock().Now();
  t.status.last_error_wall = loop_.clock().WallNow();
}

void Scraper::Impl::FailToStart(std::size_t index, std::string why) {
  RecordFailure(targets_[index], std::move(why));
  if (listener_ != nullptr) listener_->OnScrapeDone(index, targets_[index].status);
}

Scraper::Scraper(EventLoop& loop, ScraperOptions options, ScrapeListener* listener)
    : impl_(std::make_unique<Impl>(loop, std::move(options), listener)) {}
Scraper::~Scraper() = default;
Result<void> Scraper::Start() { return impl_->Start(); }
void Scraper::Stop() { impl_->Stop(); }
OriginStatus Scraper::Current() const { return impl_->Current(); }

}  // namespace hs::originmon
