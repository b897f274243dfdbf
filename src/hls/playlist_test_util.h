// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Parse helpers shared by the playlist tests.

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "hls/playlist.h"

namespace hs::hls::testing {

/// \a body parsed against \a base; a test failure (and an empty playlist) when it does not parse.
inline Playlist MustParse(std::string_view body, std::string_view base) {
  Result<Playlist> p = ParsePlaylist(body, base);
  EXPECT_TRUE(p) << (p ? "" : p.error().detail);
  return p ? *p : Playlist{};
}

/// The parse error of \a body; a test failure (and "") when it parses.
inline std::string ErrorOf(std::string_view body, std::string_view base) {
  Result<Playlist> p = ParsePlaylist(body, base);
  EXPECT_FALSE(p);
  return p ? "" : p.error().detail;
}

}  // namespace hs::hls::testing
