/**
 * What a warm container remembers between runs, so the next alarm costs fewer round trips: the ETag
 * the lock was released with (the next run takes it in one write) and the last release seen with its
 * manifest (immutable per version), whose known-good groups' health is read alongside everything else.
 * A cold container starts empty and pays the extra round trips once.
 */
import type { ReleaseManifest } from '../../../lib';

export interface WarmCache {
  lockEtag?: string;
  release?: {
    readonly releaseId: string;
    readonly manifestVersionId?: string;
    readonly manifest: ReleaseManifest;
  };
}

/** Remembers a release's manifest (called by capture and by every run that read it). */
export function rememberRelease(
  warm: WarmCache | undefined,
  releaseId: string,
  manifestVersionId: string | undefined,
  manifest: ReleaseManifest,
): void {
  if (!warm) return;
  warm.release = { releaseId, ...(manifestVersionId ? { manifestVersionId } : {}), manifest };
}

/** The remembered manifest, if it is the one the pointer names. */
export function rememberedManifest(
  warm: WarmCache | undefined,
  releaseId: string,
  manifestVersionId: string | undefined,
): ReleaseManifest | undefined {
  const release = warm?.release;
  return release && release.releaseId === releaseId && release.manifestVersionId === manifestVersionId
    ? release.manifest
    : undefined;
}
