// Damaged configuration files: whatever the bytes, ParseConfig returns a Config or an error that says what is
// wrong; it never crashes (the sanitizer build runs this too). The same entry point is fuzzed by fuzz/.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/random.h"
#include "config/config.h"

namespace glueguard {
namespace {

std::string Example() {
  std::ifstream in(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Mutate(std::string text, Random& random) {
  static constexpr char kPieces[] = ":-[]{}&*!|>'\"%@`#\n\t 0123456789.,/";
  const int edits = static_cast<int>(random.UniformInt(1, 8));
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const auto pos = static_cast<size_t>(random.UniformInt(0, static_cast<int64_t>(text.size()) - 1));
    switch (random.UniformInt(0, 3)) {
      case 0:
        text[pos] = kPieces[random.UniformInt(0, sizeof(kPieces) - 2)];
        break;
      case 1:
        text.insert(pos, 1, kPieces[random.UniformInt(0, sizeof(kPieces) - 2)]);
        break;
      case 2:
        text.erase(pos, static_cast<size_t>(random.UniformInt(1, 20)));
        break;
      default:
        text.resize(pos);  // truncated
        break;
    }
  }
  return text;
}

TEST(ConfigRobustness, DamagedFilesAreParsedOrRejectedWithAMessage) {
  const std::string example = Example();
  ASSERT_FALSE(example.empty());
  SeededRandom random(20261123);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string damaged = Mutate(example, random);
    Result<Config> c = ParseConfig(damaged, "damaged.yaml", [](const std::string&) { return std::optional<std::string>(); });
    if (!c.ok()) {
      ++rejected;
      ASSERT_EQ(c.status().code(), StatusCode::kInvalidArgument) << damaged;
      ASSERT_FALSE(c.status().message().empty());
      ASSERT_EQ(c.status().message().rfind("damaged.yaml:", 0), 0u) << c.status().message();
    } else {
      // Subnets (with categories) are required, unless the file configures session boundaries alone.
      ASSERT_TRUE(!c->subnets.empty() || c->sessions.configured) << damaged;
      if (!c->subnets.empty()) {
        ASSERT_FALSE(c->categories.empty()) << damaged;
      }
    }
  }
  EXPECT_GT(rejected, 1000);  // the damage is real: most files must be refused
}

}  // namespace
}  // namespace glueguard
