import { rememberedManifest, rememberRelease, type WarmCache } from '../../../lambdas/watchdog/engine/warm';
import { manifest } from '../fixtures';

describe('the warm container cache', () => {
  const m = manifest();

  it('remembers a release and gives its manifest back for the same release and version', () => {
    const warm: WarmCache = {};

    rememberRelease(warm, 'r42', 'v1', m);

    expect(warm.release).toEqual({ releaseId: 'r42', manifestVersionId: 'v1', manifest: m });
    expect(rememberedManifest(warm, 'r42', 'v1')).toBe(m);
  });

  it('gives nothing back for another release or another version of its manifest', () => {
    const warm: WarmCache = {};
    rememberRelease(warm, 'r42', 'v1', m);

    expect(rememberedManifest(warm, 'r43', 'v1')).toBeUndefined();
    expect(rememberedManifest(warm, 'r42', 'v2')).toBeUndefined();
    expect(rememberedManifest(warm, 'r42', undefined)).toBeUndefined();
  });

  it('remembers a manifest read without a version id, and matches it only without one', () => {
    const warm: WarmCache = {};
    rememberRelease(warm, 'r42', undefined, m);

    expect(warm.release).toStrictEqual({ releaseId: 'r42', manifest: m });
    expect(rememberedManifest(warm, 'r42', undefined)).toBe(m);
    expect(rememberedManifest(warm, 'r42', 'v1')).toBeUndefined();
  });

  it('remembers nothing in a cold container without a cache, and finds nothing in an empty one', () => {
    expect(() => rememberRelease(undefined, 'r42', 'v1', m)).not.toThrow();
    expect(rememberedManifest(undefined, 'r42', 'v1')).toBeUndefined();
    expect(rememberedManifest({}, 'r42', 'v1')).toBeUndefined();
  });
});
