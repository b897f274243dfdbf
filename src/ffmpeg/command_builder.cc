// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/command_builder.h"

#include <fmt/format.h>

namespace hs::ffmpeg {

namespace {

const char* FfmpegLogLevel(const Capabilities& caps, bool verbose) {
  // `repeat` keeps FFmpeg from folding identical lines into "Last message repeated N times",
  // which would hide requests from the parser; `level` tags make errors unambiguous.
  if (caps.loglevel_level) return verbose ? "repeat+level+verbose" : "repeat+level+info";
  return verbose ? "verbose" : "info";
}

void AppendMap(const config::Config& cfg, const CommandContext& ctx, std::vector<std::string>& a) {
  using config::Variant;
  if ((cfg.variant == Variant::kHighest || cfg.variant == Variant::kLowest) && ctx.program) {
    a.insert(a.end(), {"-map", fmt::format("0:p:{}", *ctx.program)});
    return;
  }
  if (cfg.variant == Variant::kAll) {
    a.insert(a.end(), {"-map", "0"});
    return;
  }
  // first, or highest/lowest whose probe failed (the caller logs the fallback).
  a.insert(a.end(), {"-map", "0:v:0?", "-map", "0:a:0?"});
}

// A VOD viewer reads its input in real time: `-readrate 1` (the same as `-re`), and where the
// build has it (6.1+) a first burst of one target duration, as a player fills its buffer.
void AppendVodPacing(const Capabilities& caps, const CommandContext& ctx, ViewerCommand& cmd) {
  auto& a = cmd.argv;
  if (caps.readrate) {
    a.insert(a.end(), {"-readrate", "1"});
  } else if (caps.re) {
    a.emplace_back("-re");
  } else {
    cmd.omitted.push_back(
        "-readrate 1 / -re (not supported by this FFmpeg: VOD viewers read as fast as they can)");
    return;
  }
  if (caps.readrate_initial_burst && ctx.target_duration_s > 0) {
    a.insert(a.end(), {"-readrate_initial_burst", std::to_string(ctx.target_duration_s)});
  } else if (!caps.readrate_initial_burst) {
    cmd.omitted.push_back(
        fmt::format("-readrate_initial_burst (FFmpeg {} lacks it; 6.1+ has it)", caps.version));
  }
}

}  // namespace

bool NeedsTapCa(const config::Config& cfg, const Capabilities& caps) {
  return caps.tls_verify_by_default && caps.ca_file && !(cfg.dangerous && caps.tls_verify);
}

std::string ViewerUserAgent(const config::Config& cfg, int client_id) {
  return cfg.ViewerUserAgent(client_id);
}

std::string BuildHeaderBlock(const config::Config& cfg, const std::string& host_header) {
  std::string h;
  if (cfg.HasResolve() && !host_header.empty()) h += fmt::format("Host: {}\r\n", host_header);
  if (cfg.no_cache) {
    h += "Cache-Control: no-cache, no-store, must-revalidate\r\n";
    h += "Pragma: no-cache\r\n";
  }
  for (const auto& header : cfg.headers) h += header + "\r\n";
  return h;
}

ViewerCommand BuildViewerCommand(const config::Config& cfg, const Capabilities& caps,
                                 const CommandContext& ctx, int client_id) {
  ViewerCommand cmd;
  auto& a = cmd.argv;
  a = {caps.path.empty() ? cfg.ffmpeg_path : caps.path, "-hide_banner", "-nostdin", "-loglevel",
       FfmpegLogLevel(caps, ctx.verbose)};
  if (caps.progress) {
    a.insert(a.end(), {"-progress", "pipe:3"});
    if (caps.stats_period) a.insert(a.end(), {"-stats_period", "1"});
  } else {
    cmd.omitted.push_back("-progress (not supported by this FFmpeg)");
  }
  if (cfg.dangerous && caps.tls_verify) a.insert(a.end(), {"-tls_verify", "0"});
  if (cfg.reconnect) {
    a.insert(a.end(), {"-reconnect", "1", "-reconnect_streamed", "1"});
    if (caps.reconnect_on_network_error) {
      a.insert(a.end(), {"-reconnect_on_network_error", "1"});
    } else {
      cmd.omitted.push_back("-reconnect_on_network_error (not supported by this FFmpeg)");
    }
    a.insert(a.end(), {"-reconnect_delay_max", std::to_string(cfg.reconnect_delay_max_s)});
  }
  if (caps.rw_timeout) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(cfg.timeout).count();
    a.insert(a.end(), {"-rw_timeout", std::to_string(us)});
  } else {
    cmd.omitted.push_back(
        "-rw_timeout (not supported by this FFmpeg: a frozen origin can hang viewers)");
  }
  a.insert(a.end(), {"-user_agent", ViewerUserAgent(cfg, client_id)});
  std::string headers = BuildHeaderBlock(cfg, ctx.host_header);
  if (!headers.empty()) a.insert(a.end(), {"-headers", headers});
  if (!ctx.tap_proxy.empty()) a.insert(a.end(), {"-http_proxy", ctx.tap_proxy});
  if (!ctx.tap_ca_file.empty() && NeedsTapCa(cfg, caps)) {
    a.insert(a.end(), {"-ca_file", ctx.tap_ca_file});
  }
  if (caps.seg_max_retry) {
    a.insert(a.end(), {"-seg_max_retry", std::to_string(cfg.seg_max_retry)});
  } else {
    cmd.omitted.push_back(fmt::format("-seg_max_retry {} (FFmpeg {} lacks it; 6.1+ has it)",
                                      cfg.seg_max_retry, caps.version));
  }
  if (ctx.vod && cfg.pace) AppendVodPacing(caps, ctx, cmd);
  a.insert(a.end(), {"-i", ctx.stream_url});
  AppendMap(cfg, ctx, a);
  a.insert(a.end(), {"-c", "copy", "-f", "null", "-"});
  return cmd;
}

std::string ShellQuoteArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty();
    for (char c : arg) {
      if (!(isalnum(static_cast<unsigned char>(c)) ||
            std::string_view("-_./:=+,@%").find(c) != std::string_view::npos)) {
        plain = false;
        break;
      }
    }
    if (plain) {
      out += arg;
      continue;
    }
    bool has_control = arg.find_first_of("\r\n") != std::string::npos;
    if (has_control) {
      // $'...' keeps CR/LF visible and pasteable in bash.
      out += "$'";
      for (char c : arg) {
        if (c == '\r')
          out += "\\r";
        else if (c == '\n')
          out += "\\n";
        else if (c == '\'' || c == '\\')
          out += std::string("\\") + c;
        else
          out += c;
      }
      out += "'";
    } else {
      out += "'";
      for (char c : arg) {
        if (c == '\'')
          out += "'\\''";
        else
          out += c;
      }
      out += "'";
    }
  }
  return out;
}

}  // namespace hs::ffmpeg
