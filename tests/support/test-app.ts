/** An app on a fresh temporary DATA_DIR, with callers that act as a given user. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App, type Ports } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createCallerFactory } from '../../server/trpc/init.ts';
import { appRouter } from '../../server/trpc/router.ts';
import { createContextInner } from '../../server/trpc/context.ts';
import type { UserRecord } from '../../server/ports.ts';

export interface TestApp {
  app: App;
  dataDir: string;
  /** Creates a local user and returns a tRPC caller acting as them. */
  signIn(email: string, name?: string): Promise<{ user: UserRecord; caller: ReturnType<typeof createCaller> }>;
  anonymous: ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

const createCaller = createCallerFactory(appRouter);

export async function createTestApp(overrides: Partial<Ports> = {}, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'artivio-test-'));
  const app = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), overrides);
  return {
    app,
    dataDir,
    async signIn(email, name = email.split('@')[0]!) {
      const user = await app.account.signInLocal(email, name);
      return { user, caller: createCaller(createContextInner(app, user)) };
    },
    anonymous: createCaller(createContextInner(app, null)),
    async close() {
      await app.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
