#include "app/idempotency.h"

#include <iostream>

#include "app/auth.h"

namespace ld::app {
namespace {

constexpr const char* kDone = "done";
constexpr const char* kInFlight = "in_flight";

KeyOutcome OutcomeOf(int stored) {
  switch (stored) {
    case 2:
      return KeyOutcome::kDeclined;
    case 3:
      return KeyOutcome::kRefused;
    default:
      return KeyOutcome::kCompleted;
  }
}

Result<KeyClaim> Look(const std::optional<IdempotencyRecord>& rec, const IdempotencyInput& key) {
  KeyClaim c;
  if (!rec) return c;
  if (rec->requestHash != key.requestHash) return KeyReused();
  if (rec->state != kDone) return KeyInProgress();
  c.replay = true;
  c.outcome = OutcomeOf(rec->outcome);
  c.resourceType = rec->resourceType;
  c.resourceId = rec->resourceId;
  c.response = rec->response;
  return c;
}

}  // namespace

std::optional<IdempotencyInput> ScopeIdempotency(const Actor& actor,
                                                 const std::optional<IdempotencyInput>& idem) {
  if (!idem) return std::nullopt;
  return IdempotencyInput{actor.userId.str() + " " + idem->key, idem->requestHash};
}

Error KeyReused() {
  return {ErrorKind::kUnprocessable, "IdempotencyKeyReused",
          "This Idempotency-Key was used with a different request.", "Idempotency-Key", nullptr};
}

Error KeyInProgress() {
  return Error::Concurrent("RequestInProgress",
                           "A request with this Idempotency-Key is still being processed.");
}

Result<std::optional<IdempotencyInput>> ScopeKey(const Actor& actor,
                                                 const std::optional<IdempotencyInput>& key) {
  if (key && (key->key.empty() || key->key.size() > 255))
    return Error::Invalid("InvalidIdempotencyKey", "Idempotency-Key must have 1 to 255 characters.",
                          "Idempotency-Key");
  return ScopeIdempotency(actor, key);
}

Result<KeyClaim> PeekKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key) {
  return Look(tx.FindIdempotency(tenant, key.key), key);
}

Result<KeyClaim> ClaimKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key,
                          std::string_view resource_type, std::string_view resource_id,
                          Instant now) {
  auto rec = tx.FindIdempotency(tenant, key.key);
  LD_ASSIGN_OR_RETURN(KeyClaim c, Look(rec, key));
  if (!rec)
    tx.InsertIdempotency(tenant, {key.key, key.requestHash, kInFlight, 0,
                                  std::string(resource_type), std::string(resource_id), "", now});
  return c;
}

void FinishKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key, KeyOutcome outcome,
               std::string_view resource_type, std::string_view resource_id, Instant now,
               std::string response) {
  IdempotencyRecord r{key.key,
                      key.requestHash,
                      kDone,
                      static_cast<int>(outcome),
                      std::string(resource_type),
                      std::string(resource_id),
                      std::move(response),
                      now};
  if (tx.FindIdempotency(tenant, key.key))
    tx.UpdateIdempotency(tenant, r);
  else
    tx.InsertIdempotency(tenant, r);
}

void ForgetKey(Tx& tx, const Guid& tenant, const std::string& key) {
  auto rec = tx.FindIdempotency(tenant, key);
  if (rec && rec->state != kDone) tx.DeleteIdempotency(tenant, key);
}

void ForgetKeysFor(Tx& tx, const Guid& tenant, const std::string& resource_id) {
  tx.DeleteIdempotencyFor(tenant, resource_id);
}

Result<std::string> RunKeyed(Context& ctx, const Actor& actor,
                             const std::optional<IdempotencyInput>& key,
                             const std::function<Result<std::string>()>& run, bool* replayed) {
  *replayed = false;
  LD_ASSIGN_OR_RETURN(auto scoped, ScopeKey(actor, key));
  if (!scoped) return run();
  const Guid tenant = actor.tenantId;
  const std::string marker = "keyed:" + Sha256Hex(scoped->key);
  KeyClaim claim;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(claim, ClaimKey(tx, tenant, *scoped, "keyed", marker, ctx.Now()));
    return Ok();
  }));
  if (claim.replay) {
    *replayed = true;
    return claim.response;
  }
  Result<std::string> out = Error::Internal("not run");
  try {
    out = run();
  } catch (...) {
    // Nothing was recorded as done: give the key back, then let it through.
    (void)ctx.store.Write([&](Tx& tx) -> Status {
      ForgetKey(tx, tenant, scoped->key);
      return Ok();
    });
    throw;
  }
  // If even this write fails, the key stays in flight and retention gives it
  // back after 15 minutes; the use case's answer stands either way (the
  // change happened, or it did not).
  Status finished = ctx.store.Write([&](Tx& tx) -> Status {
    if (!out.ok())
      ForgetKey(tx, tenant, scoped->key);
    else
      FinishKey(tx, tenant, *scoped, KeyOutcome::kCompleted, "keyed", marker, ctx.Now(), *out);
    return Ok();
  });
  if (!finished.ok())
    std::cerr << "licensedesk: recording an Idempotency-Key's outcome failed: "
              << finished.error().message << "\n";
  return out;
}

}  // namespace ld::app
