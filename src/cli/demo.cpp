#include "cli/demo.h"

#include <array>

#include "app/commerce.h"
#include "app/directory.h"
#include "app/groups.h"
#include "app/licensing.h"
#include "app/signup.h"

namespace ld::cli {
namespace {

constexpr std::array<const char*, 25> kNames{
    "Adele Vance",   "Alex Wilber",    "Diego Siciliani", "Grady Archie", "Henrietta Mueller",
    "Isaiah Langer", "Johanna Lorenz", "Joni Sherman",    "Lee Gu",       "Lidia Holloway",
    "Lynne Robbins", "Megan Bowen",    "Miriam Graham",   "Nestor Wilke", "Patti Fernandez",
    "Pradeep Gupta", "Christie Cline", "Enrico Cattaneo", "Irvin Sayers", "Debra Berger",
    "Allan Deyoung", "Ben Walters",    "Cameron White",   "Emily Braun",  "Nora Lindqvist"};

std::string Country(Cloud c) {
  switch (c) {
    case Cloud::kGermany:
      return "DE";
    case Cloud::kChina:
      return "CN";
    case Cloud::kWorldwide:
      break;
  }
  return "US";
}

std::string Nickname(const std::string& name) {
  std::string out;
  for (char ch : name) {
    if (ch == ' ') {
      out += '.';
    } else if (ch >= 'A' && ch <= 'Z') {
      out += static_cast<char>(ch - 'A' + 'a');
    } else {
      out += ch;
    }
  }
  return out;
}

Error Step(const std::string& what, const Error& e) {
  Error out = e;
  out.message = what + ": " + e.message;
  return out;
}

std::string Bind(const Guid& user) {
  return "https://graph.microsoft.com/v1.0/directoryObjects/" + user.str();
}

// Three groups, so the Groups pages show something at once: "Sales" gives the
// plan the demo bought to users who already hold it directly (inherited and
// direct at once, no seat taken twice); "Conference organizers" gives Audio
// Conferencing, bought with 3 seats, to 5 of those users, so two of them end
// in CountViolation; "All staff" has every user and no license. The members
// are users who hold the plan already, so the demo's unlicensed users stay
// unlicensed. The licenses are processed by `serve`'s background work.
Status CreateGroups(app::Context& ctx, const app::Actor& admin, const Sku& plan, const Guid& card,
                    const Guid& admin_id, const std::vector<Guid>& ids, std::ostream& out) {
  // ids[0..4] were assigned the plan above (with the administrator).
  std::vector<Guid> licensed{admin_id};
  for (size_t i = 0; i < ids.size() && licensed.size() < 6; ++i) licensed.push_back(ids[i]);

  auto make = [&](const char* name, const char* nick, const char* about,
                  const std::vector<Guid>& members) -> Result<app::GroupView> {
    app::NewGroup g;
    g.displayName = name;
    g.mailNickname = nick;
    g.description = about;
    auto created = app::CreateGroup(ctx, admin, g);
    if (!created.ok()) return Step(std::string("create group ") + name, created.error());
    for (const Guid& m : members)
      if (auto a = app::AddGroupMember(ctx, admin, created->group.id, Bind(m)); !a.ok())
        return Step(std::string("add a member to ") + name, a.error());
    return created;
  };

  const std::vector<Guid> sales_members(licensed.begin() + 1, licensed.begin() + 5);
  auto sales = make("Sales", "sales", "Sales and account managers", sales_members);
  if (!sales.ok()) return sales.error();
  if (auto a = app::AssignGroupLicense(ctx, admin, sales->group.id, {{plan.id, {}}}, {}); !a.ok())
    return Step("assign Sales its license", a.error());

  const Sku* audio = nullptr;
  for (const Sku* s : ctx.catalog.OffersFor(ctx.config.cloud))
    if (s->isAddOn && s->partNumber == "AUDIO_CONFERENCING") audio = s;
  const std::vector<Guid> organizers(licensed.begin() + 1, licensed.end());
  auto conf = make("Conference organizers", "conference.organizers",
                   "People who host meetings with dial-in", organizers);
  if (!conf.ok()) return conf.error();
  if (audio != nullptr) {
    auto cart = app::CreateCart(ctx, admin, {{audio->id, 3, BillingCycle::kMonthly, false}});
    if (!cart.ok()) return Step("create the add-on's cart", cart.error());
    auto order = app::Checkout(ctx, admin, cart->cart.id, card, std::nullopt);
    if (!order.ok()) return Step("buy the add-on", order.error());
    auto a = app::AssignGroupLicense(ctx, admin, conf->group.id, {{audio->id, {}}}, {});
    if (!a.ok()) return Step("assign Conference organizers its license", a.error());
    out << "bought 3 monthly licenses of " << audio->name << " for " << organizers.size()
        << " conference organizers (two will be short of a seat)\n";
  }

  std::vector<Guid> everyone{admin_id};
  everyone.insert(everyone.end(), ids.begin(), ids.end());
  auto all = make("All staff", "all.staff", "Everyone at Contoso", {});
  if (!all.ok()) return all.error();
  for (const Guid& m : everyone)
    if (auto a = app::AddGroupMember(ctx, admin, all->group.id, Bind(m)); !a.ok())
      return Step("add a member to All staff", a.error());
  out << "created 3 groups: Sales, Conference organizers, All staff\n";
  return Ok();
}

}  // namespace

bool DemoExists(app::Context& ctx) {
  bool exists = false;
  std::string domain = "contoso." + ctx.config.deploymentDomain;
  (void)ctx.store.Read([&](app::Tx& tx) -> Status {
    exists = tx.FindDomainOwner(domain).has_value();
    return Ok();
  });
  return exists;
}

Result<DemoResult> CreateDemo(app::Context& ctx, std::ostream& out) {
  DemoResult res;
  const std::string country = Country(ctx.config.cloud);

  app::SignupRequest sr;
  sr.organizationName = "Contoso";
  sr.domainPrefix = "contoso";
  sr.countryCode = country;
  sr.adminDisplayName = "Contoso Administrator";
  sr.adminPassword = kDemoPassword;
  sr.invoiceEligible = true;
  auto signed_up = app::Signup(ctx, sr);
  if (!signed_up.ok()) return Step("signup", signed_up.error());
  res.tenantId = signed_up->tenantId;
  res.domain = signed_up->domain;
  res.adminUpn = signed_up->adminUserPrincipalName;
  out << "signed up Contoso (" << res.domain << ", " << country << "), admin " << res.adminUpn
      << "\n";
  app::Actor admin{signed_up->tenantId, signed_up->adminId, {Role::kGlobalAdmin}};

  std::vector<std::string> upns;
  std::vector<Guid> ids;  // of the users with a usage location, in upns' order
  for (size_t i = 0; i < kNames.size(); ++i) {
    app::NewUser u;
    u.displayName = kNames[i];
    u.mailNickname = Nickname(kNames[i]);
    u.userPrincipalName = u.mailNickname + "@" + res.domain;
    // Every sixth user has no usage location yet (R8: set it before assigning).
    if (i % 6 != 5) u.usageLocation = country;
    auto created = app::CreateUser(ctx, admin, u);
    if (!created.ok()) return Step("create user " + u.userPrincipalName, created.error());
    if (u.usageLocation) {
      upns.push_back(u.userPrincipalName);
      ids.push_back(created->user.id);
    }
    ++res.users;
  }
  out << "created " << res.users << " users\n";

  app::PaymentMethodInput card;
  card.type = PaymentMethodType::kCard;
  card.card.number = "4242424242424242";
  card.card.expMonth = 12;
  card.card.expYear = 2030;
  card.card.cvc = "123";
  card.card.holderName = "Contoso Administrator";
  auto pm = app::AddPaymentMethod(ctx, admin, card);
  if (!pm.ok()) return Step("save card", pm.error());
  out << "saved a " << pm->brand << " card ending in " << pm->last4 << "\n";

  std::vector<const Sku*> plans;
  for (const Sku* s : ctx.catalog.OffersFor(ctx.config.cloud))
    if (!s->isAddOn) plans.push_back(s);
  if (plans.empty()) return Error::Invalid("NoOffers", "The catalog offers no plan in this cloud.");
  const Sku* sku = plans.size() > 1 ? plans[1] : plans[0];
  res.skuName = sku->name;
  auto cart = app::CreateCart(ctx, admin, {{sku->id, 10, BillingCycle::kMonthly, false}});
  if (!cart.ok()) return Step("create cart", cart.error());
  auto order = app::Checkout(ctx, admin, cart->cart.id, pm->id, std::nullopt);
  if (!order.ok()) return Step("checkout", order.error());
  if (order->declined)
    return Error::Invalid("CheckoutFailed", "checkout: the payment was declined");
  out << "bought 10 monthly licenses of " << sku->name << " (order " << order->order.id.str()
      << ", total " << FormatMoney(order->order.total, order->order.currency) << ")\n";

  app::UserPatch where;
  where.usageLocation = std::optional<std::string>(country);
  if (auto r = app::UpdateUser(ctx, admin, res.adminUpn, where); !r.ok())
    return Step("set the admin's usage location", r.error());
  std::vector<std::string> assignees{res.adminUpn};
  for (size_t i = 0; i < upns.size() && assignees.size() < 6; ++i) assignees.push_back(upns[i]);
  for (const auto& upn : assignees) {
    auto a = app::AssignLicense(ctx, admin, upn, {{sku->id, {}}}, {});
    if (!a.ok()) return Step("assign a license to " + upn, a.error());
    ++res.assigned;
  }
  out << "assigned " << res.assigned << " " << sku->name << " licenses\n";

  if (auto g = CreateGroups(ctx, admin, *sku, pm->id, signed_up->adminId, ids, out); !g.ok())
    return g.error();
  res.groups = 3;
  return res;
}

void PrintSignIn(const DemoResult& r, std::ostream& out) {
  out << "demo sign-in: " << r.adminUpn << " / " << kDemoPassword << "\n";
}

}  // namespace ld::cli
