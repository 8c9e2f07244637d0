import { AwsError, memberPath } from './aws-error';

/** How a service words its validation errors. */
export interface ValidationErrors {
  /** A required member is absent. `member` is the lowerCamel path AWS prints (`defaultActions.1.type`). */
  missing(member: string): AwsError;
  /** A member is present but invalid. */
  invalid(message: string): AwsError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Typed, validating access to an operation's input, whatever protocol decoded it: Query values are
 * strings (`"80"`, `"true"`) and lists are arrays or `""` when sent empty; JSON values are typed.
 */
export class Params {
  constructor(
    private readonly data: Record<string, unknown>,
    readonly errors: ValidationErrors,
    private readonly prefix = '',
  ) {}

  /** The lowerCamel member path AWS prints for `name`. */
  path(name: string): string {
    return this.prefix + memberPath(name);
  }

  has(name: string): boolean {
    const value = this.data[name];
    return value !== undefined && value !== null;
  }

  raw(name: string): unknown {
    return this.data[name];
  }

  str(name: string): string | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a string`);
  }

  reqStr(name: string): string {
    const value = this.str(name);
    if (value === undefined) throw this.errors.missing(this.path(name));
    return value;
  }

  num(name: string): number | undefined {
    const value = this.data[name];
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isFinite(n)) {
      throw this.errors.invalid(
        `Invalid value '${String(value)}' for parameter ${this.path(name)}: expected a number`,
      );
    }
    return n;
  }

  int(name: string): number | undefined {
    const n = this.num(name);
    if (n !== undefined && !Number.isInteger(n)) {
      throw this.errors.invalid(`Invalid value '${n}' for parameter ${this.path(name)}: expected an integer`);
    }
    return n;
  }

  reqInt(name: string): number {
    const n = this.int(name);
    if (n === undefined) throw this.errors.missing(this.path(name));
    return n;
  }

  reqNum(name: string): number {
    const n = this.num(name);
    if (n === undefined) throw this.errors.missing(this.path(name));
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw this.errors.invalid(
      `Invalid value '${String(value)}' for parameter ${this.path(name)}: expected a boolean`,
    );
  }

  private array(name: string): unknown[] | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (value === '') return [];
    if (Array.isArray(value)) return value.filter((v) => v !== undefined);
    throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a list`);
  }

  strList(name: string): string[] | undefined {
    const items = this.array(name);
    if (items === undefined) return undefined;
    return items.map((item, i) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number') return String(item);
      throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}.${i + 1}: expected a string`);
    });
  }

  numList(name: string): number[] | undefined {
    const items = this.array(name);
    if (items === undefined) return undefined;
    return items.map((item, i) => {
      const n = typeof item === 'number' ? item : typeof item === 'string' ? Number(item) : NaN;
      if (!Number.isFinite(n))
        throw this.errors.invalid(
          `Invalid type for parameter ${this.path(name)}.${i + 1}: expected a number`,
        );
      return n;
    });
  }

  list(name: string): Params[] | undefined {
    const items = this.array(name);
    if (items === undefined) return undefined;
    return items.map((item, i) => {
      if (!isRecord(item)) {
        throw this.errors.invalid(
          `Invalid type for parameter ${this.path(name)}.${i + 1}: expected a structure`,
        );
      }
      return new Params(item, this.errors, `${this.path(name)}.${i + 1}.member.`);
    });
  }

  reqList(name: string): Params[] {
    const items = this.list(name);
    if (items === undefined) throw this.errors.missing(this.path(name));
    return items;
  }

  obj(name: string): Params | undefined {
    const value = this.data[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (!isRecord(value)) {
      throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a structure`);
    }
    return new Params(value, this.errors, `${this.path(name)}.`);
  }

  /** A JSON map of string to string (Lambda environment variables, tags). */
  strMap(name: string): Record<string, string> | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value))
      throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a map`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') {
        throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}.${k}: expected a string`);
      }
      out[k] = v;
    }
    return out;
  }

  /** A JSON map of string to number (Lambda routing weights). */
  numMap(name: string): Record<string, number> | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value))
      throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a map`);
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (!Number.isFinite(n)) {
        throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}.${k}: expected a number`);
      }
      out[k] = n;
    }
    return out;
  }

  /**
   * A Query-protocol map sent as `Name.entry.N.<key>=...&Name.entry.N.<value>...`, or a JSON
   * object; returns the entries with the value left as Params for nested structures.
   */
  entries(name: string, keyName: string, valueName: string): Array<[string, Params | string]> | undefined {
    const value = this.data[name];
    if (value === undefined || value === null || value === '') return value === '' ? [] : undefined;
    const wrap = (v: unknown, at: string): Params | string => {
      if (typeof v === 'string') return v;
      if (isRecord(v)) return new Params(v, this.errors, `${this.path(name)}.${at}.`);
      throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}.${at}`);
    };
    if (Array.isArray(value)) {
      return value.map((entry, i) => {
        if (!isRecord(entry) || typeof entry[keyName] !== 'string') {
          throw this.errors.invalid(`Invalid map entry ${this.path(name)}.${i + 1}: missing ${keyName}`);
        }
        return [entry[keyName], wrap(entry[valueName], entry[keyName])];
      });
    }
    if (isRecord(value)) return Object.entries(value).map(([k, v]) => [k, wrap(v, k)]);
    throw this.errors.invalid(`Invalid type for parameter ${this.path(name)}: expected a map`);
  }

  /** A string restricted to `allowed`; AWS's enum constraint message otherwise. */
  enumStr<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.str(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw this.errors.invalid(
        `1 validation error detected: Value '${value}' at '${this.path(name)}' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${allowed.join(', ')}]`,
      );
    }
    return value as T;
  }

  /** A required string restricted to `allowed`. */
  reqEnum<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.enumStr(name, allowed);
    if (value === undefined) throw this.errors.missing(this.path(name));
    return value;
  }
}
