/** Starts the built site (`node server/start.ts`) on a free port with a temporary DATA_DIR. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** ASTRO_DIST_DIR picks another build (e.g. one made with `astro build --outDir`), as server/start.ts does. */
const DEFAULT_DIST = process.env.ASTRO_DIST_DIR ? path.resolve(ROOT, process.env.ASTRO_DIST_DIR) : path.join(ROOT, 'dist');

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the server printed, for assertions about logs. */
  output(): string;
  /** The process's exit code once it has exited (null while running or when killed by a signal). */
  exitCode(): number | null;
  stop(): Promise<void>;
}

export function hasBuild(distDir = DEFAULT_DIST): boolean {
  return existsSync(path.join(distDir, 'server', 'entry.mjs'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a DATA_DIR (e.g. to restart the same site); a fresh temporary one otherwise. */
  dataDir?: string;
  distDir?: string;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const distDir = options.distDir ?? DEFAULT_DIST;
  if (!hasBuild(distDir)) throw new Error(`No build at ${distDir}. Run 'npm run build' before the browser tests (npm test does).`);
  const port = await freePort();
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'artivio-e2e-')));
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'server', 'start.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      ASTRO_DIST_DIR: distDir,
      PUBLIC_SITE_URL: `http://127.0.0.1:${port}`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Server did not start in 30 s:\n${output}`)), 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Server exited with ${code} before listening:\n${output}`));
    };
    child.once('exit', onExit);
    const poll = setInterval(() => {
      if (output.includes('Artivio is listening')) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    }, 50);
  });

  return {
    url,
    port,
    dataDir,
    output: () => output,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
