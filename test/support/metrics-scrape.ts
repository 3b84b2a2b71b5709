/**
 * Reading a metrics endpoint in tests (issue 15 §3): an HTTP GET with its
 * status, content type and body, the samples of a Prometheus text page by
 * their series (`name{labels}` exactly as written), and `promtool check
 * metrics` over a page.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** GET `http://host:port/path`, bounded by `timeoutMs`. */
export function httpGet(port: number, path: string, host = '127.0.0.1', timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The samples of a text-format page, by series as written (`tyne_dns_requests_total{proto="udp",family="1",type="A"}`). */
export function metricSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** GET /metrics at `port`, as samples (throws unless 200). */
export async function scrape(port: number): Promise<Map<string, number>> {
  const a = await httpGet(port, '/metrics');
  if (a.status !== 200) throw new Error(`/metrics answered ${a.status}: ${a.body}`);
  return metricSamples(a.body);
}

/** `promtool check metrics` with `text` on its stdin: its exit code and everything it wrote. */
export function promtoolCheck(promtool: string, text: string, timeoutMs = 10_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (c: Buffer) => (output += c.toString()));
    p.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    p.stdin.end(text);
  });
}
