// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/print_config.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "config/cli.h"
#include "config/cli_test_util.h"

namespace hs::config {
namespace {

using PrintConfigTest = CliTest;

std::set<std::string> Keys(const nlohmann::json& j) {
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  return keys;
}

TEST_F(PrintConfigTest, JsonTopLevelKeysAreTheNixConfigKeysPlusRun) {
  const nlohmann::json j = ConfigToJson(Ok({kUrl}));
  EXPECT_EQ(Keys(j),
            (std::set<std::string>{"clients", "rampRate", "rampJitter", "metricsPort", "logLevel",
                                   "variant", "reconnect", "reconnectDelayMax", "segMaxRetry",
                                   "timeout", "derived", "_profile", "run"}));
  EXPECT_EQ(Keys(j["derived"]), (std::set<std::string>{"rampDuration", "estimatedMemoryMB",
                                                       "recommendedFdLimit", "recommendedPorts"}));
  EXPECT_EQ(Keys(j["_profile"]), (std::set<std::string>{"name", "availableProfiles"}));
  for (const char* key : {"streamUrl", "duration", "headers", "noCache", "userAgent", "ffmpeg",
                          "tap", "tui", "metricsAddr", "testOrigin", "shard", "seed"}) {
    EXPECT_TRUE(j["run"].contains(key)) << key;
  }
}

TEST_F(PrintConfigTest, EveryProfileMatchesTheNixFixture) {
  std::ifstream in(HS_TESTDATA_DIR "/config/nix_profiles.json");
  ASSERT_TRUE(in.good()) << HS_TESTDATA_DIR "/config/nix_profiles.json";
  const nlohmann::json want = nlohmann::json::parse(in);
  ASSERT_EQ(want.size(), Profiles().size());
  for (const ProfileValues& p : Profiles()) {
    nlohmann::json got = ConfigToJson(Ok({"-profile", p.name, "-print-config"}));
    got.erase("run");
    EXPECT_EQ(got, want[p.name]) << p.name << "\n" << got.dump(2);
  }
}

TEST_F(PrintConfigTest, JsonValuesAndUnits) {
  const nlohmann::json j =
      ConfigToJson(Ok({"-profile", "stress", "-clients", "7", "-ramp-rate", "2", "-ramp-jitter",
                       "1.5s", "-timeout", "2500ms", "-duration", "1m30s", "-header", "A: 1",
                       "-shard", "2/3", "-metrics", "127.0.0.1:9100", kUrl}));
  EXPECT_EQ(j["clients"], 7);
  EXPECT_EQ(j["rampJitter"], 1500);
  EXPECT_EQ(j["timeout"], 2);  // whole seconds, as config.nix has it
  EXPECT_EQ(j["metricsPort"], 9100);
  EXPECT_EQ(j["logLevel"], "warning");
  EXPECT_EQ(j["derived"]["rampDuration"], 3);
  EXPECT_EQ(j["_profile"]["name"], "stress");
  EXPECT_EQ(j["_profile"]["availableProfiles"],
            nlohmann::json({"burst", "default", "extreme", "gentle", "stress"}));
  const nlohmann::json& run = j["run"];
  EXPECT_EQ(run["streamUrl"], kUrl);
  EXPECT_EQ(run["duration"], "1m30s");
  EXPECT_EQ(run["durationSeconds"], 90.0);
  EXPECT_EQ(run["timeoutMs"], 2500);
  EXPECT_EQ(run["headers"], nlohmann::json({"A: 1"}));
  EXPECT_EQ(run["metricsAddr"], "127.0.0.1");
  EXPECT_EQ(run["shard"]["clientIdOffset"], 14);
  EXPECT_EQ(run["tap"], true);
  EXPECT_EQ(run["usesTap"], true);
}

TEST_F(PrintConfigTest, TextIsAlignedAndIncludesDerivedValues) {
  const std::string text = FormatConfigText(Ok({"-profile", "extreme", "-header", "X-A: 1", kUrl}));
  for (const char* line :
       {"profile:                extreme\n", "clients:                500\n",
        "ramp-rate:              50/s\n", "ramp-jitter:            20ms\n",
        "duration:               0 (until stopped)\n", "timeout:                5s\n",
        "header:                 X-A: 1\n", "metrics:                http://0.0.0.0:9090/metrics\n",
        "shard:                  0/1 (viewer ids 0..499)\n", "derived:\n",
        "  ramp-duration:        10s\n", "  estimated-memory:     9564 MB\n",
        "  recommended-fd-limit: 8500\n", "  recommended-ports:    2500\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  // Every value starts in the same column, derived ones included.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line == "derived:") continue;
    ASSERT_GE(line.size(), 25u) << line;
    EXPECT_EQ(line[23], ' ') << line;
    EXPECT_NE(line[24], ' ') << line;
  }
}

TEST_F(PrintConfigTest, TextShowsOffAndNone) {
  const std::string text = FormatConfigText(Ok({"-metrics-port", "0", "-test-origin"}));
  EXPECT_NE(text.find("metrics:                off\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stream-url:             (test origin)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("header:                 (none)\n"), std::string::npos) << text;
}

TEST_F(PrintConfigTest, EngineMixShowsEachEnginesViewers) {
  const Config c = Ok({"-engine-mix", "native:90,ffmpeg:10", "-clients", "50", kUrl});
  const std::string text = FormatConfigText(c);
  EXPECT_NE(text.find("engine:                 native 90% (45 viewers), ffmpeg 10% (5 viewers)"),
            std::string::npos)
      << text;
  const nlohmann::json run = ConfigToJson(c)["run"];
  EXPECT_EQ(run["engine"], "mix");
  ASSERT_EQ(run["engineMix"].size(), 2u);
  EXPECT_EQ(run["engineMix"][1]["engine"], "ffmpeg");
  EXPECT_EQ(run["engineMix"][1]["percent"], 10);
  EXPECT_EQ(run["engineMix"][1]["viewers"], 5);
  EXPECT_TRUE(ConfigToJson(Ok({kUrl}))["run"]["engineMix"].empty());
}

}  // namespace
}  // namespace hs::config
