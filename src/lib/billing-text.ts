/** Sentences about a billing status, shared by the account page, the success page and test billing. */
import type { BillingStatus } from '../../server/services/billing.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const countFormat = new Intl.NumberFormat('en');

export function formatDay(iso: string | null): string | null {
  return iso ? dateFormat.format(new Date(iso)) : null;
}

export function planSentence(status: BillingStatus): string {
  return `${status.planName}: ${countFormat.format(status.monthlyLimit)} images a month`;
}

/** What happens next with the subscription, or null on Free without one. */
export function renewalSentence(status: BillingStatus): string | null {
  const sub = status.subscription;
  if (!sub || status.plan === 'free') return null;
  const day = formatDay(sub.currentPeriodEnd);
  if (sub.cancelAtPeriodEnd)
    return day
      ? `Cancelled: your ${status.planName} plan ends on ${day}, then you are on Free.`
      : `Cancelled: your ${status.planName} plan ends at the end of this billing period.`;
  if (sub.pastDue) return 'Your last payment failed. Update your payment method to keep your plan; the payment is retried automatically.';
  return day ? `Renews on ${day}.` : null;
}
