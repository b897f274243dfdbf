// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/ffmpeg_viewers.h"

#include <cstdio>

#include "core/fs.h"
#include "core/log.h"
#include "ffmpeg/variant_probe.h"
#include "hls/url.h"

namespace hs::ffmpeg {

CommandContext BuildCommandContext(const config::Config& cfg, const std::string& url,
                                   config::TapMode tap_mode) {
  CommandContext ctx;
  ctx.stream_url = url;
  // Through the tap, FFmpeg keeps the URL and the tap connects to -resolve's address itself.
  if (cfg.HasResolve() && tap_mode == config::TapMode::kOff) {
    if (auto parts = hls::ParseHttpUrl(url)) {
      ctx.host_header = parts->HostHeader();
      ctx.stream_url = hls::WithHost(url, cfg.resolve_ip);
    }
  }
  if (cfg.check) ctx.verbose = true;
  return ctx;
}

std::string ProbeUserAgent(const config::Config& cfg) {
  return ViewerUserAgent(cfg, cfg.client_id_offset) + std::string(config::kProbeMarker);
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
  ctx_ = BuildCommandContext(cfg_, stream_url_, tap_mode_);
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
  if (cfg_.variant == config::Variant::kHighest || cfg_.variant == config::Variant::kLowest) {
    ProbeVariantProgram();
  }
  ctx_.vod = vod_;
  ctx_.target_duration_s = target_duration_s_;
  if (vod_) {
    const ViewerCommand sample = BuildViewerCommand(cfg_, caps_, ctx_, cfg_.client_id_offset);
    for (const auto& o : sample.omitted) {
      if (o.find("readrate") != std::string::npos) log::Info("VOD: option left out: {}", o);
    }
    log::Info("VOD: FFmpeg viewers read {}; the end of the VOD is a completed play (-vod-end {})",
              cfg_.pace ? "in real time (-readrate 1)" : "as fast as they can (-pace=false)",
              config::ToString(cfg_.vod_end));
  }
  FfmpegEngineOptions eo;
  for (std::size_t i = 1; i < stream_urls_.size(); ++i) {
    // The same tap and options; only the URL (and -resolve's Host header) differ.
    CommandContext c = ctx_;
    const CommandContext own = BuildCommandContext(cfg_, stream_urls_[i], tap_mode_);
    c.stream_url = own.stream_url;
    c.host_header = own.host_header;
    stream_ctx_.push_back(std::move(c));
  }
  eo.argv = [this](int id) {
    const std::size_t i = stream_ctx_.empty() ? 0 : assign_.StreamOf(id);
    return BuildViewerCommand(cfg_, caps_, i == 0 ? ctx_ : stream_ctx_[i - 1], id).argv;
  };
  eo.vod = vod_;
  eo.restart_vod = cfg_.vod_end == config::VodEnd::kRestart;
  eo.child_mask = child_mask_;
  engine_ = std::make_unique<FfmpegEngine>(loop_, spawner_, reaper_, counts, std::move(eo));
  return {};
}

void FfmpegViewers::ProbeVariantProgram() {
  const bool highest = cfg_.variant == config::Variant::kHighest;
  ProbeCommand cmd;
  cmd.ffprobe = caps_.ffprobe_path;
  cmd.url = ctx_.stream_url;
  cmd.user_agent = ProbeUserAgent(cfg_);
  cmd.headers = BuildHeaderBlock(cfg_, ctx_.host_header);
  // Through the tap (http, and https with TLS intercepted) the probe's requests are recorded
  // one by one like a viewer's and counted as the probe's (its User-Agent ends in /probe);
  // otherwise they are not measured. A build that verifies certificates gets the tap's CA.
  probe_measured_ = tap_mode_ == config::TapMode::kRequests;
  if (probe_measured_) {
    cmd.http_proxy = ctx_.tap_proxy;
    if (!ctx_.tap_ca_file.empty() && NeedsTapCa(cfg_, caps_)) cmd.ca_file = ctx_.tap_ca_file;
  }
  auto program = ProbeVariantOnLoop(loop_, reaper_, child_mask_, cmd, highest,
                                    std::chrono::milliseconds(15000));
  probe_ran_ = true;
  if (program) {
    ctx_.program = *program;
    log::Info("-variant {}: playing program {}", config::ToString(cfg_.variant), *program);
  } else {
    log::Warn("-variant {}: ffprobe could not choose a rendition ({}); falling back to 'first'",
              config::ToString(cfg_.variant), program.error());
  }
}

void FfmpegViewers::CloseTap() {
  if (tap_ != nullptr) tap_->Close();
}

}  // namespace hs::ffmpeg
