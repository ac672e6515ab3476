/**
 * Server-side record of cookie decisions for signed-in people. The browser keeps the choice
 * in the `artivio_consent` cookie; this keeps a history we can show (and export) as proof of
 * what the person chose, under which policy version and when.
 */
import { randomUUID } from 'node:crypto';
import type { ConsentRecord, Store } from '../ports.ts';
import { AppError } from '../domain/errors.ts';
import type { ConsentCategories } from '../domain/cookies.ts';

export interface ConsentDecision {
  categories: ConsentCategories;
  policyVersion: string;
  source: ConsentRecord['source'];
}

/** A person changes their mind a few times; hundreds of records a minute is a script. */
const RECORDS_PER_MINUTE = 20;

export function createConsentService(deps: { store: Store; now?: () => Date; newId?: () => string }) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  return {
    async record(ownerId: string, decision: ConsentDecision): Promise<ConsentRecord> {
      const at = now();
      const rate = await deps.store.hitRateLimit(`consent:user:${ownerId}`, 60, RECORDS_PER_MINUTE, at);
      if (!rate.allowed) {
        throw new AppError('RateLimited', 'consent record rate limit', {
          retryAfter: rate.retryAfter,
          userMessage: `Your cookie choice was saved in this browser, but too many changes were sent to us at once. Wait ${rate.retryAfter} seconds and save it again.`,
        });
      }
      const record: ConsentRecord = {
        id: newId(),
        ownerId,
        categories: { essential: true, ...decision.categories },
        policyVersion: decision.policyVersion,
        source: decision.source,
        createdAt: at.toISOString(),
      };
      await deps.store.insertConsent(record);
      return record;
    },

    list(ownerId: string): Promise<ConsentRecord[]> {
      return deps.store.listConsents(ownerId);
    },
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
