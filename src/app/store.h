// The persistence port the use cases depend on. Backends (store/sqlite,
// store/postgres) implement it; nothing in app knows which one runs.
//
// Contract:
// - Write(fn) runs fn inside a transaction and returns only once the change is
//   durable (committed with synchronous=FULL, or a PostgreSQL COMMIT). If fn
//   returns an error, or throws StoreError, everything fn wrote is rolled back
//   and the error is returned. fn may run more than once (PostgreSQL retries
//   serialization failures), so it must only write through the Tx and into
//   its own captured outputs.
// - On SQLite one writer thread applies writes one after another, several per
//   transaction (group commit), each in its own SAVEPOINT. On PostgreSQL writes
//   run concurrently; LockPool/LockCart take row locks so rules hold.
// - Read(fn) runs fn against a consistent snapshot; fn must not write.
// - Every method that reads or writes tenant data takes the tenant id and
//   filters by it (R13).
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/groups.h"
#include "domain/model.h"
#include "domain/result.h"
#include "domain/roles.h"

namespace ld::app {

// A storage failure that is not an expected business outcome (I/O error,
// lost connection, constraint violation from a race). Thrown by backends.
class StoreError : public std::runtime_error {
 public:
  enum class Kind { kFailure, kUnavailable, kConflict };
  StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A conjunction of conditions on users (the Graph $filter subset).
struct UserFilter {
  std::optional<std::string> upnEquals;  // lower-case
  std::optional<std::string> displayNameEquals;
  std::optional<std::string> displayNamePrefix;  // case-insensitive
  std::optional<std::string> upnPrefix;          // lower-case
  std::optional<bool> accountEnabled;
  std::optional<std::string> usageLocation;
  std::vector<Guid> hasSku;           // holds every one of these
  std::optional<bool> hasAnyLicense;  // false: holds none
  // signInActivity/lastSignInDateTime within [from, to] (inclusive, real
  // time); a user who never signed in matches neither bound.
  std::optional<Instant> lastSignInFrom, lastSignInTo;
};

struct UserPageQuery {
  UserFilter filter;
  std::optional<Guid> after;  // keyset cursor: users with id > after
  int limit = 100;
};

struct IdempotencyRecord {
  std::string key;
  std::string requestHash;
  std::string state;  // "in_flight" | "done"
  int outcome = 0;    // app::KeyOutcome when done (app/idempotency.h)
  std::string resourceType;
  std::string resourceId;
  std::string response;  // the rendered response body, when stored
  Instant createdAt = 0;
};

// A card-charging quantity change in progress: its claim on the subscription
// (issue 13 #2). `state` is "open" while the change may still complete, and
// "abandoned" once recovery took it over to give its charge back.
struct PendingChange {
  Guid tenantId;
  Guid subscriptionId;
  std::string gatewayKey;
  std::string idemKey;  // the caller-scoped Idempotency-Key, or empty
  std::string state;
  Instant startedAt = 0;
};

// A durable work item (app/work.h). (kind, tenantId, key) names it: enqueuing
// it again while it is queued keeps one item, due at the earlier time.
struct WorkItem {
  std::string kind;
  Guid tenantId;  // nil: deployment-wide
  std::string key;
  Instant dueAt = 0;  // billing time (Context::Now; the test clock drives it)
  int attempts = 0;   // claims so far (a claim counts as an attempt)
  std::string leaseOwner;
  Instant leaseUntil = 0;  // real time (Context::SecurityNow)
  std::string payload;
  std::string lastError;
  std::string state = "queued";  // queued | failed (gave up; kept for the operator)
  Instant createdAt = 0;
  int64_t version = 0;  // bumped by every enqueue of the same item
};

struct WorkKindStats {
  std::string kind;
  int64_t queued = 0;   // waiting, due or not
  int64_t running = 0;  // under a live lease
  int64_t failed = 0;
  std::optional<Instant> oldestDue;  // of the queued items not running
};

struct TokenRecord {
  std::string tokenHash;  // hex SHA-256 of the secret; the secret is never stored
  Guid tenantId;
  Guid userId;
  std::string kind;  // "bearer" | "session"
  std::string csrfHash;
  Instant createdAt = 0;
  Instant expiresAt = 0;
};

// An organization's single sign-on (OpenID Connect) configuration, with what
// was discovered at its issuer (app/sso.h).
struct SsoConfig {
  Guid tenantId;
  std::string issuer;  // as the discovery document names it (compared to iss exactly)
  std::string clientId;
  std::string clientSecret;  // never leaves the server but to the token endpoint
  bool enforced = false;
  std::optional<Guid> breakGlassUserId;  // the one password sign-in `enforced` leaves
  std::string authorizationEndpoint, tokenEndpoint, jwksUri;
  std::string jwks;           // the JWK set (JSON text), as last fetched
  Instant jwksFetchedAt = 0;  // real time
  Instant updatedAt = 0;
};

// One authorization request under way (app/sso.h): single use, short-lived.
struct OidcRequest {
  std::string stateHash;  // hex SHA-256 of the state sent to the provider
  Guid tenantId;
  std::string nonce;
  std::string codeVerifier;              // PKCE
  Instant createdAt = 0, expiresAt = 0;  // real time
};

// Graph's signInActivity of one user (real time).
struct SignInActivity {
  Guid userId;
  std::optional<Instant> lastSignIn;                // any interactive sign-in
  std::optional<Instant> lastNonInteractiveSignIn;  // bearer tokens for scripts
};

struct AuditCursor {
  Instant at = 0;
  Guid id;
};

// Keyset paging of the commerce lists: a position in a list ordered by
// (key, id), where key is a creation time or an invoice number. A page read
// continues strictly after it.
struct PageCursor {
  int64_t key = 0;
  Guid id;
};
template <class T>
struct Page {
  std::vector<T> items;
  std::optional<PageCursor> next;  // set when there is more
};

// The deployment operator's record of a bank transfer for an invoice.
struct InvoicePayment {
  Instant paidAt = 0;
  std::string reference;
};

// An overdue invoice that expired an active subscription at `since` (R11).
struct SubscriptionHold {
  Guid invoiceId;
  Instant since = 0;
};

// Capacity of an organization's pool for one SKU (Graph subscribedSku).
struct PoolCounts {
  int64_t enabled = 0;    // active subscriptions
  int64_t warning = 0;    // expired (grace)
  int64_t suspended = 0;  // disabled
  int64_t consumed = 0;   // users holding the SKU
};

// Groups (issue 16): the $filter subset of GET /v1.0/groups, a conjunction.
struct GroupFilter {
  std::optional<std::string> displayNameEquals;  // case-insensitive (ASCII), as uniqueness
  std::optional<std::string> displayNamePrefix;  // case-insensitive (ASCII)
  std::optional<Guid> hasSku;                    // assignedLicenses/any(x:x/skuId eq ...)
  // true: some member's license from the group is in state Error; false: none.
  std::optional<bool> hasMembersWithLicenseErrors;
};

struct GroupPageQuery {
  GroupFilter filter;
  std::optional<Guid> after;  // keyset cursor: groups with id > after
  int limit = 100;
};

struct GroupMember {
  Guid userId;
  Instant addedAt = 0;
  int64_t seq = 0;  // membership order in the group: smaller is older (R17)
  std::optional<std::string> usageLocation;  // the user's, read with the membership
};

// One source of one user's license (domain/groups.h).
struct UserLicenseSource {
  Guid userId;
  LicenseSource source;
};

// The group processing queue is the durable work items' (app/work.h): the
// store's group and member changes enqueue an item of this kind in their own
// transaction (R19), keyed by the group ("<groupId>": its licenses changed) or
// by the membership ("<groupId>/<userId>": a member joined or left). The
// payload is empty: the processor reconciles what the group gives with what
// its members hold, so running an item twice changes nothing the second time.
inline constexpr const char* kGroupLicensingWork = "group.licensing";
inline std::string GroupWorkKey(const Guid& group) {
  return group.str();
}
inline std::string MemberWorkKey(const Guid& group, const Guid& user) {
  return group.str() + "/" + user.str();
}

class Tx {
 public:
  virtual ~Tx() = default;

  // Tenants and domains.
  virtual void InsertTenant(const Tenant& t) = 0;
  virtual void UpdateTenant(const Tenant& t) = 0;
  virtual std::optional<Tenant> FindTenant(const Guid& id) = 0;
  // The tenant that owns a domain name (case-insensitive), if any.
  virtual std::optional<Guid> FindDomainOwner(const std::string& domain) = 0;
  virtual void InsertDomain(const Guid& tenant, const DomainName& d) = 0;
  virtual std::vector<DomainName> ListDomains(const Guid& tenant) = 0;

  // Users.
  virtual void InsertUser(const User& u) = 0;
  virtual void UpdateUser(const User& u) = 0;
  virtual void DeleteUser(const Guid& tenant, const Guid& id) = 0;
  virtual std::optional<User> FindUser(const Guid& tenant, const Guid& id) = 0;
  virtual std::optional<User> FindUserByUpn(const Guid& tenant, const std::string& upn) = 0;
  virtual std::vector<User> ListUsers(const Guid& tenant, const UserPageQuery& q) = 0;
  virtual int64_t CountUsers(const Guid& tenant, const UserFilter& f) = 0;

  // Roles.
  virtual RoleSet ListRoles(const Guid& tenant, const Guid& user) = 0;
  virtual void SetRoles(const Guid& tenant, const Guid& user, const RoleSet& roles) = 0;
  virtual int64_t CountRoleHolders(const Guid& tenant, Role role) = 0;
  // Engineer A's block (privileged users). The enabled holders of `role`,
  // counted under a lock of the organization's row (PostgreSQL: FOR UPDATE;
  // SQLite: the single writer), so two concurrent changes that each take one
  // away cannot both see the other one still there. Call it in Write().
  virtual int64_t LockAndCountEnabledRoleHolders(const Guid& tenant, Role role) = 0;

  // Licenses and pools.
  // Takes the pool's row lock (PostgreSQL) so that R7's check and the insert
  // are not interleaved with another transaction's; a no-op on SQLite, whose
  // single writer serializes all writes.
  virtual void LockPool(const Guid& tenant, const Guid& sku) = 0;
  virtual PoolCounts GetPool(const Guid& tenant, const Guid& sku) = 0;
  virtual std::vector<std::pair<Guid, PoolCounts>> ListPools(const Guid& tenant) = 0;
  virtual std::vector<LicenseAssignment> ListAssignments(const Guid& tenant, const Guid& user) = 0;
  // Assignments of many users at once (for rendering a page of users).
  virtual std::vector<LicenseAssignment> ListAssignmentsOf(const Guid& tenant,
                                                           const std::vector<Guid>& users) = 0;
  // Inserts the assignment and bumps the pool's consumed count. The caller has
  // checked R7 and R8. Returns the assignment's seq.
  virtual int64_t InsertAssignment(const Guid& tenant, const LicenseAssignment& a) = 0;
  // Deletes it and lowers consumed; false when the user did not hold the SKU.
  virtual bool DeleteAssignment(const Guid& tenant, const Guid& user, const Guid& sku) = 0;
  // R6: assigns `sku` to up to `limit` users who hold no license at all,
  // oldest account first, giving `default_usage_location` to those without one.
  // Set-based; the caller writes the audit entry. The new assignments take the
  // pool's seq numbers firstSeq .. firstSeq + assigned - 1.
  struct AutoAssigned {
    int64_t assigned = 0;
    int64_t firstSeq = 0;
    int64_t usageLocationsSet = 0;
  };
  virtual AutoAssigned AutoAssign(const Guid& tenant, const Guid& sku, int64_t limit, Instant now,
                                  const std::string& default_usage_location) = 0;
  // R11: the most recently assigned holders of a SKU, newest first.
  virtual std::vector<LicenseAssignment> NewestAssignments(const Guid& tenant, const Guid& sku,
                                                           int64_t count) = 0;
  virtual std::vector<Guid> ListHolders(const Guid& tenant, const Guid& sku) = 0;

  // License sources (R16): every license_assignments row has at least one
  // source that grants (any state but Error). InsertAssignment and AutoAssign
  // write a direct source with the license; DeleteAssignment removes the
  // license with all its sources (R11's removal, a user's deletion).
  //
  // The user's sources, by SKU then source.
  virtual std::vector<LicenseSource> ListLicenseSources(const Guid& tenant, const Guid& user) = 0;
  // The sources of many users' licenses (a page of users).
  virtual std::vector<UserLicenseSource> ListLicenseSourcesOf(const Guid& tenant,
                                                              const std::vector<Guid>& users) = 0;
  // The sources inherited from one group, by user then SKU.
  virtual std::vector<UserLicenseSource> ListGroupSources(const Guid& tenant,
                                                          const Guid& group) = 0;
  // Writes one source (disabled plans, state, error, updatedAt), replacing
  // the same (user, SKU, source); when the user holds the SKU, the license's
  // disabled plans become those every granting source disables (R16). Never
  // makes or removes a license nor changes a pool: a source that grants a
  // user who does not hold the SKU yet goes through InsertAssignment or
  // ApplyGroupPlan. A direct source is one whose groupId is nullopt.
  virtual void UpsertLicenseSource(const Guid& tenant, const Guid& user,
                                   const LicenseSource& s) = 0;
  // Removes one source (a group's, or the direct one: groupId nullopt). When
  // no granting source remains the license goes and consumed drops by one
  // (R16: the seat goes with the last source); otherwise the license's
  // disabled plans are recomputed.
  struct SourceRemoved {
    bool removed = false;    // the source existed
    bool freedSeat = false;  // and was the last that granted
  };
  virtual SourceRemoved RemoveLicenseSource(const Guid& tenant, const Guid& user, const Guid& sku,
                                            const std::optional<Guid>& group) = 0;

  // Groups (issue 16). Display names are unique per organization, compared
  // with ASCII case folding.
  // False, writing nothing, when another group of the tenant has the name.
  virtual bool InsertGroup(const Group& g) = 0;
  // Writes displayName, description, mailNickname, mailEnabled and
  // securityEnabled only (not createdAt, not the processing state). False,
  // writing nothing, when the name is another group's or the group is gone.
  virtual bool UpdateGroupProperties(const Group& g) = 0;
  virtual void SetGroupProcessingState(const Guid& tenant, const Guid& group,
                                       GroupProcessingState s) = 0;
  virtual std::optional<Group> FindGroup(const Guid& tenant, const Guid& id) = 0;
  // Deletes the group and its memberships. Refused (kHasLicenses, nothing
  // written) while it has licenses, or while sources inherited from it remain
  // (licenses removed, not yet processed).
  enum class GroupDeleted { kDeleted, kNotFound, kHasLicenses };
  virtual GroupDeleted DeleteGroup(const Guid& tenant, const Guid& id) = 0;
  // Keyset paged by id.
  virtual std::vector<Group> ListGroups(const Guid& tenant, const GroupPageQuery& q) = 0;
  virtual int64_t CountGroups(const Guid& tenant, const GroupFilter& f) = 0;

  // Members (users only). Adding and removing enqueue the membership's work
  // item (kGroupLicensingWork) in the same transaction, due `now`. The caller
  // has checked that the group and the user exist.
  enum class MemberAdded { kAdded, kAlreadyMember };
  virtual MemberAdded AddGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                                     Instant now) = 0;
  // False when the user was not a member (nothing written).
  virtual bool RemoveGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                                 Instant now) = 0;
  virtual bool IsGroupMember(const Guid& tenant, const Guid& group, const Guid& user) = 0;
  // The members as users, keyset paged by user id.
  virtual std::vector<User> ListGroupMembers(const Guid& tenant, const Guid& group,
                                             std::optional<Guid> after, int limit) = 0;
  // The memberships oldest first (R17), continuing after `after_seq`.
  virtual std::vector<GroupMember> ListGroupMembersBySeq(const Guid& tenant, const Guid& group,
                                                         std::optional<int64_t> after_seq,
                                                         int limit) = 0;
  // Members whose license from the group is in state Error, by user id.
  virtual std::vector<User> ListMembersWithLicenseErrors(const Guid& tenant, const Guid& group,
                                                         std::optional<Guid> after, int limit) = 0;
  // The groups a user is a member of, by id.
  // The user's groups by id, after `after`, at most `limit`.
  virtual std::vector<Group> ListMemberOf(const Guid& tenant, const Guid& user,
                                          std::optional<Guid> after, int limit) = 0;

  // Replaces the group's licenses, sets its processing state to
  // QueuedForProcessing and enqueues the group's work item, due `now`, all in
  // the caller's transaction.
  virtual void SetGroupLicenses(const Guid& tenant, const Guid& group,
                                const std::vector<GroupLicense>& licenses, Instant now) = 0;
  virtual std::vector<GroupLicense> ListGroupLicenses(const Guid& tenant, const Guid& group) = 0;

  // Applies a processing plan (PlanGroupLicenses, computed from a snapshot
  // that may be stale by now) set-based, under the pools' locks:
  // - R17: per SKU, the kAssign outcomes that still fit enabled + warning -
  //   consumed as read now take seats in plan order (oldest membership
  //   first); the rest become CountViolation. Consumed never passes capacity.
  // - R16/R19: a user who holds the SKU by now (from another source) gets
  //   the group's source without a seat; no user gets a second row of one
  //   (user, SKU), no pool counts a user twice.
  // - kAddSource/kUnchanged write the group's source (and the license's
  //   disabled plans, unless the outcome's sourceCurrent says the source
  //   grants with them already: only this group's runs write its sources,
  //   one at a time, so the plan's view of them is not stale); kFail writes
  //   it in state Error with its error, unless the group's source grants by
  //   now.
  // - a member given a license without usageLocation gets the plan's.
  struct PlanApplied {
    int64_t assigned = 0;      // new holders (seats taken)
    int64_t sourcesAdded = 0;  // holders from another source, no seat
    int64_t unchanged = 0;
    int64_t failed = 0;               // sources written in state Error (late ones too)
    int64_t countViolationsLate = 0;  // planned new holders that no longer fit
    int64_t usageLocationsSet = 0;
  };
  virtual PlanApplied ApplyGroupPlan(const Guid& tenant, const Guid& group, const GroupPlan& plan,
                                     Instant now) = 0;
  // Removes the group's sources a removal plan names; a seat is freed where
  // no granting source remains (decided from the rows, not the plan).
  // Returns the seats freed.
  virtual int64_t ApplySourceRemoval(const Guid& tenant, const Guid& group,
                                     const std::vector<SourceRemoval>& removals) = 0;

  // Carts.
  virtual void InsertCart(const Cart& c) = 0;
  virtual void UpdateCart(const Cart& c) = 0;  // status, times and lines
  // Checkout's completion: the cart's status only (its lines stay as they are).
  // False when the cart does not exist.
  virtual bool MarkCartOrdered(const Guid& tenant, const Guid& id, Instant at) = 0;
  virtual std::optional<Cart> FindCart(const Guid& tenant, const Guid& id) = 0;
  // Takes the cart's row lock (PostgreSQL); a no-op on SQLite.
  virtual void LockCart(const Guid& tenant, const Guid& id) = 0;
  virtual std::vector<Cart> ListCarts(const Guid& tenant, const Guid& owner,
                                      std::optional<CartStatus> status, Instant now) = 0;

  // Payment methods.
  virtual void InsertPaymentMethod(const PaymentMethod& p) = 0;
  virtual void UpdatePaymentMethod(const PaymentMethod& p) = 0;
  virtual std::optional<PaymentMethod> FindPaymentMethod(const Guid& tenant, const Guid& id) = 0;
  virtual std::vector<PaymentMethod> ListPaymentMethods(const Guid& tenant) = 0;

  // Orders.
  virtual void InsertOrder(const Order& o) = 0;
  // Writes the order's status, payment and failure, and each line's
  // subscription and auto-assigned licenses; the lines themselves (SKU,
  // quantity, prices) are fixed by InsertOrder.
  virtual void UpdateOrder(const Order& o) = 0;
  virtual std::optional<Order> FindOrder(const Guid& tenant, const Guid& id) = 0;
  // The status alone: one row of one column, no lines.
  virtual std::optional<OrderStatus> FindOrderStatus(const Guid& tenant, const Guid& id) = 0;
  // The pending or completed order of a cart, if any (at most one exists).
  virtual std::optional<Order> FindLiveOrderForCart(const Guid& tenant, const Guid& cart) = 0;
  virtual std::vector<Order> ListOrders(const Guid& tenant) = 0;
  // Orders left pending (across tenants), for recovery after a crash.
  virtual std::vector<Order> ListPendingOrders(Instant older_than) = 0;

  // Subscriptions.
  virtual void InsertSubscription(const Subscription& s) = 0;
  virtual void UpdateSubscription(const Subscription& s) = 0;
  virtual std::optional<Subscription> FindSubscription(const Guid& tenant, const Guid& id) = 0;
  virtual std::vector<Subscription> ListSubscriptions(const Guid& tenant) = 0;
  // Subscriptions (any tenant) that need a lifecycle step at or before `now`.
  virtual std::vector<Subscription> ListSubscriptionsDue(Instant now, int limit) = 0;

  // Invoices: numbers come from one gapless counter (R: never reused or skipped).
  virtual int64_t NextInvoiceNumber() = 0;
  virtual void InsertInvoice(const Invoice& inv) = 0;
  virtual void UpdateInvoice(const Invoice& inv) = 0;
  virtual std::optional<Invoice> FindInvoice(const Guid& tenant, const Guid& id) = 0;
  virtual std::vector<Invoice> ListInvoices(const Guid& tenant) = 0;
  // Invoices (kind invoice, any tenant) still `due` with dueAt at or before
  // `now`, earliest due first (then by number). Without lines.
  virtual std::vector<Invoice> ListInvoicesOverdue(Instant now, int limit) = 0;
  // The invoices of one tenant (or of every tenant) in a payment status, by
  // number. Without lines.
  virtual std::vector<Invoice> ListInvoicesWithStatus(const std::optional<Guid>& tenant,
                                                      PaymentStatus status, int limit) = 0;
  // Sets the payment status only if it is still `from` (compare and set: under
  // PostgreSQL's READ COMMITTED a concurrent twin waits for the row and then
  // finds it changed). True when it changed.
  virtual bool UpdateInvoiceStatusIf(const Guid& tenant, const Guid& id, PaymentStatus from,
                                     PaymentStatus to) = 0;
  // The invoice (any tenant) with this deployment-wide number, with its lines.
  virtual std::optional<Invoice> FindInvoiceByNumber(int64_t number) = 0;
  virtual void InsertInvoicePayment(const Guid& tenant, const Guid& invoice,
                                    const InvoicePayment& p) = 0;
  virtual std::optional<InvoicePayment> FindInvoicePayment(const Guid& tenant,
                                                           const Guid& invoice) = 0;
  // Holds: which overdue invoice expired a subscription, and when.
  virtual void InsertSubscriptionHold(const Guid& tenant, const Guid& subscription,
                                      const SubscriptionHold& h) = 0;
  virtual std::vector<SubscriptionHold> ListSubscriptionHolds(const Guid& tenant,
                                                              const Guid& subscription) = 0;
  virtual void DeleteSubscriptionHolds(const Guid& tenant, const Guid& subscription) = 0;

  // Audit log.
  virtual void InsertAudit(const AuditEntry& e) = 0;
  // Newest first; `before` continues a previous page.
  virtual std::vector<AuditEntry> ListAudit(const Guid& tenant, std::optional<AuditCursor> before,
                                            int limit) = 0;

  // Paged lists (keyset, one query per page and one for the page's lines):
  // orders newest first by (created_at, id), with their lines; invoices by
  // number, newest first (the cursor's key is the number), without lines.
  // `after` continues a previous page; at most `limit` rows.
  virtual std::vector<Order> ListOrdersPage(const Guid& tenant, std::optional<PageCursor> after,
                                            int limit) = 0;
  virtual std::vector<Invoice> ListInvoicesPage(const Guid& tenant, std::optional<PageCursor> after,
                                                int limit) = 0;

  // Idempotency keys, per tenant.
  virtual std::optional<IdempotencyRecord> FindIdempotency(const Guid& tenant,
                                                           const std::string& key) = 0;
  virtual void InsertIdempotency(const Guid& tenant, const IdempotencyRecord& r) = 0;
  virtual void UpdateIdempotency(const Guid& tenant, const IdempotencyRecord& r) = 0;
  // Forgets the keys that point at a resource (recovery of an unfinished checkout).
  virtual void DeleteIdempotencyFor(const Guid& tenant, const std::string& resource_id) = 0;
  virtual void DeleteIdempotency(const Guid& tenant, const std::string& key) = 0;

  // Retention (app/retention.h): each deletes at most `limit` rows and
  // returns how many it deleted. Tokens and sessions that expired before
  // `before`; idempotency keys recorded before `done_before` (finished) or
  // before `in_flight_before` (never finished: their request died); active
  // carts (with their lines) that expired before `before`.
  virtual int64_t PurgeTokens(Instant before, int limit) = 0;
  virtual int64_t PurgeIdempotency(Instant done_before, Instant in_flight_before, int limit) = 0;
  virtual int64_t PurgeCarts(Instant before, int limit) = 0;

  // Durable work (app/work.h). EnqueueWork adds the item, or, when one of the
  // same (kind, tenant, key) exists, moves it to the earlier due time, takes
  // the new payload and queues it again. ClaimWork leases at most `limit`
  // queued items of `kind` due by `due_by` whose lease passed at `lease_now`
  // (earliest due first; on PostgreSQL skipping rows another server is
  // claiming) and counts an attempt. FinishWork deletes a claimed item when
  // it is still the owner's and unchanged since the claim; an item enqueued
  // again meanwhile is released to run again. RescheduleWork (owner's only)
  // sets its next due time and error, or marks it failed. Both return false
  // when the lease was lost (another server took the item over).
  virtual void EnqueueWork(const WorkItem& w) = 0;
  virtual std::vector<WorkItem> ClaimWork(const std::string& kind, Instant due_by,
                                          Instant lease_now, const std::string& owner,
                                          Instant lease_until, int limit) = 0;
  virtual bool FinishWork(const WorkItem& claimed) = 0;
  virtual bool RescheduleWork(const WorkItem& claimed, Instant due_at, const std::string& error,
                              bool failed) = 0;
  virtual std::optional<WorkItem> FindWork(const std::string& kind, const Guid& tenant,
                                           const std::string& key) = 0;
  virtual std::vector<WorkKindStats> WorkStats(Instant lease_now) = 0;

  // Claims of card-charging quantity changes, one per subscription.
  // LockSubscription takes the subscription's row lock (PostgreSQL; a no-op
  // on SQLite's single writer) so that a claim and its check are not
  // interleaved with another change's.
  virtual void LockSubscription(const Guid& tenant, const Guid& id) = 0;
  virtual std::optional<PendingChange> FindPendingChange(const Guid& tenant,
                                                         const Guid& subscription) = 0;
  virtual void InsertPendingChange(const PendingChange& c) = 0;
  virtual void SetPendingChangeState(const Guid& tenant, const Guid& subscription,
                                     const std::string& state) = 0;
  virtual void DeletePendingChange(const Guid& tenant, const Guid& subscription) = 0;
  // Claims started at or before `started_before`, oldest first, at most `limit`.
  virtual std::vector<PendingChange> ListPendingChanges(Instant started_before, int limit) = 0;

  // Tokens and sessions.
  virtual void InsertToken(const TokenRecord& t) = 0;
  virtual std::optional<TokenRecord> FindToken(const std::string& token_hash) = 0;
  // The token with its user's accountEnabled and roles, in one query (every
  // request authenticates); nullopt when the token or its user is gone.
  struct SignedIn {
    TokenRecord token;
    bool accountEnabled = false;
    RoleSet roles;
  };
  virtual std::optional<SignedIn> FindSignedIn(const std::string& token_hash) = 0;
  virtual void DeleteToken(const std::string& token_hash) = 0;
  virtual void DeleteUserTokens(const Guid& tenant, const Guid& user) = 0;

  // Single sign-on (issue 17). Upsert writes every column of the row.
  virtual std::optional<SsoConfig> FindSsoConfig(const Guid& tenant) = 0;
  virtual void PutSsoConfig(const SsoConfig& c) = 0;
  virtual void DeleteSsoConfig(const Guid& tenant) = 0;
  // Writes only the cached JWKS and its fetch time.
  virtual void UpdateSsoJwks(const Guid& tenant, const std::string& jwks, Instant fetched_at) = 0;
  virtual void InsertOidcRequest(const OidcRequest& r) = 0;
  // Deletes the request and returns it (single use): a second call with the
  // same state finds nothing. Expired requests are returned too (the caller
  // checks expiresAt) and deleted all the same.
  virtual std::optional<OidcRequest> TakeOidcRequest(const std::string& state_hash) = 0;
  // Deletes requests that expired before `before`; returns how many.
  virtual int64_t PurgeOidcRequests(Instant before) = 0;

  // signInActivity. Records a sign-in at `at` unless the stored time is
  // within `min_interval_ms` of it (so repeated sign-ins write nothing
  // new); `interactive` picks lastSignIn, else lastNonInteractiveSignIn.
  virtual void RecordSignIn(const Guid& tenant, const Guid& user, Instant at, bool interactive,
                            int64_t min_interval_ms) = 0;
  virtual std::vector<SignInActivity> ListSignInActivity(const Guid& tenant,
                                                         const std::vector<Guid>& users) = 0;

  // Settings and counters (deployment-wide key/value).
  virtual std::optional<std::string> GetSetting(const std::string& key) = 0;
  virtual void SetSetting(const std::string& key, const std::string& value) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  using Fn = std::function<Status(Tx&)>;
  virtual Status Write(const Fn& fn) = 0;
  virtual Status Read(const Fn& fn) = 0;
  // True when the database answers and the schema is current (/readyz).
  virtual bool Ready() = 0;
  virtual std::string Backend() const = 0;  // "sqlite" | "postgresql"

  // Group commit at work (/metrics): transactions committed, and the writes
  // they carried. Backends that do not batch report nothing.
  struct Stats {
    uint64_t commits = 0;
    uint64_t writes = 0;
  };
  virtual std::optional<Stats> BatchStats() const { return std::nullopt; }
};

}  // namespace ld::app
