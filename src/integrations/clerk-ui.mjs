// @ts-check
/**
 * Clerk's UI in the build: the `@clerk/astro` integration, which loads Clerk's browser SDK on
 * every page (it keeps the session cookie fresh) and gives src/components/ClerkAuth.astro the
 * Clerk instance to mount <SignIn/>/<SignUp/> into. On only when PUBLIC_CLERK_PUBLISHABLE_KEY is
 * set at build time, like every PUBLIC_* setting; without it the site has no Clerk code in the
 * browser and needs no network. (Astro flattens and drops empty entries in `integrations`.)
 * @see https://clerk.com/docs/references/astro/integration
 */
import clerk from '@clerk/astro';

/** @returns {import('astro').AstroIntegration[]} */
export default function clerkUi(env = process.env) {
  return env.PUBLIC_CLERK_PUBLISHABLE_KEY ? [clerk({ signInUrl: '/sign-in', signUpUrl: '/sign-up' })] : [];
}
