// 16-byte identifiers: GUID text on the wire, raw bytes in storage.
// Ids the server mints are UUIDv7 (time-ordered), so B-tree inserts stay local.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ld {

class Guid {
 public:
  Guid() = default;  // the nil GUID
  explicit Guid(const std::array<uint8_t, 16>& bytes) : b_(bytes) {}

  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (case-insensitive); nullopt otherwise.
  static std::optional<Guid> Parse(std::string_view text);
  // From 16 raw bytes (storage); nullopt when the size is wrong.
  static std::optional<Guid> FromBytes(const void* data, size_t size);
  // UUIDv7 from a Unix time in milliseconds and 10 random bytes (caller supplies them).
  static Guid V7(int64_t unix_ms, const std::array<uint8_t, 10>& random);
  // UUIDv7 for now with random bytes from libsodium. Thread-safe.
  static Guid NewV7(int64_t unix_ms);

  std::string str() const;                // lower-case canonical form
  void AppendTo(std::string& out) const;  // str(), appended
  const std::array<uint8_t, 16>& bytes() const { return b_; }
  bool nil() const;

  auto operator<=>(const Guid&) const = default;

 private:
  std::array<uint8_t, 16> b_{};
};

}  // namespace ld

template <>
struct std::hash<ld::Guid> {
  size_t operator()(const ld::Guid& g) const noexcept {
    uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; ++i) a = (a << 8) | g.bytes()[i];
    for (int i = 8; i < 16; ++i) b = (b << 8) | g.bytes()[i];
    return std::hash<uint64_t>{}(a ^ (b * 0x9E3779B97F4A7C15ULL));
  }
};
