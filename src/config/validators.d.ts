// The validators scripts/gen-config-validators.js generates at build time
// (dist/config/validators.js: ajv's standalone code for spec.ts's schemas,
// compiled with allErrors). Only their types are here.

import type { ValidateFunction } from 'ajv';
import type { Process, Spec, State } from './spec.js';

export declare const spec: ValidateFunction<Spec>;
export declare const process: ValidateFunction<Process>;
export declare const state: ValidateFunction<State>;
