// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Hand-written incremental HTTP/1.1 parsing for the measurement tap (RFC 9112).
//
// Why not a library: the tap must see the message framing byte-exactly while it streams bodies
// through unchanged (it counts body bytes, finds where a chunked body ends, and must never
// buffer a whole segment), and Debian 12 packages only the unmaintained nodejs http-parser
// (llhttp is not packaged). Heads are small and bounded, so a head is parsed in one pass once
// its end has been found; only bodies are parsed truly incrementally.
//
// Everything here is pure code: no I/O, no clock, no allocation beyond the parsed strings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hs::http {

/// One header field as received: the name keeps its case, the value is trimmed of the
/// optional whitespace around it.
struct HttpHeader {
  std::string name;
  std::string value;
};

/// The request-target forms a forward proxy receives (RFC 9112 §3.2).
enum class TargetForm {
  kOrigin,     ///< "/path?q": not addressed to a proxy
  kAbsolute,   ///< "http://host:port/path?q": the normal proxy request
  kAuthority,  ///< "host:port": CONNECT only
  kAsterisk,   ///< "*": OPTIONS only
};

/// A parsed request head.
struct RequestHead {
  std::string method;               ///< as sent, case-sensitive ("GET")
  std::string target;               ///< the request-target exactly as sent
  int minor_version = 1;            ///< HTTP/1.<minor>: 0 or 1
  std::vector<HttpHeader> headers;  ///< in order, duplicates kept
  TargetForm form = TargetForm::kOrigin;
  std::string scheme;  ///< absolute-form: "http" or "https" (lower-cased); else ""
  std::string host;    ///< absolute- and authority-form: host or IP (IPv6 without brackets)
  int port = 0;        ///< absolute- and authority-form: explicit or default port
  bool ipv6 = false;   ///< the host was a bracketed IPv6 literal
  std::string path;    ///< origin-form target to forward ("/seg.ts?x=1"); absolute/origin forms

  /// The first header named \a name (case-insensitive), or nullptr.
  const std::string* Find(std::string_view name) const;
  /// True when the connection may carry another request after this one: HTTP/1.1 unless
  /// "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  bool KeepAlive() const;
  /// "host:port" with brackets around an IPv6 host: the upstream connection key.
  std::string HostPort() const;
};

/// A parsed response head.
struct ResponseHead {
  int minor_version = 1;  ///< HTTP/1.<minor>
  int status = 0;         ///< 100..999
  std::string reason;
  std::vector<HttpHeader> headers;

  /// The first header named \a name (case-insensitive), or nullptr.
  const std::string* Find(std::string_view name) const;
  /// Same rules as RequestHead::KeepAlive, applied to the response's version and Connection.
  bool KeepAlive() const;
};

/// Outcome of feeding bytes to a head parser.
enum class HeadStatus {
  kIncomplete,  ///< no end of head yet: feed more bytes
  kComplete,    ///< parsed; head_bytes() says how many bytes it used
  kError,       ///< malformed or too large; error_status() / error() say why
};

/// Finds and parses one message head at the start of a buffer that grows between calls.
/// Scanning resumes where the previous call stopped, so a client sending one byte at a time
/// costs O(n), not O(n^2). Call Reset() before the next message. Leading empty lines before the
/// start line are skipped (RFC 9112 §2.2); lines may end in CRLF or a bare LF.
class RequestHeadParser {
 public:
  /// \a max_bytes: largest head accepted; a longer one is an error with status 431.
  explicit RequestHeadParser(size_t max_bytes = 16 * 1024) : max_bytes_(max_bytes) {}
  /// Parses \a buf, which must start at the head's first byte and hold every byte received so
  /// far (it may hold more than the head: a body or the next request).
  HeadStatus Feed(std::string_view buf);
  void Reset();
  const RequestHead& head() const { return head_; }
  RequestHead& head() { return head_; }
  /// Bytes of the head including the terminating empty line (valid when kComplete).
  size_t head_bytes() const { return head_bytes_; }
  /// The status the proxy should answer with (400, 431, 501 or 505) when kError.
  int error_status() const { return error_status_; }
  /// One-line reason when kError.
  const std::string& error() const { return error_; }

 private:
  HeadStatus Fail(int status, std::string why);
  size_t max_bytes_;
  size_t scan_pos_ = 0;
  size_t head_bytes_ = 0;
  int error_status_ = 0;
  std::string error_;
  RequestHead head_;
};

/// The response-side twin of RequestHeadParser; errors have no status (the proxy answers 502).
class ResponseHeadParser {
 public:
  explicit ResponseHeadParser(size_t max_bytes = 32 * 1024) : max_bytes_(max_bytes) {}
  HeadStatus Feed(std::string_view buf);
  void Reset();
  const ResponseHead& head() const { return head_; }
  size_t head_bytes() const { return head_bytes_; }
  const std::string& error() const { return error_; }

 private:
  HeadStatus Fail(std::string why);
  size_t max_bytes_;
  size_t scan_pos_ = 0;
  size_t head_bytes_ = 0;
  std::string error_;
  ResponseHead head_;
};

/// Finds the end of a head in \a buf, resuming at \a *scan_pos (updated). Returns the head's
/// length including its terminating empty line, or 0 while incomplete. Pure.
size_t FindHeadEnd(std::string_view buf, size_t* scan_pos);

/// How a message body is delimited.
enum class Framing {
  kNone,           ///< no body (HEAD, 1xx, 204, 304, requests without length)
  kContentLength,  ///< exactly Content-Length bytes
  kChunked,        ///< Transfer-Encoding: chunked, ends after the last chunk and trailers
  kUntilClose,     ///< response read until the server closes the connection
};

/// Incremental body framer: consumes body bytes as they stream past, counting them and finding
/// where the message ends, without changing or keeping them (except the optional payload copy).
class BodyFramer {
 public:
  /// A framer for a message without a body (already done).
  BodyFramer() = default;
  static BodyFramer ContentLength(std::uint64_t length);
  static BodyFramer Chunked(size_t max_chunk_line_bytes = 4096);
  static BodyFramer UntilClose();

  /// Consumes the bytes at the front of \a in that belong to this body and returns how many
  /// (fewer than in.size() only when the body ended or a framing error occurred). When
  /// \a payload is not null, the body's content (chunk framing removed) is appended to it.
  size_t Feed(std::string_view in, std::string* payload);
  /// The connection closed: returns true if that ends the body properly (read-until-close, or
  /// the body was already complete), false if it truncates it.
  bool FinishOnEof();

  Framing framing() const { return framing_; }
  bool done() const { return state_ == State::kDone; }
  bool error() const { return state_ == State::kError; }
  /// Bytes of the body on the wire so far, chunk framing included (what nginx logs as
  /// $body_bytes_sent).
  std::uint64_t wire_bytes() const { return wire_bytes_; }
  /// Bytes of content so far (chunk framing excluded).
  std::uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  enum class State {
    kDone,
    kError,
    kLength,       // Content-Length or until-close data
    kChunkSize,    // hex digits
    kChunkExt,     // ";ext" up to the CRLF
    kChunkSizeLf,  // CR seen after the size line
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kTrailerStart,  // at the start of a trailer line (or the final CRLF)
    kTrailerLine,
    kTrailerLf,  // CR seen at the end of a trailer line
    kFinalLf,    // CR of the final empty line seen
  };
  size_t FeedChunked(std::string_view in, std::string* payload);
  bool StepChunkByte(char c);

  Framing framing_ = Framing::kNone;
  State state_ = State::kDone;
  std::uint64_t remaining_ = 0;  // kLength: bytes left; kChunkData: bytes left in the chunk
  size_t line_bytes_ = 0;        // bytes of the current size or trailer line
  size_t size_digits_ = 0;
  size_t max_line_bytes_ = 4096;
  std::uint64_t wire_bytes_ = 0;
  std::uint64_t payload_bytes_ = 0;
};

/// Outcome of choosing a framer from a head.
struct FramingChoice {
  bool ok = true;     ///< false: conflicting or invalid Content-Length / Transfer-Encoding
  BodyFramer framer;  ///< valid when ok
};

/// The request body framing (RFC 9112 §6.3): chunked, Content-Length, or none. Rejects both
/// headers together, a Transfer-Encoding not ending in chunked, and a bad Content-Length.
FramingChoice RequestFraming(const RequestHead& head);
/// The response body framing for a response to \a request_method: none for HEAD, 1xx, 204 and
/// 304; chunked when Transfer-Encoding ends in chunked; read-until-close for another
/// Transfer-Encoding; Content-Length; else read-until-close.
FramingChoice ResponseFraming(const ResponseHead& head, std::string_view request_method);

/// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
/// True if the comma-separated header value \a list contains \a token (case-insensitive).
bool HasToken(std::string_view list, std::string_view token);

}  // namespace hs::http
