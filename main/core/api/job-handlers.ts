import { join } from 'node:path';
import type { jobCalls, PublicJob, JobTaskVerdict } from '../../../shared/api/jobs';
import { REPUTATION_FORMULA } from '../../../shared/api/jobs';
import type { JobSummary } from '../creator/pay/job-service';
import { storedJobSummary } from '../creator/pay/job-service';
import { JobStateStore } from '../creator/pay/job-state';
import { VoucherLedger } from '../creator/proof/voucher-ledger';
import type { Store } from '../store';
import type { PublicMode } from '../node/public-mode';
import type { VerdictRecord } from '../creator/proof/voucher-ledger';
import { RayfarmError } from '../errors';
import type { HandlerMap } from './api-server';
import { newJobId } from '../ids';
import { isBlenderSpec } from '../../../shared/job-spec';
import { creatorBlenderFor } from '../scene/blend-import';
import type { CreatorBlender } from '../scene/blend-import';

/** What the job calls need. */
export interface JobHandlerDeps {
  /** Public mode, once the chain, the network and an unlocked wallet are there. */
  publicMode: () => PublicMode | null;
  /** Why public mode is not available, for the error message. */
  problem: () => string;
  /** Where jobs are stored: the list and a job's page stay readable while public mode is down (wallet locked). */
  db?: Store['db'];
  /** Frames of a job without an output folder go to <dataDir>/outputs/<job id>. */
  dataDir?: string;
  /** The creator's Blender: a Blender job is created only when it is here, in the job's version. */
  blender?: CreatorBlender;
  emit: (event: 'job.fundStep', payload: { jobId: string; step: string; status: 'sending' | 'sent' | 'mined'; txHash?: string }) => void;
}

/** A job summary in the API's shape. */
export function publicJobInfo(s: JobSummary): PublicJob {
  return {
    id: s.id,
    sceneId: s.spec.sceneId,
    chainJobId: s.chainJobId,
    state: s.state,
    tier: s.tier,
    feeBps: s.feeBps,
    tasks: s.tasks,
    taskPrice: s.taskPrice,
    budget: s.budget,
    funded: s.funded,
    benchHours: s.benchHours,
    paid: s.paid,
    fee: s.fee,
    refund: s.refund,
    accepted: s.accepted,
    rejected: s.rejected,
    // Without a live dispatcher (wallet locked, after a restart) the verified count is what is done.
    done: s.progress?.done ?? s.accepted,
    leased: s.progress?.leased ?? 0,
    closableAt: s.closableAt,
    note: s.note ?? s.progress?.waiting ?? null,
    pausedFor: s.pausedFor,
    outDir: s.outDir,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** A verdict in the API's shape. */
export function taskVerdictInfo(v: VerdictRecord): JobTaskVerdict {
  return {
    taskIndex: v.taskIndex,
    operator: v.operator,
    resultHash: v.resultHash,
    verdict: v.verdict,
    ...(v.audited === false && v.verdict === 'accepted' ? { held: true } : {}),
    ...(v.code ? { code: v.code } : {}),
    ...(v.reason ? { reason: v.reason } : {}),
    price: v.price.toString(),
    pixelsChecked: v.pixelsChecked,
    maxError: v.maxError,
    patches: v.patches,
    verifyMs: v.verifyMs,
    at: v.at,
  };
}

function need(deps: JobHandlerDeps): PublicMode {
  const pm = deps.publicMode();
  if (!pm) throw new RayfarmError('JOBS_UNAVAILABLE', deps.problem());
  return pm;
}

/** The jobs.* handlers. */
export function jobHandlers(deps: JobHandlerDeps): HandlerMap<keyof typeof jobCalls> {
  const info = (pm: PublicMode, id: string) => publicJobInfo(pm.jobs.summary(id));
  // Read-only views of the same tables, for when public mode is down: reading needs no key.
  let stored: { states: JobStateStore; ledger: VoucherLedger } | undefined;
  const readable = (): Pick<PublicMode, 'states' | 'ledger'> & { summary: (id: string) => JobSummary } => {
    const pm = deps.publicMode();
    if (pm) return { states: pm.states, ledger: pm.ledger, summary: (id) => pm.jobs.summary(id) };
    if (!deps.db) need(deps);
    stored ??= { states: new JobStateStore(deps.db!), ledger: new VoucherLedger(deps.db!) };
    const { states, ledger } = stored;
    return { states, ledger, summary: (id) => storedJobSummary(states, ledger, id) };
  };
  return {
    'jobs.create': async ({ spec, benchHours, outDir, maxPrice }) => {
      const pm = need(deps);
      // Its results are checked by rendering parts again with the same Blender: refuse the job (in words) without it.
      if (isBlenderSpec(spec)) await creatorBlenderFor(deps.blender, spec.engine);
      const id = newJobId();
      const out = outDir ?? (deps.dataDir ? join(deps.dataDir, 'outputs', id) : undefined);
      const job = pm.jobs.create({ id, spec, sceneBytes: 0, benchHours, ...(out ? { outDir: out } : {}), ...(maxPrice ? { maxPrice: BigInt(maxPrice) } : {}) });
      return info(pm, job.id);
    },
    'jobs.fund': async ({ jobId, amount }) => {
      const pm = need(deps);
      await pm.jobs.fund(jobId, (s) => deps.emit('job.fundStep', { jobId, ...s }), amount === undefined ? undefined : BigInt(amount));
      return info(pm, jobId);
    },
    'jobs.start': ({ jobId }) => {
      const pm = need(deps);
      pm.jobs.start(jobId);
      return info(pm, jobId);
    },
    'jobs.pause': ({ jobId }) => {
      const pm = need(deps);
      pm.jobs.pause(jobId);
      return info(pm, jobId);
    },
    'jobs.resume': ({ jobId }) => {
      const pm = need(deps);
      pm.jobs.resume(jobId);
      return info(pm, jobId);
    },
    'jobs.topUp': async ({ jobId, amount }) => {
      const pm = need(deps);
      await pm.jobs.topUp(jobId, BigInt(amount), (s) => deps.emit('job.fundStep', { jobId, ...s }));
      return info(pm, jobId);
    },
    'jobs.cancel': async ({ jobId }) => {
      const pm = need(deps);
      await pm.jobs.cancel(jobId);
      return info(pm, jobId);
    },
    'jobs.close': async ({ jobId }) => {
      const pm = need(deps);
      await pm.jobs.close(jobId);
      return info(pm, jobId);
    },
    'jobs.list': () => {
      const r = readable();
      return r.states.list().map((j) => publicJobInfo(r.summary(j.id)));
    },
    'jobs.get': ({ jobId }) => {
      const pm = readable();
      const job = pm.states.get(jobId);
      return {
        job: publicJobInfo(pm.summary(jobId)),
        spec: job.spec,
        verdicts: pm.ledger.verdicts(jobId).map(taskVerdictInfo),
        vouchers: pm.ledger.latestPerOperator(jobId).map((v) => ({ operator: v.operator, tasks: v.tasks, cumulativeAmount: v.cumulativeAmount, resultsRoot: v.resultsRoot, at: v.at })),
        events: pm.states.events(jobId),
      };
    },
    'jobs.reputation': () => ({ formula: REPUTATION_FORMULA, operators: need(deps).reputation.list() }),
  };
}
