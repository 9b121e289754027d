// Runs every event of tests/sessions/events/ through ParseSessionEvent and Evaluate against
// tests/sessions/policy.yaml, and checks the outcome listed for it in tests/sessions/expected.txt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "policy/event.h"
#include "policy/policy.h"

namespace glueguard {
namespace {

const std::filesystem::path kCorpus = std::filesystem::path(GLUEGUARD_SOURCE_DIR) / "tests" / "sessions";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(Trim(item));
  return out;
}

struct Expected {
  std::string file;
  std::string outcome;  // compliant, violations, ignored, error
  std::string detail;   // codes, or a fragment of the reason or error
  std::string defaulted;
  std::string scope;
};

std::vector<Expected> ReadTable() {
  std::vector<Expected> rows;
  std::istringstream in(ReadFile(kCorpus / "expected.txt"));
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = Split(line, '|');
    if (cells.size() != 5) {
      ADD_FAILURE() << "expected.txt: not 5 columns: " << line;
      continue;
    }
    rows.push_back({cells[0], cells[1], cells[2], cells[3], cells[4]});
  }
  return rows;
}

SessionPolicy CorpusPolicy() {
  Result<SessionPolicy> policy = ParseSessionPolicy(ReadFile(kCorpus / "policy.yaml"), "policy.yaml");
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  return policy.ok() ? *policy : SessionPolicy{};
}

std::string Codes(const Evaluation& e) {
  std::string out;
  for (const Violation& v : e.violations) out += (out.empty() ? "" : ",") + v.code;
  return out.empty() ? "-" : out;
}

std::string Defaulted(const Evaluation& e) {
  std::string out;
  for (const std::string& d : e.session.defaulted) out += (out.empty() ? "" : ",") + d;
  return out.empty() ? "-" : out;
}

TEST(SessionCorpus, EveryEventHasTheExpectedOutcome) {
  const SessionPolicy policy = CorpusPolicy();
  const std::vector<Expected> table = ReadTable();
  ASSERT_GE(table.size(), 20u);
  for (const Expected& row : table) {
    SCOPED_TRACE(row.file);
    const std::string text = ReadFile(kCorpus / "events" / row.file);
    ASSERT_FALSE(text.empty()) << "missing or empty";
    Result<ParsedEvent> parsed = ParseSessionEvent(text);
    if (row.outcome == "error") {
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(parsed.status().message().find(row.detail), std::string::npos) << parsed.status().message();
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    if (row.outcome == "ignored") {
      EXPECT_FALSE(parsed->event);
      EXPECT_NE(parsed->ignored.find(row.detail), std::string::npos) << parsed->ignored;
      continue;
    }
    ASSERT_TRUE(parsed->event) << parsed->ignored;
    EXPECT_TRUE(parsed->ignored.empty());
    const Evaluation e = Evaluate(policy, *parsed->event);
    EXPECT_EQ(e.compliant(), row.outcome == "compliant");
    EXPECT_EQ(Codes(e), row.detail);
    EXPECT_EQ(Defaulted(e), row.defaulted);
    EXPECT_EQ(e.scope, row.scope);
    for (const Violation& v : e.violations) {
      EXPECT_FALSE(v.limit.empty()) << v.code;
      EXPECT_FALSE(v.actual.empty()) << v.code;
      EXPECT_NE(v.message.find("Create the session with"), std::string::npos) << v.message;
    }
  }
}

TEST(SessionCorpus, EveryEventFileIsInTheTable) {
  std::set<std::string> listed;
  for (const Expected& row : ReadTable()) listed.insert(row.file);
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus / "events")) {
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path().filename() << " has no line";
  }
}

TEST(SessionCorpus, TwoDeliveriesOfOneRecordGiveOneEventIdAndTheSameEvaluation) {
  const SessionPolicy policy = CorpusPolicy();
  Result<ParsedEvent> a = ParseSessionEvent(ReadFile(kCorpus / "events" / "duplicate_a.json"));
  Result<ParsedEvent> b = ParseSessionEvent(ReadFile(kCorpus / "events" / "duplicate_b.json"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->event && b->event);
  EXPECT_EQ(a->event->event_id, b->event->event_id);
  EXPECT_EQ(a->event->request.id, b->event->request.id);
  const Evaluation ea = Evaluate(policy, *a->event);
  const Evaluation eb = Evaluate(policy, *b->event);
  ASSERT_EQ(ea.violations.size(), eb.violations.size());
  for (size_t i = 0; i < ea.violations.size(); ++i) {
    EXPECT_EQ(ea.violations[i].code, eb.violations[i].code);
    EXPECT_EQ(ea.violations[i].message, eb.violations[i].message);
  }
  EXPECT_EQ(ComposeNotice(ea, true).body, ComposeNotice(eb, true).body);
}

TEST(SessionCorpus, AMegabyteEventIsRefusedWithASizeError) {
  std::string text = ReadFile(kCorpus / "events" / "compliant.json");
  const std::string marker = "\"description\": \"";
  const size_t at = text.find(marker);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + marker.size(), std::string(1'000'000, 'x'));
  Result<ParsedEvent> parsed = ParseSessionEvent(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("bytes, more than the 524288"), std::string::npos)
      << parsed.status().message();
}

TEST(SessionCorpus, AnEventJustUnderTheLimitIsParsed) {
  std::string text = ReadFile(kCorpus / "events" / "compliant.json");
  const std::string marker = "\"description\": \"";
  const size_t at = text.find(marker);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + marker.size(), std::string(kMaxSessionEventBytes - text.size(), 'x'));
  ASSERT_EQ(text.size(), kMaxSessionEventBytes);
  Result<ParsedEvent> parsed = ParseSessionEvent(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->event);
}

}  // namespace
}  // namespace glueguard
