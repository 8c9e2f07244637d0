/**
 * Switchback is published twice from one source: `cdktf-switchback` for cdktf and `cdktn-switchback`
 * for CDK Terrain. The frameworks share construct markers (a cdktn stack passes cdktf's
 * `TerraformStack.isStack`), so a construct of one package inside an app of the other gets far
 * before it crashes deep in synth. Each public construct checks its scope first and names the
 * package that fits.
 */
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/** jsii's runtime type information: every class of both frameworks carries `{ fqn: '<module>.<Class>' }`. */
const JSII_RTTI = Symbol.for('jsii.rtti');

interface JsiiClass {
  readonly [JSII_RTTI]?: { readonly fqn?: unknown };
}

/** The frameworks Switchback is built for; a subclass from any other jsii library is looked through. */
const FRAMEWORK_CLASS = /^(cdktf|cdktn)\.(TerraformStack|App)$/;

function frameworkOfClass(type: JsiiClass | undefined): string | undefined {
  const fqn = type?.[JSII_RTTI]?.fqn;
  return typeof fqn === 'string' ? FRAMEWORK_CLASS.exec(fqn)?.[1] : undefined;
}

/** The framework this copy of Switchback was built against (`cdktf` or `cdktn`). */
export const OWN_FRAMEWORK: string = (() => {
  const own = frameworkOfClass(TerraformStack as unknown as JsiiClass);
  if (!own) {
    throw new Error(
      `Switchback cannot tell which framework its TerraformStack comes from (jsii fqn ${String(
        (TerraformStack as unknown as JsiiClass)[JSII_RTTI]?.fqn,
      )}); it supports cdktf and cdktn.`,
    );
  }
  return own;
})();

/** The framework whose TerraformStack or App class `value` is an instance of, if it is one. */
function frameworkOfInstance(value: object): string | undefined {
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    const found = frameworkOfClass((proto as { constructor?: JsiiClass }).constructor);
    if (found) return found;
  }
  return undefined;
}

/** The package to install for a framework: the two packages are named after their framework. */
export function packageFor(framework: string): string {
  return `${framework}-switchback`;
}

/**
 * Returns `scope` when its stack (or, outside a stack, its app) belongs to the framework this package
 * was built for; throws naming the right package otherwise. Called in each construct's `super(...)`
 * with the construct's id (before the construct tree is touched), and by the Aspect without one.
 */
export function inOwnFramework<T extends IConstruct>(scope: T, construct: string, id?: string): T {
  for (let current: IConstruct | undefined = scope; current; current = current.node?.scope) {
    const framework = frameworkOfInstance(current);
    if (framework === undefined) continue;
    if (framework === OWN_FRAMEWORK) return scope;
    const scopePath = scope.node?.path || '(the app)';
    const path = id === undefined ? scopePath : [scope.node?.path, id].filter(Boolean).join('/');
    throw new Error(
      `${construct} '${path}': this is ${packageFor(OWN_FRAMEWORK)}, built for ${OWN_FRAMEWORK}, ` +
        `but the scope belongs to a ${framework} app. Install ${packageFor(framework)} instead ` +
        `(npm install ${packageFor(framework)}) and import the constructs from it; both packages have the same API.`,
    );
  }
  return scope;
}
