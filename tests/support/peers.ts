/**
 * Real-protocol test peers on 127.0.0.1: MinIO (S3), FerretDB 1.x (MongoDB wire protocol on
 * SQLite) and stripe-mock (Stripe API). The binaries are built into .peers/bin/ by
 * .ci/install-peers.sh (Go + the Go module proxy only); MINIO_BIN, FERRETDB_BIN and
 * STRIPE_MOCK_BIN override their locations.
 *
 * A missing binary is not an error: `startX()` resolves to `{ unavailable: reason }` and the suite
 * should skip loudly. A binary that is present but does not come up *is* an error (it throws).
 *
 *   const skipMinio = skipPeer('minio', 'S3 storage adapter');      // prints "SKIPPED: ..."
 *   describe.skipIf(skipMinio)('S3 storage adapter', () => {
 *     let minio: MinioPeer | undefined;
 *     beforeAll(async () => { minio = requirePeer(await startMinio()); });
 *     afterAll(async () => { await minio?.stop(); });
 *   });
 *
 * Every peer gets a fresh port and a fresh temp dir, both gone after stop(). Children are also
 * killed (SIGKILL) when the test process exits or gets SIGINT/SIGTERM/SIGHUP; only a SIGKILL of
 * the test process itself can orphan them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { accessSync, constants as fsConstants, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type PeerName = 'minio' | 'ferretdb' | 'stripe-mock';

/** What `startX()` resolves to: the running peer, or why it cannot run here. */
export type PeerStart<T> = { peer: T } | { unavailable: string };

export const PEER_HOST = '127.0.0.1';

interface RunningPeer {
  readonly name: PeerName;
  readonly host: typeof PEER_HOST;
  readonly port: number;
  readonly pid: number;
  /** The binary that was started. */
  readonly bin: string;
  /** Milliseconds from spawn to the first successful readiness probe. */
  readonly startupMs: number;
  /** Tail (last 64 KiB) of the peer's stdout+stderr, for diagnostics. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface MinioPeer extends RunningPeer {
  readonly name: 'minio';
  /** S3 endpoint, e.g. http://127.0.0.1:40123 (use forcePathStyle). */
  readonly url: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: 'us-east-1';
  readonly dataDir: string;
}

export interface FerretPeer extends RunningPeer {
  readonly name: 'ferretdb';
  /** mongodb://127.0.0.1:<port>/ (no auth). */
  readonly uri: string;
  readonly dataDir: string;
}

export interface StripeMockPeer extends RunningPeer {
  readonly name: 'stripe-mock';
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly protocol: 'http';
  /** stripe-mock accepts any sk_test_ key; this is the conventional one. */
  readonly apiKey: 'sk_test_123';
}

// ---------------------------------------------------------------------------------------------
// Binaries and availability

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PEERS_DIR = path.join(REPO_ROOT, '.peers');

const BIN_ENV: Record<PeerName, string> = {
  minio: 'MINIO_BIN',
  ferretdb: 'FERRETDB_BIN',
  'stripe-mock': 'STRIPE_MOCK_BIN',
};

type Resolved = { bin: string } | { unavailable: string };

function resolveBinary(name: PeerName): Resolved {
  const envName = BIN_ENV[name];
  const fromEnv = process.env[envName];
  const bin = fromEnv ? path.resolve(fromEnv) : path.join(PEERS_DIR, 'bin', name);
  try {
    if (!statSync(bin).isFile()) throw new Error('not a file');
    accessSync(bin, fsConstants.X_OK);
    return { bin };
  } catch {
    let reason = fromEnv
      ? `${envName}=${fromEnv} is not an executable file`
      : `no executable at ${path.relative(REPO_ROOT, bin)}`;
    const status = readInstallStatus(name);
    if (status) reason += `; install-peers.sh said: ${status}`;
    reason += ` (run .ci/install-peers.sh, which needs Go, or set ${envName})`;
    return { unavailable: `${name}: ${reason}` };
  }
}

function readInstallStatus(name: PeerName): string | undefined {
  try {
    return readFileSync(path.join(PEERS_DIR, 'status', name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why `name` cannot run on this machine, or undefined when its binary is there. Cheap and sync. */
export function peerUnavailable(name: PeerName): string | undefined {
  const resolved = resolveBinary(name);
  return 'unavailable' in resolved ? resolved.unavailable : undefined;
}

/**
 * For `describe.skipIf(skipPeer(...))`: true when the peer's binary is missing, after printing a
 * loud `SKIPPED: ...` line so a skipped real-protocol suite never goes unnoticed.
 */
export function skipPeer(name: PeerName, suite: string = name): boolean {
  const reason = peerUnavailable(name);
  if (reason === undefined) return false;
  console.warn(`SKIPPED: ${suite}: peer unavailable: ${reason}`);
  return true;
}

/** Unwraps a `PeerStart`, throwing (with the reason) if the peer is unavailable. */
export function requirePeer<T>(started: PeerStart<T>): T {
  if ('unavailable' in started) throw new Error(`test peer unavailable: ${started.unavailable}`);
  return started.peer;
}

// ---------------------------------------------------------------------------------------------
// Process tracking: kill every child on stop() and when this process goes away.

interface Tracked {
  child: ChildProcess;
  tempDir: string | undefined;
}

interface Registry {
  live: Set<Tracked>;
}

// Shared through globalThis so that several module instances in one worker install one set of
// process hooks (vitest may evaluate this module more than once per process).
const globalWithRegistry = globalThis as typeof globalThis & { __artivioTestPeers?: Registry };

function registry(): Registry {
  const existing = globalWithRegistry.__artivioTestPeers;
  if (existing) return existing;
  const created: Registry = { live: new Set() };
  globalWithRegistry.__artivioTestPeers = created;

  const killAllSync = (): void => {
    for (const tracked of created.live) {
      if (tracked.child.exitCode === null && tracked.child.signalCode === null) {
        try {
          tracked.child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      if (tracked.tempDir) {
        try {
          rmSync(tracked.tempDir, { recursive: true, force: true, maxRetries: 3 });
        } catch {
          // best effort: the OS temp dir is cleaned eventually
        }
      }
    }
    created.live.clear();
  };

  process.once('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      // Keep the default "die on this signal" behaviour unless someone else handles it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
  return created;
}

// ---------------------------------------------------------------------------------------------
// Generic launcher

const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 5_000;

/** Ports that were free a moment ago on 127.0.0.1 (distinct from each other). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      server.unref();
      server.listen(0, PEER_HOST);
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function childEnv(drop: readonly string[], add: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !drop.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  return { ...env, ...add };
}

interface LaunchSpec {
  name: PeerName;
  bin: string;
  /** How many free ports the command needs; ports[0] is the one that is probed. */
  portCount: number;
  /** Removed on stop(), or when the launch finally fails. */
  tempDir: string | undefined;
  command(ports: readonly number[]): { args: string[]; env: NodeJS.ProcessEnv };
  /** One readiness probe; resolves true when the peer answers. Must not throw. */
  probe(port: number): Promise<boolean>;
  readyTimeoutMs: number;
}

interface Launched {
  port: number;
  ports: readonly number[];
  pid: number;
  startupMs: number;
  output(): string;
  stop(): Promise<void>;
}

const ADDRESS_IN_USE = /address already in use|EADDRINUSE|port is already in use/i; // Go net / MinIO wording

async function launch(spec: LaunchSpec): Promise<Launched> {
  // A free port can be taken by someone else between freePorts() and the peer's bind(); such a
  // loss shows up as an early exit with "address already in use", and we retry on new ports.
  const maxAttempts = 3;
  for (let attempt = 1; ; attempt += 1) {
    const ports = await freePorts(spec.portCount);
    try {
      return await launchOnce(spec, ports);
    } catch (error) {
      if (error instanceof PortRaceError && attempt < maxAttempts) continue;
      if (spec.tempDir) await rm(spec.tempDir, { recursive: true, force: true, maxRetries: 3 });
      throw error;
    }
  }
}

class PortRaceError extends Error {}

async function launchOnce(spec: LaunchSpec, ports: readonly number[]): Promise<Launched> {
  const port = ports[0];
  if (port === undefined) throw new Error('launch needs at least one port');
  const { args, env } = spec.command(ports);
  const verbose = process.env['PEERS_VERBOSE'] === '1';

  const startedAt = performance.now();
  const child = spawn(spec.bin, args, {
    cwd: spec.tempDir ?? tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked: Tracked = { child, tempDir: spec.tempDir };
  const reg = registry();
  reg.live.add(tracked);

  // Always drain stdout/stderr (a full pipe would block the peer) and keep the tail.
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_LIMIT);
    if (verbose) process.stderr.write(`[${spec.name}] ${text}`);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Do not keep the test process alive just because a peer is running (the exit hook kills it).
  child.unref();
  for (const stream of [child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }

  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`failed to spawn: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited early (code ${code ?? 'null'}, signal ${signal ?? 'none'})`));
  });

  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        await gone;
      } finally {
        clearTimeout(timer);
      }
    }
    reg.live.delete(tracked);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await kill();
      if (spec.tempDir) await rm(spec.tempDir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };

  const deadline = Date.now() + spec.readyTimeoutMs;
  let earlyExit: string | undefined;
  void exited.then((why) => {
    earlyExit = why;
  });
  for (;;) {
    if (earlyExit !== undefined) break;
    const answered = await spec.probe(port);
    // (If our child died meanwhile, whoever answered on that port is not our peer.)
    if (answered && earlyExit === undefined && child.exitCode === null && child.signalCode === null) {
      return { port, ports, pid: child.pid ?? -1, startupMs: Math.round(performance.now() - startedAt), output: () => output, stop };
    }
    if (Date.now() > deadline) break;
    await Promise.race([sleep(100), exited]);
  }

  // Not ready: kill it and explain (launch() removes the temp dir unless it retries).
  const why = earlyExit ?? `did not answer within ${spec.readyTimeoutMs} ms`;
  await kill().catch(() => undefined);
  const message = `${spec.name} (${spec.bin} ${args.join(' ')}) ${why}. Output:\n${output.slice(-4000) || '(none)'}`;
  if (earlyExit !== undefined && ADDRESS_IN_USE.test(output)) throw new PortRaceError(message);
  throw new Error(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function httpAnswers(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: PEER_HOST, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function makeTempDir(name: PeerName): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `artivio-${name}-`));
}

// ---------------------------------------------------------------------------------------------
// The peers

export interface StartOptions {
  /** How long to wait for the first successful probe (default 60 s; cold CI disks are slow). */
  readyTimeoutMs?: number;
}

/**
 * MinIO single-drive server with fresh root credentials. Creates no buckets.
 * Client config: endpoint `url`, region `us-east-1` (MinIO accepts any), forcePathStyle: true.
 */
export async function startMinio(options: StartOptions = {}): Promise<PeerStart<MinioPeer>> {
  const resolved = resolveBinary('minio');
  if ('unavailable' in resolved) return resolved;
  const { bin } = resolved;
  const tempDir = await makeTempDir('minio');
  const dataDir = path.join(tempDir, 'data');
  const certsDir = path.join(tempDir, 'certs'); // otherwise MinIO creates ~/.minio/certs
  await mkdir(dataDir);
  await mkdir(certsDir);
  const accessKey = 'artivio-test';
  const secretKey = randomBytes(16).toString('hex');

  const launched = await launch({
    name: 'minio',
    bin,
    portCount: 2,
    tempDir,
    command: ([port, consolePort]) => ({
      args: [
        'server',
        dataDir,
        '--address',
        `${PEER_HOST}:${port}`,
        '--console-address',
        `${PEER_HOST}:${consolePort}`,
        '--certs-dir',
        certsDir,
      ],
      env: childEnv(['MINIO_'], {
        // MinIO mkdirs ~/.minio (legacy config dir) whatever the flags say; keep it in the temp dir.
        HOME: tempDir,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CALLHOME_ENABLE: 'off',
      }),
    }),
    probe: (port) => httpAnswers(`http://${PEER_HOST}:${port}/minio/health/live`),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });

  return {
    peer: {
      name: 'minio',
      host: PEER_HOST,
      port: launched.port,
      pid: launched.pid,
      bin,
      startupMs: launched.startupMs,
      url: `http://${PEER_HOST}:${launched.port}`,
      accessKey,
      secretKey,
      region: 'us-east-1',
      dataDir,
      output: launched.output,
      stop: launched.stop,
    },
  };
}

/**
 * FerretDB 1.x speaking the MongoDB wire protocol, backed by SQLite files in a temp dir. No auth.
 * Readiness: TCP accept, then a `ping` through the `mongodb` driver.
 */
export async function startFerret(options: StartOptions = {}): Promise<PeerStart<FerretPeer>> {
  const resolved = resolveBinary('ferretdb');
  if ('unavailable' in resolved) return resolved;
  const { bin } = resolved;
  const tempDir = await makeTempDir('ferretdb');
  const dataDir = path.join(tempDir, 'sqlite');
  const stateDir = path.join(tempDir, 'state');
  await mkdir(dataDir);
  await mkdir(stateDir);

  const launched = await launch({
    name: 'ferretdb',
    bin,
    portCount: 1,
    tempDir,
    command: ([port]) => ({
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=${PEER_HOST}:${port}`,
        `--state-dir=${stateDir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      env: childEnv(['FERRETDB_'], {}),
    }),
    probe: (port) => tcpAnswers(port),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });

  const uri = `mongodb://${PEER_HOST}:${launched.port}/`;
  try {
    await pingMongo(uri);
  } catch (error) {
    await launched.stop();
    throw new Error(`ferretdb accepted TCP but did not answer ping: ${String(error)}\n${launched.output().slice(-4000)}`);
  }

  return {
    peer: {
      name: 'ferretdb',
      host: PEER_HOST,
      port: launched.port,
      pid: launched.pid,
      bin,
      startupMs: launched.startupMs,
      uri,
      dataDir,
      output: launched.output,
      stop: launched.stop,
    },
  };
}

async function pingMongo(uri: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, directConnection: true });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

/**
 * stripe-mock (HTTP only, loopback only). Client: `new Stripe(peer.apiKey, { host: peer.host,
 * port: peer.port, protocol: 'http' })`. Stateless: created objects are canned fixtures.
 */
export async function startStripeMock(options: StartOptions = {}): Promise<PeerStart<StripeMockPeer>> {
  const resolved = resolveBinary('stripe-mock');
  if ('unavailable' in resolved) return resolved;
  const { bin } = resolved;
  const apiKey = 'sk_test_123';

  const launched = await launch({
    name: 'stripe-mock',
    bin,
    portCount: 1,
    tempDir: undefined,
    command: ([port]) => ({
      // -https-addr is needed: with only -http-addr, stripe-mock also opens HTTPS on *:12112
      // (all interfaces, fixed port, so parallel instances collide). Port 0 = any free port.
      args: ['-http-addr', `${PEER_HOST}:${port}`, '-https-addr', `${PEER_HOST}:0`],
      env: childEnv(['STRIPE_MOCK_'], {}),
    }),
    probe: (port) =>
      httpAnswers(`http://${PEER_HOST}:${port}/v1/customers`, { headers: { Authorization: `Bearer ${apiKey}` } }),
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });

  return {
    peer: {
      name: 'stripe-mock',
      host: PEER_HOST,
      port: launched.port,
      pid: launched.pid,
      bin,
      startupMs: launched.startupMs,
      url: `http://${PEER_HOST}:${launched.port}`,
      protocol: 'http',
      apiKey,
      output: launched.output,
      stop: launched.stop,
    },
  };
}
