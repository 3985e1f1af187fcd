/**
 * When a creator's job deserves a notification: it completed, it paused because its escrow
 * ran low, or its frames keep being rejected. Pure, so both shells share it and tests pin it.
 */

/** The fields of a job the rules read. */
export interface JobNoticeInput {
  id: string;
  state: string;
  tasks: number;
  rejected: number;
  note: string | null;
  /** Why a paused job is paused. */
  pausedFor?: 'escrow-low' | 'creator' | null;
}

/** A notification to show. */
export interface JobNotice {
  kind: 'complete' | 'escrow-low' | 'rejections';
  title: string;
  body: string;
}

/** Rejections of one job from which the creator is told. */
export const REPEATED_REJECTIONS = 2;

/**
 * The notice a change from `prev` to `next` calls for, or null. `label` names the job for a
 * person (its scene's name, say); without one the end of its id stands in.
 */
export function jobNotice(prev: JobNoticeInput | undefined, next: JobNoticeInput, label?: string): JobNotice | null {
  const short = label ? `“${label}”` : `…${next.id.slice(-8)}`;
  if (next.state === 'complete' && prev?.state !== 'complete') {
    return { kind: 'complete', title: 'Render complete', body: `Job ${short}: all ${next.tasks} task${next.tasks === 1 ? '' : 's'} rendered and verified.` };
  }
  if (next.state === 'paused' && prev?.state !== 'paused' && next.pausedFor === 'escrow-low') {
    return { kind: 'escrow-low', title: 'Job paused: escrow low', body: `Job ${short} needs a top-up to continue. ${next.note ?? ''}`.trim() };
  }
  const before = prev?.rejected ?? 0;
  if (next.rejected >= REPEATED_REJECTIONS && before < REPEATED_REJECTIONS) {
    return { kind: 'rejections', title: 'Frames rejected repeatedly', body: `Job ${short}: ${next.rejected} results failed verification; they are being rendered again by other operators.` };
  }
  return null;
}
