import { useEffect } from 'react';
import { DropZone } from '../components/creator/DropZone';
import { JobForm } from '../components/creator/JobForm';
import { ProblemList } from '../components/creator/ProblemList';
import { SceneLibrary } from '../components/creator/SceneLibrary';
import { SceneSummaryCard } from '../components/creator/SceneSummaryCard';
import { Page } from '../components/Page';
import { useStore } from '../state/store';

/** Creator mode: scenes in, frames out. */
export function CreatorView() {
  const loadScenes = useStore((s) => s.loadScenes);
  const scenes = useStore((s) => s.scenes);
  const selectedId = useStore((s) => s.selectedSceneId);
  const problems = useStore((s) => s.importProblems);
  const selectScene = useStore((s) => s.selectScene);
  const scene = scenes.find((s) => s.sceneId === selectedId) ?? null;

  useEffect(() => {
    void loadScenes();
  }, [loadScenes]);

  return (
    <Page id="creator" title="Creator" lead="Drop a 3D scene, see what it costs, and watch your frames arrive.">
      {!scene && <DropZone />}
      {problems.length > 0 && (
        <section className="card wide" data-testid="import-problems">
          <h2>{problems.some((p) => p.severity === 'error') ? 'Problems that stop this scene from rendering' : 'Warnings'}</h2>
          <ProblemList problems={problems} />
        </section>
      )}
      {scene && (
        <>
          <div className="wide row between">
            <button type="button" className="btn" onClick={() => selectScene(null)}>
              ← Another scene
            </button>
          </div>
          <SceneSummaryCard scene={scene} />
          <JobForm scene={scene} />
        </>
      )}
      <SceneLibrary />
    </Page>
  );
}
