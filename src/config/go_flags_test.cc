// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/go_flags.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hs::config {
namespace {

std::vector<ArgToken> Tokens(const std::vector<std::string>& words) {
  std::vector<ArgToken> out;
  out.reserve(words.size());
  for (const std::string& w : words) out.push_back({w, false});
  return out;
}

std::vector<std::string> Texts(const std::vector<ArgToken>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const ArgToken& t : tokens) out.push_back(t.text);
  return out;
}

ParsedFlags ParseAll(const std::vector<std::string>& words) {
  GoFlagParser parser(MainFlags());
  const std::vector<ArgToken> args = Tokens(words);
  const std::size_t stop = parser.Feed(args, 0);
  if (stop < args.size()) parser.FeedPositionals(args, stop + 1);
  return parser.Finish();
}

TEST(ParseGoBoolTest, GoStrconvTable) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(ParseGoBool(t), true);
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(ParseGoBool(f), false);
  }
  for (const char* bad : {"", "yes", "no", "tRUE", "2", "on"}) EXPECT_FALSE(ParseGoBool(bad));
}

TEST(GoFlagParserTest, AllFourSpellingsAreOneFlag) {
  for (const std::vector<std::string>& words : std::vector<std::vector<std::string>>{
           {"-clients", "7"}, {"-clients=7"}, {"--clients", "7"}, {"--clients=7"}}) {
    ParsedFlags f = ParseAll(words);
    EXPECT_TRUE(f.errors.empty());
    ASSERT_NE(f.Last("clients"), nullptr);
    EXPECT_EQ(f.Last("clients")->value, "7");
  }
}

TEST(GoFlagParserTest, ValuesMayLookLikeFlagsOrBeEmpty) {
  ParsedFlags f = ParseAll({"-user-agent", "-odd-", "-seed", "-1", "-header=", "-ffmpeg", ""});
  EXPECT_TRUE(f.errors.empty());
  EXPECT_EQ(f.Last("user-agent")->value, "-odd-");
  EXPECT_EQ(f.Last("seed")->value, "-1");
  EXPECT_EQ(f.Last("header")->value, "");
  EXPECT_EQ(f.Last("ffmpeg")->value, "");
  EXPECT_TRUE(f.positionals.empty());
}

TEST(GoFlagParserTest, BoolsNeverTakeTheNextWord) {
  ParsedFlags f = ParseAll({"-no-cache", "http://a/x", "-reconnect=false", "-tui=1", "-tap=F"});
  EXPECT_TRUE(f.errors.empty());
  EXPECT_TRUE(f.IsSet("no-cache"));
  EXPECT_FALSE(f.IsSet("reconnect"));
  EXPECT_TRUE(f.Has("reconnect"));
  EXPECT_TRUE(f.IsSet("tui"));
  EXPECT_FALSE(f.IsSet("tap"));
  EXPECT_EQ(Texts(f.positionals), std::vector<std::string>{"http://a/x"});
}

TEST(GoFlagParserTest, RepeatedFlagsKeepEveryOccurrenceInOrder) {
  ParsedFlags f = ParseAll({"-header", "A: 1", "-clients", "3", "--header=B: 2", "-clients=4"});
  ASSERT_EQ(f.flags["header"].size(), 2u);
  EXPECT_EQ(f.flags["header"][0].value, "A: 1");
  EXPECT_EQ(f.flags["header"][1].value, "B: 2");
  EXPECT_EQ(f.Last("clients")->value, "4");
}

TEST(GoFlagParserTest, DoubleDashEndsFlags) {
  ParsedFlags f = ParseAll({"-clients", "2", "--", "-clients", "--x", "-"});
  EXPECT_TRUE(f.errors.empty());
  EXPECT_EQ(f.Last("clients")->value, "2");
  EXPECT_EQ(Texts(f.positionals), (std::vector<std::string>{"-clients", "--x", "-"}));
}

TEST(GoFlagParserTest, StopsAtASubcommandOnlyBeforeAnyPositional) {
  GoFlagParser parser(MainFlags());
  const std::vector<ArgToken> args = Tokens({"-log-level", "debug", "origin", "-port", "1"});
  EXPECT_EQ(parser.Feed(args, 0, {"origin", "tune"}), 2u);
  GoFlagParser second(MainFlags());
  const std::vector<ArgToken> late = Tokens({"http://a/x", "origin"});
  EXPECT_EQ(second.Feed(late, 0, {"origin"}), 2u);
  EXPECT_EQ(second.Finish().positionals.size(), 2u);
}

TEST(GoFlagParserTest, SyntaxErrorsAreCollected) {
  ParsedFlags f = ParseAll({"-clinets", "20", "---x", "-=1", "-tui=maybe", "-reconnect", "false",
                            "--bogus=1", "-h", "-clients"});
  ASSERT_EQ(f.errors.size(), 7u);
  EXPECT_EQ(f.errors[0],
            "-clinets: unknown flag (did you mean -clients?); run with -help to "
            "list the flags");
  EXPECT_EQ(f.errors[1],
            "---x: bad flag syntax (flags look like -name, -name value or "
            "-name=value)");
  EXPECT_EQ(f.errors[2],
            "-=1: bad flag syntax (flags look like -name, -name value or "
            "-name=value)");
  EXPECT_EQ(f.errors[3], "-tui=maybe: not a boolean (write -tui or -tui=false)");
  EXPECT_EQ(f.errors[4],
            "-reconnect false: a boolean flag takes its value after '=' (write "
            "-reconnect=false)");
  EXPECT_EQ(f.errors[5], "-bogus: unknown flag; run with -help to list the flags");
  EXPECT_EQ(f.errors[6], "-clients: needs a value (e.g. -clients N)");
  EXPECT_TRUE(f.IsSet("help"));
  EXPECT_TRUE(f.positionals.empty());  // "20" went with the unknown flag
}

TEST(GoFlagParserTest, MessagesStayOnOneLine) {
  ParsedFlags f = ParseAll({"-fo\no", "-tui=a\r\nb", "--\n"});
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[0], "\"-fo\\no\": unknown flag; run with -help to list the flags");
  EXPECT_EQ(f.errors[1], "\"-tui=a\\r\\nb\": not a boolean (write -tui or -tui=false)");
  EXPECT_EQ(f.errors[2], "\"-\\n\": unknown flag; run with -help to list the flags");
  EXPECT_EQ(QuoteForMessage(""), "\"\"");
  EXPECT_EQ(QuoteForMessage("plain-word"), "plain-word");
  EXPECT_EQ(QuoteForMessage("a \"b\"\t\x01"), "\"a \\\"b\\\"\\t\\x01\"");
}

TEST(GoFlagParserTest, MissingValueAtTheEnd) {
  ParsedFlags f = ParseAll({"http://a/x", "-clients"});
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0], "-clients: needs a value (e.g. -clients N)");
}

TEST(GoFlagParserTest, UnknownFlagNeverSwallowsAUrl) {
  ParsedFlags f = ParseAll({"-verbose", "http://a/x"});
  EXPECT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(Texts(f.positionals), std::vector<std::string>{"http://a/x"});
}

TEST(GoFlagParserTest, RemembersExtraArgsOrigin) {
  GoFlagParser parser(MainFlags());
  const std::vector<ArgToken> user = Tokens({"-clients", "1"});
  const std::vector<ArgToken> extra = {{"-clients", true}, {"2", true}, {"-nope", true}};
  parser.Feed(user, 0);
  parser.Feed(extra, 0);
  ParsedFlags f = parser.Finish();
  ASSERT_EQ(f.flags["clients"].size(), 2u);
  EXPECT_FALSE(f.flags["clients"][0].from_extra_args);
  EXPECT_TRUE(f.flags["clients"][1].from_extra_args);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_NE(f.errors[0].find("(from EXTRA_ARGS)"), std::string::npos);
}

TEST(FlagTableTest, NamesAreUniqueAndDocumented) {
  for (const std::vector<FlagSpec>* table : {&MainFlags(), &OriginFlags(), &TuneFlags()}) {
    for (std::size_t i = 0; i < table->size(); ++i) {
      const FlagSpec& f = (*table)[i];
      EXPECT_FALSE(f.help.empty()) << f.name;
      EXPECT_EQ(f.kind == FlagKind::kBool, f.metavar.empty()) << f.name;
      for (std::size_t j = i + 1; j < table->size(); ++j) EXPECT_NE(f.name, (*table)[j].name);
    }
  }
  EXPECT_EQ(FindFlag(MainFlags(), "h"), FindFlag(MainFlags(), "help"));
  EXPECT_EQ(SuggestFlag(MainFlags(), "ramprate")->name, "ramp-rate");
  EXPECT_EQ(SuggestFlag(MainFlags(), "xyzzy"), nullptr);
}

}  // namespace
}  // namespace hs::config
