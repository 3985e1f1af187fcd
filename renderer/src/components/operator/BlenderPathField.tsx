import { useState } from 'react';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { BLENDER_FIELDS } from '../../forms/operator-fields';
import { useStore } from '../../state/store';

/**
 * Which Blender renders .blend jobs: the path of the program, checked by the core (it must
 * answer as Blender 3.0 or newer) before it replaces the one in use. Empty means blender on
 * the PATH.
 */
export function BlenderPathField({ current }: { current: string | null }) {
  const setBlenderPath = useStore((s) => s.setBlenderPath);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors(BLENDER_FIELDS);
  const use = async () => {
    errors.clear();
    setSaved(false);
    setBusy(true);
    try {
      await setBlenderPath(path.trim() === '' ? null : path.trim());
      setSaved(true);
    } catch (err) {
      errors.report(err);
    } finally {
      setBusy(false);
    }
  };
  const error = errors.of('path');
  return (
    <div className="field">
      <label htmlFor="op-blender-path">Blender program for .blend jobs</label>
      <input
        id="op-blender-path"
        placeholder={current ?? 'blender on the PATH'}
        value={path}
        onChange={(e) => {
          setPath(e.target.value);
          setSaved(false);
          errors.clear('path');
        }}
        onKeyDown={(e) => e.key === 'Enter' && !busy && void use()}
        aria-invalid={!!error}
        aria-describedby="op-blender-path-hint"
        data-testid="op-blender-path"
      />
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => void use()} data-testid="op-blender-use">
        {busy ? 'Checking…' : 'Use this Blender'}
      </button>
      <FieldError text={error} testId="op-blender-path-error" />
      <span id="op-blender-path-hint" className="muted small">
        Blender 3.0 or newer. It is tried first (a short start, scripts off), and kept only if it works; jobs need the same major.minor version as the creator&apos;s.
      </span>
      {saved && current && (
        <span className="ok-text small" data-testid="op-blender-saved">
          Using {current}.
        </span>
      )}
    </div>
  );
}
