/** The root router: merges the domain routers. Islands import only the `AppRouter` type. */
import { router } from './init.ts';
import { accountRouter } from './routers/account.ts';
import { consentRouter } from './routers/consent.ts';
import { privacyRouter } from './routers/privacy.ts';
import { galleryRouter } from './routers/gallery.ts';
import { generateRouter } from './routers/generate.ts';
import { usageRouter } from './routers/usage.ts';
import { billingRouter } from './routers/billing.ts';

export const appRouter = router({
  generate: generateRouter,
  gallery: galleryRouter,
  account: accountRouter,
  usage: usageRouter,
  consent: consentRouter,
  privacy: privacyRouter,
  billing: billingRouter,
});

export type AppRouter = typeof appRouter;
