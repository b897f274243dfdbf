// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The native engine's HTTP/1.1 client: one keep-alive Connection per viewer (a second one for
// an alternate audio rendition), plain or TLS, driven by the single-threaded EventLoop.
//
// Why not libcurl: memory per viewer is a product feature (goal ≤ 32 KiB per viewer in all,
// 10,000 viewers per 2-core machine). libcurl 7.88 costs ~5.3 KB per easy handle plus ~30 KB
// per transfer, including a 16 KB download buffer per transfer, and its connection pool
// belongs to the multi handle, so independent viewers would share connections (a real viewer
// never shares a connection with another). Here a connection owns only its socket, its SSL,
// one FileWatch and one Timer, and the response head while it arrives: every connection on a
// loop reads into one shared buffer (ClientShared), and bodies that are not kept (segments)
// are only counted. Parsing and framing reuse http/parse.h.
//
// The process must ignore SIGPIPE (SignalWatcher does): OpenSSL writes with write(2).

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/io.h"
#include "core/unique_fd.h"
#include "http/parse.h"
#include "http/tls.h"
#include "measure/request.h"

namespace hs::http {

/// Where a request goes: an address already resolved, the name the server is known by, and
/// whether to speak TLS.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host;  ///< SNI and certificate name; may be empty (then the address is verified)
  bool tls = false;

  /// "ip:port" ("[v6]:port"): the edge label of a request.
  std::string Label() const;
  /// Same address, port, host and TLS flag: a connection to one may carry requests to the other.
  bool SameAs(const Endpoint& other) const;
};

/// One GET (or HEAD) request. Requests with a body are not supported.
struct Request {
  std::string method = "GET";
  std::string target;       ///< origin-form "/path?query"
  std::string host_header;  ///< Host header value; "" = the endpoint's host, else its Label()
  /// Further header lines, each complete and ending in "\r\n" (User-Agent, Range, custom).
  std::string extra_headers;
  /// Collect the body into Response::body (playlists, keys); else count it and discard it.
  bool keep_body = false;
  /// A kept body larger than this fails the request (kBadResponse). Not applied to discarded
  /// bodies.
  size_t max_body_bytes = 4u << 20;
  Duration connect_timeout = std::chrono::seconds(10);  ///< TCP + TLS → kConnectTimeout
  /// Request starts being written → first response byte (kTimeout).
  Duration ttfb_timeout = std::chrono::seconds(10);
  Duration total_timeout = std::chrono::seconds(20);  ///< Send() → last body byte (kTimeout)
};

/// The outcome of one request, successful or not.
struct Response {
  int status = 0;  ///< final status; 0 if no (final) head arrived
  measure::RequestError error = measure::RequestError::kNone;
  std::string error_detail;  ///< one line when error != kNone
  /// Body bytes on the wire, chunk framing included (= nginx $body_bytes_sent).
  std::uint64_t body_bytes = 0;
  std::uint64_t header_bytes = 0;  ///< response head bytes, interim 1xx heads included
  Duration connect_time{};         ///< TCP + TLS; zero when the connection was reused
  Duration ttfb{};                 ///< request fully written → first response byte
  Duration total{};                ///< Send() → last body byte (or the failure)
  bool reused = false;             ///< carried by a connection that served an earlier request
  /// The kept-alive connection failed before any response byte and the request was sent again
  /// on a new connection (then reused is false).
  bool keepalive_retry = false;
  std::string body;  ///< the payload (chunk framing removed) when Request::keep_body
  std::string location;
  std::string content_type;
  measure::CacheStatus cache = measure::CacheStatus::kNone;  ///< X-Cache & co (cache_status.h)
  SteadyTime started{};                                      ///< when Send() was called
  std::string remote;                                        ///< Endpoint::Label()
};

/// Counters of one ClientShared, summed over its connections.
struct ClientCounters {
  std::uint64_t connects = 0;           ///< TCP connects started
  std::uint64_t keepalive_retries = 0;  ///< requests re-sent on a new connection
  std::uint64_t requests = 0;           ///< requests completed or failed (done called)
};

/// What every Connection on one loop shares: the loop, the TLS context and the read buffer
/// into which every connection reads (only one callback runs at a time). One per loop; must
/// outlive its connections. Loop thread only.
class ClientShared {
 public:
  static constexpr size_t kDefaultReadBufferBytes = 64 * 1024;
  /// \a tls may be null (then https requests fail with kTls); not owned.
  ClientShared(EventLoop& loop, TlsContext* tls,
               size_t read_buffer_bytes = kDefaultReadBufferBytes);
  EventLoop& loop() const { return loop_; }
  TlsContext* tls() const { return tls_; }
  char* read_buffer() { return read_buffer_.get(); }
  size_t read_buffer_bytes() const { return read_buffer_bytes_; }
  ClientCounters& counters() { return counters_; }
  const ClientCounters& counters() const { return counters_; }

 private:
  EventLoop& loop_;
  TlsContext* tls_;
  std::unique_ptr<char[]> read_buffer_;
  size_t read_buffer_bytes_;
  ClientCounters counters_;
};

/// One HTTP/1.1 keep-alive client connection on the loop, plain or TLS, carrying one request
/// at a time. Owned by its viewer; loop thread only. Destroying it closes the socket without
/// calling a pending callback; never destroy it from inside its own done callback (Post it).
class Connection {
 public:
  using DoneCallback = std::function<void(Response&&)>;

  /// \a shared must outlive the connection.
  explicit Connection(ClientShared& shared);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Sends \a req to \a to: on the open connection when it goes to the same endpoint and the
  /// server kept it alive, else on a new one (the old one is closed). \a done runs exactly once,
  /// on the loop, never from inside Send() (immediate failures are delivered from a zero-delay
  /// timer), unless Cancel()/Close() or the destructor come first. \a done may call Send()
  /// again for the next request, but must not destroy the connection. Requires !busy().
  void Send(const Endpoint& to, Request req, DoneCallback done);
  /// Abandons the request in flight (done is not called) and closes the socket.
  void Cancel();
  /// Closes the socket; a request in flight is abandoned as by Cancel().
  void Close();
  /// A request is in flight (Send() called, done not yet).
  bool busy() const { return phase_ != Phase::kIdle; }
  /// A socket is open (connecting, busy, or idle and kept alive).
  bool open() const { return fd_.Valid(); }

 private:
  enum class Phase : std::uint8_t {
    kIdle,         // no request; the socket, if open, is kept alive
    kFailPending,  // failed before any I/O: delivered from the timer
    kConnecting,
    kHandshake,
    kWriting,
    kHead,
    kBody,
  };

  void Connect();
  void OnEvents(std::uint32_t events);
  void OnTimer();
  void OnConnected();
  void DoHandshake();
  void BeginRequest();
  void DoWrite();
  void DoRead();
  bool OnBytes(std::string_view data);
  bool OnHeadBytes(std::string_view data, size_t* used);
  bool AcceptHead();
  bool OnBodyBytes(std::string_view data);
  void OnReadEnd(const IoResult& r);
  void OnIdleReadable();
  void FailOrRetry(measure::RequestError error, std::string detail);
  void Fail(measure::RequestError error, std::string detail);
  void FailSoon(measure::RequestError error, std::string detail);
  void Finish();
  void CloseSocket();
  void ArmTimer();
  void Watch(std::uint32_t events);
  IoResult Read(char* buf, size_t cap);
  IoResult Write(const char* buf, size_t len);

  ClientShared& shared_;
  Endpoint endpoint_;  // of the open socket / the request in flight
  Request req_;
  Response resp_;
  DoneCallback done_;
  UniqueFd fd_;
  SslPtr ssl_;
  std::unique_ptr<FileWatch> watch_;
  std::unique_ptr<Timer> timer_;  // created by the first Send(), kept
  std::string head_;  // the request head while it is written, then a split response head
  size_t written_ = 0;
  ResponseHeadParser parser_;
  BodyFramer framer_;
  SteadyTime connect_started_{};
  SteadyTime sent_at_{};
  SteadyTime phase_deadline_{};  // connect, then first byte; max() once bytes flow
  SteadyTime total_deadline_{};
  std::uint32_t io_want_ = 0;  // EPOLLIN/EPOLLOUT the transport waits for
  Phase phase_ = Phase::kIdle;
  bool keep_alive_ = false;  // the server lets the connection carry another request
  bool got_byte_ = false;    // a response byte arrived for the request in flight
};

}  // namespace hs::http
