// Idempotency-Keys: the one module every use case that takes a key goes
// through (issue 14 #1). A key is scoped to its caller (tenant by the row,
// user by ScopeKey; issue 13 #12). On the use case's own transaction:
// - ClaimKey: a new key is recorded in flight, naming the resource it is
//   about; the same request finished earlier is a replay of its outcome; the
//   same request still in flight is RequestInProgress; another request with
//   the key is IdempotencyKeyReused.
// - FinishKey: records the outcome (as an app value, never an HTTP status)
//   and, when the caller keeps one, the rendered response.
// - ForgetKey: drops an unfinished key, so that a retry runs afresh (the
//   request did not happen). A finished key is never forgotten this way.
// Keys expire: retention (app/retention.h) deletes finished keys after at
// least 24 hours and unfinished ones whose request died after 15 minutes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/context.h"
#include "app/store.h"

namespace ld::app {

// An Idempotency-Key with the hash of the request it came with.
struct IdempotencyInput {
  std::string key;          // 1..255 characters
  std::string requestHash;  // e.g. SHA-256 of method, path and body
};

// The Idempotency-Key as stored: scoped to the caller (tenant by the store's
// row, user here), so another caller's same key and body is a fresh request.
// Every use case and route that keeps keys goes through this (issue 13 #12).
std::optional<IdempotencyInput> ScopeIdempotency(const Actor& actor,
                                                 const std::optional<IdempotencyInput>& idem);

// How a keyed request ended. Stored as its number (idempotency_keys.status_code
// holds it; see docs/data-model.md).
enum class KeyOutcome {
  kCompleted = 1,  // the change happened
  kDeclined = 2,   // refused by the payment gateway (the failed order is the resource)
  kRefused = 3,    // refused before any money moved (lost a race): replays the refusal
};

struct KeyClaim {
  bool replay = false;  // the same request finished earlier: answer as then
  KeyOutcome outcome = KeyOutcome::kCompleted;
  std::string resourceType, resourceId;
  std::string response;  // the rendered first answer, when the caller kept one
};

// Validates the key (1 to 255 characters, else 400 InvalidIdempotencyKey)
// and scopes it to the caller.
Result<std::optional<IdempotencyInput>> ScopeKey(const Actor& actor,
                                                 const std::optional<IdempotencyInput>& key);

Result<KeyClaim> ClaimKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key,
                          std::string_view resource_type, std::string_view resource_id,
                          Instant now);
// The claim's answer without recording anything (a read-only look).
Result<KeyClaim> PeekKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key);
void FinishKey(Tx& tx, const Guid& tenant, const IdempotencyInput& key, KeyOutcome outcome,
               std::string_view resource_type, std::string_view resource_id, Instant now,
               std::string response = {});
void ForgetKey(Tx& tx, const Guid& tenant, const std::string& key);
// Recovery of an unfinished request that knows its resource, not its key
// (a pending order): forgets the keys that point at the resource.
void ForgetKeysFor(Tx& tx, const Guid& tenant, const std::string& resource_id);

// For use cases that keep no key of their own (cancel, reactivate): runs
// `run` at most once per key. `run` returns the rendered answer, which is
// kept and replayed (with *replayed set) for the same request; a failure
// forgets the key, so that a retry runs again (nothing happened).
Result<std::string> RunKeyed(Context& ctx, const Actor& actor,
                             const std::optional<IdempotencyInput>& key,
                             const std::function<Result<std::string>()>& run, bool* replayed);

Error KeyReused();
Error KeyInProgress();

}  // namespace ld::app
