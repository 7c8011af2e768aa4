// Demo data, made through the use cases only (no SQL): the organization
// "Contoso" (domain prefix contoso, country by cloud, invoice-eligible), its
// Global Administrator admin@contoso.<deployment domain> with password
// Demo-Password-1, 25 users, a saved Visa card, and 10 monthly licenses of the
// catalog's second user plan bought through checkout, a few of them assigned;
// three groups, one of them short of Audio Conferencing seats.
#pragma once

#include <ostream>
#include <string>

#include "app/context.h"

namespace ld::cli {

constexpr const char* kDemoPassword = "Demo-Password-1";

struct DemoResult {
  Guid tenantId;
  std::string domain;
  std::string adminUpn;
  int users = 0;
  int assigned = 0;
  std::string skuName;
  int groups = 0;
};

// True when the demo organization's domain is already taken.
bool DemoExists(app::Context& ctx);

// Creates the demo data, writing one line per step to `out`.
Result<DemoResult> CreateDemo(app::Context& ctx, std::ostream& out);

// The lines that tell how to sign in.
void PrintSignIn(const DemoResult& r, std::ostream& out);

}  // namespace ld::cli
