/** What every billing event handler gets, and the shape each handler has. */
import type { Store, UserRecord } from '../../ports.ts';
import type { Logger } from '../../logger.ts';
import type { BillingEvent } from '../../domain/billing-events.ts';
import type { PaidPlanId } from '../../domain/subscription.ts';

export interface BillingEventContext {
  store: Store;
  logger: Logger;
  now: () => Date;
  /** The paid plan a price id belongs to, or null for a price we do not sell. */
  planForPrice(priceId: string): PaidPlanId | null;
}

export interface BillingEventHandler<E extends BillingEvent> {
  /** The user the event is about, or null when it is about nobody we know (e.g. a deleted account). */
  findUser(event: E, ctx: BillingEventContext): Promise<UserRecord | null>;
  /** Applies the event to that user. Must be safe to run for an event older than the stored state. */
  apply(event: E, user: UserRecord, ctx: BillingEventContext): Promise<void>;
}
