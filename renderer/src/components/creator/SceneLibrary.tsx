import { useStore } from '../../state/store';
import { useImage } from '../../hooks/use-image';
import type { SceneRecord } from '../../../../shared/api';

function SceneTile({ scene, active, onPick }: { scene: SceneRecord; active: boolean; onPick: () => void }) {
  const preview = useImage(scene.summary.previewHash);
  return (
    <button type="button" className={`scene-tile${active ? ' active' : ''}`} onClick={onPick} data-testid="scene-tile">
      <span className="thumb">{preview ? <img src={preview} alt="" /> : null}</span>
      <span className="scene-tile-name">{scene.name}</span>
      <span className="muted small">{scene.summary.blender ? `.blend · ${scene.summary.blender.engine}` : `${scene.summary.triangles.toLocaleString('en-US')} triangles`}</span>
    </button>
  );
}

/** Scenes imported before, to render again without dropping them. */
export function SceneLibrary() {
  const scenes = useStore((s) => s.scenes);
  const selected = useStore((s) => s.selectedSceneId);
  const select = useStore((s) => s.selectScene);
  if (scenes.length === 0) return null;
  return (
    <section className="card wide" data-testid="scene-library">
      <h2>Your scenes</h2>
      <div className="scene-grid">
        {scenes.map((s) => (
          <SceneTile key={s.sceneId} scene={s} active={s.sceneId === selected} onPick={() => select(s.sceneId)} />
        ))}
      </div>
    </section>
  );
}
