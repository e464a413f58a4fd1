export type { CliIo, CliStream } from './io.js';
export { main } from './main.js';
