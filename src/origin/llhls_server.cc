// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/llhls_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "core/http_status.h"
#include "core/io.h"
#include "core/log.h"

namespace hs::origin {
namespace {

constexpr std::size_t kMaxHeader = 16 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(75);
constexpr std::string_view kPlaylistType = "application/vnd.apple.mpegurl";
constexpr std::string_view kMediaCache = "public, max-age=60, immutable";

double WallUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// nginx's log escaping of $http_user_agent: `"`, `\` and bytes outside 0x20..0x7e as \xHH.
std::string EscapeLog(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

// "seg_<msn>.m4s" / "part_<msn>_<n>.m4s" numbers; false unless the whole name matches.
bool ParseNumbers(std::string_view name, std::string_view prefix, int count, std::int64_t* a,
                  std::int64_t* b) {
  if (name.substr(0, prefix.size()) != prefix || name.size() < prefix.size() + 4 ||
      name.substr(name.size() - 4) != ".m4s") {
    return false;
  }
  std::string_view rest = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  std::int64_t* outs[2] = {a, b};
  for (int i = 0; i < count; ++i) {
    std::size_t end = i + 1 < count ? rest.find('_') : rest.size();
    if (end == std::string_view::npos || end == 0 || end > 18) return false;
    std::int64_t v = 0;
    for (char c : rest.substr(0, end)) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *outs[i] = v;
    rest = i + 1 < count ? rest.substr(end + 1) : std::string_view();
  }
  return true;
}

}  // namespace

struct LlhlsServer::Conn {
  std::uint64_t serial = 0;
  UniqueFd fd;
  std::unique_ptr<FileWatch> watch;
  std::string in;
  std::vector<std::shared_ptr<const std::string>> out;
  std::size_t out_index = 0;
  std::size_t out_off = 0;
  int requests = 0;
  bool busy = false;  // a request is held or being sent
  bool dead = false;
  // The request being answered.
  bool head = false;
  bool keep_alive = true;
  bool logged = true;
  std::string uri;
  std::string ua;
  SteadyTime started{};
  SteadyTime last_active{};  // last request finished (or accepted): for the idle timeout
  int status = 0;
  std::size_t body = 0;
  std::size_t total = 0;
  // What a held request waits for.
  Rend* rend = nullptr;
  bool wants_part = false;  // else a playlist
  std::int64_t msn = -1;
  int part = -1;
  bool skip = false;
  bool held = false;
  std::list<Held>::iterator held_it;
};

std::vector<std::string> LlhlsGeneratorArgv(const OriginProfile& p, const Rendition& r,
                                            const std::string& ffmpeg) {
  const std::string gop = std::to_string(p.KeyframeFrames());
  const double part_us = 1e6 * p.part_frames / p.fps;
  return {ffmpeg, "-hide_banner", "-loglevel", "error", "-nostats", "-nostdin", "-re", "-f",
          "lavfi", "-i", fmt::format("testsrc2=size={}x{}:rate={}", r.width, r.height, p.fps),
          "-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-map", "0:v",
          "-map", "1:a", "-c:v", "libx264", "-preset", p.x264_preset, "-tune", "zerolatency",
          "-profile:v", "baseline", "-level", "3.0", "-pix_fmt", "yuv420p", "-b:v",
          fmt::format("{}k", r.video_kbps), "-maxrate", fmt::format("{}k", r.maxrate_kbps),
          "-bufsize", fmt::format("{}k", r.bufsize_kbps), "-g", gop, "-keyint_min", gop,
          "-sc_threshold", "0", "-c:a", "aac", "-b:a", fmt::format("{}k", r.audio_kbps), "-ac", "1",
          "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe",
          // Slightly under one part so that the fragment is cut at its last frame, not after.
          "-frag_duration", fmt::format("{}", static_cast<long>(part_us) - 1000), "-flush_packets",
          "1", "pipe:3"};
}

LlhlsServer::LlhlsServer(EventLoop& loop, ChildReaper& reaper, OriginProfile profile,
                         LlhlsServerOptions opts)
    : loop_(loop), reaper_(reaper), profile_(std::move(profile)), opts_(std::move(opts)) {}

LlhlsServer::~LlhlsServer() {
  for (auto& r : rends_) {
    if (r->child != nullptr) reaper_.Unregister(r->child->pid());
  }
}

std::string LlhlsServer::StreamPath() const {
  return rends_.size() > 1 || profile_.HasMaster() ? "/master.m3u8" : "/stream.m3u8";
}

Result<void> LlhlsServer::Start(std::function<void()> on_ready,
                                std::function<void(std::string)> on_fail) {
  on_ready_ = std::move(on_ready);
  on_fail_ = std::move(on_fail);
  if (!opts_.access_log_path.empty()) {
    log_fd_.Reset(
        ::open(opts_.access_log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!log_fd_.Valid()) {
      return Fail(ErrorCode::kIo,
                  fmt::format("open {}: {}", opts_.access_log_path, std::strerror(errno)));
    }
  }
  const bool v6 = opts_.listen_addr.find(':') != std::string::npos;
  listen_fd_.Reset(
      ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_fd_.Valid()) return Fail(ErrorCode::kIo, "socket() failed");
  int one = 1;
  ::setsockopt(listen_fd_.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(opts_.port));
    if (::inet_pton(AF_INET6, opts_.listen_addr.c_str(), &a->sin6_addr) != 1) {
      return Fail(ErrorCode::kUsage, "bad listen address " + opts_.listen_addr);
    }
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(opts_.port));
    if (::inet_pton(AF_INET, opts_.listen_addr.c_str(), &a->sin_addr) != 1) {
      return Fail(ErrorCode::kUsage, "bad listen address " + opts_.listen_addr);
    }
    len = sizeof *a;
  }
  if (::bind(listen_fd_.Get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      ::listen(listen_fd_.Get(), 4096) != 0) {
    return Fail(ErrorCode::kIo, fmt::format("listen on {} port {}: {}", opts_.listen_addr,
                                            opts_.port, std::strerror(errno)));
  }
  if (::getsockname(listen_fd_.Get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  listen_watch_ = loop_.Watch(listen_fd_.Get(), EPOLLIN, [this](std::uint32_t) { OnAccept(); });

  LlhlsTiming timing;
  timing.fps = profile_.fps;
  timing.part_frames = profile_.part_frames;
  timing.segment_frames = profile_.GopFrames();
  timing.every_part_independent = profile_.KeyframeFrames() == profile_.part_frames;
  timing.target_duration = profile_.segment_seconds;
  timing.list_size = profile_.list_size;
  // Media sequence numbers start at Unix time / segment length: a restarted origin never
  // reuses a segment name that was served as immutable, and every rendition agrees.
  const auto first_msn =
      static_cast<std::int64_t>(WallUnix()) / std::max(1, profile_.segment_seconds);
  for (const Rendition& r : profile_.renditions) {
    auto rend = std::unique_ptr<Rend>(new Rend{r,
                                               profile_.HasMaster() ? "/" + r.name : "",
                                               LlhlsStream(timing, first_msn),
                                               {},
                                               nullptr,
                                               nullptr,
                                               UniqueFd(),
                                               nullptr,
                                               {},
                                               {0, 0}});
    SpawnOptions so;
    so.argv = LlhlsGeneratorArgv(profile_, r, opts_.ffmpeg);
    so.capture_stderr = false;
    so.progress_pipe = true;
    so.death_signal = SIGKILL;
    so.child_mask = opts_.child_mask;
    auto child = ChildProcess::Spawn(so);
    if (!child) return tl::unexpected(child.error());
    rend->child = std::move(*child);
    rend->pipe = std::move(rend->child->progress_fd());
    Rend* raw = rend.get();
    rend->watch =
        loop_.Watch(rend->pipe.Get(), EPOLLIN, [this, raw](std::uint32_t) { OnGenerator(*raw); });
    reaper_.Register(rend->child->pid(), [this, raw](int st) {
      ExitStatus s;
      raw->child->MarkReaped(st, &s);
      if (!stopping_ && on_fail_) {
        on_fail_(fmt::format("LL-HLS generator {} exited ({} code {} signal {})", raw->r.name,
                             hs::ToString(s.kind), s.code, s.signal));
      }
    });
    log::Info("LL-HLS origin: generator {} pid {}", r.name, rend->child->pid());
    rends_.push_back(std::move(rend));
  }
  sweep_ = loop_.CreateTimer([this] { Sweep(); });
  sweep_->Arm(std::chrono::milliseconds(100));
  return {};
}

void LlhlsServer::Stop() {
  stopping_ = true;
  for (auto& r : rends_) {
    r->watch.reset();
    if (r->child != nullptr && !r->child->reaped()) r->child->Signal(SIGTERM, true);
  }
  listen_watch_.reset();
  listen_fd_.Reset();
  sweep_.reset();
  std::vector<Conn*> all;
  for (auto& [id, c] : conns_) all.push_back(c.get());
  for (Conn* c : all) Close(*c);
}

void LlhlsServer::OnGenerator(Rend& r) {
  char buf[65536];
  bool added = false;
  for (int i = 0; i < 64; ++i) {
    IoResult io = ReadSome(r.pipe.Get(), buf, sizeof buf);
    if (io.status == IoStatus::kRetry) break;
    if (io.status != IoStatus::kOk) {
      r.watch.reset();
      if (!stopping_ && on_fail_)
        on_fail_(fmt::format("LL-HLS generator {} closed its output", r.r.name));
      return;
    }
    if (!r.cutter.Feed(std::string_view(buf, io.bytes))) {
      r.watch.reset();
      if (on_fail_) on_fail_(fmt::format("LL-HLS generator {}: {}", r.r.name, r.cutter.error()));
      return;
    }
    if (r.init == nullptr && !r.cutter.init().empty()) {
      r.init = std::make_shared<const std::string>(r.cutter.init());
    }
    for (Fmp4Fragment& f : r.cutter.TakeFragments()) {
      r.stream.AddPart(std::make_shared<const std::string>(std::move(f.bytes)), f.video_samples,
                       f.independent, WallUnix());
      added = true;
    }
  }
  if (added) OnPart();
}

void LlhlsServer::OnPart() {
  ++gen_;
  for (auto it = held_.begin(); it != held_.end();) {
    Conn* c = it->conn;
    ++it;  // TryAnswer erases c's entry
    TryAnswer(*c);
  }
  if (!ready_) {
    bool all = true;
    for (const auto& r : rends_) all = all && r->stream.complete_segments() > 0 && r->init;
    if (all) {
      ready_ = true;
      if (on_ready_) on_ready_();
    }
  }
}

void LlhlsServer::Sweep() {
  const SteadyTime now = loop_.clock().Now();
  while (!held_.empty() && held_.front().deadline <= now) {
    Conn& c = *held_.front().conn;
    Release(c);
    Respond(c, 503, "text/plain", "no new part in 3 target durations\n");
  }
  // Like nginx's keepalive_timeout (75 s): idle connections are closed once a second's sweep
  // sees them idle that long, so memory stays bounded by the active audience.
  if (now - last_idle_sweep_ >= std::chrono::seconds(1)) {
    last_idle_sweep_ = now;
    std::vector<Conn*> idle;
    for (auto& [id, c] : conns_) {
      if (!c->busy && !c->dead && now - c->last_active > kIdleTimeout) idle.push_back(c.get());
    }
    for (Conn* c : idle) Close(*c);
  }
  sweep_->Arm(std::chrono::milliseconds(100));
}

void LlhlsServer::OnAccept() {
  for (int i = 0; i < 256; ++i) {
    int fd = ::accept4(listen_fd_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) log::Warn("LL-HLS origin: accept: out of fds");
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->serial = next_serial_++;
    c->fd.Reset(fd);
    c->last_active = loop_.clock().Now();
    Conn* raw = c.get();
    c->watch = loop_.Watch(fd, EPOLLIN | EPOLLRDHUP,
                           [this, raw](std::uint32_t ev) { OnConnEvent(*raw, ev); });
    if (c->watch == nullptr) continue;
    ++accepts_;
    conns_[c->serial] = std::move(c);
  }
}

void LlhlsServer::OnConnEvent(Conn& c, std::uint32_t events) {
  if (c.dead) return;
  if (events & EPOLLOUT) Flush(c);
  if (c.dead) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    char buf[16384];
    bool gone = false;
    for (int i = 0; i < 16; ++i) {
      IoResult io = ReadSome(c.fd.Get(), buf, sizeof buf);
      if (io.status == IoStatus::kRetry) break;
      if (io.status != IoStatus::kOk) {
        gone = true;
        break;
      }
      c.in.append(buf, io.bytes);
      if (c.in.size() > 4 * kMaxHeader) break;
    }
    // A request that arrived together with the client's close is still taken (and logged, 499
    // when it would have been held), as nginx does: the log is the ground truth of what was
    // asked.
    ProcessInput(c);
    if (gone) Close(c);
  }
}

void LlhlsServer::ProcessInput(Conn& c) {
  while (!c.dead && !c.busy && !c.in.empty()) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (c.in.size() > kMaxHeader) {
        c.keep_alive = false;
        c.uri = "-";
        c.busy = true;
        c.started = loop_.clock().Now();
        c.logged = true;
        Respond(c, 400, "text/plain", "request header too large\n");
      }
      return;
    }
    Dispatch(c);
  }
}

void LlhlsServer::Dispatch(Conn& c) {
  const std::size_t end = c.in.find("\r\n\r\n");
  std::string_view head(c.in.data(), end);
  const std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  c.busy = true;
  c.started = loop_.clock().Now();
  ++c.requests;
  ++requests_;
  c.ua = "-";
  c.rend = nullptr;
  c.logged = true;
  // Request line: METHOD SP target SP HTTP/x.y
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  std::string_view method = line.substr(0, sp1);
  std::string_view target =
      sp2 == std::string_view::npos ? "" : line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = sp2 == std::string_view::npos ? "" : line.substr(sp2 + 1);
  c.keep_alive = version == "HTTP/1.1";
  std::string_view headers = eol == std::string_view::npos ? "" : head.substr(eol + 2);
  while (!headers.empty()) {
    const std::size_t e = headers.find("\r\n");
    std::string_view h = headers.substr(0, e);
    headers = e == std::string_view::npos ? "" : headers.substr(e + 2);
    const std::size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = h.substr(0, colon);
    std::string_view value = Trim(h.substr(colon + 1));
    if (EqualsNoCase(name, "user-agent")) c.ua = std::string(value);
    if (EqualsNoCase(name, "connection")) {
      if (EqualsNoCase(value, "close")) c.keep_alive = false;
      if (EqualsNoCase(value, "keep-alive")) c.keep_alive = true;
    }
  }
  c.uri = target.empty() ? "-" : std::string(target);
  c.head = method == "HEAD";
  const bool method_ok = method == "GET" || c.head;
  const bool version_ok = version == "HTTP/1.1" || version == "HTTP/1.0";
  c.in.erase(0, end + 4);  // method, version and headers point into it: not used below
  if (c.uri == "-" || !version_ok || c.uri[0] != '/') {
    c.keep_alive = false;
    return Respond(c, 400, "text/plain", "bad request\n");
  }
  if (!method_ok) return Respond(c, 405, "text/plain", "GET or HEAD only\n");
  const std::string_view uri(c.uri);
  const std::size_t q = uri.find('?');
  const std::string_view path = uri.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : uri.substr(q + 1);

  if (path == "/health") {
    c.logged = false;
    return ready_ ? Respond(c, 200, "text/plain", "ok\n")
                  : Respond(c, 503, "text/plain", "starting\n");
  }
  if (path == "/nginx_status") {
    c.logged = false;
    std::size_t reading = 0;
    std::size_t writing = 0;
    for (const auto& [id, other] : conns_) {
      if (other->busy) {
        ++writing;
      } else if (!other->in.empty()) {
        ++reading;
      }
    }
    return Respond(c, 200, "text/plain",
                   fmt::format("Active connections: {} \nserver accepts handled requests\n"
                               " {} {} {} \nReading: {} Writing: {} Waiting: {} \n",
                               conns_.size(), accepts_, accepts_, requests_, reading, writing,
                               conns_.size() - reading - writing));
  }
  if (profile_.HasMaster() && path == "/master.m3u8") {
    return Respond(c, 200, kPlaylistType, Master(), "max-age=5");
  }
  for (auto& r : rends_) {
    if (path.size() <= r->prefix.size() + 1 || path.substr(0, r->prefix.size()) != r->prefix ||
        path[r->prefix.size()] != '/') {
      continue;
    }
    const std::string_view name = path.substr(r->prefix.size() + 1);
    c.rend = r.get();
    LlhlsStream& s = r->stream;
    if (name == "stream.m3u8") {
      const LlhlsQuery lq = ParseLlhlsQuery(query);
      if (lq.bad) return Respond(c, 400, "text/plain", "bad _HLS_ directive\n");
      if (!s.HasPart()) return Respond(c, 404, "text/plain", "no part yet\n");
      const int parts_per_segment = profile_.GopFrames() / profile_.part_frames;
      // RFC 8216bis 6.2.5.2: more than two segments ahead, or a part beyond the advance
      // limit, is a client error.
      if (lq.msn &&
          (*lq.msn > s.last_msn() + 2 || (lq.part && *lq.part >= 3 * parts_per_segment))) {
        return Respond(c, 400, "text/plain", "_HLS_msn/_HLS_part too far ahead\n");
      }
      c.wants_part = false;
      c.msn = lq.msn.value_or(-1);
      c.part = lq.part.value_or(-1);
      c.skip = lq.skip;
    } else if (name == "init.mp4") {
      if (r->init == nullptr) return Respond(c, 404, "text/plain", "not found\n");
      return RespondShared(c, "video/mp4", {r->init}, r->init->size(), kMediaCache);
    } else if (std::int64_t msn = 0, unused = 0; ParseNumbers(name, "seg_", 1, &msn, &unused)) {
      const LlhlsSegment* seg = s.Find(msn);
      if (seg == nullptr || !seg->complete) return Respond(c, 404, "text/plain", "not found\n");
      std::vector<std::shared_ptr<const std::string>> chunks;
      std::size_t size = 0;
      for (const LlhlsPart& p : seg->parts) {
        chunks.push_back(p.data);
        size += p.data->size();
      }
      return RespondShared(c, "video/mp4", std::move(chunks), size, kMediaCache);
    } else if (std::int64_t pm = 0, pn = 0; ParseNumbers(name, "part_", 2, &pm, &pn)) {
      c.wants_part = true;
      c.msn = pm;
      c.part = static_cast<int>(pn);
      if (s.FindPart(pm, c.part) == nullptr) {
        // Held only for the hinted part or one shortly after it (blocking preload hint).
        const bool soon =
            (pm == s.open_msn() && c.part >= s.open_parts() && c.part <= s.open_parts() + 1) ||
            (pm == s.open_msn() + 1 && c.part == 0);
        if (!soon) return Respond(c, 404, "text/plain", "not found\n");
      }
    } else {
      return Respond(c, 404, "text/plain", "not found\n");
    }
    if (!TryAnswer(c)) {
      held_.push_back(
          {&c, loop_.clock().Now() + std::chrono::seconds(3 * profile_.segment_seconds)});
      c.held = true;
      c.held_it = std::prev(held_.end());
    }
    return;
  }
  return Respond(c, 404, "text/plain", "not found\n");
}

bool LlhlsServer::TryAnswer(Conn& c) {
  Rend& r = *c.rend;
  if (c.wants_part) {
    const LlhlsPart* p = r.stream.FindPart(c.msn, c.part);
    if (p == nullptr) return false;
    Release(c);
    RespondShared(c, "video/mp4", {p->data}, p->data->size(), kMediaCache);
    return true;
  }
  if (c.msn >= 0 && !r.stream.Has(c.msn, c.part)) return false;
  Release(c);
  auto body = PlaylistOf(r, c.skip);
  RespondShared(c, kPlaylistType, {body}, body->size(), "no-cache");
  return true;
}

std::shared_ptr<const std::string> LlhlsServer::PlaylistOf(Rend& r, bool skip) {
  const int i = skip ? 1 : 0;
  if (r.cached[i] == nullptr || r.cached_gen[i] != gen_) {
    r.cached[i] =
        std::make_shared<const std::string>(r.stream.Playlist(skip, "init.mp4", Reports(r)));
    r.cached_gen[i] = gen_;
  }
  return r.cached[i];
}

std::string LlhlsServer::Reports(const Rend& self) const {
  std::string out;
  for (const auto& r : rends_) {
    if (r.get() == &self || !r->stream.HasPart()) continue;
    auto [msn, part] = r->stream.LastPart();
    out +=
        fmt::format("#EXT-X-RENDITION-REPORT:URI=\"../{}/stream.m3u8\",LAST-MSN={},LAST-PART={}\n",
                    r->r.name, msn, part);
  }
  return out;
}

std::string LlhlsServer::Master() const {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& r : rends_) {
    const int bps = (r->r.maxrate_kbps + r->r.audio_kbps) * 1100;  // + ~10 % fMP4 overhead
    out += fmt::format(
        "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={}x{},FRAME-RATE={:.3f},"
        "CODECS=\"avc1.42c01e,mp4a.40.2\"\n{}/stream.m3u8\n",
        bps, r->r.width, r->r.height, static_cast<double>(profile_.fps), r->r.name);
  }
  return out;
}

void LlhlsServer::Release(Conn& c) {
  if (!c.held) return;
  held_.erase(c.held_it);
  c.held = false;
}

void LlhlsServer::Respond(Conn& c, int status, std::string_view type, std::string body,
                          std::string_view cache) {
  auto b = std::make_shared<const std::string>(std::move(body));
  c.status = status;
  RespondShared(c, type, {b}, b->size(), cache);
}

void LlhlsServer::RespondShared(Conn& c, std::string_view type,
                                std::vector<std::shared_ptr<const std::string>> chunks,
                                std::size_t size, std::string_view cache) {
  if (c.status == 0) c.status = 200;
  std::string header = fmt::format(
      "HTTP/1.1 {} {}\r\nServer: hls-swarm-llhls\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
      "{}{}{}Connection: {}\r\n\r\n",
      c.status, HttpReasonPhrase(c.status), type, size,
      cache.empty() ? "" : "Cache-Control: ", cache, cache.empty() ? "" : "\r\n",
      c.keep_alive ? "keep-alive" : "close");
  c.body = c.head ? 0 : size;
  c.total = header.size() + c.body;
  c.out.clear();
  c.out.push_back(std::make_shared<const std::string>(std::move(header)));
  if (!c.head) {
    for (auto& ch : chunks) c.out.push_back(std::move(ch));
  }
  c.out_index = 0;
  c.out_off = 0;
  Flush(c);
}

void LlhlsServer::Flush(Conn& c) {
  while (c.out_index < c.out.size()) {
    iovec iov[16];
    int n = 0;
    for (std::size_t i = c.out_index; i < c.out.size() && n < 16; ++i, ++n) {
      const std::string& s = *c.out[i];
      const std::size_t off = i == c.out_index ? c.out_off : 0;
      iov[n].iov_base = const_cast<char*>(s.data() + off);
      iov[n].iov_len = s.size() - off;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(n);
    // sendmsg(MSG_NOSIGNAL), not writev(): a viewer that went away must not raise SIGPIPE.
    const ssize_t w = ::sendmsg(c.fd.Get(), &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        c.watch->SetEvents(EPOLLIN | EPOLLRDHUP | EPOLLOUT);
        return;
      }
      return Close(c);
    }
    auto left = static_cast<std::size_t>(w);
    while (left > 0 && c.out_index < c.out.size()) {
      const std::size_t avail = c.out[c.out_index]->size() - c.out_off;
      if (left >= avail) {
        left -= avail;
        ++c.out_index;
        c.out_off = 0;
      } else {
        c.out_off += left;
        left = 0;
      }
    }
  }
  c.watch->SetEvents(EPOLLIN | EPOLLRDHUP);
  FinishRequest(c);
}

void LlhlsServer::FinishRequest(Conn& c) {
  if (c.logged) Log(c);
  c.out.clear();
  c.busy = false;
  c.last_active = loop_.clock().Now();
  c.status = 0;
  c.rend = nullptr;
  if (!c.keep_alive) return Close(c);
  // Pipelined requests wait in c.in; answer the next one after the loop round.
  if (!c.in.empty()) {
    const std::uint64_t serial = c.serial;
    loop_.Post([this, serial] {
      auto it = conns_.find(serial);
      if (it != conns_.end()) ProcessInput(*it->second);
    });
  }
}

void LlhlsServer::Log(const Conn& c) {
  if (!log_fd_.Valid()) return;
  const double secs = std::chrono::duration<double>(loop_.clock().Now() - c.started).count();
  const std::string line =
      fmt::format("{:.3f} {} {} {:.3f} \"{}\" {} {} {} {}\n", WallUnix(), c.status, c.body, secs,
                  EscapeLog(c.ua), c.uri, c.serial, c.requests, c.total);
  (void)!::write(log_fd_.Get(), line.data(), line.size());
}

void LlhlsServer::Close(Conn& c) {
  if (c.dead) return;
  c.dead = true;
  // A client that goes away mid-request (a held blocking reload or preload hint when a viewer
  // stops) is logged as nginx logs it: 499, with what was sent of the body.
  if (c.busy && c.logged) {
    if (c.status == 0) {
      c.status = 499;
      c.body = 0;
      c.total = 0;
    }
    Log(c);
  }
  Release(c);
  c.watch.reset();
  c.fd.Reset();
  const std::uint64_t serial = c.serial;
  loop_.Post([this, serial] { conns_.erase(serial); });
}

}  // namespace hs::origin
