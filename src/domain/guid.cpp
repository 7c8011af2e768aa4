#include "domain/guid.h"

#include <sodium.h>

#include <cstring>

namespace ld {
namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Guid> Guid::Parse(std::string_view t) {
  if (t.size() != 36) return std::nullopt;
  std::array<uint8_t, 16> b{};
  size_t j = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = HexVal(t[i]), lo = HexVal(t[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    b[j++] = static_cast<uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return Guid(b);
}

std::optional<Guid> Guid::FromBytes(const void* data, size_t size) {
  if (size != 16 || data == nullptr) return std::nullopt;
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), data, 16);
  return Guid(b);
}

Guid Guid::V7(int64_t unix_ms, const std::array<uint8_t, 10>& r) {
  std::array<uint8_t, 16> b{};
  auto ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | (r[0] & 0x0F));
  b[7] = r[1];
  b[8] = static_cast<uint8_t>(0x80 | (r[2] & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = r[i - 6];
  return Guid(b);
}

Guid Guid::NewV7(int64_t unix_ms) {
  // Random bytes are drawn 64 ids at a time per thread: one getrandom() per
  // id was a visible share of a checkout. (Nothing here forks without exec.)
  thread_local std::array<uint8_t, 640> pool{};
  thread_local size_t used = pool.size();
  if (used == pool.size()) {
    randombytes_buf(pool.data(), pool.size());
    used = 0;
  }
  std::array<uint8_t, 10> r{};
  std::memcpy(r.data(), pool.data() + used, r.size());
  sodium_memzero(pool.data() + used, r.size());
  used += r.size();
  return V7(unix_ms, r);
}

void Guid::AppendTo(std::string& out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  char s[36];
  int o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s[o++] = '-';
    s[o++] = kHex[b_[i] >> 4];
    s[o++] = kHex[b_[i] & 15];
  }
  out.append(s, sizeof s);
}

std::string Guid::str() const {
  std::string s;
  s.reserve(36);
  AppendTo(s);
  return s;
}

bool Guid::nil() const {
  for (auto x : b_)
    if (x) return false;
  return true;
}

}  // namespace ld
