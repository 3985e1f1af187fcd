/**
 * The dispatcher's active leases in memory, indexed the ways it asks about them on every
 * request and result: by id, by operator (peer), by task, counted per job and per job and
 * wallet address, and with a lower bound on the next deadline so that taking back expired
 * leases before each request is not a walk over every lease (bench:scale: 2,000 leases,
 * dozens of requests a second).
 */
import type { ActiveLease } from './dispatch-types';

/** Leases looked at per request for a backup candidate. */
const BACKUP_SCAN_LIMIT = 256;

/** What ofOperator answers for a peer with no lease (one set, never changed). */
const NONE: ReadonlySet<string> = new Set();

/** The inner map of `outer` under `k`, made when missing (per-job maps: no key strings built per lease). */
function inner<K, V>(outer: Map<string, Map<K, V>>, k: string): Map<K, V> {
  let m = outer.get(k);
  if (!m) {
    m = new Map();
    outer.set(k, m);
  }
  return m;
}

function addTo<K>(m: Map<K, Set<string>>, k: K, id: string): void {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  s.add(id);
}

function removeFrom<K>(m: Map<K, Set<string>>, k: K, id: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) m.delete(k);
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}

/** Drops the inner map of `k` once it is empty. */
function prune<K, V>(outer: Map<string, Map<K, V>>, k: string): void {
  if (outer.get(k)?.size === 0) outer.delete(k);
}

/** Active leases, indexed. */
export class LeaseBook {
  private readonly all = new Map<string, ActiveLease>();
  private readonly byOp = new Map<string, Set<string>>();
  /** Per job: task index → lease ids. */
  private readonly byTask = new Map<string, Map<number, Set<string>>>();
  private readonly perJob = new Map<string, number>();
  /** Per job: lower-case address → active leases. */
  private readonly perAddress = new Map<string, Map<string, number>>();
  /** No lease outside `exempt` has a deadline before this (a lower bound; Infinity when none). */
  private earliest = Infinity;

  /** A lease by id. */
  get(id: string): ActiveLease | undefined {
    return this.all.get(id);
  }

  /** Every active lease. */
  values(): IterableIterator<ActiveLease> {
    return this.all.values();
  }

  /** Starts tracking a lease. */
  add(l: ActiveLease): void {
    this.all.set(l.id, l);
    addTo(this.byOp, l.operator, l.id);
    addTo(inner(this.byTask, l.jobId), l.idx, l.id);
    bump(this.perJob, l.jobId, 1);
    bump(inner(this.perAddress, l.jobId), l.address.toLowerCase(), 1);
    this.lowered(l.deadline);
  }

  /** Stops tracking a lease (it ended). */
  remove(l: ActiveLease): void {
    if (this.all.get(l.id) !== l) return;
    this.all.delete(l.id);
    removeFrom(this.byOp, l.operator, l.id);
    removeFrom(inner(this.byTask, l.jobId), l.idx, l.id);
    prune(this.byTask, l.jobId);
    bump(this.perJob, l.jobId, -1);
    bump(inner(this.perAddress, l.jobId), l.address.toLowerCase(), -1);
    prune(this.perAddress, l.jobId);
  }

  /** Ids of the leases a peer holds. */
  ofOperator(peerId: string): ReadonlySet<string> {
    return this.byOp.get(peerId) ?? NONE;
  }

  /** The active leases of one task (more than one while a backup lease runs). */
  ofTask(jobId: string, idx: number): ActiveLease[] {
    return [...(this.byTask.get(jobId)?.get(idx) ?? [])].map((id) => this.all.get(id)!);
  }

  /** Active leases of a job. */
  count(jobId: string): number {
    return this.perJob.get(jobId) ?? 0;
  }

  /** Active leases of a job held by the operator with wallet `address`. */
  countOf(jobId: string, address: string): number {
    return this.perAddress.get(jobId)?.get(address.toLowerCase()) ?? 0;
  }

  /**
   * The slow tail: the oldest active lease of the job, out since before `leasedBefore`, whose
   * task has no second lease yet, held by another peer and `eligible` for the asker. Leases
   * are kept in the order they were made, so the walk stops at the first one too young, and
   * after BACKUP_SCAN_LIMIT (every operator polls a dry job; most old leases have a backup).
   */
  backupCandidate(jobId: string, peerId: string, leasedBefore: number, eligible: (l: ActiveLease) => boolean): ActiveLease | undefined {
    let scanned = 0;
    const tasks = this.byTask.get(jobId);
    for (const l of this.all.values()) {
      if (l.leasedAt >= leasedBefore || ++scanned > BACKUP_SCAN_LIMIT) return undefined;
      if (l.jobId !== jobId || l.operator === peerId) continue;
      if ((tasks?.get(l.idx)?.size ?? 0) !== 1) continue;
      if (eligible(l)) return l;
    }
    return undefined;
  }

  /** A lease's deadline moved earlier (or it stopped being exempt): the next expiry may be sooner. */
  lowered(deadline: number): void {
    if (deadline < this.earliest) this.earliest = deadline;
  }

  /** The earliest deadline of any lease (a lower bound), or undefined when there are none. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const l of this.all.values()) if (min === undefined || l.deadline < min) min = l.deadline;
    return min;
  }

  /**
   * Leases past their deadline at `now`, except `exempt` ones (being verified). Walks the
   * leases only when the earliest deadline has come; meanwhile it is one comparison.
   */
  due(now: number, exempt: (l: ActiveLease) => boolean): ActiveLease[] {
    if (now < this.earliest) return [];
    const out: ActiveLease[] = [];
    let next = Infinity;
    for (const l of this.all.values()) {
      if (exempt(l)) continue;
      if (l.deadline <= now) out.push(l);
      else if (l.deadline < next) next = l.deadline;
    }
    this.earliest = next;
    return out;
  }
}
