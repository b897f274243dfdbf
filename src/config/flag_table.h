// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string_view>
#include <vector>

namespace hs::config {

/// How a flag takes its value, in Go `flag` terms.
enum class FlagKind {
  kBool,   ///< -x sets true, -x=false clears; never consumes the next argument
  kValue,  ///< -x v or -x=v; the last occurrence wins
  kList,   ///< like kValue, but every occurrence is kept (-header)
};

/// Help section a flag is listed under.
enum class Topic { kLoadShape, kStream, kNetwork, kOutput, kModes };

/// One command-line flag. The tables below are the single source for the Go-syntax normaliser,
/// the CLI11 option set and the help text.
struct FlagSpec {
  std::string_view name;   ///< canonical name without dashes ("ramp-rate")
  std::string_view alias;  ///< other accepted name ("h" for help) or ""
  FlagKind kind = FlagKind::kValue;
  Topic topic = Topic::kModes;
  std::string_view metavar;       ///< value placeholder in help ("N", "DURATION"); "" for bools
  std::string_view default_text;  ///< default as shown in help; "" = none
  std::string_view help;          ///< one or two sentences
};

/// Flags of the load run (`hls-swarm [flags] URL`), SPEC §1 plus -metrics, -json,
/// -test-origin-profile, -shard, -seed, -help and -version. Static storage; any thread.
const std::vector<FlagSpec>& MainFlags();
/// Flags of `hls-swarm origin`.
const std::vector<FlagSpec>& OriginFlags();
/// Flags of `hls-swarm tune`.
const std::vector<FlagSpec>& TuneFlags();

/// Finds \a name (canonical or alias) in \a table; nullptr if absent. The pointer refers to the
/// table's static storage.
const FlagSpec* FindFlag(const std::vector<FlagSpec>& table, std::string_view name);

/// The canonical flag in \a table closest to the unknown \a name (edit distance ≤ 2, or a
/// prefix match), for "did you mean" hints; nullptr if nothing is close.
const FlagSpec* SuggestFlag(const std::vector<FlagSpec>& table, std::string_view name);

}  // namespace hs::config
