/**
 * Seeded randomness for the soak: a small PRNG (mulberry32), weighted choices, malformed events, and
 * a hash for draws that must not depend on order. Every random choice of the soak's event sequence
 * and of its faults comes from here, so a seed replays them.
 */

/** A seeded source of random numbers in [0, 1), with the helpers the soak needs. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: fast, 32-bit state, good enough for test data (not for anything secret). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: nothing to pick from');
    return items[Math.floor(this.next() * items.length)];
  }

  /** One key of `weights`, chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** A short string of printable characters, sometimes with quotes, unicode or JSON-looking text. */
  string(maxLength = 12): string {
    const alphabets = ['abcdefghijklmnopqrstuvwxyz', 'ABC012-_.:/ ', '"{}[]\\', 'é✓😀\u0000\n'];
    const length = this.int(0, maxLength);
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick([...this.pick(alphabets)]);
    return out;
  }

  /** Any JSON value, up to `depth` levels of nesting. */
  json(depth = 3): unknown {
    const kind = this.int(0, depth > 0 ? 7 : 4);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1.5, 2 ** 53, Number.MAX_VALUE, this.int(-1000, 1000)]);
      case 3:
      case 4:
        return this.string();
      case 5:
        return Array.from({ length: this.int(0, 3) }, () => this.json(depth - 1));
      default: {
        const out: Record<string, unknown> = {};
        for (let i = this.int(0, 4); i > 0; i--) out[this.string(8)] = this.json(depth - 1);
        return out;
      }
    }
  }
}

/**
 * A number in [0, 1) that depends only on `parts`: FNV-1a over their text, then murmur3's finalizer.
 * The soak draws a call's faults with it, so that a draw does not depend on the order calls arrive in.
 */
export function hashUnit(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * A malformed event: random JSON, or a near miss of a real shape (the parser's edges: a wrong
 * timestamp, an unknown action, an SNS message that is not an alarm, a bad release id...).
 */
export function malformedEvent(random: Random): unknown {
  const nearMisses: (() => unknown)[] = [
    () => random.json(),
    () => ({ action: random.pick(['rollbak', 'Rollback', 'delete', '', 'capture ', random.string()]) }),
    () => ({ action: 'rollback', requestedBy: 'soak' }),
    () => ({ action: 'rollback', reason: 'x', requestedBy: 'soak', requestId: 'short' }),
    () => ({ action: 'capture', releaseId: random.pick(['', 'has space', '../r1', '-r1', 'r'.repeat(200)]) }),
    () => ({ action: 'acknowledge', releaseId: 'r1' }),
    () => ({ action: 'status', extra: true }),
    () => ({ action: 'health-breach', breachedAt: 'yesterday', detail: 'x', requestId: 'soak-ping-000001' }),
    () => ({ Records: [] }),
    () => ({ Records: [{ EventSource: 'aws:sns', Sns: { Message: random.string() } }] }),
    () => ({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: { Message: JSON.stringify({ AlarmName: 'checkout-5xx', NewStateValue: 'ALARM' }) },
        },
      ],
    }),
    () => ({
      source: 'aws.cloudwatch',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
      alarmData: { alarmName: 'checkout-5xx', state: { value: 'ALARM', timestamp: 'not a time' } },
    }),
    () => ({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      resources: [],
      detail: { alarmName: 'checkout-5xx', state: { value: 'BROKEN', timestamp: new Date().toISOString() } },
    }),
    () => random.pick([[], 'ALARM', 42, true, null]),
  ];
  return random.pick(nearMisses)();
}
