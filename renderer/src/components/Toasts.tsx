import { useEffect, useRef, useState } from 'react';
import type { PublicJob } from '../../../shared/api';
import { jobNotice } from '../../../shared/job-notices';
import type { JobNotice } from '../../../shared/job-notices';
import { api } from '../api/client';
import { useStore } from '../state/store';

/** Something worth interrupting for: a job's notice, or the wallet locking. */
interface Notice {
  kind: JobNotice['kind'] | 'wallet-locked';
  title: string;
  body: string;
}

interface Toast extends Notice {
  id: number;
  /** The job the toast opens, or null for one that opens the Wallet view. */
  jobId: string | null;
}

/** What a wallet lock stops, said once when it happens. */
export const WALLET_LOCK_NOTICE: Notice = {
  kind: 'wallet-locked',
  title: 'The wallet is locked',
  body: 'Paid jobs and paid rendering wait until you unlock it in the Wallet view. (It locks itself after 15 minutes unused.)',
};

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
    const show = (notice: Notice, jobId: string | null) => {
      const id = next++;
      setToasts((t) => [...t.slice(-3), { ...notice, id, jobId }]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 12_000);
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        new Notification(notice.title, { body: notice.body });
      }
    };
    let wasUnlocked: boolean | null = null;
    const offs = [
      api.on('job.updated', (job) => {
        // Named by its scene, as the job list names it: an id means nothing to a person.
        const scene = useStore.getState().scenes.find((x) => x.sceneId === job.sceneId)?.summary.name;
        const notice = jobNotice(seen.current.get(job.id), job, scene);
        seen.current.set(job.id, job);
        if (notice) show(notice, job.id);
      }),
      // A lock is announced when it happens, not discovered at the next payment.
      api.on('wallet.changed', (w) => {
        if (wasUnlocked && w.exists && !w.unlocked) show(WALLET_LOCK_NOTICE, null);
        wasUnlocked = w.unlocked;
      }),
    ];
    void api
      .call('wallet.status')
      .then((w) => (wasUnlocked ??= w.unlocked))
      .catch(() => undefined);
    return () => offs.forEach((o) => o());
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
            if (t.jobId) openJob(t.jobId);
            else setMode('wallet');
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
