// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "preflight/system_check.h"

#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/io.h"

namespace hs::preflight {
namespace {

constexpr rlim_t kInf = RLIM_INFINITY;

// Every recommended sysctl at its recommended value and no limits: nothing to complain about.
SystemFacts GoodFacts() {
  SystemFacts f;
  for (const SysctlRecommendation& rec : RecommendedSysctls()) {
    f.sysctls.emplace(std::string(rec.key), std::string(rec.value));
  }
  return f;
}

config::Config WithClients(int clients) {
  config::Config c;
  c.clients = clients;
  return c;
}

// The findings whose text mentions \a needle.
std::vector<Finding> About(const std::vector<Finding>& all, std::string_view needle) {
  std::vector<Finding> out;
  for (const Finding& f : all) {
    if (f.what.find(needle) != std::string::npos) out.push_back(f);
  }
  return out;
}

TEST(SystemCheckTest, RecommendedSystemPassesEverything) {
  const std::vector<Finding> findings = CheckSystem(WithClients(50), GoodFacts());
  EXPECT_FALSE(AnyFailure(findings));
  for (const Finding& f : findings) {
    EXPECT_EQ(f.severity, Severity::kOk) << f.what;
    EXPECT_EQ(f.fix, "");
  }
  // nofile, nproc, port range, and each of the other 28 sysctls.
  EXPECT_EQ(findings.size(), 3 + RecommendedSysctls().size() - 1);
}

TEST(SystemCheckTest, RecommendedTableIsSpecSection7) {
  EXPECT_EQ(RecommendedSysctls().size(), 29u);
  std::map<std::string_view, std::string_view> table;
  for (const SysctlRecommendation& rec : RecommendedSysctls()) table[rec.key] = rec.value;
  EXPECT_EQ(table.size(), 29u) << "duplicate key";
  EXPECT_EQ(table["fs.file-max"], "2097152");
  EXPECT_EQ(table["net.ipv4.ip_local_port_range"], "1026 65535");
  EXPECT_EQ(table["net.ipv6.tcp_wmem"], "4096 1000000 16000000");
  EXPECT_EQ(table["net.core.wmem_max"], "26214400");
  EXPECT_EQ(table["net.ipv4.tcp_rto_min_us"], "50000");
  EXPECT_EQ(table["net.core.default_qdisc"], "cake");
  EXPECT_EQ(table["net.ipv4.tcp_congestion_control"], "cubic");
}

struct NofileCase {
  int clients;
  rlim_t soft;
  rlim_t hard;
  Severity want;
  const char* what_has;
  const char* fix_has;
};

TEST(SystemCheckTest, NofileRules) {
  // 50 clients: minimum 50*8+64 = 464, recommended 50*15+1000 = 1750.
  const NofileCase cases[] = {
      {50, 20000, 20000, Severity::kOk, "open files limit 20000 (recommended 1750", ""},
      {50, kInf, kInf, Severity::kOk, "open files limit unlimited", ""},
      {50, 1750, 1750, Severity::kOk, "limit 1750", ""},
      {50, 1749, 1749, Severity::kWarning, "below the recommended 1750", "hard limit to 1750"},
      {50, 1024, 1024, Severity::kWarning, "1024 (hard 1024)", "LimitNOFILE=1750"},
      {50, 1024, 4096, Severity::kWarning, "1024 (hard 4096)", "`ulimit -n 1750`"},
      {50, 1024, kInf, Severity::kWarning, "(hard unlimited)", "`ulimit -n 1750`"},
      {50, 464, 464, Severity::kWarning, "recommended 1750", "nofile=1750:1750"},
      {50, 463, 463, Severity::kFailure, "below the 464 that 50 clients need", "hard limit"},
      {50, 256, 256, Severity::kFailure, "open files limit 256 (hard 256)", "LimitNOFILE=1750"},
      // This CI host: hard 20000 (SPEC §10).
      {500, 20000, 20000, Severity::kOk, "recommended 8500", ""},
      {2000, 20000, 20000, Severity::kWarning, "recommended 31000", "hard limit to 31000"},
      {3000, 20000, 20000, Severity::kFailure, "the 24064 that 3000 clients", "hard limit"},
  };
  for (const NofileCase& c : cases) {
    SCOPED_TRACE(testing::Message() << c.clients << " clients, soft " << c.soft);
    SystemFacts facts = GoodFacts();
    facts.nofile_soft = c.soft;
    facts.nofile_hard = c.hard;
    const std::vector<Finding> got =
        About(CheckSystem(WithClients(c.clients), facts), "open files");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].severity, c.want);
    EXPECT_NE(got[0].what.find(c.what_has), std::string::npos) << got[0].what;
    EXPECT_NE(got[0].fix.find(c.fix_has), std::string::npos) << got[0].fix;
  }
}

TEST(SystemCheckTest, NprocRules) {
  const std::tuple<int, rlim_t, Severity> cases[] = {
      {50, kInf, Severity::kOk},  {50, 114, Severity::kOk},         {50, 113, Severity::kFailure},
      {500, 4096, Severity::kOk}, {5000, 4096, Severity::kFailure}, {0, 64, Severity::kOk},
  };
  for (const auto& [clients, nproc, want] : cases) {
    SCOPED_TRACE(testing::Message() << clients << " clients, nproc " << nproc);
    SystemFacts facts = GoodFacts();
    facts.nproc_soft = nproc;
    const std::vector<Finding> got =
        About(CheckSystem(WithClients(clients), facts), "process limit");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].severity, want) << got[0].what;
    if (want == Severity::kFailure) {
      EXPECT_NE(got[0].fix.find("ulimit -u"), std::string::npos);
      EXPECT_NE(got[0].what.find("viewers would fail to start"), std::string::npos);
    }
  }
  EXPECT_EQ(MinimumProcLimit(50), 114u);
  EXPECT_EQ(MinimumFdLimit(50), 464u);
  EXPECT_EQ(MinimumFdLimit(-1), 64u);
}

TEST(SystemCheckTest, NativeViewersNeedTwoDescriptorsAndNoProcesses) {
  // 10,000 native viewers fit this machine's hard limit of 20000 open files and 4096
  // processes; as FFmpeg viewers they would not.
  config::Config c = WithClients(10000);
  c.engine = config::Engine::kNative;
  SystemFacts facts = GoodFacts();
  facts.nofile_soft = facts.nofile_hard = 20000;
  facts.nproc_soft = 4096;
  for (const Finding& f : CheckSystem(c, facts)) {
    EXPECT_NE(f.severity, Severity::kFailure) << f.what;
  }
  EXPECT_EQ(NativeMinimumFdLimit(10000), 10064u);
  c.engine = config::Engine::kFfmpeg;
  EXPECT_TRUE(AnyFailure(CheckSystem(c, facts)));
}

TEST(SystemCheckTest, EngineMixNeedsEachEnginesShare) {
  // native:90,ffmpeg:10 of 10,000: 9,000 sockets and 1,000 FFmpeg processes (8 fds each) fit
  // 20000 open files and 4096 processes; 50:50 needs 5,000 processes.
  config::Config c = WithClients(10000);
  c.engine_mix = {{config::Engine::kNative, 90}, {config::Engine::kFfmpeg, 10}};
  EXPECT_EQ(c.ViewersOf(config::Engine::kNative), 9000);
  EXPECT_EQ(c.ViewersOf(config::Engine::kFfmpeg), 1000);
  SystemFacts facts = GoodFacts();
  facts.nofile_soft = facts.nofile_hard = 20000;
  facts.nproc_soft = 4096;
  for (const Finding& f : CheckSystem(c, facts)) {
    EXPECT_NE(f.severity, Severity::kFailure) << f.what;
  }
  c.engine_mix = {{config::Engine::kNative, 50}, {config::Engine::kFfmpeg, 50}};
  const std::vector<Finding> half = About(CheckSystem(c, facts), "process limit");
  ASSERT_EQ(half.size(), 1u);
  EXPECT_EQ(half[0].severity, Severity::kFailure);
  EXPECT_NE(half[0].what.find("below the 5064"), std::string::npos) << half[0].what;
}

TEST(SystemCheckTest, PortRangeRules) {
  // 50 clients → 250 ports recommended; 10000 clients → 50000.
  const std::tuple<int, const char*, Severity, const char*> cases[] = {
      {50, "32768 60999", Severity::kOk, "ephemeral ports 32768-60999: 28232 ports, 250"},
      {50, "60000 60249", Severity::kOk, "250 ports"},
      {50, "60000 60248", Severity::kWarning, "249 ports, 250 recommended for 50 clients"},
      {10000, "32768 60999", Severity::kWarning, "28232 ports, 50000 recommended"},
      {10000, "1026 65535", Severity::kOk, "64510 ports"},
      {50, "60999 32768", Severity::kWarning, "unexpected value \"60999 32768\""},
      {50, "abc", Severity::kWarning, "unexpected value"},
      {50, nullptr, Severity::kNote, "is not readable"},
  };
  for (const auto& [clients, range, want, what_has] : cases) {
    SCOPED_TRACE(range ? range : "(missing)");
    SystemFacts facts = GoodFacts();
    if (range) {
      facts.sysctls["net.ipv4.ip_local_port_range"] = range;
    } else {
      facts.sysctls.erase("net.ipv4.ip_local_port_range");
    }
    std::vector<Finding> got = About(CheckSystem(WithClients(clients), facts), "port");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].severity, want);
    EXPECT_NE(got[0].what.find(what_has), std::string::npos) << got[0].what;
    if (want == Severity::kWarning) {
      EXPECT_EQ(got[0].fix, "sysctl -w net.ipv4.ip_local_port_range=\"1026 65535\"");
    }
  }
}

TEST(SystemCheckTest, SysctlComparisons) {
  const std::tuple<const char*, const char*, Severity> cases[] = {
      {"net.ipv4.tcp_fin_timeout", "60", Severity::kWarning},
      {"net.ipv4.tcp_fin_timeout", "10", Severity::kOk},
      {"fs.file-max", "9223372036854775807", Severity::kOk},
      {"fs.file-max", "1048576", Severity::kWarning},
      {"net.core.netdev_max_backlog", "1000", Severity::kWarning},
      {"net.ipv4.tcp_rmem", "4096 131072 6291456", Severity::kWarning},
      {"net.ipv4.tcp_rmem", "4096 1000000 33554432", Severity::kOk},
      {"net.ipv4.tcp_wmem", "4096 1000000", Severity::kWarning},
      {"net.ipv4.tcp_fastopen", "3", Severity::kOk},
      {"net.ipv4.tcp_fastopen", "2", Severity::kWarning},
      {"net.ipv4.tcp_timestamps", "2", Severity::kOk},
      {"net.ipv4.tcp_timestamps", "0", Severity::kWarning},
      {"net.ipv4.tcp_tw_reuse", "2", Severity::kWarning},
      {"net.ipv4.tcp_ecn", "2", Severity::kWarning},
      {"net.ipv4.tcp_slow_start_after_idle", "1", Severity::kWarning},
      {"net.ipv4.tcp_notsent_lowat", "4294967295", Severity::kWarning},
      {"net.ipv4.tcp_rto_min_us", "200000", Severity::kWarning},
      {"net.ipv4.tcp_rto_min_us", "20000", Severity::kOk},
      {"net.ipv4.tcp_keepalive_time", "7200", Severity::kWarning},
      {"net.core.default_qdisc", "fq_codel", Severity::kWarning},
      {"net.ipv4.tcp_congestion_control", "bbr", Severity::kWarning},
      {"net.ipv4.tcp_congestion_control", "cubic", Severity::kOk},
      {"net.ipv4.tcp_sack", "yes", Severity::kWarning},
  };
  for (const auto& [key, value, want] : cases) {
    SCOPED_TRACE(testing::Message() << key << " = " << value);
    SystemFacts facts = GoodFacts();
    facts.sysctls[key] = value;
    const std::vector<Finding> all = CheckSystem(WithClients(50), facts);
    const std::vector<Finding> got = About(all, std::string(key) + " = ");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].severity, want) << got[0].what;
    const bool summary = !About(all, "kernel settings differ").empty();
    EXPECT_EQ(summary, want == Severity::kWarning);
  }
}

TEST(SystemCheckTest, SysctlWarningTextAndFix) {
  SystemFacts facts = GoodFacts();
  facts.sysctls["net.ipv4.tcp_rmem"] = "4096 131072 6291456";
  facts.sysctls["net.core.default_qdisc"] = "fq_codel";
  facts.sysctls.erase("net.ipv6.tcp_rmem");
  const std::vector<Finding> all = CheckSystem(WithClients(50), facts);
  const Finding rmem = About(all, "net.ipv4.tcp_rmem")[0];
  EXPECT_EQ(rmem.what,
            "net.ipv4.tcp_rmem = 4096 131072 6291456 (recommended 4096 1000000 16000000 "
            "or more, each)");
  EXPECT_EQ(rmem.fix, "sysctl -w net.ipv4.tcp_rmem=\"4096 1000000 16000000\"");
  const Finding qdisc = About(all, "default_qdisc")[0];
  EXPECT_EQ(qdisc.what, "net.core.default_qdisc = fq_codel (recommended cake)");
  EXPECT_EQ(qdisc.fix, "sysctl -w net.core.default_qdisc=cake");
  const Finding missing = About(all, "net.ipv6.tcp_rmem")[0];
  EXPECT_EQ(missing.severity, Severity::kNote);
  EXPECT_EQ(missing.what, "net.ipv6.tcp_rmem is not present on this kernel (skipped)");
  EXPECT_EQ(missing.fix, "");
  const Finding summary = all.back();
  EXPECT_EQ(summary.severity, Severity::kNote);
  EXPECT_NE(summary.fix.find("deploy/sysctl/99-hls-swarm.conf /etc/sysctl.d/"), std::string::npos);
  EXPECT_FALSE(AnyFailure(all)) << "kernel settings never fail the run";
}

TEST(SystemCheckTest, FormatFindingsPutsFailuresFirst) {
  const std::vector<Finding> findings = {
      {Severity::kOk, "fine", ""},
      {Severity::kWarning, "meh", "do x"},
      {Severity::kNote, "fyi", ""},
      {Severity::kFailure, "broken", "do y"},
  };
  EXPECT_EQ(FormatFindings(findings),
            "FAIL  broken\n"
            "      fix: do y\n"
            "WARN  meh\n"
            "      fix: do x\n"
            "note  fyi\n"
            "preflight: 1 failure(s), 1 warning(s), 1 note(s), 1 ok\n");
  EXPECT_NE(FormatFindings(findings, true).find("ok    fine\n"), std::string::npos);
  EXPECT_TRUE(AnyFailure(findings));
  EXPECT_FALSE(AnyFailure({findings[0], findings[1]}));
}

class SystemFactsTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hs-sysfacts-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  void Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::filesystem::path root_;
};

TEST_F(SystemFactsTest, ReadsSysctlsFromProcSysTree) {
  Write("net/ipv4/tcp_fin_timeout", "60\n");
  Write("net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
  Write("net/ipv4/ip_local_port_range", "32768\t60999\n");
  Write("net/core/default_qdisc", "fq_codel\n");
  Write("net/ipv4/unrelated", "1\n");
  const SystemFacts f = ReadSystemFacts(root_.string());
  EXPECT_EQ(f.sysctls.size(), 4u);
  EXPECT_EQ(f.sysctls.at("net.ipv4.tcp_fin_timeout"), "60");
  EXPECT_EQ(f.sysctls.at("net.ipv4.tcp_rmem"), "4096 131072 6291456");
  EXPECT_EQ(f.sysctls.at("net.ipv4.ip_local_port_range"), "32768 60999");
  EXPECT_EQ(f.sysctls.at("net.core.default_qdisc"), "fq_codel");
  EXPECT_EQ(f.sysctls.count("net.ipv6.tcp_rmem"), 0u);
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_EQ(f.nofile_soft, rl.rlim_cur);
  EXPECT_EQ(f.nofile_hard, rl.rlim_max);
}

TEST(SystemFactsRealTest, ReadsThisHost) {
  const SystemFacts f = ReadSystemFacts();
  if (f.sysctls.empty()) GTEST_SKIP() << "/proc/sys is not readable here";
  EXPECT_EQ(f.sysctls.count("net.ipv4.tcp_fin_timeout"), 1u);
  EXPECT_EQ(f.sysctls.count("net.ipv6.tcp_rmem"), 0u) << "Linux has no such key";
  const std::string text = FormatFindings(CheckSystem(WithClients(50), f), true);
  EXPECT_NE(text.find("preflight: "), std::string::npos);
}

TEST(SystemCheckRaiseTest, RaisesSoftNofileUpToHard) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_cur == RLIM_INFINITY || original.rlim_cur < 128) {
    GTEST_SKIP() << "soft RLIMIT_NOFILE is unlimited or too low to lower for the test";
  }
  rlimit lowered = original;
  lowered.rlim_cur = original.rlim_cur - 16;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  EXPECT_TRUE(RaiseNofileSoftLimit(original.rlim_cur));
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, original.rlim_cur);
  EXPECT_TRUE(RaiseNofileSoftLimit(16)) << "never lowers";
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, original.rlim_cur);
  if (original.rlim_max != RLIM_INFINITY) {
    EXPECT_FALSE(RaiseNofileSoftLimit(original.rlim_max + 1)) << "capped by the hard limit";
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
    EXPECT_EQ(now.rlim_cur, original.rlim_max);
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
}

// deploy/sysctl/99-hls-swarm.conf is what the fix messages point to: it must match the table.
TEST(SystemCheckTest, DeploySysctlConfMatchesTable) {
  const std::string path = std::string(HS_TESTDATA_DIR) + "/../../" + std::string(kSysctlConfPath);
  const std::string text = ReadSmallFile(path);
  if (text.empty()) GTEST_SKIP() << path << " does not exist yet";
  std::map<std::string, std::string> conf;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || line[0] == ';' || eq == std::string::npos) continue;
    std::string key = line.substr(line[0] == '-' ? 1 : 0, eq - (line[0] == '-' ? 1 : 0));
    std::string value = line.substr(eq + 1);
    std::erase(key, ' ');
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    std::replace(value.begin(), value.end(), '\t', ' ');
    conf[key] = value;
  }
  for (const SysctlRecommendation& rec : RecommendedSysctls()) {
    ASSERT_EQ(conf.count(std::string(rec.key)), 1u) << rec.key << " missing from " << path;
    EXPECT_EQ(conf[std::string(rec.key)], rec.value) << rec.key;
  }
}

}  // namespace
}  // namespace hs::preflight
