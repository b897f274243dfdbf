// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/shell_split.h"

#include <fmt/format.h>

namespace hs::config {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Inside double quotes a backslash is only special before these (POSIX 2.2.3).
bool EscapableInDoubleQuotes(char c) {
  return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

// Tokeniser state; one instance per ShellSplit call.
class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  Result<std::vector<std::string>> Run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (IsBlank(c)) {
        EndWord();
        ++pos_;
      } else if (c == '\'') {
        if (!SingleQuoted()) return Fail(ErrorCode::kParse, Unterminated("single quote"));
      } else if (c == '"') {
        if (!DoubleQuoted()) return Fail(ErrorCode::kParse, Unterminated("double quote"));
      } else if (c == '\\') {
        if (pos_ + 1 >= text_.size()) {
          return Fail(ErrorCode::kParse,
                      fmt::format("trailing backslash at offset {} (escape it as \\\\)", pos_));
        }
        if (text_[pos_ + 1] != '\n') Append(text_[pos_ + 1]);
        pos_ += 2;
      } else {
        Append(c);
        ++pos_;
      }
    }
    EndWord();
    return std::move(words_);
  }

 private:
  std::string Unterminated(std::string_view what) const {
    return fmt::format("unterminated {} starting at offset {}", what, start_);
  }

  void Append(char c) {
    word_ += c;
    in_word_ = true;
  }

  void EndWord() {
    if (in_word_) words_.push_back(std::move(word_));
    word_.clear();
    in_word_ = false;
  }

  bool SingleQuoted() {
    start_ = pos_;
    in_word_ = true;
    const std::size_t close = text_.find('\'', pos_ + 1);
    if (close == std::string_view::npos) return false;
    word_.append(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return true;
  }

  bool DoubleQuoted() {
    start_ = pos_;
    in_word_ = true;
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\' && pos_ + 1 < text_.size() && EscapableInDoubleQuotes(text_[pos_ + 1])) {
        ++pos_;
        if (text_[pos_] != '\n') word_ += text_[pos_];
        continue;
      }
      word_ += c;
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;  // offset of the quote being read, for error messages
  std::string word_;
  bool in_word_ = false;  // distinguishes an empty quoted word from no word
  std::vector<std::string> words_;
};

}  // namespace

Result<std::vector<std::string>> ShellSplit(std::string_view text) { return Splitter(text).Run(); }

}  // namespace hs::config
