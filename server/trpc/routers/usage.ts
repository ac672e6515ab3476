import { authedProcedure, router } from '../init.ts';

export const usageRouter = router({
  current: authedProcedure.query(({ ctx }) => ctx.app.account.usage(ctx.user)),
});
