// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/flag_table.h"

namespace hs::config {

/// One command-line word and where it came from (the EXTRA_ARGS environment variable or not).
struct ArgToken {
  std::string text;
  bool from_extra_args = false;
};

/// One occurrence of a flag after parsing. Bool values are canonical: "true" or "false".
struct FlagValue {
  std::string value;
  bool from_extra_args = false;
};

/// The result of parsing one flag table: flags by canonical name, positionals, syntax errors.
struct ParsedFlags {
  std::map<std::string, std::vector<FlagValue>, std::less<>> flags;  ///< occurrences in order
  std::vector<ArgToken> positionals;                                 ///< non-flag words, in order
  std::vector<std::string> errors;  ///< one line each: unknown flag, missing value, bad bool

  /// True if the flag occurred at least once.
  bool Has(std::string_view name) const;
  /// The last occurrence (Go semantics: the last one wins), or nullptr.
  const FlagValue* Last(std::string_view name) const;
  /// True if the bool flag's last occurrence is "true".
  bool IsSet(std::string_view name) const;
};

/// Parses Go `flag` syntax against a FlagSpec table: -name v, -name=v, --name v and --name=v are
/// the same; a kBool flag never takes the next word (-x=false clears it); flags and positionals
/// may be interleaved; "--" makes every later word positional. The normaliser here rewrites each
/// flag into CLI11's --name=value form and CLI11 does the option bookkeeping; positionals never
/// reach CLI11. Errors are collected, never thrown. Single-use; not thread-safe.
class GoFlagParser {
 public:
  /// \a table must outlive the parser (the tables in flag_table.h are static).
  explicit GoFlagParser(const std::vector<FlagSpec>& table) : table_(table) {}

  /// Consumes \a args from index \a from. Stops before a "--" (returns its index; the caller
  /// continues with FeedPositionals(args, index + 1)), or, if \a subcommands is non-empty and
  /// no positional has been seen yet, before a positional equal to one of them (returns its
  /// index). Returns args.size() when everything was consumed.
  std::size_t Feed(const std::vector<ArgToken>& args, std::size_t from,
                   const std::vector<std::string_view>& subcommands = {});

  /// Appends args[from..] as positionals, whatever they look like.
  void FeedPositionals(const std::vector<ArgToken>& args, std::size_t from);

  /// Runs CLI11 over the normalised flags and returns the result. Call once.
  ParsedFlags Finish();

 private:
  // Handles the flag word args[i]; returns the index of the next unconsumed word.
  std::size_t FeedFlag(const std::vector<ArgToken>& args, std::size_t i);
  void AddValue(const FlagSpec& spec, std::string value, bool from_extra_args);
  void AddError(std::string message, bool from_extra_args);

  const std::vector<FlagSpec>& table_;
  std::vector<std::string> cli11_args_;                            // "--name=value", in order
  std::map<std::string, std::vector<bool>, std::less<>> sources_;  // from_extra_args per value
  std::vector<ArgToken> positionals_;
  std::vector<std::string> errors_;
  std::string last_bool_flag_;  // set when the previous word was a bare bool flag
};

/// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> ParseGoBool(std::string_view s);

/// Renders \a value for a one-line message: bare if it is a plain word, else double-quoted with
/// control characters escaped (\r, \n, \t, \xNN).
std::string QuoteForMessage(std::string_view value);

/// " (from EXTRA_ARGS)" when \a from_extra_args, else "".
std::string_view ExtraArgsNote(bool from_extra_args);

}  // namespace hs::config
