/**
 * An HTTP proxy on loopback that records each request (method, path, headers, body) and
 * forwards it to a target such as stripe-mock — which is stateless and cannot tell a test
 * what it was sent. `answer` may reply instead of forwarding, to inject a failure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The form-encoded body as key/value pairs (Stripe's wire format). */
  form: URLSearchParams;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Return a response to send it instead of forwarding; undefined to forward. */
  answer: ((request: RecordedRequest) => { status: number; body: unknown } | undefined) | null;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const proxy: RecordingProxy = { url: '', requests: [], answer: null, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, form: new URLSearchParams(body) };
      proxy.requests.push(recorded);
      const canned = proxy.answer?.(recorded);
      if (canned) {
        res.writeHead(canned.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(canned.body));
        return;
      }
      const upstream = http.request(new URL(recorded.path, target), { method: recorded.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(chunks.length ? Buffer.concat(chunks) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy;
}
