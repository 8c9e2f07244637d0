/** The Lambda entry point (`index.handler` in the bundle). Built once per cold start. */
import { createRuntime } from './runtime';

export const handler = createRuntime().handler;
