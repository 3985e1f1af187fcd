import { useEffect, useRef, useState } from 'react';
import type { SampleScene } from '../../../../shared/api';
import { api } from '../../api/client';
import { filesFromDrop, filesFromInput } from '../../api/upload';
import { useStore } from '../../state/store';
import { Words } from '../Words';

/** Drag a .glb, a .gltf with its files, a .blend (with its textures' folder), or a folder here — or pick them. */
export function DropZone() {
  const importFiles = useStore((s) => s.importFiles);
  const phase = useStore((s) => s.importPhase);
  const importPath = useStore((s) => s.importPath);
  const [over, setOver] = useState(false);
  const [samples, setSamples] = useState<SampleScene[]>([]);
  useEffect(() => {
    api.call('creator.samples').then(setSamples, () => setSamples([]));
  }, []);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const busy = phase.kind === 'uploading' || phase.kind === 'checking';

  return (
    <section
      className={`dropzone${over ? ' over' : ''}${busy ? ' busy' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (busy) return;
        void filesFromDrop(e.dataTransfer).then(importFiles);
      }}
    >
      <div className="dropzone-inner">
        <svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
          <path d="M12 3 3 8l9 5 9-5-9-5zM3 8v8l9 5 9-5V8M12 13v8" />
        </svg>
        {busy ? (
          <>
            <p className="drop-title">{phase.kind === 'uploading' ? `Uploading ${phase.name}…` : `Checking ${phase.name}…`}</p>
            <div className="progress wide-bar" role="progressbar" aria-label="Import progress" aria-valuenow={Math.round((phase.kind === 'uploading' ? phase.fraction : 1) * 100)}>
              <span style={{ width: `${(phase.kind === 'uploading' ? phase.fraction * 0.6 : 0.8) * 100}%` }} className={phase.kind === 'checking' ? 'indeterminate' : ''} />
            </div>
            <p className="muted small">{phase.kind === 'checking' ? (/\.blend$/i.test(phase.name) ? 'Blender is reading the .blend (scripts off), packing it and rendering a preview.' : 'Reading the scene, packing it and rendering a preview.') : 'Sending the files to Rayfarm.'}</p>
          </>
        ) : (
          <>
            <p className="drop-title">Drop a 3D scene here</p>
            <p className="muted">A .glb file, a .gltf with its .bin and textures, a Blender .blend (Cycles), or a folder holding one .gltf or .blend</p>
            <div className="row center">
              <button type="button" className="btn btn-primary" onClick={() => fileInput.current?.click()}>
                Choose files…
              </button>
              <button type="button" className="btn" onClick={() => folderInput.current?.click()}>
                Choose a folder…
              </button>
            </div>
            {samples.length > 0 && (
              <p className="muted small samples" data-testid="samples">
                No scene at hand? Try{' '}
                {samples.map((s, i) => (
                  <span key={s.path}>
                    {i > 0 && ' · '}
                    <button type="button" className="link" onClick={() => void importPath(s.path, s.name)}>
                      {s.name}
                    </button>
                  </span>
                ))}
              </p>
            )}
          </>
        )}
        {phase.kind === 'failed' && (
          <p className="field-error" role="alert" data-testid="import-failed">
            <Words text={phase.message} />
          </p>
        )}
      </div>
      <input ref={fileInput} type="file" multiple accept=".glb,.gltf,.bin,.png,.jpg,.jpeg,.webp,.ktx2,.blend" hidden data-testid="file-input" onChange={(e) => e.target.files && void importFiles(filesFromInput(e.target.files))} />
      <input
        ref={folderInput}
        type="file"
        hidden
        data-testid="folder-input"
        {...({ webkitdirectory: '' } as Record<string, string>)}
        onChange={(e) => e.target.files && void importFiles(filesFromInput(e.target.files))}
      />
    </section>
  );
}
