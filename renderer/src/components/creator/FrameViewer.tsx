import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { downloadUrl } from '../../api/upload';

/** A finished frame at full size, with an exposure control for EXR output. */
export function FrameViewer({ jobId, frame, file, output, onClose }: { jobId: string; frame: number; file: string | null; output?: string; onClose: () => void }) {
  const [exposure, setExposure] = useState(0);
  const [img, setImg] = useState<{ dataUrl: string; width: number; height: number; hdr: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api
        .call('jobs.frameImage', { jobId, frame, exposure })
        .then((r) => live && setImg(r))
        .catch((err: Error) => live && setError(err.message));
    }, 60);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [jobId, frame, exposure]);
  const name = file?.split(/[\\/]/).pop() ?? null;
  const browser = !window.rayfarm;
  return (
    <div className="modal-backdrop" role="presentation" onClick={onClose}>
      <div className="modal viewer" role="dialog" aria-modal="true" aria-label={`Frame ${frame}`} data-testid="frame-viewer" onClick={(e) => e.stopPropagation()}>
        <div className="row between">
          <h2>
            Frame {frame} {img && <span className="muted small">{img.width} × {img.height}</span>}
          </h2>
          <button type="button" className="btn" onClick={onClose} aria-label="Close">
            Close
          </button>
        </div>
        <div className="viewer-img">{img ? <img src={img.dataUrl} alt={`Frame ${frame}`} data-testid="viewer-image" /> : <p className="muted">{error ?? 'Loading…'}</p>}</div>
        <div className="row between">
          {img?.hdr ? (
            <label className="exposure">
              Exposure {exposure > 0 ? '+' : ''}
              {exposure.toFixed(1)} EV
              <input type="range" min={-6} max={6} step={0.5} value={exposure} onChange={(e) => setExposure(Number(e.target.value))} aria-label="Exposure" />
            </label>
          ) : (
            <span className="muted small">{output === 'png16' ? 'PNG, 16-bit, sRGB' : output === 'png8' ? 'PNG, 8-bit, sRGB' : 'PNG, sRGB'}</span>
          )}
          {browser && name && (
            <a className="btn btn-primary" href={downloadUrl('job', jobId, name)} download={name} data-testid="download-frame">
              Download {name}
            </a>
          )}
        </div>
      </div>
    </div>
  );
}
