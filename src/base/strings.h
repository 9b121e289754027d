// Small string helpers shared by the CLI and the config loader.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glueguard {

// Levenshtein distance between two ASCII strings.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is within a third of the word's length (at least 1, at most 3
// edits); nullopt otherwise. Used for "did you mean" hints.
std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// `text` without the ASCII white space (space, \t, \n, \v, \f, \r) at either end.
std::string_view Trim(std::string_view text);

// ASCII lower-case copy.
std::string ToLower(std::string_view text);

// Parses "true"/"false" in any case; nullopt for anything else ("yes", "1", "on" included).
std::optional<bool> ParseStrictBool(std::string_view text);

// The whole of `text` as a finite number ("0.5", "-2", "1e3"); nullopt for "", " 1", "1x", "ten", "inf".
std::optional<double> ParseNumber(std::string_view text);

// The whole of `text` as a decimal whole number of type T ("42", "-7"); nullopt for "", "+1", "1.0", " 1" and
// a value T cannot hold.
template <typename T>
std::optional<T> ParseWholeNumber(std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace glueguard
