// @ts-check
/**
 * Clerk's UI in the build: the `@clerk/astro` integration (which loads Clerk's browser SDK on
 * every page to keep the session fresh and mounts <SignIn/>/<SignUp/>) when
 * PUBLIC_CLERK_PUBLISHABLE_KEY is set at build time, like every PUBLIC_* setting. Without it the
 * site builds and runs with no Clerk code in the browser and no network; the Clerk pages still
 * compile against a stand-in for the integration's one virtual module.
 * @see https://clerk.com/docs/references/astro/integration
 */
import clerk from '@clerk/astro';

const CONFIG_MODULE = 'virtual:@clerk/astro/config';

/** @returns {import('astro').AstroIntegration} */
export default function clerkUi(env = process.env) {
  if (env.PUBLIC_CLERK_PUBLISHABLE_KEY) return clerk({ signInUrl: '/sign-in', signUpUrl: '/sign-up' });
  return {
    name: 'artivio:clerk-ui-off',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'artivio:clerk-config-stand-in',
                resolveId: (id) => (id === CONFIG_MODULE ? `\0${CONFIG_MODULE}` : undefined),
                // The pages only render Clerk components when Clerk is on; this keeps the import graph whole.
                load: (id) => (id === `\0${CONFIG_MODULE}` ? 'export function isStaticOutput(forceStatic) { return forceStatic ?? true; }' : undefined),
              },
            ],
          },
        });
      },
    },
  };
}
