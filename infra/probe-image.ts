import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { DeploymentSettings } from '../functions/shared/config.js';
import { requireBuildOutput } from './build-output.js';
import type { ProbeImageSource } from './stack-settings.js';

/** infra/probe-image/Dockerfile: copies the probe bundle to /app/index.cjs and runs it as the `node` user. */
export const PROBE_DOCKERFILE = join(dirname(fileURLToPath(import.meta.url)), 'probe-image', 'Dockerfile');
export const PROBE_BUNDLE_FILE = 'index.cjs';

/**
 * The probe's container image: the prebuilt `deployment.probeImageUri` when set (ECR images get pull permissions),
 * else an image asset built at deploy time from the Dockerfile and `<buildDirectory>/probe/index.cjs`.
 */
export function probeContainerImage(
  scope: Construct,
  source: ProbeImageSource,
  buildDirectory: string,
  cpuArchitecture: DeploymentSettings['cpuArchitecture'],
): ecs.ContainerImage {
  switch (source.kind) {
    case 'registry':
      return ecs.ContainerImage.fromRegistry(source.uri);
    case 'ecr': {
      const repository = ecr.Repository.fromRepositoryAttributes(scope, 'ProbeRepository', {
        repositoryArn: source.repositoryArn,
        repositoryName: source.repositoryName,
      });
      return ecs.ContainerImage.fromEcrRepository(repository, source.tagOrDigest);
    }
    case 'asset':
      return ecs.ContainerImage.fromAsset(stageProbeImageContext(buildDirectory), {
        // No RUN step in the Dockerfile, so building the other architecture needs no emulator.
        platform: cpuArchitecture === 'ARM64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
      });
  }
}

/**
 * A Docker build context holding only the Dockerfile and the probe bundle, staged beside the bundle so the asset
 * hash (and so the image) changes exactly when one of the two does.
 */
function stageProbeImageContext(buildDirectory: string): string {
  const bundle = requireBuildOutput(join(buildDirectory, 'probe', PROBE_BUNDLE_FILE));
  const context = join(buildDirectory, 'probe-image');
  // Emptied first: a file left by an earlier build (the bundle's old name) would change the hash and ship in the context.
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  copyFileSync(PROBE_DOCKERFILE, join(context, 'Dockerfile'));
  copyFileSync(bundle, join(context, PROBE_BUNDLE_FILE));
  return context;
}
