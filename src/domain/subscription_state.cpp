#include "domain/subscription_state.h"

#include <string>

#include "domain/lifecycle.h"
#include "domain/pricing.h"

namespace ld {

namespace {

Error NotAllowed(const Subscription& s, SubscriptionEvent e) {
  return Error::Conflict("TransitionNotAllowed",
                         "A subscription that is " + std::string(ToString(s.status)) +
                             " cannot take the event " + std::string(ToString(e)) + ".");
}

void SetStatus(Subscription& s, SubscriptionStatus status, Instant now) {
  s.status = status;
  s.statusChangedAt = now;
}

// A new period from `now`, anchored on today (purchase, reactivation).
void StartPeriod(Subscription& s, Instant now) {
  s.periodStart = now;
  s.anchorDay = ToCivil(now).day;
  s.currentPeriodEnd = PeriodEnd(now, s.cycle, s.anchorDay);
}

// The next period from the old end, on the anchor day (renewal).
void NextPeriod(Subscription& s) {
  s.periodStart = s.currentPeriodEnd;
  s.currentPeriodEnd = NextPeriodEnd(s);
}

Period Current(const Subscription& s) {
  return {s.periodStart, s.currentPeriodEnd};
}

bool Is(const Subscription& s, SubscriptionStatus status) {
  return s.status == status;
}

bool RetryDue(const Subscription& s, Instant now) {
  return s.retryAt > 0 && now >= s.retryAt;
}

}  // namespace

std::string_view ToString(SubscriptionEvent e) {
  switch (e) {
    case SubscriptionEvent::kPurchased:
      return "purchased";
    case SubscriptionEvent::kRenewed:
      return "renewed";
    case SubscriptionEvent::kRenewalFailed:
      return "renewalFailed";
    case SubscriptionEvent::kNotRenewed:
      return "notRenewed";
    case SubscriptionEvent::kRenewalRetryFailed:
      return "renewalRetryFailed";
    case SubscriptionEvent::kRetriesStopped:
      return "retriesStopped";
    case SubscriptionEvent::kInvoiceOverdue:
      return "invoiceOverdue";
    case SubscriptionEvent::kGraceEnded:
      return "graceEnded";
    case SubscriptionEvent::kDisabledEnded:
      return "disabledEnded";
    case SubscriptionEvent::kCanceled:
      return "canceled";
    case SubscriptionEvent::kReactivated:
      return "reactivated";
    case SubscriptionEvent::kInvoicePaid:
      return "invoicePaid";
  }
  return "unknown";
}

Result<SubscriptionStep> Transition(const Subscription& before, SubscriptionEvent event,
                                    Instant now) {
  using S = SubscriptionStatus;
  using E = SubscriptionEvent;
  SubscriptionStep out{before, {}};
  Subscription& s = out.sub;
  const bool active = Is(s, S::kActive);
  const bool expired = Is(s, S::kExpired);
  const bool disabled = Is(s, S::kDisabled);
  const bool period_over = now >= s.currentPeriodEnd;
  switch (event) {
    case E::kPurchased:
      if (s.startDate != 0) return NotAllowed(s, event);
      s.startDate = now;
      StartPeriod(s, now);
      SetStatus(s, S::kActive, now);
      s.autoRenew = true;
      out.bill.push_back(Current(s));
      return out;

    case E::kRenewed:
      if (!s.autoRenew || !period_over) return NotAllowed(s, event);
      if (!active && !(expired && RetryDue(s, now))) return NotAllowed(s, event);
      NextPeriod(s);
      SetStatus(s, S::kActive, now);
      s.renewalAttempts = 0;
      s.retryAt = 0;
      out.bill.push_back(Current(s));
      return out;

    case E::kRenewalFailed:
    case E::kNotRenewed: {
      bool renews = event == E::kRenewalFailed;
      if (!active || !period_over || s.autoRenew != renews) return NotAllowed(s, event);
      SetStatus(s, S::kExpired, now);
      s.renewalAttempts = 0;
      // R11: a failed charge is retried within the grace.
      s.retryAt = renews ? now + kRenewalRetryDays[0] * kMsPerDay : 0;
      return out;
    }

    case E::kRenewalRetryFailed: {
      if (!expired || !s.autoRenew || !RetryDue(s, now) || s.renewalAttempts >= kRenewalRetries)
        return NotAllowed(s, event);
      int attempt = s.renewalAttempts + 1;
      s.renewalAttempts = attempt;
      s.retryAt = attempt < kRenewalRetries
                      ? s.currentPeriodEnd + kRenewalRetryDays[attempt] * kMsPerDay
                      : 0;
      return out;
    }

    case E::kRetriesStopped:
      if (!expired || s.autoRenew || !RetryDue(s, now)) return NotAllowed(s, event);
      s.retryAt = 0;
      return out;

    case E::kInvoiceOverdue:
      if (!active) return NotAllowed(s, event);
      SetStatus(s, S::kExpired, now);
      s.renewalAttempts = 0;
      s.retryAt = 0;
      return out;

    case E::kGraceEnded:
      if (!expired || now < s.statusChangedAt + kGraceDays * kMsPerDay) return NotAllowed(s, event);
      SetStatus(s, S::kDisabled, now);
      s.retryAt = 0;
      return out;

    case E::kDisabledEnded:
      if (!disabled || now < s.statusChangedAt + kDisabledDays * kMsPerDay)
        return NotAllowed(s, event);
      SetStatus(s, S::kDeleted, now);
      return out;

    case E::kCanceled:
      if (!active)
        return Error::Conflict("SubscriptionNotActive",
                               "Only an active subscription can be canceled.");
      // R10: only within 7 days of purchase or renewal.
      if (!WithinCancelWindow(s, now))
        return Error::Conflict("CancellationWindowPassed",
                               "A subscription can be canceled within 7 days of purchase or "
                               "renewal. Turn recurring billing off so it ends at the period end.");
      SetStatus(s, S::kDisabled, now);
      s.autoRenew = false;
      return out;

    case E::kReactivated:
      if (!expired && !disabled)
        return Error::Conflict("SubscriptionNotReactivatable",
                               "Only an expired or disabled subscription can be reactivated.");
      s.autoRenew = true;
      StartPeriod(s, now);
      SetStatus(s, S::kActive, now);
      out.bill.push_back(Current(s));
      return out;

    case E::kInvoicePaid:
      if (!expired && !disabled) return NotAllowed(s, event);
      if (period_over) {
        // It would have expired at its period end anyway.
        if (!s.autoRenew) return NotAllowed(s, event);
        if (expired) {
          // Paid within the grace (users kept access): like a successful
          // renewal retry, the next periods run from the old end, no gap.
          while (s.currentPeriodEnd <= now) {
            NextPeriod(s);
            out.bill.push_back(Current(s));
          }
        } else {
          // Disabled (no access since the grace ended): like a reactivation,
          // a new period starts now.
          StartPeriod(s, now);
          out.bill.push_back(Current(s));
        }
      }
      SetStatus(s, S::kActive, now);
      s.renewalAttempts = 0;
      s.retryAt = 0;
      return out;
  }
  return NotAllowed(s, event);
}

}  // namespace ld
