import { z } from 'zod';
import { publicProcedure, router } from '../init.ts';

/**
 * The consent banner's script posts every decision here with a plain fetch (no tRPC client:
 * it would not fit the pages' JavaScript budget). Anonymous decisions live only in the
 * visitor's cookie, so they are acknowledged and not stored.
 */
export const consentRouter = router({
  record: publicProcedure
    .input(
      z.object({
        categories: z.object({ analytics: z.boolean(), performance: z.boolean(), preferences: z.boolean() }),
        policyVersion: z.string().trim().min(1, 'Policy version is required.').max(40, 'Policy version is too long.'),
        source: z.enum(['banner', 'settings', 'gpc']),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!ctx.user) return { recorded: false };
      await ctx.app.consent.record(ctx.user.id, input);
      return { recorded: true };
    }),
});
