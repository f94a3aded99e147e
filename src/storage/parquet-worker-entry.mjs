// Worker entry when quiver runs from its TypeScript sources (the tests, through tsx): worker
// threads do not inherit the main thread's module hooks, so this registers tsx's loader before
// loading the TypeScript worker. The compiled build starts build/storage/parquet-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./parquet-worker.ts');
