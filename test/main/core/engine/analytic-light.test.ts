import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { CameraDesc, MaterialDesc } from '../../../../main/core/engine/types';
import { meanLuminance, SceneBuilder } from './fixtures';

type V3 = [number, number, number];
const W = 32;

/** A camera at `pos` looking straight down -y (glTF camera looks down its -z). */
function lookingDown(pos: V3, yfov: number): CameraDesc {
  return { cameraToWorld: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, pos[0], pos[1], pos[2], 1], yfov };
}

/** The six faces of the cube [-1, 1]³ as quads whose normals point inwards. */
function closedBox(b: SceneBuilder, mat: number): void {
  const faces: [V3, V3, V3][] = [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
  ];
  for (const [n, u, v] of faces) {
    for (const s of [1, -1]) {
      const at = (a: number, c: number): V3 => [s * n[0] + a * u[0] + c * v[0], s * n[1] + a * u[1] + c * v[1], s * n[2] + a * u[2] + c * v[2]];
      // Winding chosen so that cross(b - a, c - a) = -s·n: facing the inside.
      if (s > 0) b.quad(at(-1, -1), at(-1, 1), at(1, 1), at(1, -1), mat);
      else b.quad(at(-1, -1), at(1, -1), at(1, 1), at(-1, 1), mat);
    }
  }
}

async function render(b: SceneBuilder, camera: CameraDesc, maxDepth: number, spp = 64): Promise<number> {
  const scene = await loadScene(b.build());
  try {
    const px = await renderTile({ scene, camera, width: W, height: W, spp, seed: 3, maxDepth, threads: 2 });
    return meanLuminance(px, W, { x: 0, y: 0, width: W, height: W });
  } finally {
    scene.dispose();
  }
}

const lambert = (albedo: number, m: Partial<MaterialDesc> = {}): Partial<MaterialDesc> => ({ baseColor: [albedo, albedo, albedo, 1], metallic: 0, roughness: 1, specular: 0, ...m });

/** Irradiance at the origin of the plane y = 0 from a Lambertian rectangle [0, X]×[0, Y] of radiance 1 at height 1, over it. */
function cornerIrradiance(x: number, y: number): number {
  const a = Math.sqrt(1 + x * x), c = Math.sqrt(1 + y * y);
  // Form factor of a parallel rectangle with a corner above the receiving point, times π.
  return 0.5 * ((x / a) * Math.atan(y / a) + (y / c) * Math.atan(x / c));
}

describe('analytic light transport (independent of any other renderer)', () => {
  // In a closed room whose every wall has albedo ρ and emits E, every point sees radiance
  // E·(1 + ρ + … + ρ^(N+1)) with N bounces counted as Cycles does: the sum the Cornell box's
  // lamp, MIS and bounce accounting must reproduce.
  for (const doubleSided of [true, false]) {
    it(`a closed emitting room has radiance E·Σρᵏ (${doubleSided ? 'double' : 'single'}-sided walls)`, async () => {
      const b = new SceneBuilder();
      closedBox(b, b.addMaterial(lambert(0.5, { emissive: [0.25, 0.25, 0.25], doubleSided })));
      const cam = lookingDown([0.1, 0.2, 0.3], 1.2);
      const geometric = (n: number) => (0.25 * (1 - Math.pow(0.5, n + 2))) / 0.5;
      expect(await render(b, cam, 8)).toBeCloseTo(geometric(8), 2);
      expect(await render(b, cam, 0)).toBeCloseTo(geometric(0), 3);
    });
  }

  it('a double-sided square lamp lights the floor below it as the form factor says', async () => {
    // The classic box's lamp: 0.5 × 0.5 m of radiance 17, here 1 m above a white floor, both
    // faces emitting; direct light only. Radiance of the floor under its centre = ρ/π · E.
    const b = new SceneBuilder();
    const floor = b.addMaterial(lambert(0.73));
    const lamp = b.addMaterial(lambert(0, { emissive: [17, 17, 17], doubleSided: true }));
    b.quad([-5, 0, 5], [5, 0, 5], [5, 0, -5], [-5, 0, -5], floor);
    b.quad([-0.25, 1, -0.25], [0.25, 1, -0.25], [0.25, 1, 0.25], [-0.25, 1, 0.25], lamp);
    const expected = (0.73 / Math.PI) * 17 * 4 * cornerIrradiance(0.25, 0.25);
    // A narrow view of the floor's centre from just under the lamp (0.5 mm spot).
    const got = await render(b, lookingDown([0, 0.9, 0], 0.0006), 0, 256);
    expect(got / expected).toBeGreaterThan(0.99);
    expect(got / expected).toBeLessThan(1.01);
  });
});
