// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/view_model.h"

#include <gtest/gtest.h>

#include <string>

#include "stats/snapshot_test_util.h"
#include "tui/format.h"

namespace hs::tui {
namespace {

using std::chrono::seconds;

// A run 10 s in: 20 viewers wanted, segments at 1 s intervals through the tap.
stats::Snapshot Sample(double elapsed_s, std::uint64_t segments) {
  stats::Snapshot s;
  s.stream_url = "http://127.0.0.1:8080/live/stream.m3u8";
  s.profile = "tiny";
  s.elapsed_s = elapsed_s;
  s.planned_duration_s = 60;
  s.target = 20;
  s.running = 19;
  s.active = 17;
  s.starting = 2;
  s.backoff = 1;
  s.peak_active = 18;
  s.ramp_progress = 0.95;
  s.ramp_rate_achieved = 5.0;
  s.restarts_by_cause = {{"exit_error", 2}};
  s.errors_by_type = {{"http_4xx", 2}};
  s.requests.enabled = true;
  s.requests.buffering_now = 1;
  stats::KindFigures& seg = s.requests.by_kind["segment"];
  seg.requests = segments;
  seg.body_bytes = segments * 100'000;
  seg.codes = {{200, segments - 2}, {404, 2}};
  for (int i = 0; i < 100; ++i) {
    seg.ttfb_us.Record(i < 90 ? 1000 : 5000);
    seg.total_us.Record(i < 90 ? 20'000 : 80'000);
  }
  stats::KindFigures& pl = s.requests.by_kind["playlist"];
  pl.requests = segments / 2;
  pl.body_bytes = segments / 2 * 500;
  pl.codes = {{200, segments / 2}};
  pl.ttfb_us.Record(700);
  pl.total_us.Record(900);
  stats::KindFigures& master = s.requests.by_kind["master"];
  master.requests = 5;
  master.body_bytes = 5 * 300;
  master.codes = {{200, 5}};
  s.bytes_received = seg.body_bytes + pl.body_bytes + master.body_bytes;
  return s;
}

struct ViewModelTest : testing::Test {
  ViewModelTest() {
    history_.Add(Sample(9, 100), t0_);
    history_.Add(snapshot_, t0_ + seconds(1));
    ctx_.stream_url = snapshot_.stream_url;
    ctx_.profile = snapshot_.profile;
    ctx_.elapsed_s = snapshot_.elapsed_s;
    ctx_.planned_duration_s = snapshot_.planned_duration_s;
    ctx_.log_path = "/tmp/hls-swarm-42.log";
    ctx_.width = 100;
    ctx_.height = 30;
  }
  ViewModel Build() const { return BuildViewModel(snapshot_, history_, ctx_); }
  static std::string PanelText(const ViewModel& vm, const std::string& name) {
    const Panel* p = vm.Find(name);
    if (p == nullptr) return "<no panel " + name + ">";
    std::string out;
    for (const Row& r : p->rows) out += r.text + "\n";
    return out;
  }
  // Every row fits, the screen is full height, the bottom-right cell stays empty.
  static void ExpectFits(const ViewModel& vm) {
    ASSERT_EQ(static_cast<int>(vm.rows.size()), vm.height);
    for (const Row& r : vm.rows) {
      EXPECT_LE(Columns(r.text), vm.width) << r.text;
      for (char c : r.text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << r.text;
    }
    EXPECT_LT(Columns(vm.rows.back().text), vm.width);
    for (std::size_t i = 0; i < vm.help.rows.size(); ++i) {
      EXPECT_LE(vm.help.left + Columns(vm.help.rows[i]), vm.width);
      EXPECT_LT(vm.help.top + static_cast<int>(i), vm.height - 1);
    }
  }

  SteadyTime t0_ = SteadyTime{} + std::chrono::hours(1);
  stats::Snapshot snapshot_ = Sample(10, 150);
  RateWindow history_;
  ViewContext ctx_;
};

TEST_F(ViewModelTest, EveryPanelIsPresent) {
  const ViewModel vm = Build();
  EXPECT_FALSE(vm.too_small);
  for (const char* name :
       {"header", "viewers", "requests", "latency", "errors", "throughput", "origin", "footer"}) {
    EXPECT_NE(vm.Find(name), nullptr) << name << "\n" << vm.Text();
  }
  EXPECT_EQ(vm.rows.front().text.rfind("hls-swarm  http://127.0.0.1:8080/live/stream.m3u8", 0), 0u);
  EXPECT_NE(vm.rows.back().text.find("log /tmp/hls-swarm-42.log"), std::string::npos);
  ExpectFits(vm);
}

TEST_F(ViewModelTest, HeaderAndViewerFigures) {
  const ViewModel vm = Build();
  const std::string header = PanelText(vm, "header");
  for (const char* needle :
       {"profile tiny", "elapsed 10s / 1m00s  remaining 50s", "target 20", "running 19"}) {
    EXPECT_NE(header.find(needle), std::string::npos) << needle << "\n" << header;
  }
  EXPECT_EQ(header.find("PAUSED"), std::string::npos);
  const std::string viewers = PanelText(vm, "viewers");
  for (const char* needle :
       {"ramping 2  active 17  buffering 1  stalled 0  restarting 1", "peak 18", " 95%  5.0/s"}) {
    EXPECT_NE(viewers.find(needle), std::string::npos) << needle << "\n" << viewers;
  }
}

TEST_F(ViewModelTest, VodIsNamedWithItsCompletedPlays) {
  EXPECT_EQ(PanelText(Build(), "header").find("VOD"), std::string::npos);  // type unknown
  snapshot_.stream_type = "VOD";
  snapshot_.plays_completed = 12;
  const ViewModel vm = Build();
  EXPECT_NE(PanelText(vm, "header").find("VOD  profile tiny"), std::string::npos)
      << PanelText(vm, "header");
  EXPECT_NE(PanelText(vm, "viewers").find("plays 12  peak 18"), std::string::npos)
      << PanelText(vm, "viewers");
  ExpectFits(vm);
  ctx_.width = kMinWidth;  // still there on the narrowest terminal
  EXPECT_NE(PanelText(Build(), "viewers").find("plays 12  peak 18"), std::string::npos)
      << PanelText(Build(), "viewers");
}

TEST_F(ViewModelTest, NativeViewersShowQualityOfExperience) {
  EXPECT_EQ(PanelText(Build(), "viewers").find("QoE"), std::string::npos);  // FFmpeg: none
  snapshot_.engine = "native";
  snapshot_.watch_s = 400;
  snapshot_.rebuffer_s = 6;
  snapshot_.rebuffer_events = 3;
  snapshot_.played_bitrate_bps = 1645600;
  snapshot_.rendition_switches = 2;
  for (int i = 0; i < 5; ++i) snapshot_.live_latency_ms.Record(6100);
  const ViewModel vm = Build();
  const std::string viewers = PanelText(vm, "viewers");
  EXPECT_NE(viewers.find("QoE  rebuffer 1.50% (3 events)  live latency p50 6.1s  played 1646 "
                         "kbit/s  switches 2"),
            std::string::npos)
      << viewers;
  ExpectFits(vm);
}

TEST_F(ViewModelTest, EngineMixGetsALineAndTheNativeQoe) {
  EXPECT_EQ(PanelText(Build(), "viewers").find("engines"), std::string::npos);  // one engine
  snapshot_.engine = "mix";
  snapshot_.engines = {stats::MixEngine("native", 90, 45, 45),
                       stats::MixEngine("ffmpeg", 10, 5, 4, 0, 2)};
  const ViewModel vm = Build();
  const std::string viewers = PanelText(vm, "viewers");
  EXPECT_NE(viewers.find("engines  native 45/45 err 0  ffmpeg 4/5 err 2"), std::string::npos)
      << viewers;
  EXPECT_NE(viewers.find("QoE  rebuffer"), std::string::npos) << viewers;
  ExpectFits(vm);
}

TEST_F(ViewModelTest, SeveralStreamsGetALine) {
  EXPECT_EQ(PanelText(Build(), "viewers").find("streams"), std::string::npos);  // one stream
  snapshot_.streams.resize(2);
  snapshot_.streams[0].label = "0:a.example";
  snapshot_.streams[0].playing = 29;
  snapshot_.streams[0].target = 30;
  snapshot_.streams[1].label = "1:b.example";
  snapshot_.streams[1].playing = 10;
  snapshot_.streams[1].target = 10;
  const ViewModel vm = Build();
  const std::string viewers = PanelText(vm, "viewers");
  EXPECT_NE(viewers.find("streams  0:a.example 29/30 req 0  1:b.example 10/10 req 0"),
            std::string::npos)
      << viewers;
  ExpectFits(vm);
}

TEST_F(ViewModelTest, RatesPerKindOverOneSecondThirtySecondsAndTheRun) {
  const ViewModel vm = Build();
  const Panel* p = vm.Find("requests");
  ASSERT_NE(p, nullptr);
  std::string segment_row, total_row;
  for (const Row& r : p->rows) {
    if (r.text.rfind("segment", 0) == 0) segment_row = r.text;
    if (r.text.rfind("total", 0) == 0) total_row = r.text;
  }
  // 50 segments in the last second, 150 in 10 s; 5 MB/s = 40 Mb/s; 1.5 MB/s over the run.
  for (const char* needle : {"    50.0    50.0    15.0", "40.0 Mb/s", "12.0 Mb/s", "15.0 MB"}) {
    EXPECT_NE(segment_row.find(needle), std::string::npos) << needle << "\n" << segment_row;
  }
  // All kinds: 75 requests/s (50 segments + 25 playlists), 230 requests over 10 s.
  EXPECT_NE(total_row.find("75.0"), std::string::npos) << total_row;
  EXPECT_NE(total_row.find("23.0"), std::string::npos) << total_row;
  // 100 columns: errors and connection reuse too.
  EXPECT_NE(PanelText(vm, "requests").find("reused"), std::string::npos);
}

TEST_F(ViewModelTest, LatencyPercentilesPerKind) {
  const ViewModel vm = Build();
  const stats::KindFigures& seg = snapshot_.requests.by_kind.at("segment");
  const std::string latency = PanelText(vm, "latency");
  EXPECT_NE(latency.find("TTFB p50"), std::string::npos) << latency;
  std::string segment_row;
  for (const Row& r : vm.Find("latency")->rows) {
    if (r.text.rfind("segment", 0) == 0) segment_row = r.text;
  }
  for (double p : {50.0, 90.0, 99.0}) {
    EXPECT_NE(segment_row.find(FormatMillis(seg.ttfb_us.Percentile(p), 100)), std::string::npos)
        << p << "\n"
        << segment_row;
    EXPECT_NE(segment_row.find(FormatMillis(seg.total_us.Percentile(p), 100)), std::string::npos)
        << p << "\n"
        << segment_row;
  }
  // p50 of 1 ms and p99 of 5 ms, within a histogram bucket.
  EXPECT_NE(segment_row.find(" 1.0"), std::string::npos) << segment_row;
  EXPECT_NE(segment_row.find(" 5."), std::string::npos) << segment_row;
}

TEST_F(ViewModelTest, CodesErrorsAndRestarts) {
  const std::string errors = PanelText(Build(), "errors");
  for (const char* needle : {"HTTP      200 228  404 2", "errors    2 (http_4xx 2)",
                             "restarts  2 (exit_error 2)", "segments  failed 0"}) {
    EXPECT_NE(errors.find(needle), std::string::npos) << needle << "\n" << errors;
  }
}

TEST_F(ViewModelTest, ThroughputSparkline) {
  history_.Add(Sample(11, 160), t0_ + seconds(2));
  ctx_.unicode = true;
  const std::string unicode = PanelText(Build(), "throughput");
  EXPECT_NE(unicode.find("bit/s █▂"), std::string::npos) << unicode;
  EXPECT_NE(unicode.find("now 8.0 Mb/s  peak 40.1 Mb/s"), std::string::npos) << unicode;
  ctx_.unicode = false;
  const std::string ascii = PanelText(Build(), "throughput");
  EXPECT_NE(ascii.find("bit/s #."), std::string::npos) << ascii;
}

TEST_F(ViewModelTest, FitsEveryWidthAndHeight) {
  snapshot_.stream_url = "http://a-very-long-origin-name.example.com/" + std::string(200, 'x');
  ctx_.stream_url = snapshot_.stream_url;
  ctx_.log_path = "/tmp/" + std::string(150, 'l') + ".log";
  snapshot_.origin.configured = true;
  snapshot_.origin.cpu_percent = 42;
  snapshot_.origin.memory_used_percent = 12.5;
  snapshot_.origin.network_rx_bytes_per_s = 15e6;
  snapshot_.origin.network_tx_bytes_per_s = 425e6;
  snapshot_.origin.nginx_connections_active = 1200;
  snapshot_.origin.nginx_requests_per_s = 5000;
  for (int width : {80, 81, 100, 137, 250}) {
    for (int height : {24, 25, 30, 60}) {
      for (bool unicode : {true, false}) {
        for (bool help : {false, true}) {
          ctx_.width = width;
          ctx_.height = height;
          ctx_.unicode = unicode;
          ctx_.show_help = help;
          const ViewModel vm = Build();
          SCOPED_TRACE(testing::Message() << width << "x" << height << " unicode " << unicode);
          ExpectFits(vm);
          EXPECT_EQ(vm.help.rows.empty(), !help);
          EXPECT_NE(vm.rows.front().text.find("hls-swarm"), std::string::npos);
          EXPECT_NE(vm.rows.back().text.find("log "), std::string::npos) << vm.rows.back().text;
        }
      }
    }
  }
}

TEST_F(ViewModelTest, SmallestScreenKeepsTheKeyPanels) {
  ctx_.width = 80;
  ctx_.height = 24;
  const ViewModel vm = Build();
  ExpectFits(vm);
  for (const char* name :
       {"header", "viewers", "requests", "latency", "errors", "throughput", "footer"}) {
    EXPECT_NE(vm.Find(name), nullptr) << name << "\n" << vm.Text();
  }
  EXPECT_NE(vm.Text().find("segment"), std::string::npos);
  EXPECT_NE(vm.Text().find("q quit"), std::string::npos) << vm.Text();
  // 80 columns: the narrow requests table.
  EXPECT_EQ(vm.Text().find("reused"), std::string::npos);
}

TEST_F(ViewModelTest, TooSmallShowsOneLine) {
  for (auto [w, h] : {std::pair{79, 24}, std::pair{80, 23}, std::pair{40, 10}, std::pair{3, 1}}) {
    ctx_.width = w;
    ctx_.height = h;
    const ViewModel vm = Build();
    EXPECT_TRUE(vm.too_small);
    ASSERT_EQ(vm.rows.size(), 1u);
    EXPECT_LT(Columns(vm.rows[0].text), w);
    EXPECT_TRUE(vm.panels.empty());
  }
  ctx_.width = 79;
  ctx_.height = 24;
  EXPECT_EQ(Build().rows[0].text, "terminal too small: 79x24, need 80x24");
  ctx_.width = 0;
  ctx_.height = 0;
  EXPECT_TRUE(Build().rows.empty());
}

TEST_F(ViewModelTest, PausedNoticeAndHelp) {
  ctx_.ramp_paused = true;
  ctx_.notice = "ramp paused (p resumes)";
  ctx_.show_help = true;
  const ViewModel vm = Build();
  EXPECT_NE(PanelText(vm, "header").find("RAMP PAUSED"), std::string::npos);
  EXPECT_NE(PanelText(vm, "viewers").find("PAUSED"), std::string::npos);
  EXPECT_EQ(vm.rows[1].style, Style::kAlert);
  EXPECT_EQ(vm.rows.back().text.rfind("ramp paused (p resumes)", 0), 0u) << vm.rows.back().text;
  std::string help;
  for (const std::string& r : vm.help.rows) help += r + "\n";
  EXPECT_NE(help.find("p   pause / resume the ramp"), std::string::npos) << help;
  EXPECT_NE(help.find("log: /tmp/hls-swarm-42.log"), std::string::npos) << help;
}

TEST_F(ViewModelTest, WithoutTheTap) {
  snapshot_.requests = {};
  snapshot_.bytes_received = 0;
  snapshot_.logged_requests_by_kind = {{"playlist", 40}, {"segment", 60}};
  snapshot_.http_errors_by_code = {{503, 3}};
  const ViewModel vm = Build();
  EXPECT_NE(PanelText(vm, "latency").find("measurement tap is off"), std::string::npos);
  EXPECT_NE(PanelText(vm, "requests").find("segment"), std::string::npos);
  EXPECT_NE(PanelText(vm, "errors").find("HTTP      503 3"), std::string::npos);
  ExpectFits(vm);
}

TEST_F(ViewModelTest, NoRequestsYet) {
  stats::Snapshot empty;
  ctx_.planned_duration_s = 0;
  RateWindow fresh;
  fresh.Add(empty, t0_);
  const ViewModel vm = BuildViewModel(empty, fresh, ctx_);
  EXPECT_NE(PanelText(vm, "requests").find("no requests yet"), std::string::npos);
  EXPECT_NE(PanelText(vm, "header").find("(until stopped)"), std::string::npos);
  ExpectFits(vm);
}

TEST_F(ViewModelTest, OriginLinesArePackedAndSanitized) {
  // Built from the snapshot (URLs redacted there), never from the scraper's live state.
  snapshot_.origin.configured = true;
  snapshot_.origin.cpu_percent = 42;
  snapshot_.origin.memory_used_percent = 12.5;
  snapshot_.origin.errors = {"http://o:9100/metrics: \x1b[2J"};
  const std::string origin = PanelText(Build(), "origin");
  EXPECT_NE(origin.find("origin    cpu 42.0%   mem 12.5%"), std::string::npos) << origin;
  EXPECT_NE(origin.find("scrape error http://o:9100/metrics: ?[2J"), std::string::npos) << origin;
  snapshot_.origin = {};
  EXPECT_NE(PanelText(Build(), "origin").find("no origin metrics"), std::string::npos);
}

}  // namespace
}  // namespace hs::tui
