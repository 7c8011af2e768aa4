// The operator's catalog: products (SKUs), their service plans and prices, and
// the markets (country -> currency, tax) each cloud serves. Loaded from
// catalog/catalog.json and validated at start; immutable afterwards, so it is
// safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/guid.h"
#include "domain/money.h"
#include "domain/result.h"

namespace ld {

enum class BillingCycle { kMonthly, kAnnual };
std::string_view ToString(BillingCycle c);  // "monthly" | "annual"
std::optional<BillingCycle> ParseBillingCycle(std::string_view s);

enum class Cloud { kWorldwide, kGermany, kChina };
std::string_view ToString(Cloud c);  // "worldwide" | "germany" | "china"
std::optional<Cloud> ParseCloud(std::string_view s);
std::string_view DefaultLocale(Cloud c);  // en-US | de-DE | zh-CN

struct ServicePlan {
  Guid id;
  std::string name;       // e.g. "EXCHANGE_S_STANDARD"
  std::string appliesTo;  // "User"
};

struct CyclePrices {
  int64_t monthly = 0;  // one license, one month, minor units
  int64_t annual = 0;   // one license, one whole year, minor units
  int64_t For(BillingCycle c) const { return c == BillingCycle::kMonthly ? monthly : annual; }
};

struct Sku {
  Guid id;
  std::string partNumber;                             // skuPartNumber
  std::string name;                                   // en-US display name
  std::string description;                            // en-US
  std::map<std::string, std::string> localizedNames;  // locale -> name (zh-TW, de-DE, zh-CN)
  // locale -> description; when given, one for each of zh-TW, de-DE and zh-CN.
  std::map<std::string, std::string> localizedDescriptions;
  std::string appliesTo = "User";
  int64_t minQuantity = 1;
  int64_t maxQuantity = 300;
  bool isAddOn = false;
  std::vector<Guid> prerequisiteSkuIds;  // add-ons: one of these must be owned
  // SKUs a user cannot hold together with this one (Graph's
  // MutuallyExclusiveViolation). Symmetric: the loader refuses a catalog
  // where A lists B but B does not list A.
  std::vector<Guid> conflictsWith;
  // Where the SKU is sold, by the user's usage location (ISO 3166 alpha-2).
  // Empty: everywhere its clouds serve (ProhibitedInUsageLocationViolation
  // otherwise).
  std::vector<std::string> usageLocations;
  std::vector<ServicePlan> servicePlans;
  std::vector<Cloud> clouds;                  // where it is offered
  std::map<std::string, CyclePrices> prices;  // currency -> prices

  bool OfferedIn(Cloud c) const;
  bool ConflictsWith(const Guid& other) const;
  // True when a user whose usage location is `country` may hold the SKU.
  bool SoldIn(std::string_view country) const;
  // nullopt when the SKU has no price in that currency.
  std::optional<int64_t> UnitPrice(std::string_view currency, BillingCycle cycle) const;
};

struct Market {
  std::string country;   // ISO 3166 alpha-2
  std::string currency;  // ISO 4217
  TaxRateBp taxRateBp = 0;
  std::vector<Cloud> clouds;
};

class Catalog {
 public:
  // Parses and validates the catalog JSON. On failure the error message names
  // the file, the line and the field ("catalog.json:42: products[3].minQuantity: ...").
  static Result<Catalog> Parse(std::string_view json_text, std::string_view file_name);

  const std::string& version() const { return version_; }
  const std::vector<Sku>& skus() const { return skus_; }
  const std::vector<Market>& markets() const { return markets_; }

  const Sku* FindSku(const Guid& id) const;
  const Market* FindMarket(std::string_view country) const;
  // The SKUs offered in a cloud, in catalog order.
  std::vector<const Sku*> OffersFor(Cloud cloud) const;
  // The markets a cloud serves.
  std::vector<const Market*> MarketsFor(Cloud cloud) const;

 private:
  std::string version_;
  std::vector<Sku> skus_;
  std::vector<Market> markets_;
};

}  // namespace ld
