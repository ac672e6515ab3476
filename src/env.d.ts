/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Set by src/middleware.ts on every on-demand request. */
    requestId: string;
    /** The signed-in person, or null. */
    session: { userId: string; email: string | null; name: string | null } | null;
    /** The user record behind the session (null when signed out). */
    user: import('../server/ports.ts').UserRecord | null;
  }
}
