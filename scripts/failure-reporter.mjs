// A node:test reporter that writes one line per failed test (file, name, the
// first line of its error) and nothing else. run-tests.mjs adds it beside the
// usual TAP output and prints what it wrote last, so the end of a long CI log
// names the failures instead of the last file that happened to pass.
export default async function* failureReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const err = details?.error;
    // A suite fails when a test inside it does; its own line adds nothing.
    if (err?.failureType === 'subtestsFailed') continue;
    const cause = err?.cause ?? err;
    const first = String(cause?.message ?? cause ?? 'failed').split('\n')[0].slice(0, 300);
    yield `not ok: ${file ?? '?'}: ${name}: ${first}\n`;
  }
}
