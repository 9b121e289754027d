// Every seed in fuzz/seeds/ through its fuzz target's entry point, in the normal and the sanitizer builds:
// the targets are compiled into this binary (CMakeLists.txt renames each LLVMFuzzerTestOneInput), so they
// cannot stop compiling unnoticed, and an input that once crashed stays a regression test once its file is
// added to the target's seed folder. Each seed is also replayed cut short, which is where parsers trip.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#define GLUEGUARD_FUZZ_TARGETS(X) \
  X(aws_reply_fuzz)               \
  X(config_fuzz)                  \
  X(scalar_fuzz)                  \
  X(session_event_fuzz)           \
  X(simcloud_request_fuzz)        \
  X(workload_fuzz)

#define GLUEGUARD_DECLARE_FUZZ_ENTRY(name) \
  extern "C" int GlueguardFuzzEntry_##name(const uint8_t* data, size_t size);
GLUEGUARD_FUZZ_TARGETS(GLUEGUARD_DECLARE_FUZZ_ENTRY)

namespace glueguard {
namespace {

using Entry = int (*)(const uint8_t*, size_t);

const std::map<std::string, Entry>& Entries() {
#define GLUEGUARD_FUZZ_ENTRY_ROW(name) {#name, &GlueguardFuzzEntry_##name},
  static const std::map<std::string, Entry> entries = {GLUEGUARD_FUZZ_TARGETS(GLUEGUARD_FUZZ_ENTRY_ROW)};
#undef GLUEGUARD_FUZZ_ENTRY_ROW
  return entries;
}

int Replay(Entry entry, const std::string& input) {
  return entry(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(FuzzReplay, EveryTargetHasSeedsAndEverySeedFolderATarget) {
  const std::filesystem::path seeds = std::filesystem::path(GLUEGUARD_SOURCE_DIR) / "fuzz" / "seeds";
  for (const auto& [name, entry] : Entries()) {
    EXPECT_TRUE(std::filesystem::is_directory(seeds / name)) << "no seeds for " << name;
  }
  for (const auto& folder : std::filesystem::directory_iterator(seeds)) {
    EXPECT_TRUE(Entries().count(folder.path().filename().string()))
        << folder.path() << " has no target in this test's list";
  }
}

TEST(FuzzReplay, EverySeedAndItsPrefixesRunWithoutACrash) {
  const std::filesystem::path seeds = std::filesystem::path(GLUEGUARD_SOURCE_DIR) / "fuzz" / "seeds";
  int replayed = 0;
  for (const auto& [name, entry] : Entries()) {
    EXPECT_EQ(Replay(entry, ""), 0) << name << " on no input";
    if (!std::filesystem::is_directory(seeds / name)) continue;
    for (const auto& file : std::filesystem::directory_iterator(seeds / name)) {
      std::ifstream in(file.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      const std::string seed = bytes.str();
      SCOPED_TRACE(file.path().string());
      EXPECT_EQ(Replay(entry, seed), 0);
      // Cut short at a few places: half, and one byte off either end.
      for (size_t cut : {seed.size() / 2, seed.size() > 0 ? seed.size() - 1 : 0}) {
        EXPECT_EQ(Replay(entry, seed.substr(0, cut)), 0) << "cut at " << cut;
      }
      if (!seed.empty()) {
        EXPECT_EQ(Replay(entry, seed.substr(1)), 0) << "first byte dropped";
      }
      ++replayed;
    }
  }
  EXPECT_GE(replayed, 6);
}

}  // namespace
}  // namespace glueguard
