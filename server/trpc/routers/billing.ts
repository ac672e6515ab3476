import { z } from 'zod';
import { authedProcedure, router } from '../init.ts';
import { PAID_PLAN_IDS } from '../../domain/subscription.ts';

const paidPlan = z.enum(PAID_PLAN_IDS, { error: 'Choose the Plus or the Pro plan.' });

export const billingRouter = router({
  /** Plan, subscription state (past due, period end, cancellation) and whether billing is local test billing. */
  status: authedProcedure.query(({ ctx }) => ctx.app.billingService.status(ctx.user)),

  /** Where to pay for `plan`: Stripe Checkout (or the portal when already subscribed), or the local test page. */
  checkout: authedProcedure.input(z.object({ plan: paidPlan })).mutation(({ ctx, input }) => ctx.app.billingService.checkout(ctx.user, input.plan)),

  /** The Customer Portal (or the local test page) to change or cancel the subscription. */
  portal: authedProcedure.mutation(({ ctx }) => ctx.app.billingService.portal(ctx.user)),

  /** For the success page: the current status, confirmed with Stripe when the webhook is late. */
  confirm: authedProcedure
    .input(z.object({ sessionId: z.string().trim().min(1, 'The payment reference is missing.').max(255, 'The payment reference is too long.') }))
    .mutation(({ ctx, input }) => ctx.app.billingService.confirm(ctx.user, input.sessionId)),

  /** Local test billing only: buy or switch to `plan` (nobody is charged). */
  localCheckout: authedProcedure.input(z.object({ plan: paidPlan })).mutation(({ ctx, input }) => ctx.app.billingService.localCheckout(ctx.user.id, input.plan)),

  /** Local test billing only: cancel at the period end, or now. */
  localCancel: authedProcedure
    .input(z.object({ atPeriodEnd: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => ctx.app.billingService.localCancel(ctx.user.id, { atPeriodEnd: input.atPeriodEnd })),
});
