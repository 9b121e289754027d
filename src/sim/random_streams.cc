#include "sim/random_streams.h"

namespace glueguard {
namespace {

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t StableHash(std::string_view text, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ Mix(seed);
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix(h);
}

StreamRandom::StreamRandom(uint64_t seed, std::string_view key) : state_(StableHash(key, seed)) {}

uint64_t StreamRandom::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return Mix(state_);
}

}  // namespace glueguard
