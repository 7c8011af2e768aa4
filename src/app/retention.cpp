#include "app/retention.h"

#include <functional>

namespace ld::app {
namespace {

// Deletes in batches, one short write each, until a batch comes back short.
Result<int64_t> Drain(Context& ctx, int batch, const std::function<int64_t(Tx&)>& purge) {
  int64_t total = 0;
  while (true) {
    int64_t n = 0;
    LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
      n = purge(tx);
      return Ok();
    }));
    total += n;
    if (n < batch) return total;
  }
}

}  // namespace

Result<RetentionCounts> RunRetention(Context& ctx, const RetentionPolicy& p) {
  RetentionCounts out;
  const int batch = p.batch > 0 ? p.batch : 500;
  // Tokens expire by the security clock; keys and carts were stamped with the
  // billing clock (Context::Now), which the test clock moves.
  const Instant security_now = ctx.SecurityNow();
  const Instant now = ctx.Now();
  LD_ASSIGN_OR_RETURN(out.tokens, Drain(ctx, batch, [&](Tx& tx) {
                        return tx.PurgeTokens(security_now - p.tokenGraceMs, batch);
                      }));
  const int64_t keep = p.idempotencyMs < kMinIdempotencyMs ? kMinIdempotencyMs : p.idempotencyMs;
  LD_ASSIGN_OR_RETURN(out.idempotencyKeys, Drain(ctx, batch, [&](Tx& tx) {
                        return tx.PurgeIdempotency(now - keep, now - p.inFlightMs, batch);
                      }));
  LD_ASSIGN_OR_RETURN(out.carts, Drain(ctx, batch, [&](Tx& tx) {
                        return tx.PurgeCarts(now - p.cartGraceMs, batch);
                      }));
  return out;
}

}  // namespace ld::app
