// JSON mapping of every entity, exactly as shared/spec/api.md shows it:
// GUIDs as lower-case text, instants as RFC 3339 (UTC, milliseconds), money as
// {"amount": <integer minor units>, "currency": "XXX"}, enums as their
// lower-case names. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commerce.h"
#include "app/directory.h"
#include "app/licensing.h"
#include "app/subscriptions.h"
#include "http/json_io.h"

namespace ld::http {

Json MoneyJson(int64_t amount, std::string_view currency);
Json TimeJson(Instant t);  // null for 0
Json GuidJson(const std::optional<Guid>& g);

// Graph user. `select` empty: the default property set (Graph's defaults plus
// accountEnabled, usageLocation and assignedLicenses).
Json UserJson(const app::UserWithLicenses& u, const std::vector<std::string>& select = {});
// The same object as Dump(UserJson(u, select)), byte for byte, appended to
// `out` without building a JSON tree (Graph paging serializes ~1,000 users
// per page; the tree cost most of the time).
void AppendUserJson(std::string& out, const app::UserWithLicenses& u,
                    const std::vector<std::string>& select = {});
// The same, with the keys' order and text worked out once for a whole page.
class UserJsonWriter {
 public:
  explicit UserJsonWriter(const std::vector<std::string>& select);
  void Append(std::string& out, const app::UserWithLicenses& u) const;

 private:
  struct Field {
    std::string prefix;  // `"key":`, after a comma for every key but the first
    int prop;
  };
  std::vector<Field> fields_;
};
// A user's licenseAssignmentStates (Graph): one object per (source, SKU).
Json LicenseAssignmentStatesJson(const std::vector<LicenseSource>& sources);
// A JSON string literal, escaped as Dump() escapes it.
void AppendJsonString(std::string& out, std::string_view s);
// The properties $select may name, in canonical spelling.
const std::vector<std::string_view>& SelectableUserProperties();

Json OrganizationJson(const app::OrganizationView& o);
Json SubscribedSkuJson(const app::SubscribedSku& s, const Guid& tenant);
Json LicenseDetailJson(const LicenseAssignment& a, const Catalog& catalog);
Json ServicePlanJson(const ServicePlan& p, bool disabled = false, bool with_status = false);

Json OfferJson(const app::Offer& o);
Json CartJson(const app::CartView& c, const Catalog& catalog);
Json OrderJson(const Order& o, const Catalog& catalog);
Json PaymentMethodJson(const PaymentMethod& p);
Json SubscriptionJson(const app::SubscriptionView& s, const Catalog& catalog);
Json InvoiceJson(const Invoice& inv);
std::string InvoiceNumber(int64_t number);  // "INV-000042"
Json AuditJson(const AuditEntry& e);
Json RolesJson(const RoleSet& roles);

}  // namespace ld::http
