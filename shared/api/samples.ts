import { z } from 'zod';
import { call, NoInput } from './define';

export const SampleSceneSchema = z.object({
  name: z.string(),
  /** Path to import with creator.importScene({path}). */
  path: z.string(),
  bytes: z.number().int(),
});
export type SampleScene = z.infer<typeof SampleSceneSchema>;

export const sampleCalls = {
  'creator.samples': call(NoInput, z.array(SampleSceneSchema), 'The sample scenes shipped with the app, to try the flow without a scene of your own.'),
};
