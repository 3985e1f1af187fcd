import { resolve } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';
import { hasErrors, readScene } from '../../core/scene/importer';
import { isBlendPath } from '../../core/scene/blend-prepare';
import { packageScene } from '../../core/scene/packager';
import { summarizeScene } from '../../core/scene/summary';
import { readGlb } from '../../core/engine/gltf-io';
import { sha256Hex } from '../../core/store';
import { parseCommand } from '../options';

export const sceneHelp = `rayfarm scene <file-or-folder> [--json] [--blender PATH]

Reads a .glb, a .gltf (with its .bin and images) or a folder holding one .gltf, and
prints what it holds — or every problem found. Exits with 1 when the scene cannot be
rendered. With --json prints one object:
  {sceneId, triangles, meshes, materials, textures, lights, cameras, animations,
   bounds, bytes, warnings, errors}
where triangles counts every instance drawn and sceneId is the sha256 of the packaged GLB.

A .blend is read by Blender (scripts off, sandboxed where bubblewrap is installed); --json
then prints {kind: "blender", sceneId, blenderVersion, engine, frameStart, frameEnd, width,
height, samples, externalFiles: [{path, present}], warnings, errors, …}.`;

function line(p: SceneProblem): string {
  return `  ${p.severity === 'error' ? 'error  ' : 'warning'}  ${p.message}`;
}

/** `rayfarm scene`: checks and summarises a scene without storing it. */
export async function sceneCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { blender: { type: 'string' } });
  if (args.bool('help') || args.positionals.length !== 1) {
    console.log(sceneHelp);
    return args.bool('help') ? 0 : 2;
  }
  if (isBlendPath(args.positionals[0]!)) {
    const blender = args.str('blender');
    return (await import('./scene-blend')).blendSceneCommand(args.positionals[0]!, { json: args.bool('json'), ...(blender ? { blender } : {}) });
  }
  const path = resolve(args.positionals[0]!);
  const read = await readScene({ path });
  const errors = read.problems.filter((p) => p.severity === 'error');
  const warnings = read.problems.filter((p) => p.severity === 'warning');
  if (!read.doc || hasErrors(read.problems)) {
    if (args.bool('json')) console.log(JSON.stringify({ sceneId: null, warnings, errors }));
    else {
      console.error(`${args.positionals[0]} cannot be rendered:`);
      for (const p of [...errors, ...warnings]) console.error(line(p));
    }
    return 1;
  }
  const glb = await packageScene(read.doc);
  const summary = summarizeScene(await readGlb(glb), { name: read.name, bytes: glb.byteLength, warnings });
  const sceneId = sha256Hex(glb);
  if (args.bool('json')) {
    const { triangles, meshes, materials, textures, lights, cameras, animations, bounds, bytes } = summary;
    console.log(JSON.stringify({ sceneId, name: summary.name, triangles, meshes, materials, textures, lights, cameras, animations, bounds, bytes, usesDefaultEnvironment: summary.usesDefaultEnvironment, environment: summary.environment, environmentMaps: summary.environmentMaps, warnings, errors: [] }));
    return 0;
  }
  const fmt = (v: readonly number[]) => `(${v.map((x) => Number(x.toFixed(3))).join(', ')})`;
  console.log(`${summary.name}  —  scene id ${sceneId}`);
  console.log(`  triangles   ${summary.triangles.toLocaleString('en-US')} (every instance counted)`);
  console.log(`  meshes      ${summary.meshes}`);
  console.log(`  materials   ${summary.materials}`);
  console.log(`  textures    ${summary.textures.length ? summary.textures.map((t) => `${t.name} ${t.width}×${t.height}`).join(', ') : 'none'}`);
  console.log(`  lights      ${summary.lights.length ? summary.lights.map((l) => `${l.name} (${l.type})`).join(', ') : 'none'}${summary.usesDefaultEnvironment ? ' — lit by the studio environment' : ''}`);
  if (summary.environment) console.log(`  world light ${summary.environment.kind} (auto): ${summary.environment.reason}`);
  console.log(`  cameras     ${summary.cameras.length ? summary.cameras.map((c) => c.name).join(', ') : 'none (an automatic camera frames the scene)'}`);
  console.log(`  animations  ${summary.animations.length ? summary.animations.map((a) => `${a.name} ${a.start}–${a.end} s`).join(', ') : 'none'}`);
  console.log(`  bounds      ${fmt(summary.bounds.min)} – ${fmt(summary.bounds.max)}`);
  console.log(`  package     ${(summary.bytes / 1024).toFixed(1)} KiB`);
  for (const w of warnings) console.log(line(w));
  return 0;
}
