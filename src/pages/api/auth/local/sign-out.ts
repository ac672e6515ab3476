/**
 * The original local sign-out address, kept for forms and scripts that post here: the same
 * sign-out as /api/auth/sign-out (with Clerk configured it ends the Clerk session too).
 */
export { POST } from '../sign-out.ts';

export const prerender = false;
