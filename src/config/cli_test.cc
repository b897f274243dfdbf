// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/cli.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/cli_test_util.h"
#include "config/flag_table.h"

namespace hs::config {
namespace {

using std::chrono::milliseconds;
using Args = std::vector<std::string>;

TEST_F(CliTest, EverySyntaxFormAndPosition) {
  const Args forms[] = {
      {"-clients", "7", kUrl},       {"-clients=7", kUrl},
      {"--clients", "7", kUrl},      {"--clients=7", kUrl},
      {kUrl, "-clients", "7"},       {kUrl, "--clients=7"},
      {"-clients", "7", "--", kUrl}, {"-clients", "3", "-clients", "7", kUrl},
  };
  for (const Args& args : forms) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    const Config c = Ok(args);
    EXPECT_EQ(c.clients, 7);
    EXPECT_EQ(c.stream_url, kUrl);
  }
}

TEST_F(CliTest, FlagsInterleaveWithTheUrl) {
  const Config c =
      Ok({"-ramp-rate", "2", kUrl, "-no-cache", "--variant=first", "-duration", "90s"});
  EXPECT_EQ(c.ramp_rate, 2);
  EXPECT_TRUE(c.no_cache);
  EXPECT_EQ(c.variant, Variant::kFirst);
  EXPECT_EQ(c.duration, milliseconds(90000));
  EXPECT_TRUE(c.IsDurationBased());
}

TEST_F(CliTest, BooleanForms) {
  struct Case {
    Args args;
    bool reconnect;
  };
  const Case cases[] = {
      {{kUrl}, true},
      {{"-reconnect=false", kUrl}, false},
      {{"--reconnect=false", kUrl}, false},
      {{"-reconnect=0", kUrl}, false},
      {{"-reconnect=F", kUrl}, false},
      {{"-profile", "burst", kUrl}, false},
      {{"-profile", "burst", "-reconnect", kUrl}, true},
      {{"-profile", "burst", "-reconnect=TRUE", kUrl}, true},
      {{"-reconnect=false", "-reconnect", kUrl}, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Ok(c.args).reconnect, c.reconnect) << testing::PrintToString(c.args);
  }
}

TEST_F(CliTest, BareBooleanValueIsAnErrorNotAUrl) {
  CliOutcome out = Parse({"-reconnect", "false", kUrl});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0],
            "-reconnect false: a boolean flag takes its value after '=' (write -reconnect=false)");
}

TEST_F(CliTest, EveryProfileAndItsDerivedValues) {
  struct Case {
    const char* profile;
    int clients, ramp_rate, jitter_ms;
    LogLevel level;
    Variant variant;
    bool reconnect;
    int delay_max, retries, timeout_s;
    Derived derived;
  };
  const Case cases[] = {
      {"default",
       50,
       5,
       100,
       LogLevel::kInfo,
       Variant::kAll,
       true,
       5,
       3,
       15,
       {10, 1014, 1750, 250}},
      {"stress",
       200,
       20,
       50,
       LogLevel::kWarning,
       Variant::kAll,
       true,
       3,
       2,
       10,
       {10, 3864, 4000, 1000}},
      {"gentle",
       20,
       1,
       500,
       LogLevel::kInfo,
       Variant::kFirst,
       true,
       10,
       5,
       30,
       {20, 444, 1300, 100}},
      {"burst",
       100,
       50,
       10,
       LogLevel::kWarning,
       Variant::kAll,
       false,
       0,
       1,
       5,
       {2, 1964, 2500, 500}},
      {"extreme",
       500,
       50,
       20,
       LogLevel::kError,
       Variant::kAll,
       true,
       2,
       1,
       5,
       {10, 9564, 8500, 2500}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    const Config config = Ok({"-profile", c.profile, kUrl});
    EXPECT_EQ(config.profile, c.profile);
    EXPECT_EQ(config.clients, c.clients);
    EXPECT_EQ(config.ramp_rate, c.ramp_rate);
    EXPECT_EQ(config.ramp_jitter, milliseconds(c.jitter_ms));
    EXPECT_EQ(config.metrics_port, 9090);
    EXPECT_EQ(config.log_level, c.level);
    EXPECT_EQ(config.variant, c.variant);
    EXPECT_EQ(config.reconnect, c.reconnect);
    EXPECT_EQ(config.reconnect_delay_max_s, c.delay_max);
    EXPECT_EQ(config.seg_max_retry, c.retries);
    EXPECT_EQ(config.timeout, std::chrono::seconds(c.timeout_s));
    const Derived d = config.ComputeDerived();
    EXPECT_EQ(d.ramp_duration_s, c.derived.ramp_duration_s);
    EXPECT_EQ(d.estimated_memory_mb, c.derived.estimated_memory_mb);
    EXPECT_EQ(d.recommended_fd_limit, c.derived.recommended_fd_limit);
    EXPECT_EQ(d.recommended_ports, c.derived.recommended_ports);
  }
}

TEST_F(CliTest, ExplicitFlagsOverrideTheProfile) {
  const Config c = Ok({"-profile", "stress", "-clients", "300", "-ramp-jitter", "200ms", "-timeout",
                       "2.5", "-log-level", "debug", "-variant", "lowest", "-reconnect-delay-max",
                       "7s", "-seg-max-retry", "0", kUrl});
  EXPECT_EQ(c.profile, "stress");
  EXPECT_EQ(c.clients, 300);
  EXPECT_EQ(c.ramp_rate, 20);
  EXPECT_EQ(c.ramp_jitter, milliseconds(200));
  EXPECT_EQ(c.timeout, milliseconds(2500));
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.variant, Variant::kLowest);
  EXPECT_EQ(c.reconnect_delay_max_s, 7);
  EXPECT_EQ(c.seg_max_retry, 0);
  EXPECT_EQ(c.ComputeDerived().ramp_duration_s, 15);
}

TEST_F(CliTest, BareNumbersUseTheHistoricUnits) {
  const Config c = Ok({"-timeout", "15", "-ramp-jitter", "100", kUrl});
  EXPECT_EQ(c.timeout, milliseconds(15000));
  EXPECT_EQ(c.ramp_jitter, milliseconds(100));
  EXPECT_EQ(Ok({"-timeout", "1m", "-ramp-jitter", "1.5s", kUrl}).ramp_jitter, milliseconds(1500));
}

TEST_F(CliTest, EnvironmentFallsBetweenFlagAndProfile) {
  env_ = {{"STREAM_URL", kUrl},     {"CLIENTS", "30"},      {"RAMP_RATE", "3"},
          {"METRICS_PORT", "9300"}, {"LOG_LEVEL", "error"}, {"VARIANT", "highest"}};
  Config c = Ok({"-profile", "stress"});
  EXPECT_EQ(c.stream_url, kUrl);
  EXPECT_EQ(c.clients, 30);
  EXPECT_EQ(c.ramp_rate, 3);
  EXPECT_EQ(c.metrics_port, 9300);
  EXPECT_EQ(c.log_level, LogLevel::kError);
  EXPECT_EQ(c.variant, Variant::kHighest);
  EXPECT_EQ(c.ramp_jitter, milliseconds(50));  // no env var: still the profile's

  c = Ok({"-clients", "4", "-ramp-rate", "1", "-metrics-port", "0", "-log-level", "info",
          "-variant", "all", "http://other/x.m3u8"});
  EXPECT_EQ(c.stream_url, "http://other/x.m3u8");
  EXPECT_EQ(c.clients, 4);
  EXPECT_EQ(c.ramp_rate, 1);
  EXPECT_EQ(c.metrics_port, 0);
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.variant, Variant::kAll);
}

TEST_F(CliTest, EmptyEnvironmentVariablesCountAsUnset) {
  env_ = {{"STREAM_URL", kUrl}, {"CLIENTS", ""}, {"VARIANT", ""}, {"EXTRA_ARGS", ""}};
  const Config c = Ok({"-profile", "gentle"});
  EXPECT_EQ(c.clients, 20);
  EXPECT_EQ(c.variant, Variant::kFirst);
}

TEST_F(CliTest, ExtraArgsAreShellSplitAndAppended) {
  env_ = {{"EXTRA_ARGS",
           "--no-cache --dangerous --resolve 192.168.1.50 -header 'X-Run: a b' "
           "-clients 9"}};
  const Config c = Ok({"-clients", "5", kUrl});
  EXPECT_TRUE(c.no_cache);
  EXPECT_TRUE(c.dangerous);
  EXPECT_EQ(c.resolve_ip, "192.168.1.50");
  EXPECT_EQ(c.headers, std::vector<std::string>{"X-Run: a b"});
  EXPECT_EQ(c.clients, 9);  // appended, so it wins as in the container entrypoint
}

TEST_F(CliTest, ExtraArgsGoBeforeDoubleDashAndMayCarryTheUrl) {
  env_ = {{"EXTRA_ARGS", "-clients 2"}};
  EXPECT_EQ(Ok({"--", kUrl}).clients, 2);
  env_ = {{"EXTRA_ARGS", kUrl}};
  EXPECT_EQ(Ok({"-clients", "3"}).stream_url, kUrl);
}

TEST_F(CliTest, ExtraArgsErrorsSayWhereTheyCameFrom) {
  env_ = {{"EXTRA_ARGS", "-header 'X: 1"}};
  CliOutcome out = Parse({kUrl});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0],
            "EXTRA_ARGS=\"-header 'X: 1\": unterminated single quote starting at offset 8 "
            "(quote as in a shell: -header 'A: b')");
  env_ = {{"EXTRA_ARGS", "-clients 0"}};
  out = Parse({kUrl});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0], "-clients 0: must be at least 1 (e.g. -clients 20) (from EXTRA_ARGS)");
}

TEST_F(CliTest, TuiFollowsTheTerminalUnlessGiven) {
  tty_ = true;
  EXPECT_TRUE(Ok({kUrl}).tui);
  EXPECT_FALSE(Ok({"-tui=false", kUrl}).tui);
  tty_ = false;
  EXPECT_FALSE(Ok({kUrl}).tui);
  EXPECT_TRUE(Ok({"-tui", kUrl}).tui);
}

TEST_F(CliTest, EngineFlagsAndWhatEachEngineRejects) {
  EXPECT_EQ(Ok({kUrl}).engine, Engine::kFfmpeg);
  const Config n = Ok({"-engine", "native", "-vod-end", "stop", "-pace=false", kUrl});
  EXPECT_TRUE(n.IsNative());
  EXPECT_EQ(n.vod_end, VodEnd::kStop);
  EXPECT_FALSE(n.pace);
  // Native viewers measure every request themselves: no tap, on http or https.
  EXPECT_EQ(n.GetTapMode(), TapMode::kOff);
  EXPECT_EQ(Ok({"-engine=native", "https://cdn/x.m3u8"}).GetTapMode(), TapMode::kOff);
  for (const char* flag : {"-tap=false", "-reconnect=false", "-print-cmd"}) {
    const CliOutcome out = Parse({"-engine", "native", flag, kUrl});
    ASSERT_EQ(out.errors.size(), 1u) << flag;
    EXPECT_NE(out.errors[0].find("only for FFmpeg viewers"), std::string::npos) << out.errors[0];
  }
  const CliOutcome seg = Parse({"-engine", "native", "-seg-max-retry", "2", kUrl});
  ASSERT_EQ(seg.errors.size(), 1u);
  // FFmpeg viewers honour -vod-end and -pace too (issue 12).
  const Config ff = Ok({"-vod-end", "stop", "-pace=false", kUrl});
  EXPECT_EQ(ff.engine, Engine::kFfmpeg);
  EXPECT_EQ(ff.vod_end, VodEnd::kStop);
  EXPECT_FALSE(ff.pace);
  const CliOutcome bad = Parse({"-engine", "chrome", kUrl});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].find("choose ffmpeg or native"), std::string::npos) << bad.errors[0];
}

TEST_F(CliTest, CmcdIsNativeOnly) {
  EXPECT_EQ(Ok({"-engine", "native", kUrl}).cmcd, CmcdMode::kOff);
  const Config q = Ok({"-engine", "native", "-cmcd", "query", "-cmcd-cid", "movie-1", kUrl});
  EXPECT_EQ(q.cmcd, CmcdMode::kQuery);
  EXPECT_EQ(q.cmcd_cid, "movie-1");
  EXPECT_EQ(Ok({"-engine", "native", "-cmcd", "header", kUrl}).cmcd, CmcdMode::kHeader);
  EXPECT_EQ(Ok({"-cmcd", "off", kUrl}).cmcd, CmcdMode::kOff);
  const CliOutcome ff = Parse({"-cmcd", "query", kUrl});
  ASSERT_EQ(ff.errors.size(), 1u);
  EXPECT_EQ(ff.errors[0],
            "-cmcd: only for native viewers (add -engine native); FFmpeg viewers cannot send CMCD");
  const CliOutcome bad = Parse({"-engine", "native", "-cmcd", "json", kUrl});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0], "-cmcd json: choose off, query or header");
  const CliOutcome cid = Parse({"-engine", "native", "-cmcd-cid", "x", kUrl});
  ASSERT_EQ(cid.errors.size(), 1u);
  EXPECT_EQ(cid.errors[0], "-cmcd-cid: needs -cmcd query or -cmcd header");
  const CliOutcome long_cid =
      Parse({"-engine", "native", "-cmcd", "query", "-cmcd-cid", std::string(65, 'c'), kUrl});
  ASSERT_EQ(long_cid.errors.size(), 1u);
  EXPECT_NE(long_cid.errors[0].find("at most 64 characters"), std::string::npos);
}

TEST_F(CliTest, VariantAbrAndVariantMix) {
  EXPECT_EQ(Ok({"-engine", "native", "-variant", "abr", kUrl}).variant, Variant::kAbr);
  const Config mix = Ok({"-engine", "native", "-variant-mix", "highest:60,lowest:40", kUrl});
  ASSERT_EQ(mix.variant_mix.size(), 2u);
  EXPECT_EQ(mix.variant_mix[0], (VariantShare{Variant::kHighest, 60}));
  EXPECT_EQ(mix.variant_mix[1], (VariantShare{Variant::kLowest, 40}));
  EXPECT_EQ(ToString(mix.variant_mix), "highest:60,lowest:40");
  EXPECT_EQ(Ok({"-engine", "native", "-variant-mix", "abr:100", kUrl}).variant_mix.size(), 1u);
  // FFmpeg cannot adapt; the mix is native too.
  const CliOutcome ff = Parse({"-variant", "abr", kUrl});
  ASSERT_EQ(ff.errors.size(), 1u);
  EXPECT_NE(ff.errors[0].find("-variant abr: only for native viewers"), std::string::npos);
  const CliOutcome ffmix = Parse({"-variant-mix", "highest:100", kUrl});
  ASSERT_EQ(ffmix.errors.size(), 1u);
  EXPECT_EQ(ffmix.errors[0], "-variant-mix: only for native viewers (add -engine native)");
  for (auto [value, why] : {std::pair{"highest:60,lowest:30", "add up to 90%, not 100%"},
                            std::pair{"highest:60,lowest:50", "add up to 110%"},
                            std::pair{"highest", "is not VARIANT:PERCENT"},
                            std::pair{"best:100", "'best' is not a variant"},
                            std::pair{"all:100", "'all' is not a variant"},
                            std::pair{"highest:0,lowest:100", "'0' is not a whole percent"},
                            std::pair{"highest:6x,lowest:40", "'6x' is not a whole percent"},
                            std::pair{"lowest:50,lowest:50", "lowest is given twice"}}) {
    const CliOutcome out = Parse({"-engine", "native", "-variant-mix", value, kUrl});
    ASSERT_EQ(out.errors.size(), 1u) << value;
    EXPECT_NE(out.errors[0].find(why), std::string::npos) << out.errors[0];
  }
  const CliOutcome both =
      Parse({"-engine", "native", "-variant", "lowest", "-variant-mix", "abr:100", kUrl});
  ASSERT_EQ(both.errors.size(), 1u);
  EXPECT_NE(both.errors[0].find("replaces -variant"), std::string::npos);
}

TEST_F(CliTest, EngineMixParsesAndKeepsOneEngineFlagsToTheirViewers) {
  const Config mix = Ok({"-engine-mix", "native:90,ffmpeg:10", kUrl});
  ASSERT_EQ(mix.engine_mix.size(), 2u);
  EXPECT_EQ(mix.engine_mix[0], (EngineShare{Engine::kNative, 90}));
  EXPECT_EQ(mix.engine_mix[1], (EngineShare{Engine::kFfmpeg, 10}));
  EXPECT_EQ(mix.EngineText(), "native:90,ffmpeg:10");
  EXPECT_FALSE(mix.IsNative());
  EXPECT_TRUE(mix.HasNative());
  EXPECT_TRUE(mix.HasFfmpeg());
  // FFmpeg viewers of a mix go through the tap; native-only and FFmpeg-only flags both apply.
  EXPECT_TRUE(mix.UsesTap());
  Ok({"-engine-mix", "ffmpeg:30,native:70", "-cmcd", "query", "-variant-mix", "lowest:100",
      "-tap=false", "-reconnect=false", kUrl});
  // The environment form.
  env_["ENGINE_MIX"] = "native:50,ffmpeg:50";
  EXPECT_EQ(Ok({kUrl}).engine_mix.size(), 2u);
  env_.clear();
  // A one-engine mix is that engine.
  const Config all_native = Ok({"-engine-mix", "native:100", kUrl});
  EXPECT_TRUE(all_native.engine_mix.empty());
  EXPECT_TRUE(all_native.IsNative());
  for (auto [value, why] :
       {std::pair{"native:90", "add up to 90%, not 100%"},
        std::pair{"native:60,ffmpeg:50", "add up to 110%"},
        std::pair{"native", "is not ENGINE:PERCENT"},
        std::pair{"gstreamer:100", "'gstreamer' is not an engine; choose native or ffmpeg"},
        std::pair{"native:0,ffmpeg:100", "'0' is not a whole percent"},
        std::pair{"native:50,native:50", "native is given twice"}}) {
    const CliOutcome out = Parse({"-engine-mix", value, kUrl});
    ASSERT_EQ(out.errors.size(), 1u) << value;
    EXPECT_NE(out.errors[0].find(why), std::string::npos) << out.errors[0];
    EXPECT_NE(out.errors[0].find("-engine-mix"), std::string::npos) << out.errors[0];
    EXPECT_EQ(out.action, Action::kUsageError);
  }
  env_["ENGINE_MIX"] = "native:90";
  const CliOutcome env_bad = Parse({kUrl});
  ASSERT_EQ(env_bad.errors.size(), 1u);
  EXPECT_NE(env_bad.errors[0].find("ENGINE_MIX=native:90: the shares add up to 90%"),
            std::string::npos)
      << env_bad.errors[0];
  // An explicit -engine conflicts, from the flag or the environment; both are named.
  const CliOutcome both = Parse({"-engine", "native", kUrl});
  ASSERT_EQ(both.errors.size(), 1u);
  EXPECT_EQ(both.errors[0],
            "ENGINE_MIX=native:90: conflicts with -engine native; give one of them");
  env_.clear();
  const CliOutcome flags = Parse({"-engine", "ffmpeg", "-engine-mix", "native:50,ffmpeg:50", kUrl});
  ASSERT_EQ(flags.errors.size(), 1u);
  EXPECT_EQ(flags.errors[0],
            "-engine-mix native:50,ffmpeg:50: conflicts with -engine ffmpeg; give one of them");
  // FFmpeg viewers cannot adapt, nor print one command for a mix.
  const CliOutcome abr = Parse({"-engine-mix", "native:50,ffmpeg:50", "-variant", "abr", kUrl});
  ASSERT_EQ(abr.errors.size(), 1u);
  EXPECT_NE(abr.errors[0].find("-variant-mix abr:100"), std::string::npos) << abr.errors[0];
  EXPECT_EQ(Parse({"-engine-mix", "native:50,ffmpeg:50", "-print-cmd", kUrl}).errors.size(), 1u);
}

TEST_F(CliTest, TapDefaultsOnAndMeasuresHttpsRequestsToo) {
  Config c = Ok({kUrl});
  EXPECT_TRUE(c.tap);
  EXPECT_TRUE(c.UsesTap());
  EXPECT_FALSE(Ok({"-tap=false", kUrl}).UsesTap());
  // https: the tap intercepts TLS, so every request is measured (no more tunnels-only warning).
  CliOutcome out = Parse({"-tap", "https://cdn/x.m3u8"});
  EXPECT_TRUE(out.errors.empty());
  EXPECT_TRUE(out.config.UsesTap());
  EXPECT_EQ(out.config.GetTapMode(), TapMode::kRequests);
  EXPECT_TRUE(out.warnings.empty());
}

TEST_F(CliTest, DefaultsForTheRest) {
  const Config c = Ok({kUrl});
  EXPECT_EQ(c.user_agent, "hls-swarm/" HLS_SWARM_VERSION);
  EXPECT_EQ(c.ffmpeg_path, "ffmpeg");
  EXPECT_EQ(c.metrics_addr, "0.0.0.0");
  EXPECT_EQ(c.log_format, LogFormat::kText);
  EXPECT_EQ(c.duration, milliseconds(0));
  EXPECT_EQ(c.shard_count, 1);
  EXPECT_EQ(c.client_id_offset, 0);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_FALSE(c.test_origin);
  EXPECT_FALSE(c.version);
}

TEST_F(CliTest, EveryOtherFlagLandsInConfig) {
  const Config c = Ok({"-header",
                       "A: 1",
                       "-header=B: 2",
                       "-user-agent",
                       "probe",
                       "-ffmpeg",
                       "/opt/ff/ffmpeg",
                       "-log-format",
                       "json",
                       "-summary-json",
                       "out.json",
                       "-seed",
                       "42",
                       "-metrics",
                       "127.0.0.1:9100",
                       "-dangerous",
                       "-resolve",
                       "[2001:db8::5]",
                       "-test-origin",
                       "-test-origin-profile",
                       "abr",
                       kUrl});
  EXPECT_EQ(c.headers, (std::vector<std::string>{"A: 1", "B: 2"}));
  EXPECT_EQ(c.user_agent, "probe");
  EXPECT_EQ(c.ffmpeg_path, "/opt/ff/ffmpeg");
  EXPECT_EQ(c.log_format, LogFormat::kJson);
  EXPECT_EQ(c.summary_json_path, "out.json");
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.metrics_addr, "127.0.0.1");
  EXPECT_EQ(c.metrics_port, 9100);
  EXPECT_EQ(c.resolve_ip, "2001:db8::5");
  EXPECT_TRUE(c.HasResolve());
  EXPECT_TRUE(c.test_origin);
  EXPECT_EQ(c.test_origin_profile, "abr");
}

TEST_F(CliTest, MetricsAddressForms) {
  env_ = {{"METRICS_PORT", "9999"}};
  Config c = Ok({"-metrics", ":9200", kUrl});
  EXPECT_EQ(c.metrics_addr, "0.0.0.0");
  EXPECT_EQ(c.metrics_port, 9200);  // the flag beats METRICS_PORT
  c = Ok({"-metrics", "[::1]:9100", "-metrics-port", "9100", kUrl});
  EXPECT_EQ(c.metrics_addr, "::1");
  EXPECT_EQ(c.metrics_port, 9100);
  EXPECT_EQ(Ok({kUrl}).metrics_port, 9999);
}

TEST_F(CliTest, ShardOffsetsViewerIds) {
  const Config c = Ok({"-clients", "1000", "-shard", "1/4", kUrl});
  EXPECT_EQ(c.shard_index, 1);
  EXPECT_EQ(c.shard_count, 4);
  EXPECT_EQ(c.client_id_offset, 1000);
  EXPECT_EQ(Ok({"-shard", "3/4", kUrl}).client_id_offset, 150);  // default 50 clients
}

TEST_F(CliTest, ModesWithoutUrl) {
  Config c = Ok({"-test-origin"});
  EXPECT_TRUE(c.test_origin);
  EXPECT_TRUE(c.stream_url.empty());
  c = Ok({"-profile", "extreme", "-print-config", "-json"});
  EXPECT_TRUE(c.print_config);
  EXPECT_TRUE(c.print_config_json);
  EXPECT_FALSE(Ok({"-print-config"}).print_config_json);
  EXPECT_TRUE(Ok({"-check", kUrl}).check);
  EXPECT_TRUE(Ok({"-print-cmd", kUrl}).print_cmd);
}

TEST_F(CliTest, HelpInAllSpellings) {
  for (const Args& args : {Args{"-h"}, Args{"-help"}, Args{"--help"}, Args{"--h"}, Args{"help"},
                           Args{"-clients", "0", "-help"}, Args{kUrl, "-h=true"}}) {
    CliOutcome out = Parse(args);
    EXPECT_EQ(out.action, Action::kHelp) << args[0];
    EXPECT_TRUE(out.errors.empty());
    EXPECT_NE(out.help_text.find("Load shape:"), std::string::npos);
  }
}

void ExpectFitsIn80Columns(const std::string& help) {
  std::size_t start = 0;
  while (start < help.size()) {
    const std::size_t end = help.find('\n', start);
    const std::string line = help.substr(start, end - start);
    EXPECT_LE(line.size(), 80u) << line;
    start = end == std::string::npos ? help.size() : end + 1;
  }
}

TEST_F(CliTest, HelpTextCoversEveryTopicAndFlag) {
  const std::string help = Parse({"-help"}).help_text;
  for (const char* section :
       {"Usage:", "Load shape:", "Stream selection:", "Network:", "Measurement & output:", "Modes:",
        "Environment", "Exit codes:", "Examples:", "EXTRA_ARGS", "STREAM_URL"}) {
    EXPECT_NE(help.find(section), std::string::npos) << section;
  }
  for (const FlagSpec& f : MainFlags()) {
    EXPECT_NE(help.find("  -" + std::string(f.name)), std::string::npos) << f.name;
  }
  for (const ProfileValues& p : Profiles()) {
    EXPECT_NE(help.find("    " + p.name), std::string::npos) << p.name;
  }
  ExpectFitsIn80Columns(help);
}

TEST_F(CliTest, VersionNeedsNoUrl) {
  CliOutcome out = Parse({"-version", "-ffmpeg", "/opt/ffmpeg"});
  EXPECT_EQ(out.action, Action::kVersion);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_TRUE(out.config.version);
  EXPECT_EQ(out.config.ffmpeg_path, "/opt/ffmpeg");
  EXPECT_EQ(Parse({"-version", "-bogus"}).action, Action::kUsageError);
}

TEST_F(CliTest, OriginSubcommand) {
  CliOutcome out = Parse({"origin"});
  EXPECT_EQ(out.action, Action::kOrigin);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(out.origin.profile, "default");
  EXPECT_EQ(out.origin.port, 8080);
  EXPECT_EQ(out.origin.addr, "127.0.0.1");
  EXPECT_EQ(out.origin.dir, "");

  out = Parse({"-log-level", "debug", "origin", "--profile=low-latency", "-port", "8081", "-addr",
               "0.0.0.0", "-dir", "/tmp/o"});
  EXPECT_EQ(out.action, Action::kOrigin);
  EXPECT_EQ(out.config.log_level, LogLevel::kDebug);
  EXPECT_EQ(out.origin.profile, "low-latency");
  EXPECT_EQ(out.origin.port, 8081);
  EXPECT_EQ(out.origin.addr, "0.0.0.0");
  EXPECT_EQ(out.origin.dir, "/tmp/o");

  for (const char* profile : {"default", "low-latency", "abr", "stress", "tiny"}) {
    EXPECT_EQ(Parse({"origin", "-profile", profile}).origin.profile, profile);
  }
}

TEST_F(CliTest, OriginSubcommandErrors) {
  CliOutcome out = Parse({"origin", "-profile", "huge", "-port", "0", "-addr", "example.com",
                          "-dir=", "-clients", "5", "extra"});
  EXPECT_EQ(out.action, Action::kUsageError);
  const std::vector<std::string> want = {
      "origin -clients: unknown flag; run with -help to list the flags",
      "origin: unexpected argument extra; it takes only flags (see hls-swarm origin -help)",
      "origin -profile huge: unknown origin profile; choose default, low-latency, abr, stress, "
      "tiny, ll-hls or ll-hls-abr",
      "origin -port 0: must be a number 1..65535 (e.g. -port 8080)",
      "origin -addr example.com: must be an IP address (e.g. -addr 127.0.0.1, or 0.0.0.0 for "
      "all)",
      "origin -dir \"\": needs a directory (e.g. -dir /tmp/origin)",
  };
  EXPECT_EQ(out.errors, want);
}

TEST_F(CliTest, OriginAndTuneHelp) {
  CliOutcome out = Parse({"origin", "-h"});
  EXPECT_EQ(out.action, Action::kHelp);
  EXPECT_NE(out.help_text.find("hls-swarm origin"), std::string::npos);
  EXPECT_NE(out.help_text.find("low-latency"), std::string::npos);
  EXPECT_EQ(Parse({"help", "origin"}).help_text, out.help_text);
  out = Parse({"tune", "--help"});
  EXPECT_EQ(out.action, Action::kHelp);
  EXPECT_NE(out.help_text.find("-apply"), std::string::npos);
  EXPECT_EQ(Parse({"help", "tune"}).help_text, out.help_text);
  ExpectFitsIn80Columns(out.help_text);
  ExpectFitsIn80Columns(Parse({"help", "origin"}).help_text);
}

// The command lines of the design document's NixOS unit and container entrypoint.
TEST_F(CliTest, DesignDocumentCommandLines) {
  Config c = Ok({"-clients",
                 "200",
                 "-ramp-rate",
                 "20",
                 "-ramp-jitter",
                 "50",
                 "-metrics-port",
                 "9090",
                 "-log-level",
                 "warning",
                 "-variant",
                 "all",
                 "-reconnect",
                 "-reconnect-delay-max",
                 "3",
                 "-seg-max-retry",
                 "2",
                 "-timeout",
                 "10",
                 kUrl});
  EXPECT_EQ(c.clients, 200);
  EXPECT_EQ(c.ramp_jitter, milliseconds(50));
  EXPECT_EQ(c.timeout, milliseconds(10000));
  EXPECT_TRUE(c.reconnect);
  env_ = {{"STREAM_URL", kUrl}, {"EXTRA_ARGS", "--no-cache --dangerous --resolve 192.168.1.50"}};
  c = Ok({"-clients", "50", "-ramp-rate", "5", "-metrics-port", "9090", "-log-level", "info",
          "-variant", "all", kUrl});
  EXPECT_TRUE(c.no_cache);
  EXPECT_EQ(c.resolve_ip, "192.168.1.50");
}

TEST_F(CliTest, TuneSubcommand) {
  CliOutcome out = Parse({"tune"});
  EXPECT_EQ(out.action, Action::kTune);
  EXPECT_FALSE(out.tune.apply);
  EXPECT_FALSE(Parse({"tune", "--print"}).tune.apply);
  EXPECT_TRUE(Parse({"tune", "--apply"}).tune.apply);
  out = Parse({"-profile", "extreme", "tune", "-apply"});
  EXPECT_EQ(out.action, Action::kTune);
  EXPECT_EQ(out.config.ComputeDerived().recommended_fd_limit, 8500);
  out = Parse({"tune", "-print", "-apply"});
  EXPECT_EQ(out.action, Action::kUsageError);
  EXPECT_EQ(out.errors, std::vector<std::string>{"tune: -print and -apply exclude each other; "
                                                 "choose one"});
}

TEST_F(CliTest, SubcommandWordAfterTheUrlIsJustAnotherArgument) {
  CliOutcome out = Parse({kUrl, "origin"});
  EXPECT_EQ(out.action, Action::kUsageError);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].find("stream URL origin: must start with http://"), std::string::npos)
      << out.errors[0];
  EXPECT_NE(out.errors[0].find("2 URL arguments"), std::string::npos) << out.errors[0];
}

}  // namespace
}  // namespace hs::config
