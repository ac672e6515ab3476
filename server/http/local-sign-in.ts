/** Input rules for local sign-in, shared by the route and its tests. */
import { z } from 'zod';

export const localSignInInput = z.object({
  email: z.string({ error: 'Email is required.' }).trim().toLowerCase().pipe(z.email({ error: 'Enter a valid email address, like you@example.com.' })).pipe(z.string().max(254, 'Email must be at most 254 characters.')),
  name: z.string({ error: 'Display name is required.' }).trim().min(1, 'Display name is required.').max(80, 'Display name must be at most 80 characters.'),
  returnTo: z.string().max(2000).optional(),
});

/** Only same-site paths: "/gallery" yes, "//evil.example" and "https://…" no. */
export function safeReturnTo(value: string | null | undefined, fallback = '/generate'): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}
