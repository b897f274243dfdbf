// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/child_process.h"
#include "core/child_reaper.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "origin/fmp4_cutter.h"
#include "origin/llhls_stream.h"
#include "origin/origin_profile.h"

namespace hs::origin {

/// The FFmpeg command for one LL-HLS rendition: lavfi testsrc2 + sine, libx264 (zerolatency:
/// no B-frames, GOP = one segment) + AAC, fragmented MP4 with one fragment per part written to
/// fd 3 (`pipe:3`). Pure.
std::vector<std::string> LlhlsGeneratorArgv(const OriginProfile& profile, const Rendition& r,
                                            const std::string& ffmpeg);

struct LlhlsServerOptions {
  std::string listen_addr = "127.0.0.1";
  int port = 0;  ///< 0: any free port (see port())
  std::string access_log_path;
  std::string ffmpeg = "ffmpeg";
  const sigset_t* child_mask = nullptr;
};

/// The bundled LL-HLS origin: an HTTP/1.1 server on our own event loop that serves the fMP4
/// parts and segments FFmpeg encodes, with blocking playlist reloads, delta updates and
/// blocking preload-hint requests (SPEC §13).
///
/// Why C++ on our loop and not nginx: no Debian package serves LL-HLS (SPEC §13) and nginx
/// cannot hold a playlist request until a part exists (no blocking reload), so the origin must
/// be a program of its own; a held request here is a few hundred bytes of state on one epoll
/// loop, so thousands are held at no cost (bench/llhls_held.py), with the same access log
/// format and stub_status page as the nginx profiles so that tests and exporters read both.
///
/// URL layout (one rendition / several): /stream.m3u8 or /master.m3u8 + /<name>/stream.m3u8;
/// beside each media playlist init.mp4, seg_<msn>.m4s, part_<msn>_<n>.m4s. /health: 200 "ok"
/// once every rendition has a complete segment (503 before); /nginx_status: stub_status text.
/// Not logged: /health and /nginx_status. Loop thread only.
class LlhlsServer {
 public:
  LlhlsServer(EventLoop& loop, ChildReaper& reaper, OriginProfile profile, LlhlsServerOptions opts);
  ~LlhlsServer();
  LlhlsServer(const LlhlsServer&) = delete;
  LlhlsServer& operator=(const LlhlsServer&) = delete;

  /// Binds, listens and starts one FFmpeg per rendition. \a on_ready runs once every rendition
  /// has a complete segment; \a on_fail if a generator dies or its stream is malformed.
  Result<void> Start(std::function<void()> on_ready, std::function<void(std::string)> on_fail);
  /// Stops the generators (SIGTERM) and closes the listener and every connection.
  void Stop();
  int port() const { return port_; }
  std::string StreamPath() const;
  std::size_t held() const { return held_.size(); }

 private:
  struct Conn;
  struct Held {
    Conn* conn;
    SteadyTime deadline;
  };
  struct Rend {
    Rendition r;
    std::string prefix;  // "" or "/<name>"
    LlhlsStream stream;
    Fmp4Cutter cutter;
    std::shared_ptr<const std::string> init;
    std::unique_ptr<ChildProcess> child;
    UniqueFd pipe;
    std::unique_ptr<FileWatch> watch;
    std::shared_ptr<const std::string> cached[2];  // full, delta; valid while gen == gen_
    std::uint64_t cached_gen[2] = {0, 0};
  };

  void OnAccept();
  void OnConnEvent(Conn& c, std::uint32_t events);
  void ProcessInput(Conn& c);
  void Dispatch(Conn& c);
  /// Tries to answer the request held by \a c; true if it answered.
  bool TryAnswer(Conn& c);
  void Respond(Conn& c, int status, std::string_view type, std::string body,
               std::string_view cache = "");
  void RespondShared(Conn& c, std::string_view type,
                     std::vector<std::shared_ptr<const std::string>> chunks, std::size_t size,
                     std::string_view cache);
  void Flush(Conn& c);
  void FinishRequest(Conn& c);
  void Close(Conn& c);
  void Release(Conn& c);
  void OnGenerator(Rend& r);
  void OnPart();
  void Sweep();
  std::string Reports(const Rend& self) const;
  std::shared_ptr<const std::string> PlaylistOf(Rend& r, bool skip);
  std::string Master() const;
  void Log(const Conn& c);

  EventLoop& loop_;
  ChildReaper& reaper_;
  OriginProfile profile_;
  LlhlsServerOptions opts_;
  UniqueFd listen_fd_;
  std::unique_ptr<FileWatch> listen_watch_;
  int port_ = 0;
  std::vector<std::unique_ptr<Rend>> rends_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::list<Held> held_;  // FIFO; every hold lasts the same, so deadlines are in order
  std::unique_ptr<Timer> sweep_;
  UniqueFd log_fd_;
  std::function<void()> on_ready_;
  std::function<void(std::string)> on_fail_;
  bool ready_ = false;
  bool stopping_ = false;
  std::uint64_t next_serial_ = 1;
  std::uint64_t accepts_ = 0;
  std::uint64_t requests_ = 0;
  SteadyTime last_idle_sweep_{};
  std::uint64_t gen_ = 1;  // bumped by every new part (rendition reports change too)
};

}  // namespace hs::origin
