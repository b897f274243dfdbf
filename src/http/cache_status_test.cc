// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/cache_status.h"

#include <gtest/gtest.h>

namespace hs::http {
namespace {

ResponseHead Head(std::vector<HttpHeader> headers) {
  ResponseHead h;
  h.status = 200;
  h.headers = std::move(headers);
  return h;
}

TEST(CacheStatusTest, ValuesOfTheCommonCdnsAndProxies) {
  EXPECT_STREQ(measure::ToString(CacheStatus::kHit), "hit");
  for (const char* hit :
       {"HIT", "hit", "TCP_HIT", "TCP_MEM_HIT", "Hit from cloudfront", "RefreshHit from cloudfront",
        "MISS, HIT", "STALE", "UPDATING", "REVALIDATED"}) {
    EXPECT_EQ(CacheStatusOfValue(hit), CacheStatus::kHit) << hit;
  }
  for (const char* miss :
       {"MISS", "Miss from cloudfront", "TCP_MISS", "MISS, MISS", "EXPIRED", "BYPASS"}) {
    EXPECT_EQ(CacheStatusOfValue(miss), CacheStatus::kMiss) << miss;
  }
  for (const char* other : {"DYNAMIC", "Error from cloudfront", "", "NONE"}) {
    EXPECT_EQ(CacheStatusOfValue(other), CacheStatus::kOther) << other;
  }
}

TEST(CacheStatusTest, HeadersInOrderOfPrecedenceThenAge) {
  EXPECT_EQ(CacheStatusOf(Head({})), CacheStatus::kNone);
  EXPECT_EQ(CacheStatusOf(Head({{"Content-Type", "video/mp2t"}})), CacheStatus::kNone);
  EXPECT_EQ(CacheStatusOf(Head({{"X-Cache", "HIT"}})), CacheStatus::kHit);
  EXPECT_EQ(CacheStatusOf(Head({{"x-cache-status", "MISS"}})), CacheStatus::kMiss);
  EXPECT_EQ(CacheStatusOf(Head({{"X-Proxy-Cache", "HIT"}})), CacheStatus::kHit);
  // CF-Cache-Status wins over a Worker's X-Cache, and any status header over Age.
  EXPECT_EQ(CacheStatusOf(Head({{"X-Cache", "HIT"}, {"CF-Cache-Status", "DYNAMIC"}})),
            CacheStatus::kOther);
  EXPECT_EQ(CacheStatusOf(Head({{"Age", "120"}, {"X-Cache", "MISS"}})), CacheStatus::kMiss);
  EXPECT_EQ(CacheStatusOf(Head({{"Age", "120"}})), CacheStatus::kHit);
  EXPECT_EQ(CacheStatusOf(Head({{"Age", "0"}})), CacheStatus::kMiss);
  EXPECT_EQ(CacheStatusOf(Head({{"Age", "soon"}})), CacheStatus::kOther);
}

}  // namespace
}  // namespace hs::http
