import { useEffect, useState } from 'react';
import type { Estimate } from '../../../shared/api';
import type { JobSpec } from '../../../shared/job-spec';
import { DropZone } from '../components/creator/DropZone';
import { JobForm } from '../components/creator/JobForm';
import { JobList } from '../components/creator/JobList';
import { JobPage } from '../components/creator/JobPage';
import { SubmitDialog } from '../components/creator/SubmitDialog';
import { ProblemList } from '../components/creator/ProblemList';
import { SceneLibrary } from '../components/creator/SceneLibrary';
import { SceneSummaryCard } from '../components/creator/SceneSummaryCard';
import { BlendFacts, BlendSummaryCard } from '../components/creator/BlendSummaryCard';
import { Page } from '../components/Page';
import { useStore } from '../state/store';

/** Creator mode: scenes in, frames out. */
export function CreatorView() {
  const loadScenes = useStore((s) => s.loadScenes);
  const scenes = useStore((s) => s.scenes);
  const selectedId = useStore((s) => s.selectedSceneId);
  const problems = useStore((s) => s.importProblems);
  const refusedBlend = useStore((s) => s.importBlend);
  const selectScene = useStore((s) => s.selectScene);
  const scene = scenes.find((s) => s.sceneId === selectedId) ?? null;
  const openJobId = useStore((s) => s.openJobId);
  const loadJobs = useStore((s) => s.loadJobs);
  const loadNetwork = useStore((s) => s.loadNetwork);
  const formSeed = useStore((s) => s.formSeed);
  const [submitting, setSubmitting] = useState<{ spec: JobSpec; estimate: Estimate } | null>(null);
  // What the API refused of the settings when pricing the draft, for the form to show by field.
  const [refusal, setRefusal] = useState<unknown>(null);

  useEffect(() => {
    void loadScenes();
    void loadJobs();
    // The estimate counts the operators seen on the network.
    void loadNetwork();
  }, [loadScenes, loadJobs, loadNetwork]);

  if (openJobId) {
    return (
      <Page id="creator" title="Creator" lead="Your frames arrive here as operators render them and they pass verification.">
        <JobPage jobId={openJobId} />
      </Page>
    );
  }

  return (
    <Page id="creator" title="Creator" lead="Drop a 3D scene or a .blend, see what it costs, and watch your frames arrive.">
      {!scene && <DropZone />}
      {problems.length > 0 && (
        <section className="card wide" data-testid="import-problems">
          <h2>{problems.some((p) => p.severity === 'error') ? 'Problems that stop this scene from rendering' : 'Warnings'}</h2>
          <ProblemList problems={problems} />
          {refusedBlend && (
            <>
              <h3>What Blender found in the file</h3>
              <BlendFacts info={refusedBlend} />
            </>
          )}
        </section>
      )}
      {scene && (
        <>
          <div className="wide row between">
            <button type="button" className="btn" onClick={() => selectScene(null)}>
              ← Another scene
            </button>
          </div>
          {scene.summary.blender ? <BlendSummaryCard scene={scene} /> : <SceneSummaryCard scene={scene} />}
          <JobForm
            key={`${scene.sceneId}-${formSeed ? JSON.stringify(formSeed) : ''}`}
            scene={scene}
            seed={formSeed}
            refusal={refusal}
            onSubmit={(spec, estimate) => {
              setRefusal(null);
              setSubmitting({ spec, estimate });
            }}
            submitting={submitting !== null}
          />
        </>
      )}
      <JobList />
      <SceneLibrary />
      {submitting && <SubmitDialog spec={submitting.spec} estimate={submitting.estimate} onClose={() => setSubmitting(null)} onSpecRefused={setRefusal} />}
    </Page>
  );
}
