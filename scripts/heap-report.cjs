// A debugging aid: preloaded into `tyne serve` (and nothing else), it appends
// the process's memory figures to $HEAP_REPORT_FILE once a second, and with
// --expose-gc also the figures right after a full garbage collection, so
// that live data can be told from heap V8 has not collected yet. Use:
//   HEAP_REPORT_FILE=/tmp/heap.txt NODE_OPTIONS="--expose-gc --require ./scripts/heap-report.cjs" \
//     node dist/test/bench/run.js --cache-only
// The forced collections slow the server down: figures of such a run are not benchmark figures.
'use strict';
const { appendFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const out = process.env.HEAP_REPORT_FILE;
if (out && isMainThread && process.argv.includes('serve')) {
  const mib = (n) => (n / 1048576).toFixed(0);
  const line = (m) => `rss ${mib(m.rss)} heapTotal ${mib(m.heapTotal)} heapUsed ${mib(m.heapUsed)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)}`;
  const timer = setInterval(() => {
    const before = line(process.memoryUsage());
    let after = '';
    if (typeof global.gc === 'function') {
      global.gc();
      after = ` | after a full GC: ${line(process.memoryUsage())}`;
    }
    appendFileSync(out, `${new Date().toISOString()} pid ${process.pid} ${before}${after}\n`);
  }, 1000);
  timer.unref();
}
