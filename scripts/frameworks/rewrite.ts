/**
 * The one source tree is written against cdktf; the CDK Terrain package is made from it by rewriting
 * module specifiers, nothing else. Three forms may name the framework (ESLint's
 * `switchback/framework-imports` keeps the sources to them): the package itself, a provider class by
 * deep path, and the jest adapter. Any other specifier naming either framework is an error here, so
 * a rewrite can never half-succeed.
 */
import ts from 'typescript';

/** The two frameworks a package is built for, and what each package declares. */
export const FLAVORS = {
  cdktf: {
    framework: 'cdktf',
    packageName: 'cdktf-switchback',
    providerPackage: '@cdktf/provider-aws',
    peerDependencies: { '@cdktf/provider-aws': '^21.22.1', cdktf: '^0.21.0', constructs: '^10.4.2' },
    engines: { node: '>=20' },
  },
  cdktn: {
    framework: 'cdktn',
    packageName: 'cdktn-switchback',
    providerPackage: '@cdktn/provider-aws',
    // What cdktn 0.24 and @cdktn/provider-aws 25.7 declare themselves.
    peerDependencies: { '@cdktn/provider-aws': '^25.7.0', cdktn: '^0.24.0', constructs: '>=10.6.0 <10.8.0' },
    engines: { node: '>=22.11.0' },
  },
} as const;

export type Framework = keyof typeof FLAVORS;

/** Specifiers that mention a framework's name but are tools, not the framework (HashiCorp's HCL parser). */
const NEUTRAL = new Set(['@cdktf/hcl2json']);

const NAMES_A_FRAMEWORK = /^(?:@cdkt[fn]\/|cdkt[fn](?:\/|$))/;
const DEEP_PROVIDER_PATH = /^@cdktf\/provider-aws\/lib\/[a-z0-9-]+$/;
const JEST_ADAPTER = 'cdktf/lib/testing/adapters/jest';

/** What the rewrite accepts, for error messages (and the ESLint rule says the same). */
export const ALLOWED_FORMS = `'cdktf', '@cdktf/provider-aws/lib/<module>' or '${JEST_ADAPTER}'`;

/** The specifier as the target framework names it; throws for a form that cannot be rewritten. */
export function rewriteSpecifier(specifier: string, target: Framework, where: string): string {
  if (!NAMES_A_FRAMEWORK.test(specifier) || NEUTRAL.has(specifier)) return specifier;
  const isAllowed = specifier === 'cdktf' || specifier === JEST_ADAPTER || DEEP_PROVIDER_PATH.test(specifier);
  if (!isAllowed) {
    throw new Error(
      `${where}: cannot rewrite the import '${specifier}' for ${target}: the sources may name the framework only as ${ALLOWED_FORMS}.`,
    );
  }
  if (target === 'cdktf') return specifier;
  return specifier.startsWith('@cdktf/')
    ? `${FLAVORS.cdktn.providerPackage}${specifier.slice(FLAVORS.cdktf.providerPackage.length)}`
    : `cdktn${specifier.slice('cdktf'.length)}`;
}

/** Every module specifier of a TypeScript source (imports, re-exports, dynamic imports, require). */
export function moduleSpecifiers(source: string): { specifier: string; start: number; end: number }[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((ref) => {
    // `pos` is where the string literal starts; the specifier's text follows its quote.
    const start = source.indexOf(ref.fileName, ref.pos);
    if (start !== ref.pos + 1)
      throw new Error(`unexpected import position of '${ref.fileName}' at ${ref.pos}`);
    return { specifier: ref.fileName, start, end: start + ref.fileName.length };
  });
}

/** The source with its framework imports named for `target`; everything else byte for byte. */
export function rewriteSource(source: string, target: Framework, where: string): string {
  let out = source;
  // From the end backwards, so earlier offsets stay valid.
  for (const ref of moduleSpecifiers(source).sort((a, b) => b.start - a.start)) {
    const replacement = rewriteSpecifier(ref.specifier, target, where);
    if (replacement !== ref.specifier) out = out.slice(0, ref.start) + replacement + out.slice(ref.end);
  }
  return out;
}
