// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"

namespace hs {

/// How a child ended, classified in one place (ClassifyWaitStatus).
enum class ExitKind {
  kClean,        ///< exit code 0
  kExitCode,     ///< exit code != 0
  kSignaled,     ///< killed by a signal we did not send
  kInterrupted,  ///< ended after we asked it to stop (any code or signal)
};

struct ExitStatus {
  ExitKind kind = ExitKind::kClean;
  int code = 0;    ///< exit code, valid for kClean/kExitCode (and kInterrupted if it exited)
  int signal = 0;  ///< terminating signal, 0 if it exited
};

/// Classifies a waitpid() status; \a stop_requested marks exits we caused.
ExitStatus ClassifyWaitStatus(int wait_status, bool stop_requested);
const char* ToString(ExitKind kind);

struct SpawnOptions {
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH
  bool capture_stderr = true;     ///< stderr → pipe (else /dev/null)
  bool progress_pipe = false;     ///< open fd 3 in the child as a pipe to us (`-progress pipe:3`)
  bool stdout_to_stderr = false;  ///< child stdout goes to the stderr pipe (else /dev/null)
  int death_signal = SIGKILL;     ///< PR_SET_PDEATHSIG: sent to the child when we die
  const sigset_t* child_mask = nullptr;  ///< signal mask for the child (the pre-block mask)
  std::string working_dir;               ///< chdir before exec, if not empty
};

/// One running child process in its own process group. Move-only owner of the pid and of our
/// ends of its pipes (non-blocking). Destroying an unreaped child SIGKILLs its group and reaps it,
/// so no zombie or orphan is ever left.
class ChildProcess {
 public:
  /// Forks and execs. Fails (and leaves nothing running) if the binary cannot be executed.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const SpawnOptions& opts);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Our read end of the child's stderr (invalid if not captured).
  UniqueFd& stderr_fd() { return stderr_; }
  UniqueFd& progress_fd() { return progress_; }

  /// Sends \a sig to the child's whole process group; marks the stop as requested when
  /// \a is_stop. No-op after reaping.
  void Signal(int sig, bool is_stop = true);
  bool stop_requested() const { return stop_requested_; }
  /// Non-blocking reap; true if the child has exited (status stored in \a out).
  bool TryReap(ExitStatus* out);
  /// Records an exit that someone else reaped (e.g. a waitpid(-1) loop).
  void MarkReaped(int wait_status, ExitStatus* out);
  bool reaped() const { return reaped_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  bool reaped_ = false;
  bool stop_requested_ = false;
  UniqueFd stderr_;
  UniqueFd progress_;
};

}  // namespace hs
