/**
 * Runs only in the CDK Terrain test set (frameworks/cdktn/jest.config.js), where both packages' sources
 * are at hand: this generated tree is cdktn-switchback, the repository's own tree is cdktf-switchback.
 * A construct of one inside an app of the other must fail at once, naming the package that fits.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import * as ownPackage from '../../../index';

const sourceRoot = process.env.SWITCHBACK_SOURCE_ROOT;
if (!sourceRoot)
  throw new Error('SWITCHBACK_SOURCE_ROOT is not set: run this test with frameworks/cdktn/jest.config.js');

// The other package's sources and framework, loaded from the repository root as its users would.
// A path known only at run time, outside this tree: require, not import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const otherPackage = require(join(sourceRoot, 'index.ts')) as typeof ownPackage;
const otherFramework = createRequire(join(sourceRoot, 'package.json'))('cdktf') as {
  App: typeof App;
  TerraformStack: typeof TerraformStack;
};

const SERVICE_PROPS = {
  releaseId: 'r1',
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  vpcId: 'vpc-0123456789abcdef0',
};

describe('a construct inside an app of the other framework', () => {
  it('fails naming cdktn-switchback when a cdktn app uses cdktf-switchback', () => {
    const stack = new TerraformStack(new App(), 'shop');
    expect(() => new otherPackage.SwitchbackService(stack, 'Checkout', SERVICE_PROPS)).toThrow(
      "SwitchbackService 'shop/Checkout': this is cdktf-switchback, built for cdktf, but the scope belongs to a cdktn app. " +
        'Install cdktn-switchback instead (npm install cdktn-switchback)',
    );
  });

  it('fails naming cdktf-switchback when a cdktf app uses cdktn-switchback', () => {
    const stack = new otherFramework.TerraformStack(new otherFramework.App(), 'shop');
    expect(() => new ownPackage.VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' })).toThrow(
      "VersionedArtifactStore 'shop/Store': this is cdktn-switchback, built for cdktn, but the scope belongs to a cdktf app. " +
        'Install cdktf-switchback instead',
    );
  });

  it('checks the policy Aspect too', () => {
    const app = new App();
    new TerraformStack(app, 'shop');
    expect(() => otherPackage.SwitchbackChecks.applyTo(app)).toThrow(
      "SwitchbackChecks.applyTo '(the app)': this is cdktf-switchback, built for cdktf, but the scope belongs to a cdktn app.",
    );
  });

  it('looks through a subclass of the app from another library', () => {
    // What a company's own base app looks like: a jsii class of its own module extending cdktn's App.
    class CompanyApp extends App {}
    Object.defineProperty(CompanyApp, Symbol.for('jsii.rtti'), {
      value: { fqn: 'company-lib.App', version: '1.0.0' },
    });
    const stack = new TerraformStack(new CompanyApp(), 'shop');
    expect(
      () => new otherPackage.RollbackAlarms(stack, 'Alarms', { serviceName: 'checkout' } as never),
    ).toThrow(
      "RollbackAlarms 'shop/Alarms': this is cdktf-switchback, built for cdktf, but the scope belongs to a cdktn app.",
    );
    expect(
      () => new ownPackage.VersionedArtifactStore(stack, 'Store', { serviceName: 'checkout' }),
    ).not.toThrow();
  });

  it('accepts its own framework, nested below the stack', () => {
    const stack = new TerraformStack(new App(), 'shop');
    const service = new ownPackage.SwitchbackService(stack, 'Checkout', SERVICE_PROPS);
    expect(service.node.path).toBe('shop/Checkout');
  });
});
