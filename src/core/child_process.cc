// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/io.h"

namespace hs {

ExitStatus ClassifyWaitStatus(int wait_status, bool stop_requested) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) {
    s.code = WEXITSTATUS(wait_status);
    s.kind = s.code == 0 ? ExitKind::kClean : ExitKind::kExitCode;
  } else if (WIFSIGNALED(wait_status)) {
    s.signal = WTERMSIG(wait_status);
    s.kind = ExitKind::kSignaled;
  }
  if (stop_requested) s.kind = ExitKind::kInterrupted;
  return s;
}

const char* ToString(ExitKind kind) {
  switch (kind) {
    case ExitKind::kClean:
      return "clean";
    case ExitKind::kExitCode:
      return "exit_code";
    case ExitKind::kSignaled:
      return "signaled";
    case ExitKind::kInterrupted:
      return "stopped";
  }
  return "unknown";
}

namespace {

// Runs in the forked child: only async-signal-safe calls until exec. We use fork rather than
// posix_spawnp because the child must set PR_SET_PDEATHSIG itself (no spawn attribute for it):
// that is what guarantees no FFmpeg outlives a SIGKILLed hls-swarm.
[[noreturn]] void ExecChild(const SpawnOptions& opts, char* const* argv, pid_t parent, int err_fd,
                            int stderr_w, int progress_w, int devnull) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, opts.death_signal);
  if (::getppid() != parent) _exit(127);  // parent died before prctl took effect
  ::dup2(devnull, STDIN_FILENO);
  int out = opts.stdout_to_stderr && stderr_w >= 0 ? stderr_w : devnull;
  ::dup2(out, STDOUT_FILENO);
  ::dup2(stderr_w >= 0 ? stderr_w : devnull, STDERR_FILENO);
  if (progress_w >= 0) {
    ::dup2(progress_w, 3);  // dup2 clears FD_CLOEXEC on the new fd
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  if (opts.child_mask != nullptr) ::sigprocmask(SIG_SETMASK, opts.child_mask, nullptr);
  if (!opts.working_dir.empty() && ::chdir(opts.working_dir.c_str()) != 0) {
    int e = errno;
    (void)!::write(err_fd, &e, sizeof(e));
    _exit(127);
  }
  ::execvp(argv[0], argv);
  int e = errno;
  (void)!::write(err_fd, &e, sizeof(e));
  _exit(127);
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const SpawnOptions& opts) {
  if (opts.argv.empty()) return Fail(ErrorCode::kUsage, "empty argv");
  std::vector<char*> argv;
  argv.reserve(opts.argv.size() + 1);
  for (const auto& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  auto exec_pipe = MakePipe();
  if (!exec_pipe) return tl::unexpected(exec_pipe.error());
  Pipe err_pipe, prog_pipe;
  if (opts.capture_stderr) {
    auto p = MakePipe();
    if (!p) return tl::unexpected(p.error());
    err_pipe = std::move(*p);
    // The child's end is non-blocking: a log flood we cannot drain fast enough makes FFmpeg
    // drop log lines instead of stalling its download.
    SetNonBlocking(err_pipe.write_end.Get());
  }
  if (opts.progress_pipe) {
    auto p = MakePipe();
    if (!p) return tl::unexpected(p.error());
    prog_pipe = std::move(*p);
    SetNonBlocking(prog_pipe.write_end.Get());
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kIo, fmt::format("fork: {}", ::strerror(errno)));
  if (pid == 0) {
    ExecChild(opts, argv.data(), parent, exec_pipe->write_end.Get(),
              err_pipe.write_end.Valid() ? err_pipe.write_end.Get() : -1,
              prog_pipe.write_end.Valid() ? prog_pipe.write_end.Get() : -1, devnull.Get());
  }
  // Also set the group from the parent side so a signal sent right away reaches it.
  ::setpgid(pid, pid);
  exec_pipe->write_end.Reset();
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_pipe->read_end.Get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof(child_errno))) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    child->reaped_ = true;
    return Fail(child_errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                fmt::format("cannot run '{}': {}", opts.argv[0], ::strerror(child_errno)));
  }
  if (opts.capture_stderr) {
    child->stderr_ = std::move(err_pipe.read_end);
    SetNonBlocking(child->stderr_.Get());
  }
  if (opts.progress_pipe) {
    child->progress_ = std::move(prog_pipe.read_end);
    SetNonBlocking(child->progress_.Get());
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::Signal(int sig, bool is_stop) {
  if (reaped_ || pid_ <= 0) return;
  if (is_stop) stop_requested_ = true;
  if (::kill(-pid_, sig) != 0) ::kill(pid_, sig);
}

bool ChildProcess::TryReap(ExitStatus* out) {
  if (reaped_) return true;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  if (r < 0) st = 0;  // ECHILD: reaped elsewhere; report as a clean exit
  MarkReaped(st, out);
  return true;
}

void ChildProcess::MarkReaped(int wait_status, ExitStatus* out) {
  reaped_ = true;
  if (out != nullptr) *out = ClassifyWaitStatus(wait_status, stop_requested_);
}

}  // namespace hs
