/**
 * The one source tree is written against cdktf; the CDK Terrain package is made from it by rewriting
 * module specifiers, nothing else. Three forms may name the framework (ESLint's
 * `switchback/framework-imports` keeps the sources to them): the package itself, a provider class by
 * deep path, and the jest adapter. Any other specifier naming either framework is an error here, so
 * a rewrite can never half-succeed. (cdktf-switchback's peers and engines are package.json's own.)
 */
import ts from 'typescript';

/** The two frameworks a package is built for, and what each package declares. */
export const FLAVORS = {
  cdktf: {
    framework: 'cdktf',
    packageName: 'cdktf-switchback',
    providerPackage: '@cdktf/provider-aws',
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

interface FrameworkForms {
  /** Undefined when a source may name `specifier`; otherwise why not (the lint rule's message id). */
  problemWith(specifier: string, outsideTheRewrite?: boolean): 'form' | 'cdktn' | 'notRewritten' | undefined;
  ALLOWED_FORMS: string;
}

// The forms live in the ESLint rule, so the editor and the rewrite judge a specifier alike.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forms = require('../../eslint-rules/framework-imports.cjs') as FrameworkForms;

/** What the rewrite accepts, for error messages (the ESLint rule says the same). */
export const ALLOWED_FORMS = forms.ALLOWED_FORMS;

/** The specifier as the target framework names it; throws for a form that cannot be rewritten. */
export function rewriteSpecifier(specifier: string, target: Framework, where: string): string {
  const problem = forms.problemWith(specifier);
  if (problem) {
    throw new Error(
      `${where}: cannot rewrite the import '${specifier}' for ${target}: the sources may name the framework only as ${ALLOWED_FORMS}.`,
    );
  }
  if (target === 'cdktf') return specifier;
  const provider = `${FLAVORS.cdktf.providerPackage}/`;
  if (specifier.startsWith(provider))
    return `${FLAVORS.cdktn.providerPackage}/${specifier.slice(provider.length)}`;
  if (specifier === 'cdktf' || specifier.startsWith('cdktf/'))
    return `cdktn${specifier.slice('cdktf'.length)}`;
  return specifier; // not the framework (or a tool of it, like @cdktf/hcl2json)
}

interface SpecifierRef {
  specifier: string;
  /** Where the specifier's text starts and ends (inside its quotes). */
  start: number;
  end: number;
  /** A call the rewrite does not translate (require.resolve, jest.mock): no framework name may appear. */
  outsideTheRewrite: boolean;
}

const UNTRANSLATED_CALLS = new Set([
  'require.resolve',
  'jest.mock',
  'jest.doMock',
  'jest.unmock',
  'jest.requireActual',
]);

/**
 * Every module specifier of a TypeScript source, from its syntax tree: imports and exports of every
 * kind (`export * as ns from`, `import x = require()`), `import()` and `require()`, import types,
 * `declare module '…'`, and the calls that name a module without loading it.
 */
export function moduleSpecifiers(source: string, where = 'source'): SpecifierRef[] {
  const file = ts.createSourceFile(where, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: SpecifierRef[] = [];
  const add = (node: ts.Node | undefined, outsideTheRewrite = false) => {
    if (!node || !(ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return;
    const start = node.getStart(file) + 1;
    const end = node.getEnd() - 1;
    if (source.slice(start, end) !== node.text) {
      throw new Error(
        `${where}: write the module specifier ${source.slice(start - 1, end + 1)} without escapes`,
      );
    }
    refs.push({ specifier: node.text, start, end, outsideTheRewrite });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) add(node.name);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require')
      ) {
        add(node.arguments[0]);
      } else if (ts.isPropertyAccessExpression(callee) && UNTRANSLATED_CALLS.has(callee.getText(file))) {
        add(node.arguments[0], true);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return refs;
}

/** The source with its framework imports named for `target`; everything else byte for byte. */
export function rewriteSource(source: string, target: Framework, where: string): string {
  let out = source;
  // From the end backwards, so earlier offsets stay valid.
  for (const ref of moduleSpecifiers(source, where).sort((a, b) => b.start - a.start)) {
    if (ref.outsideTheRewrite) {
      if (forms.problemWith(ref.specifier, true)) {
        throw new Error(
          `${where}: '${ref.specifier}' names the framework in a call the rewrite does not translate (require.resolve, jest.mock); import the module instead.`,
        );
      }
      continue;
    }
    const replacement = rewriteSpecifier(ref.specifier, target, where);
    if (replacement !== ref.specifier) out = out.slice(0, ref.start) + replacement + out.slice(ref.end);
  }
  return out;
}
