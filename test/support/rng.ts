/**
 * The seeded PRNG of the tests, fuzz targets and benchmarks: mulberry32,
 * small and fast, its sequence fully determined by the seed (so a failing
 * fuzz run, a differential case mix or a benchmark's query file is the
 * same on every run).
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** The next 32-bit value. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** A number in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)]!;
  }
  /** Shuffles `a` in place (Fisher-Yates). */
  shuffle<T>(a: T[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}
