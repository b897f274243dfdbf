// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/dashboard.h"

#include <sys/epoll.h>

namespace hs::tui {

namespace {
constexpr std::chrono::seconds kNoticeFor{3};
}  // namespace

Dashboard::Dashboard(EventLoop& loop, SnapshotFn snapshot, Controls& controls,
                     DashboardOptions options)
    : loop_(loop),
      snapshot_(std::move(snapshot)),
      controls_(controls),
      options_(std::move(options)) {}

Dashboard::~Dashboard() { Stop(); }

bool Dashboard::Start() {
  if (renderer_.active()) return true;
  if (!renderer_.Init()) return false;
  // A refused watch is survivable: the timer drains the keys every redraw anyway.
  stdin_watch_ =
      loop_.Watch(renderer_.input_fd(), EPOLLIN, [this](std::uint32_t events) { OnInput(events); });
  timer_ = loop_.CreateTimer([this] { OnTimer(); });
  Redraw();
  timer_->Arm(options_.redraw_interval);
  return true;
}

void Dashboard::Stop() {
  timer_.reset();
  stdin_watch_.reset();
  renderer_.Shutdown();
}

void Dashboard::Redraw() {
  if (!renderer_.active()) return;
  stats::Snapshot s = snapshot_();
  history_.Add(s, loop_.clock().Now());
  Render(s);
}

void Dashboard::Render(const stats::Snapshot& s) {
  if (!renderer_.active()) return;
  const TermSize size = renderer_.size();
  ViewContext ctx;
  ctx.stream_url = s.stream_url;
  ctx.profile = s.profile;
  ctx.elapsed_s = s.elapsed_s;
  ctx.planned_duration_s = s.planned_duration_s;
  ctx.ramp_paused = paused_;
  ctx.log_path = options_.log_path;
  ctx.width = size.width;
  ctx.height = size.height;
  ctx.unicode = renderer_.unicode();
  ctx.show_help = show_help_;
  if (loop_.clock().Now() < notice_until_) ctx.notice = notice_;
  renderer_.Draw(BuildViewModel(s, history_, ctx));
}

void Dashboard::OnInput(std::uint32_t events) {
  if ((events & (EPOLLHUP | EPOLLERR)) != 0) {
    // The terminal is gone. HUP is level-triggered whatever the mask, so the watch must go,
    // but not from inside its own callback: post it, guarded in case we are gone by then.
    std::weak_ptr<int> alive = alive_;
    loop_.Post([this, alive] {
      if (alive.lock()) stdin_watch_.reset();
    });
    if (!quitting_) HandleKey(Key::kQuit);
    return;
  }
  DrainKeys();
}

void Dashboard::OnTimer() {
  DrainKeys();
  // A Controls implementation may have stopped us from a key's callback.
  if (!renderer_.active()) return;
  Redraw();
  if (timer_ != nullptr) timer_->Arm(options_.redraw_interval);
}

void Dashboard::DrainKeys() {
  while (renderer_.active()) {
    std::optional<Key> key = renderer_.PollKey();
    if (!key) return;
    HandleKey(*key);
  }
}

void Dashboard::HandleKey(Key key) {
  switch (key) {
    case Key::kQuit:
      quitting_ = true;
      notice_ = "stopping: waiting for the viewers to exit";
      notice_until_ = SteadyTime::max();
      controls_.Quit();
      break;
    case Key::kPause:
      paused_ = !paused_;
      controls_.TogglePause();
      SetNotice(paused_ ? "ramp paused (p resumes)" : "ramp resumed");
      break;
    case Key::kMore:
      controls_.ChangeViewers(+0.1);
      SetNotice("target +10 %");
      break;
    case Key::kFewer:
      controls_.ChangeViewers(-0.1);
      SetNotice("target -10 %");
      break;
    case Key::kHelp:
      show_help_ = !show_help_;
      break;
    case Key::kResize:
      break;
  }
  // Immediate feedback, without adding an off-beat sample to the rate window.
  if (renderer_.active()) Render(snapshot_());
}

void Dashboard::SetNotice(std::string text) {
  if (quitting_) return;  // "stopping" stays until the end
  notice_ = std::move(text);
  notice_until_ = loop_.clock().Now() + kNoticeFor;
}

}  // namespace hs::tui
