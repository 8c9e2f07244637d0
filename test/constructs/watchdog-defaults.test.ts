/**
 * The `@default` a prop documents is the default lib applies: the docs of the props that become the
 * watchdog's configuration are read from the source and held to lib's default values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { VerifiedCallers } from '../../constructs/watchdog/props';
import { DEFAULT_HEALTH_PING, DEFAULT_RELEASE_BACKUP, DEFAULT_ROLLBACK_POLICY } from '../../lib';

const PROPS_FILE = join(__dirname, '../../constructs/watchdog/props.ts');

/** `@default` text of every property of every interface in the file, by interface and property. */
function documentedDefaults(): Map<string, Map<string, string | undefined>> {
  const source = ts.createSourceFile(
    PROPS_FILE,
    readFileSync(PROPS_FILE, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const result = new Map<string, Map<string, string | undefined>>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const members = new Map<string, string | undefined>();
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
      members.set(member.name.text, tag ? ts.getTextOfJSDocComment(tag.comment)?.trim() : undefined);
    }
    result.set(node.name.text, members);
  });
  return result;
}

/** Enums whose members a `@default` may name (`VerifiedCallers.REQUIRED`). */
const ENUMS: Record<string, Record<string, string>> = { VerifiedCallers };

/** The value part of a `@default` (`600`, `false`, an enum member's value), before any explanation (`- …`). */
function valueOf(text: string | undefined): string | undefined {
  const value = text?.split(/\s+-\s+|\s+/)[0];
  const member = value === undefined ? null : /^(\w+)\.(\w+)$/.exec(value);
  const resolved = member ? ENUMS[member[1]]?.[member[2]] : undefined;
  return resolved !== undefined ? JSON.stringify(resolved) : value;
}

// lib's policy fields that are no props: derived from another prop, or fixed.
const NOT_PROPS = new Set(['lockTtlSeconds', 'stepTimeBudgetMs']);

const docs = documentedDefaults();
const cases: [string, string, unknown][] = [
  ...Object.entries(DEFAULT_ROLLBACK_POLICY)
    .filter(([field]) => !NOT_PROPS.has(field))
    .map(([field, value]): [string, string, unknown] => ['RollbackWatchdogOptions', field, value]),
  ...Object.entries(DEFAULT_HEALTH_PING).map(([field, value]): [string, string, unknown] => [
    'HealthPingProps',
    field,
    value,
  ]),
  ...Object.entries(DEFAULT_RELEASE_BACKUP).map(([field, value]): [string, string, unknown] => [
    'ReleaseBackupProps',
    field,
    value,
  ]),
];

describe('documented defaults of the watchdog props', () => {
  it.each(cases)('%s.%s documents lib’s default %p', (iface, field, value) => {
    const members = docs.get(iface);
    expect(members?.has(field)).toBe(true);
    expect(valueOf(members?.get(field))).toBe(JSON.stringify(value));
  });

  it('covers every policy field lib defaults, except the ones that are not props', () => {
    const props = docs.get('RollbackWatchdogOptions') ?? new Map();
    const missing = Object.keys(DEFAULT_ROLLBACK_POLICY).filter((f) => !NOT_PROPS.has(f) && !props.has(f));
    expect(missing).toEqual([]);
    expect([...NOT_PROPS].filter((f) => props.has(f))).toEqual([]);
  });

  it('reads a default with its explanation as its value only', () => {
    expect(valueOf('365 - a year of decisions')).toBe('365');
    expect(valueOf('false')).toBe('false');
    expect(valueOf(undefined)).toBeUndefined();
  });
});
