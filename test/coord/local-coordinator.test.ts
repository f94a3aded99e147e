import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { coordinatorContract } from './coordinator-contract.ts';

describe('LocalCoordinator contract', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-local-coord-'));
  const coordinator = new LocalCoordinator(dir);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  coordinatorContract(async () => coordinator);
});
