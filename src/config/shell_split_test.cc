// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/shell_split.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hs::config {
namespace {

struct SplitCase {
  const char* text;
  std::vector<std::string> want;
};

TEST(ShellSplitTest, SplitsLikeASh) {
  const SplitCase cases[] = {
      {"", {}},
      {"   \t\n ", {}},
      {"a", {"a"}},
      {"  -no-cache   -dangerous\t-resolve 192.168.1.50\n",
       {"-no-cache", "-dangerous", "-resolve", "192.168.1.50"}},
      {"-header 'X-Run: a b'", {"-header", "X-Run: a b"}},
      {"-header \"X-Run: a b\"", {"-header", "X-Run: a b"}},
      {"-header=\"X: 1\"", {"-header=X: 1"}},
      {"a'b c'd", {"ab cd"}},
      {"''", {""}},
      {"\"\"", {""}},
      {"a '' b", {"a", "", "b"}},
      {"'a\"b'", {"a\"b"}},
      {"\"a'b\"", {"a'b"}},
      {"'a\\b'", {"a\\b"}},
      {"\"a\\\"b\"", {"a\"b"}},
      {"\"a\\\\b\"", {"a\\b"}},
      {"\"a\\$b\"", {"a$b"}},
      {"\"a\\`b\"", {"a`b"}},
      {"\"a\\xb\"", {"a\\xb"}},
      {"\"a\\\nb\"", {"ab"}},
      {"a\\ b", {"a b"}},
      {"a\\'b", {"a'b"}},
      {"a\\\\b", {"a\\b"}},
      {"a\\\nb", {"ab"}},
      {"\\\n", {}},
      {"$HOME `id` *.ts ~", {"$HOME", "`id`", "*.ts", "~"}},
      {"\"multi\nline\"", {"multi\nline"}},
      {"x=\"1 2\"'3 4'5", {"x=1 23 45"}},
  };
  for (const SplitCase& c : cases) {
    Result<std::vector<std::string>> got = ShellSplit(c.text);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().detail;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

struct ErrorCase {
  const char* text;
  const char* detail;
};

TEST(ShellSplitTest, ReportsUnterminatedQuotes) {
  const ErrorCase cases[] = {
      {"-header 'X: 1", "unterminated single quote starting at offset 8"},
      {"a \"b", "unterminated double quote starting at offset 2"},
      {"\"a\\\"", "unterminated double quote starting at offset 0"},
      {"ok 'fine' \"no", "unterminated double quote starting at offset 10"},
      {"a\\", "trailing backslash at offset 1 (escape it as \\\\)"},
  };
  for (const ErrorCase& c : cases) {
    Result<std::vector<std::string>> got = ShellSplit(c.text);
    ASSERT_FALSE(got.has_value()) << c.text;
    EXPECT_EQ(got.error().code, ErrorCode::kParse);
    EXPECT_EQ(got.error().detail, c.detail) << c.text;
  }
}

}  // namespace
}  // namespace hs::config
