// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/ffmpeg_viewers.h"

#include <cstdio>

#include "core/fs.h"
#include "core/log.h"
#include "ffmpeg/variant_probe.h"
#include "hls/url.h"

namespace hs::ffmpeg {

CommandContext BuildCommandContext(const config::Config& cfg, const Capabilities& caps,
                                   const std::string& url, config::TapMode tap_mode) {
  CommandContext ctx;
  ctx.stream_url = url;
  // Through the tap, FFmpeg keeps the URL and the tap connects to -resolve's address itself.
  if (cfg.HasResolve() && tap_mode == config::TapMode::kOff) {
    if (auto parts = hls::ParseHttpUrl(url)) {
      ctx.host_header = parts->HostHeader();
      ctx.stream_url = hls::WithHost(url, cfg.resolve_ip);
    }
  }
  if (cfg.variant == config::Variant::kHighest || cfg.variant == config::Variant::kLowest) {
    const bool highest = cfg.variant == config::Variant::kHighest;
    auto program = ProbeVariant(
        caps.ffprobe_path, ctx.stream_url, ViewerUserAgent(cfg, cfg.client_id_offset) + "/probe",
        BuildHeaderBlock(cfg, ctx.host_header), highest, std::chrono::milliseconds(15000));
    if (program) {
      ctx.program = *program;
      log::Info("-variant {}: playing program {}", config::ToString(cfg.variant), *program);
    } else {
      log::Warn("-variant {}: ffprobe could not choose a rendition ({}); falling back to 'first'",
                config::ToString(cfg.variant), program.error());
    }
  }
  if (cfg.check) ctx.verbose = true;
  return ctx;
}

FfmpegViewers::FfmpegViewers(EventLoop& loop, ChildReaper& reaper, const config::Config& cfg,
                             Capabilities caps, std::string stream_url, const sigset_t* child_mask)
    : loop_(loop),
      reaper_(reaper),
      cfg_(cfg),
      caps_(std::move(caps)),
      stream_url_(std::move(stream_url)),
      child_mask_(child_mask),
      tap_mode_(cfg.TapModeFor(stream_url_)) {
  if (tap_mode_ == config::TapMode::kRequests && stream_url_.rfind("https://", 0) == 0) {
    // https through the tap: TLS is intercepted (a CA made for this run) so every request is
    // measured; the origin's certificate is verified by the tap unless -dangerous.
    auto tls = tap::TlsInterceptor::Create(!cfg.dangerous, "");
    if (tls) {
      tls_ = std::move(*tls);
    } else {
      log::Warn(
          "-tap: cannot intercept https ({}); falling back to CONNECT tunnels: per-request "
          "figures come from FFmpeg's log",
          tls.error());
      tap_mode_ = config::TapMode::kTunnels;
    }
  }
}

FfmpegViewers::~FfmpegViewers() {
  if (!ca_dir_.empty()) RemoveTree(ca_dir_);
}

namespace {

Result<std::string> WriteCaFile(const std::string& dir, const std::string& pem) {
  const std::string path = dir + "/tap-ca.pem";
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return Fail(ErrorCode::kIo, "cannot write " + path);
  const bool ok = std::fwrite(pem.data(), 1, pem.size(), f) == pem.size();
  if (std::fclose(f) != 0 || !ok) return Fail(ErrorCode::kIo, "cannot write " + path);
  return path;
}

}  // namespace

Result<void> FfmpegViewers::Prepare(measure::RequestListener& records,
                                    measure::EngineListener& counts) {
  ctx_ = BuildCommandContext(cfg_, caps_, stream_url_, tap_mode_);
  if (tap_mode_ != config::TapMode::kOff) {
    tap::TapOptions opts;
    opts.connect_timeout = cfg_.timeout;
    opts.io_timeout = cfg_.timeout;
    opts.resolve_ip = cfg_.resolve_ip;
    tap_ = std::make_unique<tap::TapServer>(loop_, opts, &records);
    if (auto r = tap_->Listen(); !r) {
      return Fail(ErrorCode::kIo,
                  fmt::format("cannot start the measurement tap: {} (run with -tap=false to go "
                              "direct)",
                              r.error()));
    }
    ctx_.tap_proxy = tap_->ProxyUrl();
    if (tls_) {
      const std::string pem = tls_->authority().CaPem();
      tap_->UseInterceptor(std::move(tls_));
      if (NeedsTapCa(cfg_, caps_)) {
        // This FFmpeg verifies certificates: it must trust the run's CA.
        auto dir = MakeTempDir("hls-swarm-tap");
        if (!dir) return Fail(ErrorCode::kIo, fmt::format("tap CA: {}", dir.error()));
        ca_dir_ = *dir;
        auto file = WriteCaFile(ca_dir_, pem);
        if (!file) return tl::unexpected(file.error());
        ctx_.tap_ca_file = *file;
      }
    }
    log::Info("measurement tap on {}{}", ctx_.tap_proxy,
              tap_mode_ == config::TapMode::kTunnels
                  ? " (https: CONNECT tunnels only; per-request figures from FFmpeg's log)"
              : tap_->intercepts_tls()
                  ? fmt::format(" (https: TLS intercepted with a CA made for this run; origin "
                                "certificates {})",
                                cfg_.dangerous ? "NOT verified (-dangerous)" : "verified")
                  : std::string());
  }
  FfmpegEngineOptions eo;
  eo.argv = [this](int id) { return BuildViewerCommand(cfg_, caps_, ctx_, id).argv; };
  eo.child_mask = child_mask_;
  engine_ = std::make_unique<FfmpegEngine>(loop_, spawner_, reaper_, counts, std::move(eo));
  return {};
}

void FfmpegViewers::CloseTap() {
  if (tap_ != nullptr) tap_->Close();
}

}  // namespace hs::ffmpeg
