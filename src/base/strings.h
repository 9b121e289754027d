// Small string helpers shared by the CLI and the config loader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glueguard {

// Levenshtein distance between two ASCII strings.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is within a third of the word's length (at least 1, at most 3 edits);
// nullopt otherwise. Used for "did you mean" hints.
std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// `text` without the ASCII white space (space, \t, \n, \v, \f, \r) at either end.
std::string_view Trim(std::string_view text);

// ASCII lower-case copy.
std::string ToLower(std::string_view text);

// Parses "true"/"false" in any case; nullopt for anything else ("yes", "1", "on" included).
std::optional<bool> ParseStrictBool(std::string_view text);

}  // namespace glueguard
