/**
 * `switchback/framework-imports`: the sources are written against cdktf, and the CDK Terrain package
 * is generated from them by rewriting module specifiers (scripts/frameworks/rewrite.ts). That rewrite
 * understands three forms, so these are the only ways a source may name the framework:
 *   'cdktf', '@cdktf/provider-aws/lib/<module>' and 'cdktf/lib/testing/adapters/jest'.
 * cdktn is never imported by hand: its tree is generated. '@cdktf/hcl2json' is HashiCorp's HCL
 * parser, a tool rather than the framework, and is left alone by the rewrite.
 * The rewrite takes these forms from here (`problemWith`), so the rule and the rewrite cannot disagree.
 */
'use strict';

const NAMES_A_FRAMEWORK = /^(?:@cdkt[fn]\/|cdkt[fn](?:\/|$))/;
const DEEP_PROVIDER_PATH = /^@cdktf\/provider-aws\/lib\/[a-z0-9-]+$/;
const JEST_ADAPTER = 'cdktf/lib/testing/adapters/jest';
const NEUTRAL = new Set(['@cdktf/hcl2json']);
const ALLOWED_FORMS = `'cdktf', '@cdktf/provider-aws/lib/<module>' or '${JEST_ADAPTER}'`;

/**
 * Undefined when `specifier` may appear in a source; otherwise the message id that says why not.
 * `outsideTheRewrite`: the call is one the rewrite does not translate (it sees imports, exports,
 * import() and require() only), so no framework name may appear there at all.
 */
function problemWith(specifier, outsideTheRewrite = false) {
  if (!NAMES_A_FRAMEWORK.test(specifier) || NEUTRAL.has(specifier)) return undefined;
  if (outsideTheRewrite) return 'notRewritten';
  if (specifier === 'cdktf' || specifier === JEST_ADAPTER || DEEP_PROVIDER_PATH.test(specifier))
    return undefined;
  return /^(?:@cdktn\/|cdktn(?:\/|$))/.test(specifier) ? 'cdktn' : 'form';
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Name the framework only in the forms the cdktn rewrite understands.' },
    schema: [],
    messages: {
      form:
        "'{{specifier}}' names the framework in a form the cdktn rewrite cannot translate. " +
        `Use ${ALLOWED_FORMS} (scripts/frameworks/rewrite.ts).`,
      notRewritten:
        "'{{specifier}}' names the framework where the cdktn rewrite does not look (require.resolve, jest.mock): " +
        'import the module instead, so that both packages load their own framework.',
      cdktn:
        "'{{specifier}}': the sources are written against cdktf; the cdktn package is generated from them " +
        '(npm run build:packages). Import the cdktf name instead.',
    },
  },
  create(context) {
    function check(node, outsideTheRewrite = false) {
      const specifier =
        node && node.type === 'Literal' && typeof node.value === 'string'
          ? node.value
          : node && node.type === 'TemplateLiteral' && node.expressions.length === 0
            ? node.quasis[0].value.cooked
            : undefined;
      if (specifier === undefined) return;
      const messageId = problemWith(specifier, outsideTheRewrite);
      if (messageId) context.report({ node, messageId, data: { specifier } });
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      // `declare module 'cdktf' { … }` augments the framework's types: the rewrite renames it too.
      TSModuleDeclaration: (node) => node.id.type === 'Literal' && check(node.id),
      ImportExpression: (node) => check(node.source),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check(node.moduleReference.expression),
      // typescript-eslint 8.x names the specifier `source`; older parsers wrap it in `argument`.
      TSImportType: (node) =>
        check(node.source ?? (node.argument?.type === 'TSLiteralType' ? node.argument.literal : undefined)),
      CallExpression(node) {
        const callee = node.callee;
        const isRequire = callee.type === 'Identifier' && callee.name === 'require';
        const isResolve =
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          callee.object.name === 'require' &&
          callee.property.type === 'Identifier' &&
          callee.property.name === 'resolve';
        const isJestMock =
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          callee.object.name === 'jest' &&
          callee.property.type === 'Identifier' &&
          ['mock', 'requireActual', 'doMock', 'unmock'].includes(callee.property.name);
        if (isRequire) check(node.arguments[0]);
        else if (isResolve || isJestMock) check(node.arguments[0], true);
      },
    };
  },
};

module.exports = { rules: { 'framework-imports': rule }, problemWith, ALLOWED_FORMS };
