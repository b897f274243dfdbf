// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/renderer.h"

#include <langinfo.h>
#include <locale.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

// Functions instead of ncurses' pseudo-function macros (erase, refresh, ...), which would
// otherwise clash with C++ names.
#define NCURSES_NOMACROS
#include <ncurses.h>

// ncurses' attribute macros (A_BOLD, COLOR_PAIR) expand to C-style casts.
#pragma GCC diagnostic ignored "-Wold-style-cast"

namespace hs::tui {

namespace {

constexpr short kAlertPair = 1;

SCREEN* AsScreen(void* p) { return static_cast<SCREEN*>(p); }

std::optional<Key> MapKey(int c) {
  switch (c) {
    case 'q':
    case 'Q':
      return Key::kQuit;
    case 'p':
    case 'P':
      return Key::kPause;
    case '+':
    case '=':  // '+' without shift on most layouts
      return Key::kMore;
    case '-':
    case '_':
      return Key::kFewer;
    case '?':
    case 'h':
    case 'H':
      return Key::kHelp;
    case KEY_RESIZE:
      return Key::kResize;
    default:
      return std::nullopt;
  }
}

}  // namespace

Renderer::~Renderer() { Shutdown(); }

bool Renderer::Init() {
  if (active_) return true;
  if (isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0) return false;
  // LC_CTYPE only, for UTF-8 output: LC_NUMERIC would change how printf-style code (and
  // strtod in scrapers) read and write decimals.
  setlocale(LC_CTYPE, "");
  unicode_ = std::strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
  // newterm, not initscr: initscr exits the process when the terminal type is unknown.
  SCREEN* screen = newterm(nullptr, stdout, stdin);
  if (screen == nullptr) return false;
  set_term(screen);
  screen_ = screen;
  cbreak();
  noecho();
  nodelay(stdscr, TRUE);
  keypad(stdscr, TRUE);
  // A lone Esc would otherwise hold the loop for a second waiting for the rest of a sequence.
  set_escdelay(25);
  curs_set(0);  // ERR on terminals without cursor control: nothing to do about it
  if (has_colors()) {
    start_color();
    const auto background = static_cast<short>(use_default_colors() == OK ? -1 : COLOR_BLACK);
    init_pair(kAlertPair, COLOR_RED, background);
    colors_ = true;
  }
  active_ = true;
  return true;
}

void Renderer::Shutdown() {
  if (!active_) return;
  curs_set(1);
  endwin();
  std::fflush(stdout);
  delscreen(AsScreen(screen_));
  screen_ = nullptr;
  active_ = false;
}

int Renderer::input_fd() const { return STDIN_FILENO; }

TermSize Renderer::size() const {
  if (!active_) return {};
  return {getmaxx(stdscr), getmaxy(stdscr)};
}

void Renderer::Draw(const ViewModel& vm) {
  if (!active_) return;
  const TermSize now = size();
  if (vm.width != now.width || vm.height != now.height) return;
  werase(stdscr);
  for (std::size_t i = 0; i < vm.rows.size() && static_cast<int>(i) < now.height; ++i) {
    const Row& row = vm.rows[i];
    if (row.text.empty()) continue;
    attr_t attr = A_NORMAL;
    if (row.style == Style::kTitle) attr = A_BOLD;
    if (row.style == Style::kAlert) attr = A_BOLD | (colors_ ? COLOR_PAIR(kAlertPair) : 0);
    wattrset(stdscr, static_cast<int>(attr));
    // The view model fitted the text to the width, so this never wraps; n is in bytes.
    mvwaddnstr(stdscr, static_cast<int>(i), 0, row.text.c_str(), static_cast<int>(row.text.size()));
  }
  wattrset(stdscr, static_cast<int>(A_BOLD));
  for (std::size_t i = 0; i < vm.help.rows.size(); ++i) {
    const int y = vm.help.top + static_cast<int>(i);
    if (y >= now.height - 1) break;
    const std::string& text = vm.help.rows[i];
    mvwaddnstr(stdscr, y, vm.help.left, text.c_str(), static_cast<int>(text.size()));
  }
  wattrset(stdscr, static_cast<int>(A_NORMAL));
  wrefresh(stdscr);
}

std::optional<Key> Renderer::PollKey() {
  if (!active_) return std::nullopt;
  for (;;) {
    const int c = wgetch(stdscr);
    if (c == ERR) return std::nullopt;
    if (c == 12) {  // Ctrl-L: repaint everything on the next draw
      clearok(curscr, TRUE);
      return Key::kResize;
    }
    if (auto key = MapKey(c)) return key;
  }
}

}  // namespace hs::tui
