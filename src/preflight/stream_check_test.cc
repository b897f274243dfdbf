// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "preflight/stream_check.h"

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::preflight {
namespace {

constexpr const char* kLive =
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:42\n"
    "#EXTINF:2,\nseg42.ts\n#EXTINF:2,\nseg43.ts\n";
constexpr const char* kMaster =
    "#EXTM3U\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/en.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"\n"
    "v720/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n"
    "v360/index.m3u8\n";

// Side-effect-free stand-in for CurlFetcher: canned responses by URL, requests recorded.
class FakeFetcher : public HttpFetcher {
 public:
  void Serve(const std::string& url, long status, std::string body, std::string reason = "",
             std::string content_type = "application/vnd.apple.mpegurl") {
    HttpResponse r;
    r.status = status;
    r.reason = std::move(reason);
    r.body = std::move(body);
    r.effective_url = url;
    r.content_type = std::move(content_type);
    r.total_time = std::chrono::microseconds(1500);
    responses_[url] = std::move(r);
  }
  void Redirect(const std::string& from, const std::string& to) { redirects_[from] = to; }
  void FailWith(const std::string& url, Error e) { errors_[url] = std::move(e); }

  Result<HttpResponse> Get(const std::string& url, std::string_view what) override {
    requests_.push_back(fmt::format("{} {}", what, url));
    if (auto e = errors_.find(url); e != errors_.end()) return tl::unexpected(e->second);
    const auto to = redirects_.find(url);
    const std::string& target = to == redirects_.end() ? url : to->second;
    const auto r = responses_.find(target);
    if (r == responses_.end()) {
      HttpResponse missing;
      missing.status = 404;
      missing.effective_url = target;
      return missing;
    }
    HttpResponse out = r->second;
    out.redirects = to == redirects_.end() ? 0 : 1;
    return out;
  }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  std::map<std::string, HttpResponse> responses_;
  std::map<std::string, std::string> redirects_;
  std::map<std::string, Error> errors_;
  std::vector<std::string> requests_;
};

class StreamCheckTest : public testing::Test {
 protected:
  Result<StreamInfo> Check(const std::string& url) {
    StreamCheckOptions o;
    o.url = url;
    return CheckStream(o, fetcher_);
  }
  std::string ErrorOf(const std::string& url) {
    Result<StreamInfo> r = Check(url);
    EXPECT_FALSE(r);
    return r ? "" : r.error().detail;
  }
  FakeFetcher fetcher_;
};

TEST_F(StreamCheckTest, MediaPlaylist) {
  fetcher_.Serve("http://o/live.m3u8", 200, kLive);
  Result<StreamInfo> info = Check("http://o/live.m3u8");
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_FALSE(info->is_master);
  EXPECT_TRUE(info->variants.empty());
  EXPECT_EQ(info->effective_url, "http://o/live.m3u8");
  EXPECT_EQ(info->media_playlist_url, "http://o/live.m3u8");
  EXPECT_DOUBLE_EQ(info->target_duration_s, 2);
  EXPECT_EQ(info->media_sequence, 42u);
  EXPECT_EQ(info->segment_count, 2u);
  EXPECT_TRUE(info->live);
  EXPECT_EQ(info->first_segment_uri, "http://o/seg42.ts");
  EXPECT_EQ(info->fetch_time, std::chrono::microseconds(1500));
  EXPECT_EQ(fetcher_.requests(), std::vector<std::string>{"playlist http://o/live.m3u8"});
  EXPECT_EQ(DescribeStream(*info),
            "live media playlist http://o/live.m3u8, target duration 2 s, 2 segments from "
            "sequence 42; fetched in 1 ms");
}

TEST_F(StreamCheckTest, MasterPlaylistFetchesFirstVariant) {
  fetcher_.Serve("https://o/hls/master.m3u8", 200, kMaster);
  fetcher_.Serve("https://o/hls/v720/index.m3u8", 200,
                 "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6,\n"
                 "../seg/a.ts\n#EXT-X-ENDLIST\n");
  Result<StreamInfo> info = Check("https://o/hls/master.m3u8");
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_TRUE(info->is_master);
  ASSERT_EQ(info->variants.size(), 2u);
  EXPECT_EQ(info->variants[0].bandwidth, 2800000u);
  EXPECT_EQ(info->variants[1].resolution, "640x360");
  EXPECT_EQ(info->variants[1].uri, "https://o/hls/v360/index.m3u8");
  EXPECT_EQ(info->rendition_count, 1u);
  EXPECT_EQ(info->media_playlist_url, "https://o/hls/v720/index.m3u8");
  EXPECT_DOUBLE_EQ(info->target_duration_s, 6);
  EXPECT_FALSE(info->live);
  EXPECT_EQ(info->playlist_type, "VOD");
  EXPECT_EQ(info->first_segment_uri, "https://o/hls/seg/a.ts");
  EXPECT_EQ(info->fetch_time, std::chrono::microseconds(3000));
  EXPECT_EQ(fetcher_.requests(),
            (std::vector<std::string>{"playlist https://o/hls/master.m3u8",
                                      "variant playlist https://o/hls/v720/index.m3u8"}));
  EXPECT_EQ(DescribeStream(*info),
            "master playlist, 2 variants (2800 kbit/s 1280x720, 800 kbit/s 640x360); VOD media "
            "playlist https://o/hls/v720/index.m3u8, target duration 6 s, 1 segment from "
            "sequence 0; fetched in 3 ms");
  EXPECT_DOUBLE_EQ(info->media_duration_s, 6);
  // Both requests are load on the origin (the report's probe row).
  ASSERT_EQ(info->requests.size(), 2u);
  EXPECT_EQ(info->requests[0].kind, hls::ResourceKind::kMaster);
  EXPECT_EQ(info->requests[0].status, 200);
  EXPECT_EQ(info->requests[0].body_bytes, std::string(kMaster).size());
  EXPECT_EQ(info->requests[1].kind, hls::ResourceKind::kMediaPlaylist);
  EXPECT_GT(info->requests[1].body_bytes, 0u);
}

TEST_F(StreamCheckTest, RelativeUrisUseTheUrlAfterRedirects) {
  fetcher_.Redirect("http://o/short", "http://cdn/live/stream.m3u8");
  fetcher_.Serve("http://cdn/live/stream.m3u8", 200, kLive);
  Result<StreamInfo> info = Check("http://o/short");
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_EQ(info->effective_url, "http://cdn/live/stream.m3u8");
  EXPECT_EQ(info->first_segment_uri, "http://cdn/live/seg42.ts");
  // The redirect was a request of its own.
  ASSERT_EQ(info->requests.size(), 2u);
  EXPECT_EQ(info->requests[0].status, 302);
  EXPECT_EQ(info->requests[0].body_bytes, 0u);
  EXPECT_EQ(info->requests[1].status, 200);
  EXPECT_EQ(info->requests[1].kind, hls::ResourceKind::kMediaPlaylist);
}

TEST_F(StreamCheckTest, HttpErrorsNameUrlStatusAndReason) {
  EXPECT_EQ(ErrorOf("http://o/missing.m3u8"),
            "playlist http://o/missing.m3u8 returned HTTP 404 Not Found");
  fetcher_.Serve("http://o/slow", 503, "busy", "Slow Down");
  EXPECT_EQ(ErrorOf("http://o/slow"), "playlist http://o/slow returned HTTP 503 Slow Down");
  fetcher_.Serve("http://o/odd", 599, "");
  EXPECT_EQ(ErrorOf("http://o/odd"), "playlist http://o/odd returned HTTP 599");
  fetcher_.Serve("http://o/nm", 304, "");
  EXPECT_EQ(ErrorOf("http://o/nm"), "playlist http://o/nm returned HTTP 304 Not Modified");
  fetcher_.Redirect("http://o/r", "http://o/gone");
  EXPECT_EQ(ErrorOf("http://o/r"),
            "playlist http://o/r returned HTTP 404 Not Found (redirected to http://o/gone)");
  EXPECT_EQ(Check("http://o/r").error().code, ErrorCode::kHttp);
}

TEST_F(StreamCheckTest, HtmlBodyIsNotHls) {
  fetcher_.Serve("http://o/index.html", 200,
                 "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title>", "OK",
                 "text/html");
  Result<StreamInfo> r = Check("http://o/index.html");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kHttp);
  EXPECT_EQ(r.error().detail,
            "playlist http://o/index.html: not an HLS playlist (no #EXTM3U header); body starts "
            "with \"<!DOCTYPE html> <html><head><title>Welco...\" (Content-Type text/html)");
}

TEST_F(StreamCheckTest, EmptyMediaPlaylistFails) {
  fetcher_.Serve("http://o/empty.m3u8", 200, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
  EXPECT_EQ(ErrorOf("http://o/empty.m3u8"),
            "playlist http://o/empty.m3u8 is an empty media playlist (no segments)");
}

TEST_F(StreamCheckTest, VariantFailuresNameTheVariant) {
  fetcher_.Serve("http://o/m.m3u8", 200, kMaster);
  EXPECT_EQ(ErrorOf("http://o/m.m3u8"),
            "variant playlist http://o/v720/index.m3u8 returned HTTP 404 Not Found");
  fetcher_.Serve("http://o/v720/index.m3u8", 200, kMaster);
  EXPECT_EQ(ErrorOf("http://o/m.m3u8"),
            "variant playlist http://o/v720/index.m3u8 is a master "
            "playlist inside a master playlist");
  fetcher_.Serve("http://o/v720/index.m3u8", 200, "#EXTM3U\n");
  EXPECT_EQ(ErrorOf("http://o/m.m3u8"),
            "variant playlist http://o/v720/index.m3u8 is an empty media playlist (no segments)");
  fetcher_.Serve("http://o/ftp.m3u8", 200,
                 "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nftp://x/y.m3u8\n");
  EXPECT_NE(ErrorOf("http://o/ftp.m3u8")
                .find("first variant of playlist http://o/ftp.m3u8: "
                      "unsupported scheme \"ftp\""),
            std::string::npos);
}

TEST_F(StreamCheckTest, MalformedPlaylistAndBadUrl) {
  fetcher_.Serve("http://o/bad.m3u8", 200, "#EXTM3U\n#EXTINF:x,\na.ts\n");
  Result<StreamInfo> bad = Check("http://o/bad.m3u8");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  EXPECT_EQ(bad.error().detail,
            "playlist http://o/bad.m3u8: playlist line 2: bad #EXTINF duration \"x\"");
  Result<StreamInfo> url = Check("o/live.m3u8");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, ErrorCode::kUsage);
  EXPECT_TRUE(fetcher_.requests().size() == 1) << "no request for a malformed URL";
}

TEST_F(StreamCheckTest, TransportErrorsPassThroughAndWarningsAreKept) {
  fetcher_.FailWith("http://o/x", MakeError(ErrorCode::kNetwork, "playlist http://o/x: boom"));
  EXPECT_EQ(ErrorOf("http://o/x"), "playlist http://o/x: boom");
  fetcher_.Serve("http://o/w.m3u8", 200, "#EXTM3U\n#EXTINF:2,\na.ts\n");
  Result<StreamInfo> info = Check("http://o/w.m3u8");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->warnings,
            std::vector<std::string>{"playlist http://o/w.m3u8: media playlist has no "
                                     "#EXT-X-TARGETDURATION"});
}

TEST(StreamCheckOptionsTest, FromConfigAndFetchOptions) {
  config::Config c;
  c.stream_url = "https://cdn.example.com:8443/live/master.m3u8";
  c.timeout = std::chrono::seconds(3);
  c.user_agent = "hls-swarm/9.9";
  c.headers = {"Authorization: Bearer x", "X-Test: 1"};
  c.no_cache = true;
  c.resolve_ip = "10.0.0.7";
  c.dangerous = true;
  const StreamCheckOptions o = StreamCheckOptionsFromConfig(c);
  EXPECT_EQ(o.url, c.stream_url);
  EXPECT_EQ(o.timeout, std::chrono::seconds(3));
  const FetchOptions f = MakeFetchOptions(o, *hls::ParseHttpUrl(o.url));
  EXPECT_EQ(f.user_agent, "hls-swarm/9.9/preflight");
  EXPECT_EQ(f.headers,
            (std::vector<std::string>{"Authorization: Bearer x", "X-Test: 1",
                                      "Cache-Control: no-cache, no-store, must-revalidate",
                                      "Pragma: no-cache"}));
  EXPECT_EQ(f.connect_to, std::vector<std::string>{"cdn.example.com::10.0.0.7:"});
  EXPECT_TRUE(f.insecure);
  EXPECT_EQ(f.max_redirects, 5);
  EXPECT_EQ(f.timeout, std::chrono::seconds(3));

  c.timeout = std::chrono::milliseconds(0);
  c.no_cache = false;
  c.resolve_ip.clear();
  c.dangerous = false;
  c.user_agent.clear();
  const FetchOptions g =
      MakeFetchOptions(StreamCheckOptionsFromConfig(c), *hls::ParseHttpUrl(c.stream_url));
  EXPECT_EQ(g.timeout, std::chrono::seconds(10));
  EXPECT_EQ(g.headers.size(), 2u);
  EXPECT_TRUE(g.connect_to.empty());
  EXPECT_FALSE(g.insecure);
  EXPECT_EQ(g.user_agent, "hls-swarm/" HLS_SWARM_VERSION "/preflight");
}

TEST(StreamCheckOptionsTest, ConnectToEntries) {
  EXPECT_EQ(ConnectToEntry(*hls::ParseHttpUrl("http://h.example/x"), "127.0.0.1"),
            "h.example::127.0.0.1:");
  EXPECT_EQ(ConnectToEntry(*hls::ParseHttpUrl("http://h.example:81/x"), "::1"),
            "h.example::[::1]:");
  EXPECT_EQ(ConnectToEntry(*hls::ParseHttpUrl("http://[::2]/x"), "[::1]"), "[::2]::[::1]:");
}

TEST(StreamCheckOptionsTest, ReasonPhrases) {
  EXPECT_EQ(HttpReasonPhrase(404), "Not Found");
  EXPECT_EQ(HttpReasonPhrase(403), "Forbidden");
  EXPECT_EQ(HttpReasonPhrase(502), "Bad Gateway");
  EXPECT_EQ(HttpReasonPhrase(299), "");
}

}  // namespace
}  // namespace hs::preflight
