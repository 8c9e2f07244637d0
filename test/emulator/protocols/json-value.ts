import { isDate } from '../core/xml';

/**
 * Converts state values to what AWS JSON protocols put on the wire: Dates become epoch seconds
 * (JSON 1.0/1.1 default) or ISO strings, Buffers base64; undefined members are dropped.
 */
export function toWireJson(value: unknown, dates: 'epoch-seconds' | 'iso' = 'epoch-seconds'): unknown {
  if (isDate(value)) return dates === 'iso' ? value.toISOString() : value.getTime() / 1000;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map((v) => toWireJson(v, dates));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toWireJson(v, dates);
    }
    return out;
  }
  return value;
}

/** Parses a JSON request body that must be an object; `undefined` for an empty body. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  const text = body.toString('utf8').trim();
  if (text === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SyntaxError('Expected a JSON object');
  }
  return value as Record<string, unknown>;
}
