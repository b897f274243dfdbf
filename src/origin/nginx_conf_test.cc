// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/nginx_conf.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::origin {
namespace {

struct NginxConfTest : testing::Test {
  NginxConfTest() {
    opts_.prefix_dir = "/run/o";
    opts_.root_dir = "/run/o/hls";
    opts_.listen_addr = "127.0.0.1";
    opts_.port = 18080;
    opts_.segment_seconds = 2;
  }
  bool Has(std::string_view needle) const {
    return RenderNginxConf(opts_).find(needle) != std::string::npos;
  }
  NginxOptions opts_;
};

TEST_F(NginxConfTest, RunsInTheForegroundWithEverythingInsideThePrefix) {
  EXPECT_TRUE(Has("daemon off;\n"));
  EXPECT_TRUE(Has("pid \"/run/o/nginx.pid\";"));
  EXPECT_TRUE(Has("lock_file \"/run/o/nginx.lock\";"));
  EXPECT_TRUE(Has("error_log \"/run/o/error.log\" warn;"));
  for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    EXPECT_TRUE(Has(fmt::format("{}_temp_path \"/run/o/tmp/{}\";", kind, kind))) << kind;
  }
  const std::string conf = RenderNginxConf(opts_);
  EXPECT_EQ(conf.find("/var/"), std::string::npos);
  EXPECT_EQ(conf.find("/etc/"), std::string::npos);
  EXPECT_EQ(conf.find("include"), std::string::npos) << "mime types are inline";
  EXPECT_EQ(std::count(conf.begin(), conf.end(), '{'), std::count(conf.begin(), conf.end(), '}'));
}

TEST_F(NginxConfTest, ServesTheStreamWithTheRightTypesAndConnectionSettings) {
  EXPECT_TRUE(Has("listen 127.0.0.1:18080 backlog=4096;"));
  EXPECT_TRUE(Has("root \"/run/o/hls\";"));
  EXPECT_TRUE(Has("application/vnd.apple.mpegurl m3u8;"));
  EXPECT_TRUE(Has("video/mp2t ts;"));
  EXPECT_TRUE(Has("keepalive_requests 100000;"));
  EXPECT_TRUE(Has("sendfile on;"));
  EXPECT_TRUE(Has("tcp_nopush on;"));
  EXPECT_TRUE(Has("open_file_cache off;"));
  EXPECT_TRUE(Has("worker_processes auto;"));
  opts_.worker_processes = 3;
  EXPECT_TRUE(Has("worker_processes 3;"));
}

TEST_F(NginxConfTest, HealthStatusAndAccessLog) {
  EXPECT_TRUE(
      Has("location = /health {\n      access_log off;\n      default_type text/plain;\n"
          "      return 200 \"ok\";"));
  EXPECT_TRUE(Has("location = /nginx_status {\n      access_log off;\n      stub_status;"));
  EXPECT_TRUE(
      Has("log_format hlsswarm '$msec $status $body_bytes_sent $request_time "
          "\"$http_user_agent\" $request_uri $connection $connection_requests "
          "$bytes_sent';"));
  EXPECT_TRUE(Has("access_log \"/run/o/access.log\" hlsswarm;\n"));
  EXPECT_FALSE(Has("buffer=")) << "tests read the access log live";
  EXPECT_FALSE(Has("flush="));
}

TEST_F(NginxConfTest, CacheHeadersPerFileKind) {
  EXPECT_TRUE(Has("location = /master.m3u8 {\n      add_header Cache-Control \"max-age=5\";"));
  EXPECT_TRUE(
      Has("location ~ \\.m3u8$ {\n      add_header Cache-Control "
          "\"max-age=1, stale-while-revalidate=2\";"));
  EXPECT_TRUE(
      Has("location ~ \\.ts$ {\n      add_header Cache-Control "
          "\"public, max-age=60, immutable\";"));
  EXPECT_FALSE(Has(" always;")) << "error responses must not be cached as immutable";
  opts_.segment_seconds = 6;
  EXPECT_TRUE(Has("\"max-age=3, stale-while-revalidate=6\""));
}

TEST_F(NginxConfTest, PlaylistLifetimeIsHalfASegmentRoundedDown) {
  EXPECT_EQ(PlaylistCacheControl(1), "max-age=0, stale-while-revalidate=1");
  EXPECT_EQ(PlaylistCacheControl(2), "max-age=1, stale-while-revalidate=2");
  EXPECT_EQ(PlaylistCacheControl(4), "max-age=2, stale-while-revalidate=4");
}

TEST_F(NginxConfTest, WorkersRunAsRootOnlyWhenAsked) {
  EXPECT_FALSE(Has("user "));
  opts_.workers_as_root = true;
  EXPECT_TRUE(Has("\nuser root root;\n"));
}

TEST_F(NginxConfTest, Ipv6ListenIsBracketed) {
  opts_.listen_addr = "::1";
  EXPECT_TRUE(Has("listen [::1]:18080 backlog=4096;"));
  EXPECT_EQ(FormatHostPort("10.0.0.1", 80), "10.0.0.1:80");
  EXPECT_EQ(FormatHostPort("::", 80), "[::]:80");
}

TEST_F(NginxConfTest, ArgvUsesThePrefixWithATrailingSlash) {
  EXPECT_EQ(NginxArgv("/usr/sbin/nginx", opts_),
            (std::vector<std::string>{"/usr/sbin/nginx", "-p", "/run/o/", "-c", "/run/o/nginx.conf",
                                      "-e", "/run/o/error.log"}));
  EXPECT_EQ(NginxAccessLogPath("/x"), "/x/access.log");
  EXPECT_EQ(NginxPidPath("/x"), "/x/nginx.pid");
  EXPECT_EQ(NginxTempDir("/x"), "/x/tmp");
}

}  // namespace
}  // namespace hs::origin
