/**
 * Rules of the public API that jsii does not check, read from the compiled assembly (`.jsii`):
 *   - one time convention: a number that is a duration says its unit in its name
 *     (`intervalSeconds`, `evaluationWindowMinutes`, `deleteAfterDays`, `timeoutMs`); a numeric
 *     property or parameter named by a bare time word (`timeout`, `window`, `retention`, …) is refused.
 *   - every optional property of a struct documents its default (`@default`).
 *
 *   npx tsx scripts/docs/api-rules.ts     checks the assembly `jsii` last wrote; exits 1 listing each break
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The part of a jsii type reference these rules read. */
interface TypeReference {
  readonly primitive?: string;
}
interface Member {
  readonly name: string;
  readonly type?: TypeReference;
  readonly optional?: boolean;
  readonly docs?: { readonly default?: string };
  readonly parameters?: readonly Member[];
}
interface AssemblyType {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly properties?: readonly Member[];
  readonly methods?: readonly Member[];
  readonly initializer?: { readonly parameters?: readonly Member[] };
}
/** The part of a jsii assembly these rules read. */
export interface Assembly {
  readonly types?: Readonly<Record<string, AssemblyType>>;
}

/** A name whose last word is a time word, with no unit after it. */
const BARE_TIME_WORD =
  /(?:^|[a-z0-9])(?:timeout|interval|delay|duration|window|period|retention|age|cooldown|lease|ttl|after|time)$/i;
const UNIT_SUFFIX = /(?:Ms|Seconds|Minutes|Hours|Days|Years)$/;

/** Each break of the rules in `assembly`, as `<fqn>.<member>: <why>`; empty when there is none. */
export function apiRuleViolations(assembly: Assembly): string[] {
  const found: string[] = [];
  const checkNumber = (where: string, member: Member) => {
    if (
      member.type?.primitive === 'number' &&
      BARE_TIME_WORD.test(member.name) &&
      !UNIT_SUFFIX.test(member.name)
    ) {
      found.push(`${where}: a duration must name its unit (…Ms, …Seconds, …Minutes, …Days)`);
    }
  };
  for (const type of Object.values(assembly.types ?? {})) {
    for (const property of type.properties ?? []) {
      const where = `${type.fqn}.${property.name}`;
      checkNumber(where, property);
      if (type.datatype && property.optional && property.docs?.default === undefined) {
        found.push(`${where}: an optional prop must document its @default`);
      }
    }
    const callables = [
      ...(type.methods ?? []),
      ...(type.initializer ? [{ name: '<init>', ...type.initializer }] : []),
    ];
    for (const method of callables) {
      for (const parameter of method.parameters ?? []) {
        checkNumber(`${type.fqn}.${method.name}(${parameter.name})`, parameter);
      }
    }
  }
  return found.sort();
}

if (require.main === module) {
  const assembly = JSON.parse(readFileSync(join(REPO_ROOT, '.jsii'), 'utf8')) as Assembly;
  const violations = apiRuleViolations(assembly);
  if (violations.length > 0) {
    process.stderr.write(
      `the public API breaks ${violations.length} rule(s):\n  ${violations.join('\n  ')}\n`,
    );
    process.exit(1);
  }
  const count = Object.keys(assembly.types ?? {}).length;
  process.stdout.write(`the public API (${count} types) keeps the time-unit and @default rules\n`);
}
