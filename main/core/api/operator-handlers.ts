import type { operatorCalls } from '../../../shared/api';
import { historyToCsv } from '../operator/history';
import type { OperatorService } from '../operator/operator-service';
import type { HandlerMap } from './api-server';

/** Handlers for operator.*: hardware, benchmark, policy, status, history, earnings, CSV. */
export function operatorHandlers(operator: OperatorService): HandlerMap<Exclude<keyof typeof operatorCalls, 'operator.payments.resume' | 'operator.payments.maxUnpaid' | 'operator.blender.set'>> {
  return {
    'operator.hardware': (input) => operator.readHardware(input?.refresh === true),
    'operator.benchmark.run': () => operator.benchmark.run(),
    'operator.benchmark.history': () => operator.benchmark.history(),
    'operator.status': () => operator.status(),
    'operator.policy.get': () => operator.policy(),
    'operator.policy.set': (input) => operator.setPolicy(input),
    'operator.pause': (input) => operator.pause(input.for),
    'operator.history': (input) => operator.history.list(input ?? {}),
    'operator.earnings': (input) => operator.history.earnings({ days: input?.days ?? 14, utcOffsetMinutes: input?.utcOffsetMinutes ?? 0 }),
    'operator.history.csv': (input) => {
      const entries = operator.history.list({ ...input, limit: 5000 });
      const day = new Date().toISOString().slice(0, 10);
      return { filename: `rayfarm-operator-history-${day}.csv`, csv: historyToCsv(entries) };
    },
  };
}
