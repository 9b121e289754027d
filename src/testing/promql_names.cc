#include "testing/promql_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace glueguard {
namespace {

bool IsIdentifierStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Keywords followed by a parenthesised list of label names.
bool TakesLabelList(const std::string& word) {
  return word == "by" || word == "without" || word == "on" || word == "ignoring" || word == "group_left" ||
         word == "group_right";
}

bool IsKeyword(const std::string& word) {
  return word == "and" || word == "or" || word == "unless" || word == "bool" || word == "offset" ||
         word == "inf" || word == "nan" || word == "atan2";
}

class Scanner {
 public:
  explicit Scanner(std::string_view expr) : s_(expr) {}

  Result<std::vector<std::string>> Run() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '"' || c == '\'' || c == '`') {
        Result<std::string> skipped = String();
        if (!skipped.ok()) return skipped.status();
      } else if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '{') {
        GG_RETURN_IF_ERROR(Matchers());
      } else if (c == '[') {
        GG_RETURN_IF_ERROR(SkipPast(']', "range"));
      } else if (c == '$') {
        TemplateVariable();
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && pos_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
        Number();
      } else if (IsIdentifierStart(c)) {
        GG_RETURN_IF_ERROR(Word());
      } else {
        ++pos_;
      }
    }
    return names_;
  }

 private:
  Status Error(std::string_view what, size_t at) const {
    return Status::InvalidArgument(fmt::format("unterminated {} at offset {} of '{}'", what, at, s_));
  }

  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  std::string_view Identifier() {
    const size_t start = pos_;
    while (pos_ < s_.size() && IsIdentifierChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  void Record(std::string name) {
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(std::move(name));
  }

  // A quoted string at pos_; its content, escapes kept as written.
  Result<std::string> String() {
    const size_t start = pos_;
    const char quote = s_[pos_++];
    std::string content;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && quote != '`' && pos_ + 1 < s_.size()) content += s_[pos_++];
      content += s_[pos_++];
    }
    if (pos_ >= s_.size()) return Error("string", start);
    ++pos_;
    return content;
  }

  // Skips to just past `close`, over strings; for ranges and label lists, whose words are not metric names.
  Status SkipPast(char close, std::string_view what) {
    const size_t start = pos_++;
    while (pos_ < s_.size() && s_[pos_] != close) {
      if (s_[pos_] == '"' || s_[pos_] == '\'' || s_[pos_] == '`') {
        Result<std::string> skipped = String();
        if (!skipped.ok()) return skipped.status();
      } else {
        ++pos_;
      }
    }
    if (pos_ >= s_.size()) return Error(what, start);
    ++pos_;
    return Status::Ok();
  }

  // `{label op "value", ...}`: label names are not metric names, except that __name__="x" selects x.
  Status Matchers() {
    const size_t start = pos_++;
    std::string label;
    std::string op;
    while (pos_ < s_.size() && s_[pos_] != '}') {
      const char c = s_[pos_];
      if (c == '"' || c == '\'' || c == '`') {
        Result<std::string> value = String();
        if (!value.ok()) return value.status();
        if (label == "__name__" && op == "=") Record(*value);
        label.clear();
        op.clear();
      } else if (IsIdentifierStart(c)) {
        label = std::string(Identifier());
      } else if (c == '=' || c == '!' || c == '~') {
        op += c;
        ++pos_;
      } else if (c == '$') {
        TemplateVariable();
      } else {
        ++pos_;
      }
    }
    if (pos_ >= s_.size()) return Error("label matcher", start);
    ++pos_;
    return Status::Ok();
  }

  // $name or ${name} (Grafana's template variables; [[name]] is skipped as a range).
  void TemplateVariable() {
    ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '{') {
      while (pos_ < s_.size() && s_[pos_] != '}') ++pos_;
      if (pos_ < s_.size()) ++pos_;
      return;
    }
    Identifier();
  }

  // A number or a duration: 0.8, 1e-3, 0x1f, 5m, 1h30m.
  void Number() {
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) {
      const char c = s_[pos_++];
      if ((c == 'e' || c == 'E') && pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
    }
  }

  Status Word() {
    const std::string word(Identifier());
    const std::string lower = Lower(word);
    const size_t after = pos_;
    SkipSpace();
    if (TakesLabelList(lower)) {
      if (pos_ < s_.size() && s_[pos_] == '(') return SkipPast(')', "label list");
      return Status::Ok();
    }
    if (IsKeyword(lower)) return Status::Ok();
    if (pos_ < s_.size() && s_[pos_] == '(') return Status::Ok();  // a function or an aggregation
    // An aggregation with its grouping first: sum by (subnet) (...).
    if (pos_ < s_.size() && IsIdentifierStart(s_[pos_])) {
      const size_t next = pos_;
      const std::string following = Lower(Identifier());
      pos_ = next;
      if (following == "by" || following == "without") return Status::Ok();
    }
    pos_ = after;
    Record(word);
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<std::string> names_;
};

}  // namespace

Result<std::vector<std::string>> MetricNamesInPromQL(std::string_view expr) { return Scanner(expr).Run(); }

std::set<std::string> ExposedSampleNames(const std::vector<FamilySnapshot>& families) {
  std::set<std::string> names;
  for (const FamilySnapshot& f : families) {
    const std::string& name = f.descriptor.name;
    if (f.descriptor.type == MetricType::kHistogram) {
      names.insert(name + "_bucket");
      names.insert(name + "_sum");
      names.insert(name + "_count");
    } else {
      names.insert(name);
    }
  }
  return names;
}

Result<std::vector<std::string>> UnknownMetricNames(std::string_view expr,
                                                    const std::set<std::string>& exposed) {
  Result<std::vector<std::string>> names = MetricNamesInPromQL(expr);
  if (!names.ok()) return names.status();
  std::vector<std::string> unknown;
  for (const std::string& name : *names) {
    if (!exposed.contains(name)) unknown.push_back(name);
  }
  return unknown;
}

}  // namespace glueguard
