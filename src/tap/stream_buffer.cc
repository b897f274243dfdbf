// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/stream_buffer.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "http/tls.h"

namespace hs::tap {

void StreamBuffer::Count(std::uint64_t before) {
  account_->current = account_->current - before + size();
  account_->peak = std::max(account_->peak, account_->current);
}

void StreamBuffer::MakeRoom(size_t want) {
  if (storage_size_ - end_ >= want) return;
  // Slide the unread bytes to the front before growing: with reads capped at cap_ the storage
  // then never needs more than cap_ (+ an appended head).
  if (begin_ > 0) {
    std::memmove(storage_.get(), storage_.get() + begin_, size());
    end_ -= begin_;
    begin_ = 0;
  }
  if (storage_size_ - end_ >= want) return;
  const size_t new_size = std::max(end_ + want, cap_);
  auto bigger = std::make_unique_for_overwrite<char[]>(new_size);
  if (end_ > 0) std::memcpy(bigger.get(), storage_.get(), end_);
  storage_ = std::move(bigger);
  storage_size_ = new_size;
}

IoResult StreamBuffer::ReadFrom(int fd, size_t max) {
  const size_t want = std::min(max, space());
  if (want == 0) return IoResult{IoStatus::kRetry, 0, 0};
  MakeRoom(want);
  const std::uint64_t before = size();
  IoResult r = ReadSome(fd, storage_.get() + end_, want);
  if (r.status == IoStatus::kOk) {
    end_ += r.bytes;
    Count(before);
  }
  return r;
}

IoResult StreamBuffer::WriteTo(int fd, size_t max) {
  const size_t n = std::min(max, size());
  if (n == 0) return IoResult{IoStatus::kOk, 0, 0};
  IoResult r = WriteSome(fd, storage_.get() + begin_, n);
  if (r.status == IoStatus::kOk) Consume(r.bytes);
  return r;
}

IoResult StreamBuffer::ReadFrom(SSL* ssl, size_t max, std::uint32_t* want) {
  const size_t n = std::min(max, space());
  if (n == 0) return IoResult{IoStatus::kRetry, 0, 0};
  MakeRoom(n);
  const std::uint64_t before = size();
  IoResult r = http::TlsRead(ssl, storage_.get() + end_, n, want);
  if (r.status == IoStatus::kOk) {
    end_ += r.bytes;
    Count(before);
  }
  return r;
}

IoResult StreamBuffer::WriteTo(SSL* ssl, size_t max, std::uint32_t* want) {
  const size_t n = std::min(max, size());
  if (n == 0) return IoResult{IoStatus::kOk, 0, 0};
  IoResult r = http::TlsWrite(ssl, storage_.get() + begin_, n, want);
  if (r.status == IoStatus::kOk) Consume(r.bytes);
  return r;
}

void StreamBuffer::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  MakeRoom(bytes.size());
  const std::uint64_t before = size();
  std::memcpy(storage_.get() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
  Count(before);
}

void StreamBuffer::Consume(size_t n) {
  const std::uint64_t before = size();
  begin_ += std::min(n, size());
  if (begin_ == end_) begin_ = end_ = 0;
  Count(before);
}

void StreamBuffer::TruncateTo(size_t n) {
  if (n >= size()) return;
  const std::uint64_t before = size();
  end_ = begin_ + n;
  if (begin_ == end_) begin_ = end_ = 0;
  Count(before);
}

void StreamBuffer::Clear() {
  const std::uint64_t before = size();
  begin_ = end_ = 0;
  Count(before);
  storage_.reset();
  storage_size_ = 0;
}

void StreamBuffer::Release() {
  if (!empty()) return;
  storage_.reset();
  storage_size_ = 0;
}

}  // namespace hs::tap
