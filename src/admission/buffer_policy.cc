#include "admission/buffer_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/strings.h"

namespace glueguard {

std::string BufferPolicy::ToString() const {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kStatic:
      return fmt::format("static:{}", static_ips);
    case Kind::kRollingMax:
      return fmt::format("rolling-max:{}:{}:{}", window, floor,
                         source == BufferSource::kAvailable ? "available" : "total");
    case Kind::kForecast:
      return forecast.keep_free > 0 ? fmt::format("forecast:{}", forecast.keep_free) : "forecast";
  }
  return "unknown";
}

int BufferPolicy::MinimumIps() const {
  switch (kind) {
    case Kind::kNone:
      return 0;
    case Kind::kStatic:
      return static_ips;
    case Kind::kRollingMax:
      return floor;
    case Kind::kForecast:
      return forecast.keep_free;
  }
  return 0;
}

namespace {

std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    parts.push_back(
        text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return parts;
}

Result<int> ParseCount(std::string_view spec, std::string_view what, std::string_view text) {
  const std::optional<int> value = ParseWholeNumber<int>(text);
  if (!value) {
    return Status::InvalidArgument(
        fmt::format("buffer policy '{}': {} '{}' is not a whole number", spec, what, text));
  }
  return *value;
}

}  // namespace

Status ValidateBufferPolicy(const BufferPolicy& policy) {
  if (policy.kind == BufferPolicy::Kind::kStatic && policy.static_ips < 0) {
    return Status::InvalidArgument(fmt::format("a static buffer cannot be negative ({})", policy.static_ips));
  }
  if (policy.kind == BufferPolicy::Kind::kForecast) {
    const std::string error = ForecastSettingsError(policy.forecast);
    if (!error.empty()) return Status::InvalidArgument(error);
  }
  if (policy.kind == BufferPolicy::Kind::kRollingMax || policy.kind == BufferPolicy::Kind::kForecast) {
    if (policy.window < 1) {
      return Status::InvalidArgument(
          fmt::format("a rolling-max window must be at least 1 ({})", policy.window));
    }
    if (policy.floor < 0) {
      return Status::InvalidArgument(
          fmt::format("a rolling-max floor cannot be negative ({})", policy.floor));
    }
  }
  return Status::Ok();
}

Result<BufferPolicy> ParseBufferPolicy(std::string_view spec) {
  const std::vector<std::string_view> parts = SplitColons(spec);
  BufferPolicy policy;
  if (parts[0] == "none" && parts.size() == 1) {
    policy.kind = BufferPolicy::Kind::kNone;
  } else if (parts[0] == "static" && parts.size() == 2) {
    policy.kind = BufferPolicy::Kind::kStatic;
    Result<int> k = ParseCount(spec, "the buffer", parts[1]);
    if (!k.ok()) return k.status();
    policy.static_ips = *k;
  } else if (parts[0] == "forecast" && parts.size() <= 2) {
    policy.kind = BufferPolicy::Kind::kForecast;
    if (parts.size() > 1) {
      Result<int> k = ParseCount(spec, "keep_free", parts[1]);
      if (!k.ok()) return k.status();
      policy.forecast.keep_free = *k;
    }
  } else if (parts[0] == "rolling-max" && parts.size() <= 4) {
    policy.kind = BufferPolicy::Kind::kRollingMax;
    if (parts.size() > 1) {
      Result<int> n = ParseCount(spec, "the window", parts[1]);
      if (!n.ok()) return n.status();
      policy.window = *n;
    }
    if (parts.size() > 2) {
      Result<int> f = ParseCount(spec, "the floor", parts[2]);
      if (!f.ok()) return f.status();
      policy.floor = *f;
    }
    if (parts.size() > 3) {
      if (parts[3] == "available") {
        policy.source = BufferSource::kAvailable;
      } else if (parts[3] == "total") {
        policy.source = BufferSource::kTotal;
      } else {
        return Status::InvalidArgument(fmt::format(
            "buffer policy '{}': source '{}' is neither 'available' nor 'total'", spec, parts[3]));
      }
    }
  } else {
    return Status::InvalidArgument(
        fmt::format("buffer policy '{}' is not one of none, static:K, "
                    "rolling-max[:N[:FLOOR[:available|total]]], forecast[:KEEP_FREE]",
                    spec));
  }
  Status valid = ValidateBufferPolicy(policy);
  if (!valid.ok()) return valid.WithContext(fmt::format("buffer policy '{}'", spec));
  return policy;
}

int BufferIps(const BufferPolicy& policy, std::span<const Observation> newest_first) {
  switch (policy.kind) {
    case BufferPolicy::Kind::kNone:
      return 0;
    case BufferPolicy::Kind::kStatic:
      return policy.static_ips;
    case BufferPolicy::Kind::kRollingMax:
    case BufferPolicy::Kind::kForecast: {
      int peak = 0;
      const size_t n = std::min(newest_first.size(), static_cast<size_t>(policy.window));
      for (size_t i = 0; i < n; ++i) {
        const Observation& o = newest_first[i];
        peak = std::max(peak, policy.source == BufferSource::kAvailable ? o.available : o.total_enis);
      }
      return std::max(peak, policy.floor);
    }
  }
  return 0;
}

}  // namespace glueguard
