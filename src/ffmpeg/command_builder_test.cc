// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/command_builder.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "ffmpeg/ffmpeg_viewers.h"
#include "ffmpeg/variant_probe.h"

namespace hs::ffmpeg {
namespace {

config::Config BaseConfig() {
  config::Config c;
  c.user_agent = "hls-swarm/0.1.0";
  c.ffmpeg_path = "ffmpeg";
  return c;
}

std::vector<std::string> Build(const config::Config& c, const Capabilities& caps,
                               CommandContext ctx = {}, int id = 7) {
  if (ctx.stream_url.empty()) ctx.stream_url = "http://o:8080/stream.m3u8";
  return BuildViewerCommand(c, caps, ctx, id).argv;
}

bool Has(const std::vector<std::string>& a, const std::string& s) {
  return std::find(a.begin(), a.end(), s) != a.end();
}

std::string After(const std::vector<std::string>& a, const std::string& s) {
  auto it = std::find(a.begin(), a.end(), s);
  return it == a.end() || it + 1 == a.end() ? "" : *(it + 1);
}

TEST(CommandBuilderTest, DefaultOn51MatchesSpecOrder) {
  Capabilities caps = Ffmpeg51Capabilities();
  auto argv = Build(BaseConfig(), caps);
  const std::vector<std::string> expected = {"ffmpeg",
                                             "-hide_banner",
                                             "-nostdin",
                                             "-loglevel",
                                             "repeat+level+info",
                                             "-progress",
                                             "pipe:3",
                                             "-stats_period",
                                             "1",
                                             "-reconnect",
                                             "1",
                                             "-reconnect_streamed",
                                             "1",
                                             "-reconnect_on_network_error",
                                             "1",
                                             "-reconnect_delay_max",
                                             "5",
                                             "-rw_timeout",
                                             "15000000",
                                             "-user_agent",
                                             "hls-swarm/0.1.0/client-7",
                                             "-i",
                                             "http://o:8080/stream.m3u8",
                                             "-map",
                                             "0",
                                             "-c",
                                             "copy",
                                             "-f",
                                             "null",
                                             "-"};
  EXPECT_EQ(argv, expected);
}

TEST(CommandBuilderTest, SegMaxRetryOnlyWhereSupported) {
  config::Config c = BaseConfig();
  CommandContext ctx;
  ctx.stream_url = "http://o/s.m3u8";
  auto cmd51 = BuildViewerCommand(c, Ffmpeg51Capabilities(), ctx, 0);
  EXPECT_FALSE(Has(cmd51.argv, "-seg_max_retry"));
  ASSERT_EQ(cmd51.omitted.size(), 1u);
  EXPECT_NE(cmd51.omitted[0].find("seg_max_retry"), std::string::npos);
  auto argv61 = Build(c, Ffmpeg61Capabilities());
  EXPECT_EQ(After(argv61, "-seg_max_retry"), "3");
  // It goes right before -i.
  auto it = std::find(argv61.begin(), argv61.end(), "-seg_max_retry");
  EXPECT_EQ(*(it + 2), "-i");
}

TEST(CommandBuilderTest, ReconnectOffDropsAllReconnectOptions) {
  config::Config c = BaseConfig();
  c.reconnect = false;
  auto argv = Build(c, Ffmpeg51Capabilities());
  for (auto& a : argv) EXPECT_EQ(a.find("-reconnect"), std::string::npos) << a;
}

TEST(CommandBuilderTest, TimeoutInMicroseconds) {
  config::Config c = BaseConfig();
  c.timeout = std::chrono::milliseconds(2500);
  EXPECT_EQ(After(Build(c, Ffmpeg51Capabilities()), "-rw_timeout"), "2500000");
}

TEST(CommandBuilderTest, VariantMaps) {
  config::Config c = BaseConfig();
  c.variant = config::Variant::kFirst;
  auto first = Build(c, Ffmpeg51Capabilities());
  auto it = std::find(first.begin(), first.end(), "-map");
  ASSERT_NE(it, first.end());
  EXPECT_EQ(std::vector<std::string>(it, it + 4),
            (std::vector<std::string>{"-map", "0:v:0?", "-map", "0:a:0?"}));
  c.variant = config::Variant::kHighest;
  CommandContext ctx;
  ctx.program = 2;
  EXPECT_EQ(After(Build(c, Ffmpeg51Capabilities(), ctx), "-map"), "0:p:2");
  // Probe failed: falls back to first.
  EXPECT_EQ(After(Build(c, Ffmpeg51Capabilities()), "-map"), "0:v:0?");
}

TEST(CommandBuilderTest, HeadersInOrderWithCrlf) {
  config::Config c = BaseConfig();
  c.no_cache = true;
  c.headers = {"X-A: 1", "Authorization: Bearer t"};
  c.resolve_ip = "10.0.0.5";
  c.dangerous = true;
  CommandContext ctx;
  ctx.host_header = "cdn.example:8080";
  auto argv = Build(c, Ffmpeg51Capabilities(), ctx);
  EXPECT_EQ(After(argv, "-headers"),
            "Host: cdn.example:8080\r\nCache-Control: no-cache, no-store, must-revalidate\r\n"
            "Pragma: no-cache\r\nX-A: 1\r\nAuthorization: Bearer t\r\n");
  EXPECT_EQ(After(argv, "-tls_verify"), "0");
}

TEST(CommandBuilderTest, NoHeadersOptionWhenNone) {
  auto argv = Build(BaseConfig(), Ffmpeg51Capabilities());
  EXPECT_FALSE(Has(argv, "-headers"));
  EXPECT_FALSE(Has(argv, "-tls_verify"));
  EXPECT_FALSE(Has(argv, "-http_proxy"));
}

TEST(CommandBuilderTest, TapProxyBeforeInput) {
  CommandContext ctx;
  ctx.tap_proxy = "http://127.0.0.1:40000";
  auto argv = Build(BaseConfig(), Ffmpeg51Capabilities(), ctx);
  EXPECT_EQ(After(argv, "-http_proxy"), "http://127.0.0.1:40000");
}

// https through the intercepting tap: 5.1 does not verify, so it gets no CA; a build whose
// help says tls_verify defaults to 1 gets the run's CA, unless -dangerous turns it off.
TEST(CommandBuilderTest, TapCaOnlyForAnFfmpegThatVerifiesByDefault) {
  CommandContext ctx;
  ctx.stream_url = "https://cdn.example/live.m3u8";
  ctx.tap_proxy = "http://127.0.0.1:40000";
  ctx.tap_ca_file = "/tmp/run/tap-ca.pem";
  Capabilities c51 = Ffmpeg51Capabilities();
  EXPECT_FALSE(NeedsTapCa(BaseConfig(), c51));
  EXPECT_FALSE(Has(Build(BaseConfig(), c51, ctx), "-ca_file"));

  Capabilities verifying = ParseCapabilities(
      "ffmpeg version 8.0 Copyright", "", "  -http_proxy        <string>\n",
      "  -ca_file           <string>     ED......... Certificate Authority database file\n"
      "  -tls_verify        <int>        ED......... Verify the peer certificate (from 0 to 1) "
      "(default 1)\n",
      true);
  EXPECT_TRUE(verifying.tls_verify_by_default);
  EXPECT_TRUE(verifying.ca_file);
  auto argv = Build(BaseConfig(), verifying, ctx);
  EXPECT_EQ(After(argv, "-ca_file"), "/tmp/run/tap-ca.pem");
  EXPECT_LT(std::find(argv.begin(), argv.end(), "-ca_file"),
            std::find(argv.begin(), argv.end(), "-i"));
  config::Config dangerous = BaseConfig();
  dangerous.dangerous = true;
  argv = Build(dangerous, verifying, ctx);
  EXPECT_FALSE(Has(argv, "-ca_file"));
  EXPECT_EQ(After(argv, "-tls_verify"), "0");
  ctx.tap_ca_file.clear();  // http, or the tap not intercepting
  EXPECT_FALSE(Has(Build(BaseConfig(), verifying, ctx), "-ca_file"));
}

TEST(CommandBuilderTest, UserAgentForEveryIdIncludingZero) {
  config::Config c = BaseConfig();
  EXPECT_EQ(After(Build(c, Ffmpeg51Capabilities(), {}, 0), "-user_agent"),
            "hls-swarm/0.1.0/client-0");
  EXPECT_EQ(ViewerUserAgent(c, 1234), "hls-swarm/0.1.0/client-1234");
}

TEST(CommandBuilderTest, NoProgressWhenUnsupported) {
  Capabilities caps = Ffmpeg51Capabilities();
  caps.progress = false;
  caps.loglevel_level = false;
  auto argv = Build(BaseConfig(), caps);
  EXPECT_FALSE(Has(argv, "-progress"));
  EXPECT_EQ(After(argv, "-loglevel"), "info");
}

TEST(CommandBuilderTest, ShellQuoting) {
  EXPECT_EQ(ShellQuoteArgv({"ffmpeg", "-i", "http://a/b.m3u8?x=1&y=2"}),
            "ffmpeg -i 'http://a/b.m3u8?x=1&y=2'");
  EXPECT_EQ(ShellQuoteArgv({"-headers", "A: b\r\n"}), "-headers $'A: b\\r\\n'");
  EXPECT_EQ(ShellQuoteArgv({"it's"}), "'it'\\''s'");
}

// Index of \a s in \a a, or a.size().
size_t IndexOf(const std::vector<std::string>& a, const std::string& s) {
  return static_cast<size_t>(std::find(a.begin(), a.end(), s) - a.begin());
}

TEST(CommandBuilderTest, VodIsReadInRealTimeBeforeTheInputOn51) {
  CommandContext ctx;
  ctx.vod = true;
  ctx.target_duration_s = 2;
  ctx.stream_url = "http://o:8080/vod.m3u8";
  ViewerCommand cmd = BuildViewerCommand(BaseConfig(), Ffmpeg51Capabilities(), ctx, 3);
  const auto& a = cmd.argv;
  ASSERT_TRUE(Has(a, "-readrate"));
  EXPECT_EQ(After(a, "-readrate"), "1");
  EXPECT_LT(IndexOf(a, "-readrate"), IndexOf(a, "-i"));  // an input option
  EXPECT_FALSE(Has(a, "-re"));                           // the same as -readrate 1
  EXPECT_FALSE(Has(a, "-readrate_initial_burst"));       // 5.1 lacks it: every viewer would exit 1
  EXPECT_TRUE(std::any_of(cmd.omitted.begin(), cmd.omitted.end(), [](const std::string& o) {
    return o.find("-readrate_initial_burst") != std::string::npos;
  }));
}

TEST(CommandBuilderTest, VodInitialBurstWhereTheBuildHasIt) {
  CommandContext ctx;
  ctx.vod = true;
  ctx.target_duration_s = 4;
  auto a = Build(BaseConfig(), Ffmpeg61Capabilities(), ctx);
  EXPECT_EQ(After(a, "-readrate"), "1");
  EXPECT_EQ(After(a, "-readrate_initial_burst"), "4");
  EXPECT_LT(IndexOf(a, "-readrate_initial_burst"), IndexOf(a, "-i"));
}

TEST(CommandBuilderTest, VodFallsBackToReWithoutReadrate) {
  Capabilities caps = Ffmpeg51Capabilities();
  caps.readrate = false;
  CommandContext ctx;
  ctx.vod = true;
  auto a = Build(BaseConfig(), caps, ctx);
  EXPECT_TRUE(Has(a, "-re"));
  EXPECT_LT(IndexOf(a, "-re"), IndexOf(a, "-i"));
  EXPECT_FALSE(Has(a, "-readrate"));
}

TEST(CommandBuilderTest, LiveAndUnpacedVodKeepTodaysCommand) {
  const auto live = Build(BaseConfig(), Ffmpeg61Capabilities());
  EXPECT_FALSE(Has(live, "-readrate"));
  EXPECT_FALSE(Has(live, "-re"));
  EXPECT_FALSE(Has(live, "-readrate_initial_burst"));
  config::Config c = BaseConfig();
  c.pace = false;  // throughput stress: read the VOD as fast as the network allows
  CommandContext ctx;
  ctx.vod = true;
  EXPECT_EQ(Build(c, Ffmpeg61Capabilities(), ctx), live);
}

TEST(VariantProbeTest, ProbeGoesThroughTheTapAsTheProbe) {
  config::Config c = BaseConfig();
  c.client_id_offset = 40;
  EXPECT_EQ(ProbeUserAgent(c), "hls-swarm/0.1.0/client-40/probe");
  const auto argv = BuildProbeArgv(
      {"ffprobe", "http://o/master.m3u8", ProbeUserAgent(c), "A: b\r\n", "http://127.0.0.1:9", ""});
  const std::vector<std::string> expected = {"ffprobe",
                                             "-v",
                                             "error",
                                             "-user_agent",
                                             "hls-swarm/0.1.0/client-40/probe",
                                             "-headers",
                                             "A: b\r\n",
                                             "-http_proxy",
                                             "http://127.0.0.1:9",
                                             "-show_programs",
                                             "-of",
                                             "json",
                                             "http://o/master.m3u8"};
  EXPECT_EQ(argv, expected);
  // Without the tap (off, or https tunnels) it goes straight.
  EXPECT_FALSE(
      Has(BuildProbeArgv({"ffprobe", "https://o/m.m3u8", "ua/probe", "", "", ""}), "-http_proxy"));
  // A build that verifies certificates gets the tap's CA (https intercepted).
  EXPECT_TRUE(Has(BuildProbeArgv({"ffprobe", "https://o/m.m3u8", "ua/probe", "",
                                  "http://127.0.0.1:9", "/tmp/run/tap-ca.pem"}),
                  "-ca_file"));
}

TEST(VariantProbeTest, ChoosesByVariantBitrate) {
  auto programs = ParseProgramsJson(
      "warning first\n{\"programs\": [{\"program_id\": 0, \"tags\": {\"variant_bitrate\": "
      "\"800000\"}}, {\"program_id\": 1, \"tags\": {\"variant_bitrate\": \"2800000\"}}, "
      "{\"program_id\": 2}]}");
  ASSERT_TRUE(programs);
  EXPECT_EQ(ChooseProgram(*programs, true), 1);
  EXPECT_EQ(ChooseProgram(*programs, false), 0);
  EXPECT_FALSE(ChooseProgram({}, true));
}

TEST(CapabilitiesTest, ParsesVersionAndOptions) {
  auto caps = ParseCapabilities(
      "ffmpeg version 5.1.9-0+deb12u1 Copyright (c)\n", "  -http_persistent   <boolean>\n",
      "  -http_proxy        <string>\n  -reconnect_on_network_error <boolean>\n",
      "-stats_period time\n-progress url\n  -rw_timeout  <int64>\n  -tls_verify <int>\n"
      "-re                 read input at native frame rate; equivalent to -readrate 1\n"
      "-readrate speed     read input at specified rate\n",
      false);
  EXPECT_EQ(caps.version, "5.1.9-0+deb12u1");
  EXPECT_EQ(caps.major, 5);
  EXPECT_EQ(caps.minor, 1);
  EXPECT_FALSE(caps.seg_max_retry);
  EXPECT_TRUE(caps.http_proxy);
  EXPECT_TRUE(caps.reconnect_on_network_error);
  EXPECT_TRUE(caps.stats_period);
  EXPECT_TRUE(caps.progress);
  EXPECT_TRUE(caps.rw_timeout);
  EXPECT_TRUE(caps.re);
  EXPECT_TRUE(caps.readrate);
  EXPECT_FALSE(caps.readrate_initial_burst);
  EXPECT_TRUE(caps.tls_verify);
  EXPECT_FALSE(caps.tls_verify_by_default) << "no \"(default 1)\" on the line";
  EXPECT_EQ(caps.Missing(), (std::vector<std::string>{"seg_max_retry", "loglevel_time"}));
  auto six = ParseCapabilities("ffmpeg version n6.1.1 Copyright", "  -seg_max_retry     <int>\n",
                               "", "-readrate speed  x\n-readrate_initial_burst  y\n", true);
  EXPECT_TRUE(six.readrate);
  EXPECT_TRUE(six.readrate_initial_burst);
  EXPECT_FALSE(six.re);
  EXPECT_EQ(six.major, 6);
  EXPECT_TRUE(six.seg_max_retry);
  EXPECT_TRUE(six.loglevel_time);
}

}  // namespace
}  // namespace hs::ffmpeg
