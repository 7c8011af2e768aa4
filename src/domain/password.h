// The one password policy (signup, user create, admin reset, changePassword):
// 8 to 256 characters (UTF-8 bytes), not one character repeated, and not one
// of the common passwords shipped in password.cpp (matched case-insensitively).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ld {

struct PasswordProblem {
  std::string code;  // "InvalidPassword" | "PasswordTooCommon"
  std::string message;
};

inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 256;

// nullopt when the password is acceptable.
std::optional<PasswordProblem> CheckPassword(std::string_view password);
// Exact match, ASCII case-insensitive, against the shipped list.
bool IsCommonPassword(std::string_view password);

}  // namespace ld
