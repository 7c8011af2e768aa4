#include "cli/background.h"

#include <iostream>

#include "app/commerce.h"
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
