/**
 * The bundle's entry points: one bundle serves a watchdog (`index.handler`) and a group coordinator
 * (`index.groupHandler`). A function builds, at init, only the runtime it is configured to run, so a
 * coordinator (configured with the group's variables only) starts, and a watchdog missing its
 * variables still fails at init with its own message.
 */
const ENTRY = '../../lambdas/watchdog/index';

function load(env: Record<string, string | undefined>): Record<string, unknown> {
  const saved = { ...process.env };
  for (const key of [
    '_HANDLER',
    'SWITCHBACK_CONFIG_BUCKET',
    'SWITCHBACK_CONFIG_KEY',
    'SWITCHBACK_GROUP_CONFIG_BUCKET',
    'SWITCHBACK_GROUP_CONFIG_KEY',
  ])
    delete process.env[key];
  Object.assign(process.env, env, { AWS_REGION: 'us-east-1' });
  try {
    let loaded: Record<string, unknown> = {};
    jest.isolateModules(() => {
      loaded = jest.requireActual<Record<string, unknown>>(ENTRY);
    });
    return loaded;
  } finally {
    process.env = saved;
  }
}

const GROUP_ENV = {
  SWITCHBACK_GROUP_CONFIG_BUCKET: 'shop-group-store',
  SWITCHBACK_GROUP_CONFIG_KEY: 'config/groups/shop/coordinator.json',
};

describe('the bundle entry points', () => {
  it('start a coordinator configured with the group variables only', () => {
    const entry = load(GROUP_ENV);

    expect(typeof entry.groupHandler).toBe('function');
    expect(typeof entry.handler).toBe('function');
  });

  it("start the coordinator Lambda's handler setting names, whatever else is set", () => {
    expect(() => load({ ...GROUP_ENV, _HANDLER: 'index.groupHandler' })).not.toThrow();
    expect(() => load({ _HANDLER: 'index.groupHandler' })).toThrow(
      /the group coordinator's environment is incomplete/,
    );
  });

  it("fail a watchdog without its variables at init, with the watchdog's message", () => {
    expect(() => load({})).toThrow(/the watchdog's environment is incomplete: SWITCHBACK_CONFIG_BUCKET/);
    expect(() => load({ _HANDLER: 'index.handler', ...GROUP_ENV })).toThrow(
      /the watchdog's environment is incomplete/,
    );
  });
});
