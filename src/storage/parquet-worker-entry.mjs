// Worker threads do not inherit the main thread's module hooks, so each worker registers tsx's
// loader itself before loading the TypeScript worker (the same way bin/quiver.js starts).
import { register } from 'tsx/esm/api';

register();
await import('./parquet-worker.ts');
