/** Accounts: the user record behind a session, profile edits and the usage meter. */
import { randomUUID } from 'node:crypto';
import type { Identity, SessionIdentity, Store, UserRecord } from '../ports.ts';
import { PLANS, periodEnd, planLimit, usagePeriod } from '../domain/plans.ts';

export interface UsageSummary {
  used: number;
  limit: number;
  plan: UserRecord['plan'];
  planName: string;
  periodEnd: string;
}

export function createAccountService(deps: { store: Store; identity: Pick<Identity, 'profile'>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * The user record for a session. Accounts from an outside identity provider are created
     * on their first request; local sessions must point at an existing record (a deleted
     * account's old cookie reads as signed out). A new account whose session carries no email
     * asks the provider once, so it does not start with an empty email and a placeholder name.
     */
    async resolveUser(session: SessionIdentity, createIfMissing: boolean): Promise<UserRecord | null> {
      const existing = await deps.store.getUser(session.userId);
      if (existing) {
        const patch: Partial<Pick<UserRecord, 'email'>> = {};
        if (session.email && session.email !== existing.email) patch.email = session.email;
        return Object.keys(patch).length ? deps.store.updateUser(existing.id, patch) : existing;
      }
      if (!createIfMissing) return null;
      const profile = session.email ? null : await deps.identity.profile(session.userId);
      const email = session.email ?? profile?.email?.toLowerCase() ?? null;
      const name = session.name ?? profile?.name?.slice(0, 80) ?? email?.split('@')[0] ?? 'New user';
      try {
        return await deps.store.createUser({ id: session.userId, email: email ?? '', name });
      } catch (error) {
        // Created meanwhile by a parallel first request or the user.created webhook: use that one.
        const created = await deps.store.getUser(session.userId);
        if (created) return created;
        throw error;
      }
    },

    /** Local sign-in: the account for this email, created on first sign-in. */
    async signInLocal(email: string, name: string): Promise<UserRecord> {
      const normalized = email.trim().toLowerCase();
      const existing = await deps.store.findUserByEmail(normalized);
      if (existing) return existing;
      return deps.store.createUser({ id: `usr_${randomUUID().replaceAll('-', '')}`, email: normalized, name: name.trim() });
    },

    async usage(user: UserRecord): Promise<UsageSummary> {
      const at = now();
      return {
        used: await deps.store.getUsage(user.id, usagePeriod(at)),
        limit: planLimit(user.plan),
        plan: user.plan,
        planName: PLANS[user.plan].name,
        periodEnd: periodEnd(at).toISOString(),
      };
    },

    async updateProfile(userId: string, patch: { name?: string; marketingOptIn?: boolean }): Promise<UserRecord | null> {
      return deps.store.updateUser(userId, patch);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
