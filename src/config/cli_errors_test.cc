// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/cli.h"
#include "config/cli_test_util.h"

namespace hs::config {
namespace {

using Args = std::vector<std::string>;

struct ErrorCase {
  Args args;
  std::string want;  // the whole message
};

// One bad value per case; the message must be exactly one line naming the flag and the fix.
TEST_F(CliTest, EveryValidationErrorNamesTheFlag) {
  const ErrorCase cases[] = {
      {{"-clients", "0"}, "-clients 0: must be at least 1 (e.g. -clients 20)"},
      {{"-clients", "-3"}, "-clients -3: must be at least 1 (e.g. -clients 20)"},
      {{"-clients", "100001"},
       "-clients 100001: at most 100000 viewers per instance; spread larger runs over machines "
       "with -shard I/N"},
      {{"-clients", "abc"}, "-clients abc: not a whole number (e.g. -clients 20)"},
      {{"-clients", "1.5"}, "-clients 1.5: not a whole number (e.g. -clients 20)"},
      {{"-clients="}, "-clients \"\": not a whole number (e.g. -clients 20)"},
      {{"-ramp-rate", "0"}, "-ramp-rate 0: must be at least 1 (e.g. -ramp-rate 5)"},
      {{"-ramp-jitter", "-5"},
       "-ramp-jitter -5: must not be negative (milliseconds or a duration, e.g. -ramp-jitter 100 "
       "or -ramp-jitter 200ms)"},
      {{"-ramp-jitter", "5x"},
       "-ramp-jitter 5x: unknown unit \"x\" (milliseconds or a duration, e.g. -ramp-jitter 100 "
       "or -ramp-jitter 200ms)"},
      {{"-duration", "60"},
       "-duration 60: missing unit (e.g. -duration 60s or -duration 1h30m; 0 runs until "
       "stopped)"},
      {{"-duration", "-1s"},
       "-duration -1s: must not be negative (e.g. -duration 60s or -duration 1h30m; 0 runs "
       "until stopped)"},
      {{"-timeout", "0"},
       "-timeout 0: must be at least 1ms (seconds or a duration, e.g. -timeout 15 or -timeout "
       "2500ms)"},
      {{"-timeout", "soon"},
       "-timeout soon: invalid duration (seconds or a duration, e.g. -timeout 15 or -timeout "
       "2500ms)"},
      {{"-reconnect-delay-max", "1.5"},
       "-reconnect-delay-max 1.5: must be whole seconds up to 3600 (e.g. -reconnect-delay-max "
       "5)"},
      {{"-seg-max-retry", "-1"}, "-seg-max-retry -1: must be at least 0 (e.g. -seg-max-retry 3)"},
      {{"-metrics-port", "70000"},
       "-metrics-port 70000: must be at most 65535 (e.g. -metrics-port 9090)"},
      {{"-metrics-port", "-1"}, "-metrics-port -1: must be at least 0 (e.g. -metrics-port 9090)"},
      {{"-metrics", "9090"},
       "-metrics 9090: must be ADDR:PORT (e.g. 0.0.0.0:9090 or :9090) (e.g. -metrics "
       "127.0.0.1:9090)"},
      {{"-metrics", "host.example:9090"},
       "-metrics host.example:9090: address must be an IP address (e.g. 127.0.0.1:9090) (e.g. "
       "-metrics 127.0.0.1:9090)"},
      {{"-metrics", ":9100", "-metrics-port", "9200"},
       "-metrics :9100: disagrees with -metrics-port 9200; give only one of them"},
      {{"-log-level", "verbose"}, "-log-level verbose: choose debug, info, warning or error"},
      {{"-log-format", "xml"}, "-log-format xml: choose text or json"},
      {{"-variant", "best"}, "-variant best: choose all, first, highest, lowest or abr"},
      {{"-profile", "huge"},
       "-profile huge: unknown profile; choose default, stress, gentle, burst or extreme"},
      {{"-header", "NoColon"},
       "-header NoColon: must look like \"Name: value\" (e.g. -header \"X-Test: 1\")"},
      {{"-header", "X: a\r\nEvil: 1"},
       "-header \"X: a\\r\\nEvil: 1\": contains CR or LF (one header per -header) (e.g. -header "
       "\"X-Test: 1\")"},
      {{"-header", "Bad Name: v"},
       "-header \"Bad Name: v\": header name may contain only letters, digits and "
       "-_.!#$%&'*+^`|~ (e.g. -header \"X-Test: 1\")"},
      {{"-resolve", "192.168.1.50"},
       "-resolve 192.168.1.50: needs -dangerous, because it bypasses DNS and turns off TLS "
       "verification (add -dangerous)"},
      {{"-dangerous", "-resolve", "origin.local"},
       "-resolve origin.local: must be an IPv4 or IPv6 address (e.g. -resolve 192.168.1.50)"},
      {{"-shard", "3/3"}, "-shard 3/3: I must be 0..N-1 (shards are numbered from 0; e.g. 0/3)"},
      {{"-shard", "1"}, "-shard 1: must be I/N (e.g. -shard 0/4 for the first of 4 machines)"},
      {{"-shard", "0/0"}, "-shard 0/0: N must be 1..10000"},
      {{"-seed", "-1"}, "-seed -1: must be a whole number 0..9223372036854775807 (e.g. -seed 42)"},
      {{"-user-agent", ""},
       "-user-agent \"\": must be non-empty and without CR or LF (e.g. -user-agent my-test)"},
      {{"-ffmpeg", ""},
       "-ffmpeg \"\": needs a program name or path (e.g. -ffmpeg /usr/bin/ffmpeg)"},
      {{"-summary-json", ""},
       "-summary-json \"\": needs a file name (e.g. -summary-json report.json)"},
      {{"-test-origin-profile", "abr"},
       "-test-origin-profile abr: only used with -test-origin (add -test-origin)"},
      {{"-test-origin", "-test-origin-profile", "huge"},
       "-test-origin-profile huge: unknown origin profile; choose default, low-latency, abr, "
       "stress, tiny, ll-hls or ll-hls-abr"},
      {{"-json"},
       "-json: only applies to -print-config (for JSON logs use -log-format json, for a JSON "
       "report -summary-json FILE)"},
      {{"-check", "-print-cmd"},
       "-check or -print-cmd: these modes exclude each other; choose one"},
      {{"-clinets", "20"},
       "-clinets: unknown flag (did you mean -clients?); run with -help to list the flags"},
      {{"--bogus=1"}, "-bogus: unknown flag; run with -help to list the flags"},
      {{"-tui=maybe"}, "-tui=maybe: not a boolean (write -tui or -tui=false)"},
  };
  for (const ErrorCase& c : cases) {
    Args args = c.args;
    args.push_back(kUrl);
    const CliOutcome out = Parse(args);
    SCOPED_TRACE(c.want);
    EXPECT_EQ(out.action, Action::kUsageError);
    ASSERT_EQ(out.errors.size(), 1u) << Joined(out.errors);
    EXPECT_EQ(out.errors[0], c.want);
    EXPECT_EQ(out.errors[0].find('\n'), std::string::npos);
    EXPECT_FALSE(out.help_text.empty());
  }
}

TEST_F(CliTest, UrlErrors) {
  const ErrorCase cases[] = {
      {{},
       "missing stream URL: give it as the last argument or set STREAM_URL (e.g. hls-swarm "
       "-clients 20 http://origin:8080/live/stream.m3u8), or add -test-origin"},
      {{"-clients", "5"},
       "missing stream URL: give it as the last argument or set STREAM_URL "
       "(e.g. hls-swarm -clients 20 http://origin:8080/live/stream.m3u8), or "
       "add -test-origin"},
      {{"ftp://origin/x"},
       "stream URL ftp://origin/x: must start with http:// or https:// (e.g. "
       "http://origin:8080/live/stream.m3u8)"},
      {{"origin/x.m3u8"},
       "stream URL origin/x.m3u8: must start with http:// or https:// (e.g. "
       "http://origin:8080/live/stream.m3u8)"},
      {{"http://"}, "stream URL http://: has no host"},
      {{"http://o:0/x"}, "stream URL http://o:0/x: port '0' is not a number 1..65535"},
      {{"-"},
       "stream URL -: must start with http:// or https:// (e.g. "
       "http://origin:8080/live/stream.m3u8)"},
      {{kUrl, "20"},
       "stream URL 20: must start with http:// or https:// (e.g. "
       "http://origin:8080/live/stream.m3u8); 2 URL arguments: a flag's value follows the flag "
       "(-clients 20) and booleans are cleared with -flag=false"},
  };
  for (const ErrorCase& c : cases) {
    const CliOutcome out = Parse(c.args);
    EXPECT_EQ(out.action, Action::kUsageError);
    ASSERT_EQ(out.errors.size(), 1u) << c.want << "\n" << Joined(out.errors);
    EXPECT_EQ(out.errors[0], c.want);
  }
}

TEST_F(CliTest, EnvironmentErrorsNameTheVariable) {
  const std::pair<std::map<std::string, std::string>, std::string> cases[] = {
      {{{"CLIENTS", "abc"}}, "CLIENTS=abc: not a whole number (e.g. CLIENTS=20)"},
      {{{"CLIENTS", "0"}}, "CLIENTS=0: must be at least 1 (e.g. CLIENTS=20)"},
      {{{"RAMP_RATE", "0"}}, "RAMP_RATE=0: must be at least 1 (e.g. RAMP_RATE=5)"},
      {{{"METRICS_PORT", "x"}}, "METRICS_PORT=x: not a whole number (e.g. METRICS_PORT=9090)"},
      {{{"LOG_LEVEL", "loud"}}, "LOG_LEVEL=loud: choose debug, info, warning or error"},
      {{{"VARIANT", "best"}}, "VARIANT=best: choose all, first, highest, lowest or abr"},
      {{{"STREAM_URL", "rtmp://x/y"}},
       "STREAM_URL=rtmp://x/y: must start with http:// or https:// (e.g. "
       "http://origin:8080/live/stream.m3u8)"},
  };
  for (const auto& [env, want] : cases) {
    env_ = env;
    if (env_.count("STREAM_URL") == 0) env_["STREAM_URL"] = kUrl;
    const CliOutcome out = Parse({});
    ASSERT_EQ(out.errors.size(), 1u) << want << "\n" << Joined(out.errors);
    EXPECT_EQ(out.errors[0], want);
  }
  // A valid flag hides a broken variable: the flag wins and the variable is never read.
  env_ = {{"CLIENTS", "abc"}};
  EXPECT_TRUE(Parse({"-clients", "3", kUrl}).errors.empty());
}

TEST_F(CliTest, AllProblemsAreCollected) {
  const CliOutcome out =
      Parse({"-clients", "0", "-ramp-rate", "0", "-variant", "x", "-bogus", "-header", "nope",
             "-resolve", "1.2.3.4", "-shard", "5/2", "-timeout", "0", "ftp://y"});
  EXPECT_EQ(out.action, Action::kUsageError);
  const std::vector<std::string> flags = {"-bogus",   "-clients", "-ramp-rate",
                                          "-shard",   "-variant", "-header",
                                          "-timeout", "-resolve", "stream URL"};
  ASSERT_EQ(out.errors.size(), flags.size()) << Joined(out.errors);
  for (std::size_t i = 0; i < flags.size(); ++i) {
    EXPECT_EQ(out.errors[i].rfind(flags[i], 0), 0u) << out.errors[i];
  }
}

TEST_F(CliTest, ThreeModesConflict) {
  const CliOutcome out = Parse({"-check", "-print-cmd", "-print-config", kUrl});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0],
            "-check, -print-cmd or -print-config: these modes exclude each other; choose one");
}

}  // namespace
}  // namespace hs::config
