// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/go_flags.h"

#include <algorithm>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace hs::config {

namespace {

bool IsBoolWord(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower == "true" || lower == "false";
}

// After an unknown flag we cannot know whether it wanted a value. Swallowing a following plain
// word avoids a second, misleading "two URLs" error; a URL is never swallowed.
bool LooksLikeValue(std::string_view s) {
  return !s.empty() && s[0] != '-' && s.find("://") == std::string_view::npos;
}

}  // namespace

bool ParsedFlags::Has(std::string_view name) const {
  auto it = flags.find(name);
  return it != flags.end() && !it->second.empty();
}

const FlagValue* ParsedFlags::Last(std::string_view name) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) return nullptr;
  return &it->second.back();
}

bool ParsedFlags::IsSet(std::string_view name) const {
  const FlagValue* v = Last(name);
  return v != nullptr && v->value == "true";
}

std::optional<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    return false;
  }
  return std::nullopt;
}

std::string QuoteForMessage(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '\\' || c == '\'') plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string_view ExtraArgsNote(bool from_extra_args) {
  return from_extra_args ? " (from EXTRA_ARGS)" : "";
}

std::size_t GoFlagParser::Feed(const std::vector<ArgToken>& args, std::size_t from,
                               const std::vector<std::string_view>& subcommands) {
  std::size_t i = from;
  while (i < args.size()) {
    const std::string& s = args[i].text;
    if (s == "--") return i;
    if (s.size() >= 2 && s[0] == '-') {
      i = FeedFlag(args, i);
      continue;
    }
    if (!last_bool_flag_.empty() && IsBoolWord(s)) {
      // Go would silently take "false" as the URL; say what was meant instead.
      AddError(fmt::format("-{0} {1}: a boolean flag takes its value after '=' (write -{0}={1})",
                           last_bool_flag_, s),
               args[i].from_extra_args);
    } else if (positionals_.empty() &&
               std::find(subcommands.begin(), subcommands.end(), s) != subcommands.end()) {
      return i;
    } else {
      positionals_.push_back(args[i]);
    }
    last_bool_flag_.clear();
    ++i;
  }
  return args.size();
}

void GoFlagParser::FeedPositionals(const std::vector<ArgToken>& args, std::size_t from) {
  for (std::size_t i = from; i < args.size(); ++i) positionals_.push_back(args[i]);
  last_bool_flag_.clear();
}

std::size_t GoFlagParser::FeedFlag(const std::vector<ArgToken>& args, std::size_t i) {
  const ArgToken& token = args[i];
  const std::string_view word = token.text;
  last_bool_flag_.clear();
  const std::string_view body = word.substr(word[1] == '-' ? 2 : 1);
  if (body.empty() || body[0] == '-' || body[0] == '=') {
    AddError(fmt::format("{}: bad flag syntax (flags look like -name, -name value or -name=value)",
                         QuoteForMessage(word)),
             token.from_extra_args);
    return i + 1;
  }
  const std::size_t eq = body.find('=');
  const std::string_view name = body.substr(0, eq);
  const bool has_value = eq != std::string_view::npos;
  const FlagSpec* spec = FindFlag(table_, name);
  if (spec == nullptr) {
    const FlagSpec* hint = SuggestFlag(table_, name);
    AddError(fmt::format("{}: unknown flag{}; run with -help to list the flags",
                         QuoteForMessage(fmt::format("-{}", name)),
                         hint ? fmt::format(" (did you mean -{}?)", hint->name) : std::string()),
             token.from_extra_args);
    return !has_value && i + 1 < args.size() && LooksLikeValue(args[i + 1].text) ? i + 2 : i + 1;
  }
  if (spec->kind == FlagKind::kBool) {
    if (!has_value) {
      AddValue(*spec, "true", token.from_extra_args);
      last_bool_flag_ = std::string(spec->name);
      return i + 1;
    }
    const std::string_view value = body.substr(eq + 1);
    if (std::optional<bool> b = ParseGoBool(value)) {
      AddValue(*spec, *b ? "true" : "false", token.from_extra_args);
    } else {
      AddError(fmt::format("{}: not a boolean (write -{} or -{}=false)",
                           QuoteForMessage(fmt::format("-{}={}", spec->name, value)), spec->name,
                           spec->name),
               token.from_extra_args);
    }
    return i + 1;
  }
  if (has_value) {
    AddValue(*spec, std::string(body.substr(eq + 1)), token.from_extra_args);
    return i + 1;
  }
  if (i + 1 >= args.size()) {
    AddError(fmt::format("-{0}: needs a value (e.g. -{0} {1})", spec->name, spec->metavar),
             token.from_extra_args);
    return i + 1;
  }
  // As in Go, the next word is the value whatever it looks like ("-seed -1" is fine).
  AddValue(*spec, args[i + 1].text, token.from_extra_args || args[i + 1].from_extra_args);
  return i + 2;
}

void GoFlagParser::AddValue(const FlagSpec& spec, std::string value, bool from_extra_args) {
  // CLI11 reads "--name=" as "take the next word", so an empty value goes as a separate word.
  if (value.empty()) {
    cli11_args_.push_back(fmt::format("--{}", spec.name));
    cli11_args_.emplace_back();
  } else {
    cli11_args_.push_back(fmt::format("--{}={}", spec.name, value));
  }
  sources_[std::string(spec.name)].push_back(from_extra_args);
}

void GoFlagParser::AddError(std::string message, bool from_extra_args) {
  message += ExtraArgsNote(from_extra_args);
  errors_.push_back(std::move(message));
}

ParsedFlags GoFlagParser::Finish() {
  ParsedFlags out;
  // std::map nodes never move, so the references CLI11 keeps stay valid.
  std::map<std::string, std::vector<std::string>, std::less<>> storage;
  try {
    CLI::App app("hls-swarm");
    app.set_help_flag();  // help is an ordinary flag of our table
    for (const FlagSpec& spec : table_) {
      std::vector<std::string>& slot = storage[std::string(spec.name)];
      app.add_option(fmt::format("--{}", spec.name), slot)->allow_extra_args(false);
    }
    // CLI11 consumes its argument vector from the back.
    std::vector<std::string> reversed(cli11_args_.rbegin(), cli11_args_.rend());
    app.parse(reversed);
  } catch (const CLI::Error& e) {
    // Unreachable with a well-formed normalised vector; report rather than crash.
    errors_.push_back(fmt::format("internal command-line error: {}", e.what()));
  }
  for (const auto& [name, values] : storage) {
    const std::vector<bool>& from_extra = sources_[name];
    for (std::size_t k = 0; k < values.size(); ++k) {
      out.flags[name].push_back({values[k], k < from_extra.size() && from_extra[k]});
    }
  }
  out.positionals = std::move(positionals_);
  out.errors = std::move(errors_);
  return out;
}

}  // namespace hs::config
