/**
 * The loud skip line a test prints when something it needs is absent on a
 * developer machine (a tool, a corpus, a tmpfs, inputs to replay), so that
 * a skipped test cannot pass for a run one.
 */
export function loudSkip(what: string): void {
  console.error(`\n!!!! SKIP: ${what} !!!!\n`);
}
