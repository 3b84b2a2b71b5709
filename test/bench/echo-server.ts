/**
 * The floor for the serving benchmark: a bare Node UDP server that sends
 * every datagram straight back with the QR bit set (so dnsperf counts it
 * as a response) and does no DNS work at all.
 *   node dist/test/bench/echo-server.js PORT [WORKERS] [dgram|batched]
 * WORKERS > 1 forks that many node:cluster workers sharing the socket;
 * 1 (the default) serves from this process. Binds 127.0.0.1 only.
 * `batched` (one process only) reads and writes through the batched UDP
 * socket Tyne uses with server.udp-io: batched (recvmmsg/sendmmsg, one
 * JavaScript call per batch; issue 16 §2): the ceiling of that path.
 * Prints "ready" on stdout once bound (the primary prints it once every
 * worker is bound).
 */
import cluster from 'node:cluster';
import { createSocket } from 'node:dgram';
import { BatchedUdpSocket, loadBatchModule } from '../../src/server/batched-udp-socket.js';

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? '1');
const mode = process.argv[4] ?? 'dgram';
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !Number.isInteger(workers) || workers < 1 || (mode !== 'dgram' && mode !== 'batched') || (mode === 'batched' && workers !== 1)) {
  console.error('usage: echo-server PORT [WORKERS] [dgram|batched] (batched: one process)');
  process.exit(2);
}

/** The batched echo: each datagram copied into its send slot with QR set, as the dgram echo sends it back. */
function serveBatched(onReady: () => void): void {
  const { module, reason } = loadBatchModule();
  if (module === null) {
    console.error(`echo-server: ${reason}`);
    process.exit(1);
  }
  const s: BatchedUdpSocket = new BatchedUdpSocket(
    module,
    { host: '127.0.0.1', port, rcvbuf: 4 << 20 },
    (n) => {
      for (let i = 0; i < n; i++) {
        const len = s.length(i);
        if (len < 0) continue;
        const msg = s.data(i).subarray(0, len);
        if (len >= 3) msg[2] = msg[2]! | 0x80;
        s.reply(i, msg);
      }
    },
    (e) => console.error(`echo-server: ${e.message}`),
  );
  onReady();
}

function serve(onReady: () => void): void {
  const sock = createSocket('udp4');
  sock.on('error', (e) => {
    console.error(`echo-server: ${e.message}`);
    process.exit(1);
  });
  sock.on('message', (msg, rinfo) => {
    if (msg.length >= 3) msg[2] = msg[2]! | 0x80;
    sock.send(msg, rinfo.port, rinfo.address);
  });
  sock.bind(port, '127.0.0.1', onReady);
}

if (mode === 'batched') {
  serveBatched(() => console.log('ready'));
  process.on('SIGTERM', () => process.exit(0));
} else if (workers === 1) {
  serve(() => console.log('ready'));
  process.on('SIGTERM', () => process.exit(0));
} else if (cluster.isPrimary) {
  let bound = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('message', (_w, m) => {
    if (m === 'bound' && ++bound === workers) console.log('ready');
  });
  cluster.on('exit', (_w, code) => {
    if (!stopping) {
      console.error(`echo-server: a worker exited (${code})`);
      process.exit(1);
    }
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 1000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
} else {
  serve(() => process.send!('bound'));
  process.on('SIGTERM', () => process.exit(0));
}
