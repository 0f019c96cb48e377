#pragma once
// Test support: runs tests/unit/net/loopback_server.py (a real HTTP/1.1
// server on 127.0.0.1) for the lifetime of the object. Shared by the net and
// aws unit tests. The server exits when its stdin closes, so it never outlives
// the test process, even after a crash.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

extern char** environ;

namespace eem::testing {

// The repository's source directory (set by ctest as EEM_SOURCE_DIR).
inline std::string source_dir() {
  const char* dir = std::getenv("EEM_SOURCE_DIR");
  if (dir == nullptr || *dir == '\0') throw std::runtime_error("EEM_SOURCE_DIR is not set; run through ctest");
  return dir;
}

class LoopbackServer {
 public:
  // Plain HTTP; with `tls_cert` and `tls_key` (PEM files), HTTPS.
  explicit LoopbackServer(const std::string& tls_cert = "", const std::string& tls_key = "") {
    const std::string script = source_dir() + "/tests/unit/net/loopback_server.py";
    int in[2];
    int out[2];
    if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string python = "python3";
    std::string dash_u = "-u";
    std::string path = script;
    std::string tls = "--tls";
    std::string cert = tls_cert;
    std::string key = tls_key;
    char* plain_argv[] = {python.data(), dash_u.data(), path.data(), nullptr};
    char* tls_argv[] = {python.data(), dash_u.data(), path.data(), tls.data(), cert.data(), key.data(), nullptr};
    char** argv = tls_cert.empty() ? plain_argv : tls_argv;
    const int rc = posix_spawnp(&pid_, "python3", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_fd_ = in[1];
    fcntl(stdin_fd_, F_SETFD, FD_CLOEXEC);
    if (rc != 0) throw std::runtime_error("cannot start python3");
    FILE* reader = fdopen(out[0], "r");
    int port = 0;
    if (reader == nullptr || std::fscanf(reader, "%d", &port) != 1) {
      if (reader) std::fclose(reader);
      throw std::runtime_error("loopback server did not report its port");
    }
    std::fclose(reader);
    port_ = port;
  }
  ~LoopbackServer() {
    close(stdin_fd_);
    int status = 0;
    kill(pid_, SIGTERM);
    waitpid(pid_, &status, 0);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string https_url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = 0;
  int stdin_fd_ = -1;
  int port_ = 0;
};

}  // namespace eem::testing
