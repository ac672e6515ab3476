import { z } from 'zod';
import { authedProcedure, publicProcedure, router } from '../init.ts';
import { AppError } from '../../domain/errors.ts';
import { toExportView, toReceiptView } from '../privacy-dto.ts';

export const privacyRouter = router({
  /** The latest data download (null when none was asked for). */
  status: authedProcedure.query(async ({ ctx }) => {
    const latest = await ctx.app.privacyExport.latest(ctx.user.id);
    return { export: latest ? toExportView(latest) : null };
  }),

  requestExport: authedProcedure.mutation(async ({ ctx }) => toExportView(await ctx.app.privacyExport.request(ctx.user.id))),

  /** Queues the deletion. From here on the person is signed out; the receipt id follows the job. */
  requestDeletion: authedProcedure
    .input(z.object({ confirm: z.string({ error: 'Type the confirmation phrase.' }).max(100, 'The confirmation phrase is too long.') }))
    .mutation(async ({ ctx, input }) => {
      const request = await ctx.app.privacyDeletion.requestFromAccountPage(ctx.user.id, input.confirm);
      return { receipt: toReceiptView(request), identity: ctx.app.identity.kind };
    }),

  /** A deletion receipt by its id. Public: the person is signed out by then, and a receipt holds no personal data. */
  receipt: publicProcedure.input(z.object({ id: z.string().min(1, 'Receipt id is required.').max(100, 'Receipt id is too long.') })).query(async ({ ctx, input }) => {
    const request = await ctx.app.privacyDeletion.receipt(input.id);
    if (!request) throw new AppError('NotFound', `no deletion receipt '${input.id}'`, { userMessage: 'There is no deletion receipt with that id. Check it and try again.' });
    return toReceiptView(request);
  }),
});
