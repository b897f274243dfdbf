// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "preflight/stream_check.h"

#include <utility>

#include <fmt/format.h>

#include "config/streams.h"

#ifndef HLS_SWARM_VERSION
#define HLS_SWARM_VERSION "0.0.0"
#endif

namespace hs::preflight {

namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{10000};

struct Fetched {
  hls::Playlist playlist;
  std::string effective_url;
};

std::string RedirectNote(const std::string& url, const HttpResponse& r) {
  return r.effective_url == url
             ? ""
             : fmt::format(" (redirected to {})", config::RedactQuery(r.effective_url));
}

// One playlist GET + parse. Every error names \a what and \a url, so the user sees which of the
// (up to two) requests failed.
Result<Fetched> FetchPlaylist(HttpFetcher& fetcher, const std::string& url, std::string_view what,
                              StreamInfo& info) {
  Result<HttpResponse> r = fetcher.Get(url, what);
  if (!r) return tl::unexpected(r.error());
  info.fetch_time += r->total_time;
  // The kind is known once parsed; recorded as a playlist and corrected below for a master.
  for (long i = 0; i < r->redirects; ++i) {
    info.requests.push_back({hls::ResourceKind::kMediaPlaylist, 302, 0});
  }
  const std::size_t first = info.requests.size() - static_cast<std::size_t>(r->redirects);
  info.requests.push_back({hls::ResourceKind::kMediaPlaylist, r->status, r->body.size()});
  if (r->status < 200 || r->status >= 300) {
    const std::string reason =
        r->reason.empty() ? std::string(HttpReasonPhrase(r->status)) : r->reason;
    return Fail(ErrorCode::kHttp,
                fmt::format("{} {} returned HTTP {}{}{}{}", what, config::RedactQuery(url),
                            r->status, reason.empty() ? "" : " ", reason, RedirectNote(url, *r)));
  }
  Result<hls::Playlist> parsed = hls::ParsePlaylist(r->body, r->effective_url);
  if (!parsed) {
    const Error& e = parsed.error();
    const std::string type = e.code == ErrorCode::kHttp && !r->content_type.empty()
                                 ? fmt::format(" (Content-Type {})", r->content_type)
                                 : "";
    return Fail(e.code, fmt::format("{} {}{}: {}{}", what, config::RedactQuery(url),
                                    RedirectNote(url, *r), e.detail, type));
  }
  for (const std::string& w : parsed->warnings) {
    info.warnings.push_back(fmt::format("{} {}: {}", what, config::RedactQuery(url), w));
  }
  if (parsed->is_master) {
    for (std::size_t i = first; i < info.requests.size(); ++i) {
      info.requests[i].kind = hls::ResourceKind::kMaster;
    }
  }
  return Fetched{std::move(*parsed), std::move(r->effective_url)};
}

Result<void> FillMedia(const hls::Playlist& media, const std::string& url, std::string_view what,
                       StreamInfo& info) {
  if (media.is_master) {
    return Fail(ErrorCode::kParse,
                fmt::format("{} {} is a master playlist inside a master playlist", what,
                            config::RedactQuery(url)));
  }
  if (media.segments.empty()) {
    return Fail(ErrorCode::kHttp, fmt::format("{} {} is an empty media playlist (no segments)",
                                              what, config::RedactQuery(url)));
  }
  info.media_playlist_url = url;
  info.target_duration_s = media.target_duration_s;
  info.media_sequence = media.media_sequence;
  info.segment_count = media.segments.size();
  info.live = media.IsLive();
  info.playlist_type = media.playlist_type;
  info.first_segment_uri = media.segments.front().uri;
  info.media_duration_s = 0;
  for (const hls::Segment& seg : media.segments) info.media_duration_s += seg.duration_s;
  return {};
}

std::string FormatBandwidth(std::uint64_t bps) {
  if (bps >= 10'000'000) return fmt::format("{} Mbit/s", bps / 1'000'000);
  return fmt::format("{} kbit/s", bps / 1000);
}

}  // namespace

StreamCheckOptions StreamCheckOptionsFromConfig(const config::Config& config) {
  StreamCheckOptions o;
  o.url = config.stream_url;
  o.timeout = config.timeout.count() > 0 ? config.timeout : kDefaultTimeout;
  o.user_agent = config.user_agent;
  o.headers = config.headers;
  o.no_cache = config.no_cache;
  o.resolve_ip = config.resolve_ip;
  o.dangerous = config.dangerous;
  return o;
}

std::vector<std::string> PreflightRequestHeaders(const StreamCheckOptions& options) {
  std::vector<std::string> out = options.headers;
  if (options.no_cache) {
    // The same pair FFmpeg viewers send with -no-cache (SPEC §1).
    out.emplace_back("Cache-Control: no-cache, no-store, must-revalidate");
    out.emplace_back("Pragma: no-cache");
  }
  return out;
}

std::string PreflightUserAgent(const StreamCheckOptions& options) {
  const std::string base =
      options.user_agent.empty() ? std::string("hls-swarm/" HLS_SWARM_VERSION) : options.user_agent;
  return base + "/preflight";
}

std::string ConnectToEntry(const hls::UrlParts& url, std::string_view ip) {
  const std::string host = url.ipv6 ? fmt::format("[{}]", url.host) : url.host;
  const bool ip_is_v6 = !ip.empty() && ip.find(':') != std::string_view::npos && ip.front() != '[';
  return ip_is_v6 ? fmt::format("{}::[{}]:", host, ip) : fmt::format("{}::{}:", host, ip);
}

FetchOptions MakeFetchOptions(const StreamCheckOptions& options, const hls::UrlParts& url) {
  FetchOptions f;
  f.timeout = options.timeout.count() > 0 ? options.timeout : kDefaultTimeout;
  f.user_agent = PreflightUserAgent(options);
  f.headers = PreflightRequestHeaders(options);
  if (!options.resolve_ip.empty()) f.connect_to.push_back(ConnectToEntry(url, options.resolve_ip));
  f.insecure = options.dangerous;
  f.max_redirects = options.max_redirects;
  f.max_body_bytes = options.max_body_bytes;
  return f;
}

Result<StreamInfo> CheckStream(const StreamCheckOptions& options) {
  Result<hls::UrlParts> url = hls::ParseHttpUrl(options.url);
  if (!url) return tl::unexpected(url.error());
  CurlFetcher fetcher(MakeFetchOptions(options, *url));
  return CheckStream(options, fetcher);
}

Result<StreamInfo> CheckStream(const StreamCheckOptions& options, HttpFetcher& fetcher) {
  if (Result<hls::UrlParts> url = hls::ParseHttpUrl(options.url); !url) {
    return tl::unexpected(url.error());
  }
  StreamInfo info;
  info.url = options.url;
  Result<Fetched> top = FetchPlaylist(fetcher, options.url, "playlist", info);
  if (!top) return tl::unexpected(top.error());
  info.effective_url = top->effective_url;
  info.is_master = top->playlist.is_master;
  if (!info.is_master) {
    if (Result<void> r = FillMedia(top->playlist, options.url, "playlist", info); !r) {
      return tl::unexpected(r.error());
    }
    return info;
  }
  info.variants = top->playlist.variants;
  info.rendition_count = top->playlist.renditions.size();
  const std::string& variant_url = info.variants.front().uri;
  if (Result<hls::UrlParts> v = hls::ParseHttpUrl(variant_url); !v) {
    return Fail(ErrorCode::kParse,
                fmt::format("first variant of playlist {}: {}", options.url, v.error().detail));
  }
  Result<Fetched> media = FetchPlaylist(fetcher, variant_url, "variant playlist", info);
  if (!media) return tl::unexpected(media.error());
  if (Result<void> r = FillMedia(media->playlist, variant_url, "variant playlist", info); !r) {
    return tl::unexpected(r.error());
  }
  return info;
}

std::string DescribeStream(const StreamInfo& info) {
  std::string out;
  if (info.is_master) {
    std::string list;
    for (const hls::VariantStream& v : info.variants) {
      if (!list.empty()) list += ", ";
      list += FormatBandwidth(v.bandwidth);
      if (!v.resolution.empty()) list += " " + v.resolution;
    }
    out = fmt::format("master playlist, {} variant{} ({}); ", info.variants.size(),
                      info.variants.size() == 1 ? "" : "s", list);
  }
  const char* kind = info.live ? "live" : (info.playlist_type == "VOD" ? "VOD" : "ended");
  out += fmt::format(
      "{} media playlist {}, target duration {:g} s, {} segment{} from sequence {}; fetched in "
      "{} ms",
      kind, config::RedactQuery(info.media_playlist_url), info.target_duration_s,
      info.segment_count, info.segment_count == 1 ? "" : "s", info.media_sequence,
      info.fetch_time.count() / 1000);
  return out;
}

}  // namespace hs::preflight
