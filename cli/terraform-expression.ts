/**
 * Reads the one Terraform expression shape the watchdog configuration is synthesized as:
 * `${jsonencode({ "key" = value, ... })}`. Literals become JSON values; references and function calls
 * (known only at apply time) are kept as `${...}` strings, the way cdktf writes them elsewhere.
 */

/** Parses `${jsonencode(<object>)}`, or plain JSON; returns undefined for anything else. */
export function parseJsonencodeExpression(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('${jsonencode(')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return undefined;
    }
  }
  if (!trimmed.endsWith(')}')) return undefined;
  const body = trimmed.slice('${jsonencode('.length, -')}'.length);
  try {
    const parser = new ExpressionParser(body);
    const value = parser.value();
    parser.end();
    return value;
  } catch {
    return undefined;
  }
}

class ExpressionParser {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const ch = this.text[this.at];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    const number = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.at));
    if (number && !/[A-Za-z_]/.test(this.text[this.at + number[0].length] ?? '')) {
      this.at += number[0].length;
      return Number(number[0]);
    }
    const keyword = /^(true|false|null)(?=\s*[,\]}]|\s*$)/.exec(this.text.slice(this.at));
    if (keyword) {
      this.at += keyword[0].length;
      return keyword[1] === 'null' ? null : keyword[1] === 'true';
    }
    return this.reference();
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw new Error(`unexpected text at ${this.at}`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.expect('{');
    for (this.skipSpace(); this.text[this.at] !== '}'; this.skipSpace()) {
      const key = this.string();
      this.skipSpace();
      this.expect('=');
      out[key] = this.value();
      this.skipSpace();
      if (this.text[this.at] === ',') this.at++;
    }
    this.expect('}');
    return out;
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.expect('[');
    for (this.skipSpace(); this.text[this.at] !== ']'; this.skipSpace()) {
      out.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === ',') this.at++;
    }
    this.expect(']');
    return out;
  }

  private string(): string {
    this.expect('"');
    let out = '';
    while (this.at < this.text.length) {
      const ch = this.text[this.at++];
      if (ch === '"') return out;
      if (ch === '\\') {
        const escaped = this.text[this.at++];
        if (escaped === 'u') {
          out += String.fromCharCode(parseInt(this.text.slice(this.at, this.at + 4), 16));
          this.at += 4;
        } else out += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[escaped] ?? escaped;
      } else if (ch === '$' && this.text.startsWith('${', this.at)) {
        out += '$';
        this.at++; // HCL escapes a literal `${` as `$${`.
      } else out += ch;
    }
    throw new Error('unterminated string');
  }

  /** A traversal or call (`aws_s3_bucket.x.bucket`, `element(split(...), 1)`), kept as `${...}`. */
  private reference(): string {
    const start = this.at;
    let depth = 0;
    while (this.at < this.text.length) {
      const ch = this.text[this.at];
      if (ch === '"') {
        this.string();
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ',' && depth === 0) break;
      this.at++;
    }
    const expression = this.text.slice(start, this.at).trim();
    if (expression.length === 0) throw new Error(`expected a value at ${start}`);
    return `\${${expression}}`;
  }

  private expect(ch: string): void {
    if (this.text[this.at] !== ch) throw new Error(`expected ${ch} at ${this.at}`);
    this.at++;
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }
}
