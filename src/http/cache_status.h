// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// What a CDN or caching proxy says about a response, normalised to hit / miss / other / none.

#include <string_view>

#include "http/parse.h"
#include "measure/request.h"

namespace hs::http {

using measure::CacheStatus;

/// The cache status of one value of CF-Cache-Status, X-Cache-Status (nginx
/// $upstream_cache_status), X-Proxy-Cache or X-Cache (Varnish, Squid "TCP_HIT", CloudFront
/// "Hit from cloudfront", Fastly "MISS, HIT" per tier), case-insensitive: a value naming a hit
/// (HIT, STALE, UPDATING, REVALIDATED; any tier's HIT) is kHit; one naming a miss (MISS, EXPIRED,
/// BYPASS) is kMiss; anything else (DYNAMIC, Error from cloudfront, ...) kOther.
CacheStatus CacheStatusOfValue(std::string_view value);

/// A response's cache status: from the first present of CF-Cache-Status, X-Cache-Status,
/// X-Cache, X-Proxy-Cache; else from Age (> 0: kHit, it was served from a cache; 0: kMiss;
/// unparsable: kOther); kNone when the response carries none of them.
CacheStatus CacheStatusOf(const ResponseHead& head);

}  // namespace hs::http
