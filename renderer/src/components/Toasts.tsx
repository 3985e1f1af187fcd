import { useEffect, useRef, useState } from 'react';
import type { PublicJob } from '../../../shared/api';
import { jobNotice } from '../../../shared/job-notices';
import type { JobNotice } from '../../../shared/job-notices';
import { api } from '../api/client';
import { useStore } from '../state/store';

interface Toast extends JobNotice {
  id: number;
  jobId: string;
}

/**
 * Job notifications: an in-window toast, and a system notification where the platform
 * allows (Electron, or a browser tab the person granted it to).
 */
export function Toasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seen = useRef(new Map<string, PublicJob>());
  const openJob = useStore((s) => s.openJob);
  const setMode = useStore((s) => s.setMode);
  useEffect(() => {
    let next = 1;
    return api.on('job.updated', (job) => {
      const notice = jobNotice(seen.current.get(job.id), job);
      seen.current.set(job.id, job);
      if (!notice) return;
      const id = next++;
      setToasts((t) => [...t.slice(-3), { ...notice, id, jobId: job.id }]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 12_000);
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        new Notification(notice.title, { body: notice.body });
      }
    });
  }, []);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <button
          key={t.id}
          type="button"
          className={`toast toast-${t.kind}`}
          data-testid="toast"
          onClick={() => {
            setMode('creator');
            openJob(t.jobId);
            setToasts((all) => all.filter((x) => x.id !== t.id));
          }}
        >
          <strong>{t.title}</strong>
          <span>{t.body}</span>
        </button>
      ))}
    </div>
  );
}
