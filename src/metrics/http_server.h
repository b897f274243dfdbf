// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace hs::metrics {

struct HttpRequest {
  std::string method;
  std::string path;   ///< without the query
  std::string query;  ///< after '?', undecoded
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// A small HTTP/1.1 server on the event loop for /metrics, /healthz, /readyz (and later the
/// control API). One request per connection (`Connection: close`), request head capped at
/// 8 KiB, idle connections dropped after 10 s. Loop thread only.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit HttpServer(EventLoop& loop);
  ~HttpServer();
  /// Binds and listens on \a addr:\a port (port 0 picks one; see port()).
  Result<void> Listen(const std::string& addr, int port);
  /// Routes an exact path to \a handler. Unknown paths get 404.
  void Route(const std::string& path, Handler handler) { routes_[path] = std::move(handler); }
  int port() const { return port_; }
  void Close();

 private:
  struct Conn;
  void OnAccept();
  void OnConnEvent(Conn* c, std::uint32_t events);
  void Respond(Conn* c);
  void Drop(Conn* c);

  EventLoop& loop_;
  UniqueFd listen_fd_;
  std::unique_ptr<FileWatch> listen_watch_;
  int port_ = 0;
  std::unordered_map<std::string, Handler> routes_;
  std::unordered_map<Conn*, std::unique_ptr<Conn>> conns_;
};

/// Splits "a=1&b=2" and returns the value of \a key (undecoded) or empty.
std::string QueryParam(const std::string& query, const std::string& key);

}  // namespace hs::metrics
