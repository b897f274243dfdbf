// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "originmon/origin_metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::originmon {
namespace {

// node_exporter 1.5 output as Debian bookworm ships it, trimmed to what matters plus
// neighbours that must be ignored (other metrics, `lo`, guest CPU time).
std::string NodeText(double idle0, double user0, double iowait0, double idle1, double user1,
                     double lo_rx, double eth_rx, double eth_tx) {
  return fmt::format(
      "# HELP node_cpu_guest_seconds_total Seconds the CPUs spent in guests (VMs) for each mode.\n"
      "# TYPE node_cpu_guest_seconds_total counter\n"
      "node_cpu_guest_seconds_total{{cpu=\"0\",mode=\"nice\"}} 0\n"
      "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
      "# TYPE node_cpu_seconds_total counter\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"idle\"}} {}\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"iowait\"}} {}\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"irq\"}} 0\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"system\"}} 50.25\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"user\"}} {}\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"idle\"}} {}\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"iowait\"}} 5.5\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"system\"}} 40\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"user\"}} {}\n"
      "# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.\n"
      "# TYPE node_memory_MemAvailable_bytes gauge\n"
      "node_memory_MemAvailable_bytes 6e+09\n"
      "# HELP node_memory_MemFree_bytes Memory information field MemFree_bytes.\n"
      "# TYPE node_memory_MemFree_bytes gauge\n"
      "node_memory_MemFree_bytes 1.2e+09\n"
      "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
      "# TYPE node_memory_MemTotal_bytes gauge\n"
      "node_memory_MemTotal_bytes 8e+09\n"
      "# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n"
      "# TYPE node_network_receive_bytes_total counter\n"
      "node_network_receive_bytes_total{{device=\"eth0\"}} {}\n"
      "node_network_receive_bytes_total{{device=\"lo\"}} {}\n"
      "node_network_receive_bytes_total{{device=\"veth1\"}} 1000\n"
      "# HELP node_network_transmit_bytes_total Network device statistic transmit_bytes.\n"
      "# TYPE node_network_transmit_bytes_total counter\n"
      "node_network_transmit_bytes_total{{device=\"eth0\"}} {}\n"
      "node_network_transmit_bytes_total{{device=\"lo\"}} {}\n"
      "node_network_transmit_bytes_total{{device=\"veth1\"}} 2000\n",
      idle0, iowait0, user0, idle1, user1, eth_rx, lo_rx, eth_tx, lo_rx);
}

// nginx-prometheus-exporter 0.11 (Debian bookworm) against stub_status.
std::string NginxText(double active, double requests) {
  return fmt::format(
      "# HELP nginx_connections_accepted Accepted client connections\n"
      "# TYPE nginx_connections_accepted counter\n"
      "nginx_connections_accepted 1234\n"
      "# HELP nginx_connections_active Active client connections\n"
      "# TYPE nginx_connections_active gauge\n"
      "nginx_connections_active {}\n"
      "# HELP nginx_connections_handled Handled client connections\n"
      "# TYPE nginx_connections_handled counter\n"
      "nginx_connections_handled 1234\n"
      "# HELP nginx_connections_reading Connections where NGINX is reading the request header\n"
      "# TYPE nginx_connections_reading gauge\n"
      "nginx_connections_reading 0\n"
      "# HELP nginx_http_requests_total Total http requests\n"
      "# TYPE nginx_http_requests_total counter\n"
      "nginx_http_requests_total {}\n"
      "# HELP nginx_up Status of the last metric scrape\n"
      "# TYPE nginx_up gauge\n"
      "nginx_up 1\n"
      "# HELP nginxexporter_build_info Exporter build information\n"
      "# TYPE nginxexporter_build_info gauge\n"
      "nginxexporter_build_info{{commit=\"\",date=\"\",version=\"0.11.0\"}} 1\n",
      active, requests);
}

Scrape At(double seconds, const std::string& text) {
  Scrape s;
  s.time = SteadyTime{} +
           std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1000.0 + seconds));
  s.samples = ParsePromText(text).samples;
  return s;
}

// Base scrape: idle 1000/2000, user 100/200, iowait 10, rx 5e6, tx 1e7, lo 1e9.
const std::string kNode0 = NodeText(1000, 100, 10, 2000, 200, 1e9, 5e6, 1e7);

void ExpectNear(const char* what, const std::optional<double>& got,
                const std::optional<double>& want) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.has_value(), want.has_value());
  if (want) {
    EXPECT_NEAR(*got, *want, 1e-6 * std::max(1.0, std::abs(*want)));
  }
}

void ExpectFigures(const OriginFigures& got, const OriginFigures& want) {
  ExpectNear("cpu %", got.cpu_utilisation_percent, want.cpu_utilisation_percent);
  ExpectNear("cpu count", got.cpu_count, want.cpu_count);
  ExpectNear("mem used", got.memory_used_bytes, want.memory_used_bytes);
  ExpectNear("mem total", got.memory_total_bytes, want.memory_total_bytes);
  ExpectNear("mem %", got.memory_used_percent, want.memory_used_percent);
  ExpectNear("rx", got.network_receive_bytes_per_second, want.network_receive_bytes_per_second);
  ExpectNear("tx", got.network_transmit_bytes_per_second, want.network_transmit_bytes_per_second);
  ExpectNear("nginx active", got.nginx_connections_active, want.nginx_connections_active);
  ExpectNear("nginx rps", got.nginx_requests_per_second, want.nginx_requests_per_second);
}

OriginFigures NodeMemoryOnly() {
  OriginFigures f;
  f.cpu_count = 2;
  f.memory_used_bytes = 2e9;
  f.memory_total_bytes = 8e9;
  f.memory_used_percent = 25;
  return f;
}

OriginFigures NodeWith(double cpu, double rx, double tx) {
  OriginFigures f = NodeMemoryOnly();
  f.cpu_utilisation_percent = cpu;
  f.network_receive_bytes_per_second = rx;
  f.network_transmit_bytes_per_second = tx;
  return f;
}

OriginFigures NginxWith(double active, std::optional<double> rps) {
  OriginFigures f;
  f.nginx_connections_active = active;
  f.nginx_requests_per_second = rps;
  return f;
}

struct ComputeCase {
  const char* name;
  Scrape prev;
  Scrape cur;
  OriginFigures want;
};

TEST(OriginMetricsTest, ComputeTable) {
  const ComputeCase cases[] = {
      // Over 2 s: cpu0 idle +1.5 user +0.5, cpu1 idle +1.8 user +0.2 → 3.3 of 4.0 idle.
      // eth0 rx +1e6, tx +4e6; lo +5e8 (ignored) → 5e5 and 2e6 B/s.
      {"node, two scrapes", At(0, kNode0),
       At(2, NodeText(1001.5, 100.5, 10, 2001.8, 200.2, 1.5e9, 6e6, 1.4e7)),
       NodeWith(17.5, 5e5, 2e6)},
      {"node, first scrape only", Scrape{}, At(2, kNode0), NodeMemoryOnly()},
      {"node, no time passed", At(2, kNode0), At(2, kNode0), NodeMemoryOnly()},
      {"node, clock went backwards", At(4, kNode0), At(2, kNode0), NodeMemoryOnly()},
      {"node, idle machine", At(0, kNode0),
       At(1, NodeText(1001, 100, 10, 2001, 200, 1e9, 5e6, 1e7)), NodeWith(0, 0, 0)},
      // iowait 10 → 9.99 is /proc/stat jitter, not a reset; user +1 idle +1 on cpu0 only.
      {"node, iowait went backwards a little", At(0, kNode0),
       At(1, NodeText(1001, 101, 9.99, 2000, 200, 1e9, 5e6, 1e7)), NodeWith(50, 0, 0)},
      // Host rebooted: every counter small again; cpu0 idle 3 user 1, cpu1 idle 4 user 0 plus
      // the constant system/iowait series (which did not go down, so count as +0).
      {"node, counters reset", At(0, kNode0), At(10, NodeText(3, 1, 10, 4, 0, 100, 2e4, 3e4)),
       NodeWith(100.0 * 1 / 8, 2e3, 3e3)},
      {"nginx, two scrapes", At(0, NginxText(7, 5000)), At(2, NginxText(9, 5021)),
       NginxWith(9, 10.5)},
      {"nginx, restarted", At(0, NginxText(7, 5000)), At(2, NginxText(3, 30)), NginxWith(3, 15)},
      {"nginx, first scrape", Scrape{}, At(0, NginxText(7, 5000)), NginxWith(7, std::nullopt)},
      {"unrelated exporter", At(0, "up 1\nprocess_cpu_seconds_total 3\n"),
       At(2, "up 1\nprocess_cpu_seconds_total 4\n"), OriginFigures{}},
  };
  for (const ComputeCase& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectFigures(Compute(c.prev, c.cur), c.want);
  }
}

TEST(OriginMetricsTest, MatchesSeriesRegardlessOfLabelOrderAndIgnoresNewOnes) {
  Scrape prev = At(0,
                   "node_network_receive_bytes_total{device=\"eth0\",x=\"1\"} 100\n"
                   "node_network_transmit_bytes_total{device=\"eth0\"} NaN\n");
  Scrape cur = At(2,
                  "node_network_receive_bytes_total{x=\"1\",device=\"eth0\"} 300\n"
                  "node_network_receive_bytes_total{device=\"eth1\"} 1e9\n"
                  "node_network_transmit_bytes_total{device=\"eth0\"} 50\n");
  OriginFigures f = Compute(prev, cur);
  ExpectNear("rx", f.network_receive_bytes_per_second, 100);
  ExpectNear("tx (NaN before)", f.network_transmit_bytes_per_second, std::nullopt);
}

TEST(OriginMetricsTest, MissingMemAvailableMeansNoMemoryFigures) {
  OriginFigures f = Compute(Scrape{}, At(0, "node_memory_MemTotal_bytes 8e+09\n"));
  EXPECT_FALSE(f.memory_used_bytes.has_value());
  EXPECT_FALSE(f.memory_used_percent.has_value());
}

TEST(OriginMetricsTest, CpuWithoutIdleModeIsAbsent) {
  OriginFigures f = Compute(At(0, "node_cpu_seconds_total{cpu=\"0\"} 1\n"),
                            At(1, "node_cpu_seconds_total{cpu=\"0\"} 2\n"));
  EXPECT_FALSE(f.cpu_utilisation_percent.has_value());
  ExpectNear("cpu count", f.cpu_count, 1);
}

TEST(OriginMetricsTest, MergeTable) {
  OriginFigures host_a = NodeWith(10, 100, 200);  // 2 CPUs, 2 of 8 GB
  OriginFigures host_b = NodeWith(50, 1, 2);
  host_b.cpu_count = 6;
  host_b.memory_used_bytes = 6e9;
  host_b.memory_total_bytes = 8e9;
  host_b.memory_used_percent = 75;
  OriginFigures node_and_nginx = NodeWith(10, 100, 200);
  node_and_nginx.nginx_connections_active = 4;
  node_and_nginx.nginx_requests_per_second = 12.5;
  OriginFigures two_hosts = NodeWith((10 * 2 + 50 * 6) / 8.0, 101, 202);
  two_hosts.cpu_count = 8;
  two_hosts.memory_used_bytes = 8e9;
  two_hosts.memory_total_bytes = 16e9;
  two_hosts.memory_used_percent = 50;
  struct Case {
    const char* name;
    std::vector<OriginFigures> parts;
    OriginFigures want;
  };
  const Case cases[] = {
      {"nothing", {}, OriginFigures{}},
      {"one", {host_a}, host_a},
      {"node + nginx exporter", {host_a, NginxWith(4, 12.5)}, node_and_nginx},
      {"two hosts", {host_a, host_b}, two_hosts},
      {"two nginx", {NginxWith(4, 12.5), NginxWith(1, std::nullopt)}, NginxWith(5, 12.5)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectFigures(Merge(c.parts), c.want);
  }
}

TEST(OriginMetricsTest, KnowsWhichMetricsItReads) {
  EXPECT_TRUE(IsOriginMetric("node_cpu_seconds_total"));
  EXPECT_TRUE(IsOriginMetric("nginx_http_requests_total"));
  EXPECT_FALSE(IsOriginMetric("node_cpu_guest_seconds_total"));
  EXPECT_FALSE(IsOriginMetric("up"));
}

}  // namespace
}  // namespace hs::originmon
