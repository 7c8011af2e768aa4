#include "cli/background.h"

#include <iostream>

#include "app/commerce.h"
#include "app/groups.h"
#include "app/lifecycle.h"
#include "app/subscriptions.h"

namespace ld::cli {

void RegisterBackgroundWork(app::WorkQueue& queue, const BackgroundOptions& o) {
  const int64_t age = o.pendingAgeMs;
  queue.Register({.kind = "pending-orders",
                  .run = [age](app::Context& ctx, const app::WorkItem&) -> Status {
                    LD_ASSIGN_OR_RETURN(int n, app::RecoverPendingOrders(ctx, ctx.Now() - age));
                    if (n > 0) std::cerr << "licensedesk: settled " << n << " pending orders\n";
                    return Ok();
                  },
                  .repeatEveryMs = o.everyMs});
  queue.Register({.kind = "pending-changes",
                  .run = [age](app::Context& ctx, const app::WorkItem&) -> Status {
                    LD_ASSIGN_OR_RETURN(int n, app::RecoverPendingChanges(ctx, ctx.Now() - age));
                    if (n > 0)
                      std::cerr << "licensedesk: settled " << n << " pending license changes\n";
                    return Ok();
                  },
                  .repeatEveryMs = o.everyMs});
  queue.Register({.kind = "lifecycle",
                  .run = [](app::Context& ctx, const app::WorkItem&) -> Status {
                    LD_ASSIGN_OR_RETURN(auto events, app::RunLifecycle(ctx, ctx.Now()));
                    if (!events.empty())
                      std::cerr << "licensedesk: lifecycle ran " << events.size() << " steps\n";
                    return Ok();
                  },
                  .repeatEveryMs = o.everyMs});
  // Group-based licensing (issue 16): one item per group or membership
  // change, written with the change; retried with backoff when it fails. A
  // short lease: an item held by a server that died waits for it to pass
  // before another server takes it (a run of 100,000 members takes ~2 s; one
  // outliving its lease is run again elsewhere, which changes nothing).
  queue.Register({.kind = app::kGroupLicensingWork,
                  .run = app::ProcessGroupLicensing,
                  .batch = 16,
                  .leaseMs = 15 * 1000,
                  .maxAttempts = 20,
                  .retryBaseMs = 500,
                  .retryMaxMs = 5 * 60 * 1000});
  const app::RetentionPolicy policy = o.retention;
  queue.Register({.kind = "retention",
                  .run = [policy](app::Context& ctx, const app::WorkItem&) -> Status {
                    LD_ASSIGN_OR_RETURN(auto n, app::RunRetention(ctx, policy));
                    if (n.Total() > 0)
                      std::cerr << "licensedesk: retention deleted " << n.tokens << " tokens, "
                                << n.idempotencyKeys << " idempotency keys, " << n.carts
                                << " expired carts\n";
                    return Ok();
                  },
                  .repeatEveryMs = o.retentionEveryMs});
}

}  // namespace ld::cli
