// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/stages.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "config/duration.h"

namespace hs::config {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxStageTarget = 100000;  // as -clients

}  // namespace

Result<std::vector<Stage>> ParseStages(std::string_view text) {
  std::vector<Stage> out;
  if (text.empty())
    return Fail(ErrorCode::kUsage, "wants DURATION:TARGET stages, e.g. 2m:500,10m:500");
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(pos, comma - pos);
    const std::size_t colon = item.find(':');
    auto bad = [&](std::string_view why) {
      return Fail(ErrorCode::kUsage, fmt::format("stage {} \"{}\": {} (e.g. 2m:500,10m:500,1m:0)",
                                                 out.size() + 1, item, why));
    };
    if (colon == std::string_view::npos) return bad("wants DURATION:TARGET");
    auto d = ParseGoDuration(item.substr(0, colon));
    if (!d || d->count() < 0) return bad("the duration is not a duration such as 30s or 2m");
    const std::string_view num = item.substr(colon + 1);
    int target = -1;
    bool digits = !num.empty() && num.size() <= 6;
    for (char c : num) digits = digits && c >= '0' && c <= '9';
    if (digits) target = std::stoi(std::string(num));
    if (target < 0 || target > kMaxStageTarget)
      return bad(fmt::format("the target must be a whole number from 0 to {}", kMaxStageTarget));
    out.push_back({std::chrono::duration_cast<milliseconds>(*d), target});
    pos = comma + 1;
  }
  milliseconds total{0};
  for (const auto& s : out) total += s.duration;
  if (total.count() == 0) return Fail(ErrorCode::kUsage, "the stages last 0 s in all");
  return out;
}

StagePlan::StagePlan(std::vector<Stage> stages) : stages_(std::move(stages)) {
  for (const auto& s : stages_) total_ += s.duration;
}

double StagePlan::ExactAt(milliseconds t) const {
  double from = 0;
  milliseconds start{0};
  for (const auto& s : stages_) {
    if (t < start + s.duration) {
      const double f =
          static_cast<double>((t - start).count()) / static_cast<double>(s.duration.count());
      return from + (s.target - from) * f;
    }
    start += s.duration;
    from = s.target;
  }
  return from;
}

int StagePlan::TargetAt(milliseconds t) const {
  return static_cast<int>(std::floor(ExactAt(t) + 0.5));
}

std::optional<milliseconds> StagePlan::NextChangeAfter(milliseconds t) const {
  const int now = TargetAt(t);
  double from = 0;
  milliseconds start{0};
  for (const auto& s : stages_) {
    const milliseconds end = start + s.duration;
    if (end > t && s.duration.count() > 0 && s.target != from) {
      // Within this stage the rounded value changes where the line crosses now ± 0.5.
      const double edge = s.target > from ? now + 0.5 : now - 0.5;
      const double f = (edge - from) / (s.target - from);
      if (f >= 0 && f <= 1) {
        auto at = start + milliseconds(static_cast<long long>(
                              std::ceil(f * static_cast<double>(s.duration.count()))));
        if (at <= t) at = t + milliseconds(1);
        // Rounding: the change may come a millisecond after the computed crossing.
        while (at < end && TargetAt(at) == now) at += milliseconds(1);
        if (at < end) return at;
      }
    }
    if (end > t && TargetAt(end) != now) return std::max(end, t + milliseconds(1));
    start = end;
    from = s.target;
  }
  return std::nullopt;
}

std::size_t StagePlan::StageAt(milliseconds t) const {
  milliseconds start{0};
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    start += stages_[i].duration;
    if (t < start) return i;
  }
  return stages_.size();
}

std::string StagePlan::Describe(milliseconds t) const {
  const std::size_t i = StageAt(t);
  if (i >= stages_.size()) return "stages done";
  milliseconds end{0};
  for (std::size_t k = 0; k <= i; ++k) end += stages_[k].duration;
  const int from = i == 0 ? 0 : stages_[i - 1].target;
  const int to = stages_[i].target;
  const std::string what = from == to
                               ? fmt::format("hold {}", to)
                               : fmt::format("{} {}→{}", to > from ? "ramp" : "down", from, to);
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(end - t);
  return fmt::format("stage {}/{} {}, {} left", i + 1, stages_.size(), what,
                     FormatGoDuration(left));
}

int StagePlan::MaxTarget() const {
  int m = 0;
  for (const auto& s : stages_) m = std::max(m, s.target);
  return m;
}

double StagePlan::MaxRate() const {
  double m = 0;
  int from = 0;
  for (const auto& s : stages_) {
    if (s.duration.count() > 0)
      m = std::max(m, std::abs(s.target - from) * 1000.0 / static_cast<double>(s.duration.count()));
    from = s.target;
  }
  return m;
}

}  // namespace hs::config
