// The one implementation of app::Tx, written against store::Conn so that
// SQLite and PostgreSQL run the same SQL. Holds no state beyond the Conn and the audit entries
// of the transaction not yet written.
// Its methods are defined by aggregate in store/sql/*.cpp (the work
// items' in sql/work.cpp); store/sql/rows.h has the shared row mappings.
#pragma once

#include "app/store.h"
#include "store/sql.h"

namespace ld::store {

class SqlTx final : public app::Tx {
 public:
  explicit SqlTx(Conn& c) : c_(c) {}

  // Audit entries are kept until the transaction is about to end and then
  // written in one multi-row INSERT. The store calls FlushAudit before it
  // commits (on SQLite, before each batched transaction's RELEASE) and
  // DiscardAudit when the transaction rolls back; ListAudit flushes first.
  void FlushAudit();
  void DiscardAudit() { pending_audit_.clear(); }

  void InsertTenant(const Tenant& t) override;
  void UpdateTenant(const Tenant& t) override;
  std::optional<Tenant> FindTenant(const Guid& id) override;
  std::optional<Guid> FindDomainOwner(const std::string& domain) override;
  void InsertDomain(const Guid& tenant, const DomainName& d) override;
  std::vector<DomainName> ListDomains(const Guid& tenant) override;

  void InsertUser(const User& u) override;
  void UpdateUser(const User& u) override;
  void DeleteUser(const Guid& tenant, const Guid& id) override;
  std::optional<User> FindUser(const Guid& tenant, const Guid& id) override;
  std::optional<User> FindUserByUpn(const Guid& tenant, const std::string& upn) override;
  std::vector<User> ListUsers(const Guid& tenant, const app::UserPageQuery& q) override;
  int64_t CountUsers(const Guid& tenant, const app::UserFilter& f) override;

  RoleSet ListRoles(const Guid& tenant, const Guid& user) override;
  void SetRoles(const Guid& tenant, const Guid& user, const RoleSet& roles) override;
  int64_t CountRoleHolders(const Guid& tenant, Role role) override;
  int64_t LockAndCountEnabledRoleHolders(const Guid& tenant, Role role) override;

  void LockPool(const Guid& tenant, const Guid& sku) override;
  app::PoolCounts GetPool(const Guid& tenant, const Guid& sku) override;
  std::vector<std::pair<Guid, app::PoolCounts>> ListPools(const Guid& tenant) override;
  std::vector<LicenseAssignment> ListAssignments(const Guid& tenant, const Guid& user) override;
  std::vector<LicenseAssignment> ListAssignmentsOf(const Guid& tenant,
                                                   const std::vector<Guid>& users) override;
  int64_t InsertAssignment(const Guid& tenant, const LicenseAssignment& a) override;
  bool DeleteAssignment(const Guid& tenant, const Guid& user, const Guid& sku) override;
  AutoAssigned AutoAssign(const Guid& tenant, const Guid& sku, int64_t limit, Instant now,
                          const std::string& default_usage_location) override;
  std::vector<LicenseAssignment> NewestAssignments(const Guid& tenant, const Guid& sku,
                                                   int64_t count) override;
  std::vector<Guid> ListHolders(const Guid& tenant, const Guid& sku) override;

  std::vector<LicenseSource> ListLicenseSources(const Guid& tenant, const Guid& user) override;
  std::vector<app::UserLicenseSource> ListLicenseSourcesOf(const Guid& tenant,
                                                           const std::vector<Guid>& users) override;
  std::vector<app::UserLicenseSource> ListGroupSources(const Guid& tenant,
                                                       const Guid& group) override;
  void UpsertLicenseSource(const Guid& tenant, const Guid& user, const LicenseSource& s) override;
  SourceRemoved RemoveLicenseSource(const Guid& tenant, const Guid& user, const Guid& sku,
                                    const std::optional<Guid>& group) override;

  bool InsertGroup(const Group& g) override;
  bool UpdateGroupProperties(const Group& g) override;
  void SetGroupProcessingState(const Guid& tenant, const Guid& group,
                               GroupProcessingState s) override;
  std::optional<Group> FindGroup(const Guid& tenant, const Guid& id) override;
  GroupDeleted DeleteGroup(const Guid& tenant, const Guid& id) override;
  std::vector<Group> ListGroups(const Guid& tenant, const app::GroupPageQuery& q) override;
  int64_t CountGroups(const Guid& tenant, const app::GroupFilter& f) override;
  MemberAdded AddGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                             Instant now) override;
  bool RemoveGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                         Instant now) override;
  bool IsGroupMember(const Guid& tenant, const Guid& group, const Guid& user) override;
  std::vector<User> ListGroupMembers(const Guid& tenant, const Guid& group,
                                     std::optional<Guid> after, int limit) override;
  std::vector<app::GroupMember> ListGroupMembersBySeq(const Guid& tenant, const Guid& group,
                                                      std::optional<int64_t> after_seq,
                                                      int limit) override;
  std::vector<User> ListMembersWithLicenseErrors(const Guid& tenant, const Guid& group,
                                                 std::optional<Guid> after, int limit) override;
  std::vector<Group> ListMemberOf(const Guid& tenant, const Guid& user, std::optional<Guid> after,
                                  int limit) override;
  void SetGroupLicenses(const Guid& tenant, const Guid& group,
                        const std::vector<GroupLicense>& licenses, Instant now) override;
  std::vector<GroupLicense> ListGroupLicenses(const Guid& tenant, const Guid& group) override;
  PlanApplied ApplyGroupPlan(const Guid& tenant, const Guid& group, const GroupPlan& plan,
                             Instant now) override;
  int64_t ApplySourceRemoval(const Guid& tenant, const Guid& group,
                             const std::vector<SourceRemoval>& removals) override;

  void InsertCart(const Cart& c) override;
  void UpdateCart(const Cart& c) override;
  bool MarkCartOrdered(const Guid& tenant, const Guid& id, Instant at) override;
  std::optional<Cart> FindCart(const Guid& tenant, const Guid& id) override;
  void LockCart(const Guid& tenant, const Guid& id) override;
  std::vector<Cart> ListCarts(const Guid& tenant, const Guid& owner,
                              std::optional<CartStatus> status, Instant now) override;

  void InsertPaymentMethod(const PaymentMethod& p) override;
  void UpdatePaymentMethod(const PaymentMethod& p) override;
  std::optional<PaymentMethod> FindPaymentMethod(const Guid& tenant, const Guid& id) override;
  std::vector<PaymentMethod> ListPaymentMethods(const Guid& tenant) override;

  void InsertOrder(const Order& o) override;
  void UpdateOrder(const Order& o) override;
  std::optional<Order> FindOrder(const Guid& tenant, const Guid& id) override;
  std::optional<OrderStatus> FindOrderStatus(const Guid& tenant, const Guid& id) override;
  std::optional<Order> FindLiveOrderForCart(const Guid& tenant, const Guid& cart) override;
  std::vector<Order> ListOrders(const Guid& tenant) override;
  std::vector<Order> ListPendingOrders(Instant older_than) override;

  void InsertSubscription(const Subscription& s) override;
  void UpdateSubscription(const Subscription& s) override;
  std::optional<Subscription> FindSubscription(const Guid& tenant, const Guid& id) override;
  std::vector<Subscription> ListSubscriptions(const Guid& tenant) override;
  std::vector<Subscription> ListSubscriptionsDue(Instant now, int limit) override;

  int64_t NextInvoiceNumber() override;
  void InsertInvoice(const Invoice& inv) override;
  void UpdateInvoice(const Invoice& inv) override;
  std::optional<Invoice> FindInvoice(const Guid& tenant, const Guid& id) override;
  std::vector<Invoice> ListInvoices(const Guid& tenant) override;
  std::vector<Invoice> ListInvoicesOverdue(Instant now, int limit) override;
  std::vector<Invoice> ListInvoicesWithStatus(const std::optional<Guid>& tenant,
                                              PaymentStatus status, int limit) override;
  bool UpdateInvoiceStatusIf(const Guid& tenant, const Guid& id, PaymentStatus from,
                             PaymentStatus to) override;
  std::optional<Invoice> FindInvoiceByNumber(int64_t number) override;
  void InsertInvoicePayment(const Guid& tenant, const Guid& invoice,
                            const app::InvoicePayment& p) override;
  std::optional<app::InvoicePayment> FindInvoicePayment(const Guid& tenant,
                                                        const Guid& invoice) override;
  void InsertSubscriptionHold(const Guid& tenant, const Guid& subscription,
                              const app::SubscriptionHold& h) override;
  std::vector<app::SubscriptionHold> ListSubscriptionHolds(const Guid& tenant,
                                                           const Guid& subscription) override;
  void DeleteSubscriptionHolds(const Guid& tenant, const Guid& subscription) override;

  void InsertAudit(const AuditEntry& e) override;
  std::vector<AuditEntry> ListAudit(const Guid& tenant, std::optional<app::AuditCursor> before,
                                    int limit) override;
  std::vector<Order> ListOrdersPage(const Guid& tenant, std::optional<app::PageCursor> after,
                                    int limit) override;
  std::vector<Invoice> ListInvoicesPage(const Guid& tenant, std::optional<app::PageCursor> after,
                                        int limit) override;

  std::optional<app::IdempotencyRecord> FindIdempotency(const Guid& tenant,
                                                        const std::string& key) override;
  void InsertIdempotency(const Guid& tenant, const app::IdempotencyRecord& r) override;
  void UpdateIdempotency(const Guid& tenant, const app::IdempotencyRecord& r) override;
  void DeleteIdempotencyFor(const Guid& tenant, const std::string& resource_id) override;
  void DeleteIdempotency(const Guid& tenant, const std::string& key) override;
  int64_t PurgeTokens(Instant before, int limit) override;
  int64_t PurgeIdempotency(Instant done_before, Instant in_flight_before, int limit) override;
  int64_t PurgeCarts(Instant before, int limit) override;
  void EnqueueWork(const app::WorkItem& w) override;
  std::vector<app::WorkItem> ClaimWork(const std::string& kind, Instant due_by, Instant lease_now,
                                       const std::string& owner, Instant lease_until,
                                       int limit) override;
  bool FinishWork(const app::WorkItem& claimed) override;
  bool RescheduleWork(const app::WorkItem& claimed, Instant due_at, const std::string& error,
                      bool failed) override;
  std::optional<app::WorkItem> FindWork(const std::string& kind, const Guid& tenant,
                                        const std::string& key) override;
  std::vector<app::WorkKindStats> WorkStats(Instant lease_now) override;
  void LockSubscription(const Guid& tenant, const Guid& id) override;
  std::optional<app::PendingChange> FindPendingChange(const Guid& tenant,
                                                      const Guid& subscription) override;
  void InsertPendingChange(const app::PendingChange& c) override;
  void SetPendingChangeState(const Guid& tenant, const Guid& subscription,
                             const std::string& state) override;
  void DeletePendingChange(const Guid& tenant, const Guid& subscription) override;
  std::vector<app::PendingChange> ListPendingChanges(Instant started_before, int limit) override;

  void InsertToken(const app::TokenRecord& t) override;
  std::optional<app::TokenRecord> FindToken(const std::string& token_hash) override;
  std::optional<SignedIn> FindSignedIn(const std::string& token_hash) override;
  void DeleteToken(const std::string& token_hash) override;
  void DeleteUserTokens(const Guid& tenant, const Guid& user) override;

  std::optional<app::SsoConfig> FindSsoConfig(const Guid& tenant) override;
  void PutSsoConfig(const app::SsoConfig& c) override;
  void DeleteSsoConfig(const Guid& tenant) override;
  void UpdateSsoJwks(const Guid& tenant, const std::string& jwks, Instant fetched_at) override;
  void InsertOidcRequest(const app::OidcRequest& r) override;
  std::optional<app::OidcRequest> TakeOidcRequest(const std::string& state_hash) override;
  int64_t PurgeOidcRequests(Instant before) override;
  void RecordSignIn(const Guid& tenant, const Guid& user, Instant at, bool interactive,
                    int64_t min_interval_ms) override;
  std::vector<app::SignInActivity> ListSignInActivity(const Guid& tenant,
                                                      const std::vector<Guid>& users) override;

  std::optional<std::string> GetSetting(const std::string& key) override;
  void SetSetting(const std::string& key, const std::string& value) override;

 private:
  bool pg() const { return c_.dialect() == Dialect::kPostgres; }
  void EnsurePool(const Guid& tenant, const Guid& sku);
  // R16: the license's disabled plans from its granting sources.
  void RecomputeDisabledPlans(const Guid& tenant, const Guid& user, const Guid& sku);
  Conn& c_;
  std::vector<AuditEntry> pending_audit_;
};

}  // namespace ld::store
