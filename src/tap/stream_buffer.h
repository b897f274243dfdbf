// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <openssl/types.h>

#include "core/io.h"

namespace hs::tap {

/// Bytes held in the tap's buffers, summed over every buffer that shares it.
struct BufferAccount {
  std::uint64_t current = 0;  ///< bytes buffered now
  std::uint64_t peak = 0;     ///< highest `current` seen
};

/// A FIFO byte buffer for one direction of a proxied connection, read straight from one socket
/// and written straight to another, so streamed bytes are copied by the kernel only. Reads stop
/// at \a cap bytes (backpressure); Append may exceed it by a small head. Storage is allocated on
/// first use and freed by Release() once empty, so idle keep-alive connections cost nothing.
/// Every change is reported to the shared BufferAccount. Not thread-safe.
class StreamBuffer {
 public:
  /// \a account is not owned and must outlive the buffer's last non-empty moment (Clear() it
  /// before the account goes away; the destructor does not touch it).
  StreamBuffer(size_t cap, BufferAccount* account) : cap_(cap), account_(account) {}
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;

  size_t size() const { return end_ - begin_; }
  bool empty() const { return end_ == begin_; }
  /// Bytes that may still be read in before the cap is reached.
  size_t space() const { return size() >= cap_ ? 0 : cap_ - size(); }
  size_t cap() const { return cap_; }
  /// The buffered bytes, oldest first. Invalidated by any non-const call.
  std::string_view view() const { return std::string_view(storage_.get() + begin_, end_ - begin_); }

  /// Reads at most min(\a max, space()) bytes from \a fd onto the end.
  IoResult ReadFrom(int fd, size_t max);
  /// Writes at most \a max bytes from the front to \a fd and consumes what was written.
  IoResult WriteTo(int fd, size_t max);
  /// The same through TLS (http::TlsRead / TlsWrite): *\a want says what a kRetry waits for.
  IoResult ReadFrom(SSL* ssl, size_t max, std::uint32_t* want);
  IoResult WriteTo(SSL* ssl, size_t max, std::uint32_t* want);
  /// Copies \a bytes onto the end (for heads the tap writes itself).
  void Append(std::string_view bytes);
  /// Drops \a n bytes from the front.
  void Consume(size_t n);
  /// Drops bytes from the end so that \a n remain.
  void TruncateTo(size_t n);
  /// Drops everything and frees the storage.
  void Clear();
  /// Frees the storage if the buffer is empty.
  void Release();

 private:
  void MakeRoom(size_t want);
  void Count(std::uint64_t before);

  size_t cap_;
  BufferAccount* account_;
  std::unique_ptr<char[]> storage_;  // uninitialised: a vector would zero 64 KiB per use
  size_t storage_size_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace hs::tap
