import { Card } from '../Page';
import { useStore } from '../../state/store';
import { BlenderPathField } from './BlenderPathField';
import { bytes } from './format';

/** The CPU, the GPUs (VRAM, driver), the engine's devices and the Blender used for .blend jobs. */
export function HardwareCard() {
  const hw = useStore((s) => s.opHardware);
  const error = useStore((s) => s.opError);
  const refresh = useStore((s) => s.refreshHardware);
  return (
    <Card title="Hardware" testId="operator-hardware">
      {!hw ? (
        <p className="empty">{error?.area === 'hardware' ? error.message : 'Reading the hardware…'}</p>
      ) : (
        <>
          <ul className="hw-list">
            {hw.gpus.map((g, i) => (
              <li key={i} className="hw-item" data-testid="hw-gpu">
                <span className={`hw-kind ${g.usable ? 'hw-kind-ok' : ''}`}>GPU</span>
                <div>
                  <div className="hw-name">{g.model}</div>
                  <div className="hw-meta">
                    {g.vendor} · VRAM {g.vramMB === null ? 'unknown' : g.vramMB >= 1024 ? `${(g.vramMB / 1024).toFixed(1)} GiB` : `${g.vramMB} MiB`} · driver {g.driver ?? 'unknown'}
                    {g.usable ? ' · renders' : ' · not used by the engine'}
                  </div>
                </div>
              </li>
            ))}
            <li className="hw-item" data-testid="hw-cpu">
              <span className="hw-kind hw-kind-ok">CPU</span>
              <div>
                <div className="hw-name">{hw.cpu.brand}</div>
                <div className="hw-meta">
                  {hw.cpu.physicalCores} cores / {hw.cpu.cores} threads{hw.cpu.speedGHz ? ` · ${hw.cpu.speedGHz.toFixed(2)} GHz` : ''} · {bytes(hw.memoryBytes)} RAM
                </div>
              </div>
            </li>
          </ul>
          <div className="hw-engine">
            <span className="hw-meta">Engine devices:</span>{' '}
            {hw.engineDevices.length ? hw.engineDevices.map((d) => `${d.name.toUpperCase() === d.backend.toUpperCase() ? d.name : `${d.backend.toUpperCase()} ${d.name}`}${d.threads ? ` (${d.threads} threads)` : ''}${d.memoryBytes ? ` ${bytes(d.memoryBytes)}` : ''}`).join(', ') : 'none'}
          </div>
          {hw.blender !== undefined && (
            <div className="hw-engine" data-testid="hw-blender">
              <span className="hw-meta">Blender:</span>{' '}
              {hw.blender
                ? `${hw.blender.version} — takes ${hw.blender.engine} jobs on ${hw.blender.devices.map((d) => (d.type === 'CPU' ? 'CPU' : `${d.type} ${d.name}`)).join(', ')}${hw.blender.sandboxed ? ' (sandboxed)' : ' (no sandbox: install bubblewrap)'}`
                : 'not found — .blend jobs are not taken'}
              {hw.blender && (
                <p className="op-note" data-testid="hw-cycles" data-score={hw.blender.cycles?.score}>
                  {hw.blender.cyclesNote ?? 'Measuring the Cycles benchmark (a short render with this Blender)…'}
                </p>
              )}
            </div>
          )}
          <BlenderPathField current={hw.blender?.path ?? null} />
          {hw.notes.map((n) => (
            <p key={n} className={`op-note ${hw.usableGpu ? '' : 'op-note-warn'}`} data-testid="hw-note">
              {n}
            </p>
          ))}
          <div className="card-foot">
            <span className="hw-meta">{hw.os}</span>
            <button type="button" className="btn btn-small" onClick={() => void refresh()}>
              Refresh
            </button>
          </div>
        </>
      )}
    </Card>
  );
}
