// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/cli.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "config/config_builder.h"
#include "config/go_flags.h"
#include "config/help.h"
#include "config/shell_split.h"
#include "config/validate.h"

namespace hs::config {

namespace {

std::vector<ArgToken> ToTokens(const std::vector<std::string>& words, bool from_extra_args) {
  std::vector<ArgToken> out;
  out.reserve(words.size());
  for (const std::string& w : words) out.push_back({w, from_extra_args});
  return out;
}

// Runs a subcommand's flag table over its words; positionals are errors.
ParsedFlags ParseSubcommandFlags(std::string_view name, const std::vector<FlagSpec>& table,
                                 const std::vector<ArgToken>& args) {
  GoFlagParser parser(table);
  const std::size_t stop = parser.Feed(args, 0);
  if (stop < args.size()) parser.FeedPositionals(args, stop + 1);
  ParsedFlags flags = parser.Finish();
  for (std::string& e : flags.errors) e = fmt::format("{} {}", name, e);
  for (const ArgToken& p : flags.positionals) {
    flags.errors.push_back(
        fmt::format("{}: unexpected argument {}; it takes only flags (see "
                    "hls-swarm {} -help)",
                    name, QuoteForMessage(p.text), name));
  }
  return flags;
}

OriginOptions BuildOrigin(const ParsedFlags& f, std::vector<std::string>* errors) {
  OriginOptions o;
  if (const FlagValue* v = f.Last("profile")) {
    const std::vector<std::string>& names = OriginProfileNames();
    if (std::find(names.begin(), names.end(), v->value) == names.end()) {
      errors->push_back(fmt::format(
          "origin -profile {}: unknown origin profile; choose default, low-latency, abr, "
          "stress, tiny, ll-hls or ll-hls-abr",
          QuoteForMessage(v->value)));
    } else {
      o.profile = v->value;
    }
  }
  if (const FlagValue* v = f.Last("port")) {
    const std::optional<long long> port = ParseInteger(v->value);
    if (!port || *port < 1 || *port > 65535) {
      errors->push_back(fmt::format("origin -port {}: must be a number 1..65535 (e.g. -port 8080)",
                                    QuoteForMessage(v->value)));
    } else {
      o.port = static_cast<int>(*port);
    }
  }
  if (const FlagValue* v = f.Last("addr")) {
    const std::string addr = v->value == "localhost" ? "127.0.0.1" : v->value;
    if (!IsIpLiteral(addr)) {
      errors->push_back(fmt::format(
          "origin -addr {}: must be an IP address (e.g. -addr 127.0.0.1, or 0.0.0.0 for all)",
          QuoteForMessage(v->value)));
    } else {
      o.addr = addr;
    }
  }
  o.exporters = f.IsSet("exporters");
  if (const FlagValue* v = f.Last("dir")) {
    if (v->value.empty()) {
      errors->push_back("origin -dir \"\": needs a directory (e.g. -dir /tmp/origin)");
    } else {
      o.dir = v->value;
    }
  }
  return o;
}

TuneOptions BuildTune(const ParsedFlags& f, std::vector<std::string>* errors) {
  TuneOptions t;
  t.apply = f.IsSet("apply");
  if (t.apply && f.IsSet("print")) {
    errors->push_back("tune: -print and -apply exclude each other; choose one");
  }
  return t;
}

// Handles `origin` and `tune`; returns false if the subcommand asked for help.
bool RunSubcommand(std::string_view name, const std::vector<ArgToken>& args, CliOutcome* out) {
  const bool origin = name == "origin";
  ParsedFlags flags = ParseSubcommandFlags(name, origin ? OriginFlags() : TuneFlags(), args);
  if (flags.IsSet("help")) {
    out->help_text = origin ? OriginHelpText() : TuneHelpText();
    return false;
  }
  out->errors.insert(out->errors.end(), flags.errors.begin(), flags.errors.end());
  if (origin) {
    out->action = Action::kOrigin;
    out->origin = BuildOrigin(flags, &out->errors);
  } else {
    out->action = Action::kTune;
    out->tune = BuildTune(flags, &out->errors);
  }
  return true;
}

std::string HelpTopic(const std::vector<ArgToken>& args) {
  const std::string topic = args.empty() ? "" : args[0].text;
  if (topic == "origin") return OriginHelpText();
  if (topic == "tune") return TuneHelpText();
  return MainHelpText();
}

}  // namespace

CliOutcome ParseCommandLine(const std::vector<std::string>& args, const GetEnv& getenv,
                            bool stdout_is_tty) {
  CliOutcome out;
  const std::vector<ArgToken> user = ToTokens(args, false);
  std::vector<ArgToken> extra;
  std::vector<std::string> extra_errors;
  if (std::optional<std::string> e = getenv ? getenv("EXTRA_ARGS") : std::nullopt) {
    if (Result<std::vector<std::string>> words = ShellSplit(*e)) {
      extra = ToTokens(*words, true);
    } else {
      extra_errors.push_back(fmt::format("EXTRA_ARGS={}: {} (quote as in a shell: -header 'A: b')",
                                         QuoteForMessage(*e), words.error().detail));
    }
  }
  // EXTRA_ARGS goes after the user's flags but before "--" or a subcommand, as in the
  // container entrypoint, where it sits between the flags and the URL.
  GoFlagParser parser(MainFlags());
  const std::size_t stop = parser.Feed(user, 0, {"origin", "tune", "help"});
  const std::size_t extra_stop = parser.Feed(extra, 0);
  if (extra_stop < extra.size()) parser.FeedPositionals(extra, extra_stop + 1);
  std::string subcommand;
  std::vector<ArgToken> sub_args;
  if (stop < user.size()) {
    if (user[stop].text == "--") {
      parser.FeedPositionals(user, stop + 1);
    } else {
      subcommand = user[stop].text;
      sub_args.assign(user.begin() + static_cast<std::ptrdiff_t>(stop) + 1, user.end());
    }
  }
  const ParsedFlags flags = parser.Finish();

  if (flags.IsSet("help") || subcommand == "help") {
    out.action = Action::kHelp;
    out.help_text = subcommand == "help" ? HelpTopic(sub_args) : MainHelpText();
    return out;
  }
  out.errors = flags.errors;
  out.errors.insert(out.errors.end(), extra_errors.begin(), extra_errors.end());
  if (!subcommand.empty() && !RunSubcommand(subcommand, sub_args, &out)) {
    out.action = Action::kHelp;
    out.errors.clear();
    return out;
  }
  const bool version = flags.IsSet("version");
  if (version) out.action = Action::kVersion;
  BuildOptions options;
  options.stdout_is_tty = stdout_is_tty;
  options.url_required = out.action == Action::kRun;
  out.config = BuildConfig(flags, getenv, options, &out.errors, &out.warnings);
  out.config.version = version;
  if (!out.errors.empty()) {
    out.action = Action::kUsageError;
    out.help_text = "Run hls-swarm -help for the flags, environment variables and examples.";
  }
  return out;
}

GetEnv ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace hs::config
