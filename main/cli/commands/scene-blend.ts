import { resolve } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';
import { blendSceneInfo } from '../../core/scene/blend-import';
import { prepareBlend, requireBlender } from '../../core/scene/blend-prepare';

function line(p: SceneProblem): string {
  return `  ${p.severity === 'error' ? 'error  ' : 'warning'}  ${p.message}`;
}

/** `rayfarm scene FILE.blend`: Blender (sandboxed, scripts off) reads the file; the checks say what blocks it. */
export async function blendSceneCommand(file: string, opts: { json: boolean; blender?: string }): Promise<number> {
  const install = await requireBlender(opts.blender);
  const r = await prepareBlend(install, resolve(file));
  if (r.sandbox === 'none') console.error('rayfarm scene: bubblewrap is not installed: Blender ran without a sandbox (scripts still off).');
  const errors = r.problems.filter((p) => p.severity === 'error');
  const warnings = r.problems.filter((p) => p.severity === 'warning');
  const s = r.summary;
  if (opts.json) {
    console.log(
      JSON.stringify({
        // The same view of the file as the app's summary card, with the package's id and size.
        ...blendSceneInfo(s, install),
        sceneId: r.ok ? r.sceneId : null,
        engineId: r.ok ? r.engine : null,
        name: s.name,
        bytes: r.ok ? r.blend.byteLength : null,
        warnings,
        errors,
      }),
    );
    return r.ok ? 0 : 1;
  }
  if (!r.ok) {
    console.error(`${file} cannot be rendered:`);
    for (const p of [...errors, ...warnings]) console.error(line(p));
    return 1;
  }
  console.log(`${s.name}  —  scene id ${r.sceneId}`);
  console.log(`  engine      ${s.engine} (${r.engine}); saved with Blender ${s.blenderVersion}, checked with ${s.checkedWith}`);
  console.log(`  frames      ${s.frameStart}–${s.frameEnd}${s.frameStep > 1 ? ` every ${s.frameStep}` : ''} at ${Number(s.fps.toFixed(3))} fps`);
  console.log(`  resolution  ${s.width}×${s.height} (${s.resolutionPercentage} %)`);
  console.log(`  samples     ${s.samples}`);
  console.log(`  cameras     ${s.cameras.length ? s.cameras.join(', ') : 'none'}${s.camera ? ` (active: ${s.camera})` : ''}`);
  console.log(`  output      ${s.outputFormat}`);
  console.log(`  files       ${s.externalFiles.length ? s.externalFiles.map((f) => `${f.name} (${f.kind}, ${f.packed ? 'packed' : f.present ? 'present' : 'missing'})`).join(', ') : 'none outside the .blend'}`);
  console.log(`  package     ${(r.blend.byteLength / 1024).toFixed(1)} KiB`);
  for (const w of warnings) console.log(line(w));
  return 0;
}
