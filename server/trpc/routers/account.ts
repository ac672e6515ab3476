import { z } from 'zod';
import { authedProcedure, router } from '../init.ts';

export const accountRouter = router({
  me: authedProcedure.query(({ ctx }) => {
    const { user, app } = ctx;
    return {
      user: { id: user.id, email: user.email, name: user.name, plan: user.plan, marketingOptIn: user.marketingOptIn, createdAt: user.createdAt },
      identity: app.identity.kind,
      aiLocal: app.model.name === 'local',
      billing: app.billing.kind,
    };
  }),

  update: authedProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, 'Display name is required.').max(80, 'Display name must be at most 80 characters.').optional(),
        marketingOptIn: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.app.account.updateProfile(ctx.user.id, input);
      return { name: user?.name ?? ctx.user.name, marketingOptIn: user?.marketingOptIn ?? ctx.user.marketingOptIn };
    }),
});
