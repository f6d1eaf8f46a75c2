import { InputTooLargeError, readTextBounded } from '../schema/read-bounded.js';
import { builtinModel, BUILTIN_MODELS } from './builtin-models.js';
import { FaultModelError, parseFaultModel, type FaultModel } from './fault-model.js';

/** a fault model is a few distributions */
const MAX_MODEL_BYTES = 16 << 20;

/** A built-in model's name, or a model file. */
export function loadFaultModel(nameOrFile: string): FaultModel {
  const builtin = builtinModel(nameOrFile);
  if (builtin) return builtin;
  let text: string;
  try {
    text = readTextBounded(nameOrFile, MAX_MODEL_BYTES);
  } catch (error) {
    if (error instanceof InputTooLargeError) throw new FaultModelError(`${nameOrFile}: ${error.message}`);
    throw new FaultModelError(`--faults ${nameOrFile}: not a built-in model (${Object.keys(BUILTIN_MODELS).join(', ')}) nor a readable file`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FaultModelError(`${nameOrFile}: $: expected valid JSON (${(error as Error).message})`);
  }
  return parseFaultModel(value, nameOrFile);
}
