/**
 * The old name of {@link runtimeServices}, kept while src/main.ts and tests/web call it `runtimePorts`
 * (the API's services used to be called "ports"). Import runtime-services.js in new code.
 */
export { runtimeServices as runtimePorts, type RuntimeParts } from './runtime-services.js';
